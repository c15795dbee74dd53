import { describe, expect, it } from "vitest";
import { toDecision, toDecisionStats } from "../models";
import {
  kindSlug,
  parseOptions,
  percent,
  reliabilityPoints,
  reliabilityRows,
  score,
} from "./decisions";

const bin = (b: number, predicted: number, observed: number, count: number) => ({
  bin: b,
  predicted,
  observed,
  count,
});

describe("reliabilityPoints", () => {
  it("keeps bins with decisions, in order of confidence, within 0..1", () => {
    expect(
      reliabilityPoints([
        bin(2, 0.85, 0.5, 4),
        bin(0, 0.1, 0, 0),
        bin(1, 0.35, 1.2, 2),
        bin(3, Number.NaN, 0.5, 3),
      ]),
    ).toEqual([
      { predicted: 0.35, observed: 1, count: 2 },
      { predicted: 0.85, observed: 0.5, count: 4 },
    ]);
  });
});

describe("reliabilityRows", () => {
  it("lists calibrated bins then raw ones, with the gap", () => {
    const rows = reliabilityRows([bin(0, 0.6, 0.5, 10)], [bin(0, 0.9, 0.5, 10)]);
    expect(rows.map((row) => row.series)).toEqual(["Calibrated", "Raw"]);
    expect(rows[0]?.gap).toBeCloseTo(-0.1);
    expect(rows[1]?.gap).toBeCloseTo(-0.4);
    expect(reliabilityRows([], [])).toEqual([]);
  });
});

describe("figures", () => {
  it("formats percentages and scores", () => {
    expect(percent(0.723)).toBe("72%");
    expect(score(0.12345)).toBe("0.123");
    expect(score(null)).toBe("—");
  });
});

describe("parseOptions", () => {
  it("reads one option a line", () => {
    expect(parseOptions(" Train \n\nCar\ntrain\n")).toEqual({
      options: ["Train", "Car"],
      problem: null,
    });
  });

  it("refuses too many or too long options", () => {
    const many = Array.from({ length: 11 }, (_, i) => `o${i}`).join("\n");
    expect(parseOptions(many).problem).toMatch(/At most 10/);
    expect(parseOptions("x".repeat(101)).problem).toMatch(/100 characters/);
  });
});

describe("kindSlug", () => {
  it("makes a slug", () => {
    expect(kindSlug("  Travel plans! ")).toBe("travel-plans");
    expect(kindSlug("")).toBe("");
  });
});

describe("toDecision", () => {
  it("reads a decision and its outcome", () => {
    const decision = toDecision({
      id: "d1",
      pending: false,
      data: {
        question: "Train or car?",
        options: ["Train", 3, "Car"],
        action: "Train",
        confidence: 0.55,
        rawConfidence: 1.4,
        alternatives: [{ action: "Car", confidence: 0.3, rawConfidence: 0.2 }, { nope: 1 }],
        risk: { level: "extreme", factors: ["strike", 1] },
        ask: true,
        threshold: 0.6,
        calibration: { scope: "kind", count: 12 },
        hasOutcome: true,
        outcome: { value: "partial", notes: null, replaced: 1 },
      },
    });
    expect(decision).toMatchObject({
      options: ["Train", "Car"],
      kind: "general",
      rawConfidence: 1,
      alternatives: [{ action: "Car", confidence: 0.3, rawConfidence: 0.2 }],
      risk: { level: "medium", factors: ["strike"] },
      ask: true,
      calibration: { scope: "kind", count: 12 },
      outcome: { value: "partial", notes: null, replaced: 1 },
      origin: null,
    });
    expect(toDecision({ id: "d2", pending: false, data: { hasOutcome: false } }).outcome).toBeNull();
  });
});

describe("toDecisionStats", () => {
  it("reads the figures and the bins", () => {
    const stats = toDecisionStats({
      id: "current",
      pending: false,
      data: {
        count: 3,
        byKind: { general: 2, travel: 1, bad: "x" },
        brier: 0.2,
        ece: 0.05,
        reliability: { calibrated: [{ bin: 1, predicted: 0.5, observed: 0.4, count: 3 }, "x"] },
      },
    });
    expect(stats).toMatchObject({
      count: 3,
      byKind: { general: 2, travel: 1 },
      brier: 0.2,
      ece: 0.05,
      brierRaw: null,
      reliability: { calibrated: [{ bin: 1, predicted: 0.5, observed: 0.4, count: 3 }], raw: [] },
    });
  });
});

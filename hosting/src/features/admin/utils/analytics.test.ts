import { describe, expect, it } from "vitest";
import type { DayUsagePublic } from "../../../wire/analytics";
import {
  OTHER,
  activeSeries,
  analyticsRequest,
  callsSeries,
  costSeries,
  dayTotals,
  lastDays,
  topFunctions,
} from "./analytics";

function day(name: string, fields: Partial<DayUsagePublic> = {}): DayUsagePublic {
  return {
    day: name,
    calls: {},
    errors: {},
    ai: [],
    events: {},
    activeUsers: 0,
    ...fields,
  };
}

const ai = (model: string, costUsd: number) => ({
  provider: "openai",
  model,
  requests: 1,
  inputTokens: 10,
  outputTokens: 5,
  costUsd,
});

describe("analyticsRequest", () => {
  it("accepts a range of up to 92 days", () => {
    expect(analyticsRequest("2026-01-01", "2026-04-02")).toEqual({
      ok: true,
      request: { from: "2026-01-01", to: "2026-04-02" },
    });
  });

  it("names the field that is wrong", () => {
    expect(analyticsRequest("", "2026-12-01")).toMatchObject({
      ok: false,
      field: "from",
    });
    expect(analyticsRequest("2026-02-30", "2026-12-01")).toMatchObject({
      field: "from",
    });
    expect(analyticsRequest("2026-12-01", "x")).toMatchObject({ field: "to" });
    expect(analyticsRequest("2026-12-02", "2026-12-01")).toMatchObject({
      field: "to",
    });
    expect(analyticsRequest("2026-01-01", "2026-04-03")).toMatchObject({
      field: "to",
    });
  });
});

describe("lastDays", () => {
  it("ends today (UTC) and spans the days asked", () => {
    const now = new Date("2026-12-02T23:30:00Z");
    expect(lastDays(30, now)).toEqual({ from: "2026-11-03", to: "2026-12-02" });
  });
});

describe("series", () => {
  const days = [
    day("2026-12-01", {
      calls: { a: 5, b: 1, c: 1 },
      ai: [ai("m1", 0.5)],
      activeUsers: 2,
    }),
    day("2026-12-02", {
      calls: { b: 3, d: 2 },
      ai: [ai("m2", 0.25), ai("m1", 1)],
    }),
  ];

  it("ranks functions by calls over the range", () => {
    expect(topFunctions(days, 2)).toEqual(["a", "b"]);
  });

  it("stacks the top functions and sums the rest as other", () => {
    const { keys, rows } = callsSeries(days, ["a", "b"]);
    expect(keys).toEqual(["a", "b", OTHER]);
    expect(rows).toEqual([
      { day: "2026-12-01", a: 5, b: 1, [OTHER]: 1 },
      { day: "2026-12-02", a: 0, b: 3, [OTHER]: 2 },
    ]);
  });

  it("has no other when every function is drawn", () => {
    expect(callsSeries(days, ["a", "b", "c", "d"]).keys).not.toContain(OTHER);
  });

  it("gives the cost per model per day, zero where unused", () => {
    const { keys, rows } = costSeries(days);
    expect(keys).toEqual(["openai / m1", "openai / m2"]);
    expect(rows[0]).toEqual({
      day: "2026-12-01",
      "openai / m1": 0.5,
      "openai / m2": 0,
    });
    expect(rows[1]).toEqual({
      day: "2026-12-02",
      "openai / m1": 1,
      "openai / m2": 0.25,
    });
  });

  it("gives active users and day totals", () => {
    expect(activeSeries(days)).toEqual([
      { day: "2026-12-01", activeUsers: 2 },
      { day: "2026-12-02", activeUsers: 0 },
    ]);
    expect(dayTotals(days[1]!)).toMatchObject({
      calls: 5,
      aiRequests: 2,
      tokens: 30,
      costUsd: 1.25,
    });
  });
});

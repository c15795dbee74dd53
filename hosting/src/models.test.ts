import { describe, expect, it } from "vitest";
import { executionActions, formatDuration, formatUsage, modelLabel, replyIdFor } from "./models";

describe("formatDuration", () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

  it.each([
    [850, "850 ms"],
    [12_400, "12.4 s"],
    [185_000, "3 min 05 s"],
    [7_260_000, "2 h 01 min"],
    [-5, "0 ms"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(at(0), at(ms))).toBe(text);
  });

  it("needs both ends", () => {
    expect(formatDuration(null, at(1))).toBeNull();
    expect(formatDuration(at(0), null)).toBeNull();
  });
});

describe("executionActions", () => {
  it("offers each control only where the server accepts it", () => {
    expect(executionActions("running")).toEqual({
      pause: true,
      resume: false,
      cancel: true,
      retry: false,
    });
    expect(executionActions("paused")).toEqual({
      pause: false,
      resume: true,
      cancel: true,
      retry: false,
    });
    expect(executionActions("failed")).toEqual({
      pause: false,
      resume: false,
      cancel: false,
      retry: true,
    });
    expect(executionActions("succeeded")).toEqual({
      pause: false,
      resume: false,
      cancel: false,
      retry: false,
    });
  });
});

describe("chat helpers", () => {
  it("formats usage and names replies and models", () => {
    expect(formatUsage({ inputTokens: 1000, outputTokens: 234, costUsd: 0.00045 })).toBe(
      "1,234 tokens · $0.000450",
    );
    expect(formatUsage({ inputTokens: 1, outputTokens: 0, costUsd: 0 })).toBe(
      "1 token · $0.000000",
    );
    expect(replyIdFor("m1")).toBe("a_m1");
    expect(modelLabel("gpt-4o")).toBe("GPT-4o");
    expect(modelLabel("mystery")).toBe("mystery");
  });
});

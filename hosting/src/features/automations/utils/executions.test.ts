import { describe, expect, it } from "vitest";
import { executionActions, formatDuration } from "./executions";

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

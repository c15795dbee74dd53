import { describe, expect, it } from "vitest";
import { formatUsage, replyIdFor, usedMemoriesText } from "./messages";

describe("chat helpers", () => {
  it("formats usage and names replies", () => {
    expect(formatUsage({ inputTokens: 1000, outputTokens: 234, costUsd: 0.00045 })).toBe(
      "1,234 tokens · $0.000450",
    );
    expect(formatUsage({ inputTokens: 1, outputTokens: 0, costUsd: 0 })).toBe(
      "1 token · $0.000000",
    );
    expect(replyIdFor("m1")).toBe("a_m1");
    expect(usedMemoriesText(1)).toBe("Used 1 memory");
    expect(usedMemoriesText(2)).toBe("Used 2 memories");
  });
});

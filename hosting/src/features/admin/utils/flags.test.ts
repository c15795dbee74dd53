import { describe, expect, it } from "vitest";
import type { FlagReach } from "../../../wire/flags";
import { draftOf, newDraft, parseUids, reachLabel, targetingLabel, toRequest } from "./flags";

const stored: FlagReach = {
  key: "new-inbox",
  enabled: true,
  rolloutPercent: 25,
  targetUids: ["alice", "bob"],
  targetPlans: ["pro"],
  description: "The new inbox",
  version: 3,
  updatedAt: "2026-12-01T10:00:00Z",
  updatedBy: "admin",
  stored: true,
  known: false,
  defaultValue: null,
  reach: 12,
};

describe("parseUids", () => {
  it("splits on commas and white space and drops repeats", () => {
    expect(parseUids(" a, b\nc  a,,\t")).toEqual(["a", "b", "c"]);
    expect(parseUids("")).toEqual([]);
  });
});

describe("toRequest", () => {
  it("round-trips a stored flag with its version as expectedVersion", () => {
    const check = toRequest(draftOf(stored));
    expect(check).toEqual({
      ok: true,
      request: {
        key: "new-inbox",
        enabled: true,
        rolloutPercent: 25,
        targetUids: ["alice", "bob"],
        targetPlans: ["pro"],
        description: "The new inbox",
        expectedVersion: 3,
      },
    });
  });

  it("creates a new flag with expectedVersion 0", () => {
    const check = toRequest({ ...newDraft(), key: "beta", rolloutPercent: "10" });
    expect(check.ok && check.request.expectedVersion).toBe(0);
  });

  it.each([
    [{ key: "Bad Key" }, "key"],
    [{ key: "-a" }, "key"],
    [{ key: "x".repeat(41) }, "key"],
    [{ rolloutPercent: "101" }, "rolloutPercent"],
    [{ rolloutPercent: "12.5" }, "rolloutPercent"],
    [{ rolloutPercent: "" }, "rolloutPercent"],
    [{ targetUids: "ok a/b" }, "targetUids"],
    [{ targetUids: Array.from({ length: 501 }, (_, i) => `u${i}`).join(" ") }, "targetUids"],
    [{ description: "d".repeat(501) }, "description"],
  ])("refuses %j naming %s", (change, field) => {
    const check = toRequest({ ...draftOf(stored), ...change });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.field).toBe(field);
  });

  it("keeps plans in a stable order", () => {
    const check = toRequest({ ...draftOf(stored), targetPlans: ["pro", "free"] });
    expect(check.ok && check.request.targetPlans).toEqual(["free", "pro"]);
  });
});

describe("labels", () => {
  it("says how many users a flag reaches, and when the count is a lower bound", () => {
    expect(reachLabel(12, 61, false)).toBe("12 of 61 users");
    expect(reachLabel(0, 1, false)).toBe("0 of 1 user");
    expect(reachLabel(5000, 10000, true)).toBe("at least 5000 of the first 10000 users");
  });

  it("describes the targeting", () => {
    expect(targetingLabel(stored)).toBe("25% · plans: pro · 2 users by uid");
    expect(targetingLabel({ ...stored, enabled: false })).toBe("off for everyone");
    expect(
      targetingLabel({ ...stored, stored: false, known: true, defaultValue: true }),
    ).toBe("default: on for everyone");
  });
});

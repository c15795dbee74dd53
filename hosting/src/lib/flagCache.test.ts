import { beforeEach, describe, expect, it } from "vitest";
import { clearFlagCache, flagsFor } from "./flagCache";

describe("flagsFor", () => {
  beforeEach(() => clearFlagCache());

  it("calls evaluate_flags once per user and session", async () => {
    let calls = 0;
    const load = async () => {
      calls += 1;
      return { "quickadd-ai": true };
    };
    const [a, b] = await Promise.all([flagsFor("u1", load), flagsFor("u1", load)]);
    expect(await flagsFor("u1", load)).toEqual({ "quickadd-ai": true });
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await flagsFor("u2", load);
    expect(calls).toBe(2);
  });

  it("asks again after a failed call", async () => {
    let calls = 0;
    const load = async () => {
      calls += 1;
      if (calls === 1) throw new Error("unavailable");
      return { "quickadd-ai": false };
    };
    await expect(flagsFor("u1", load)).rejects.toThrow("unavailable");
    expect(await flagsFor("u1", load)).toEqual({ "quickadd-ai": false });
    expect(calls).toBe(2);
  });
});

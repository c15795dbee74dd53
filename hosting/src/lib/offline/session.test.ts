import { beforeEach, describe, expect, it } from "vitest";

// A Map behind the Storage interface: session.ts reads localStorage when called.
const data = new Map<string, string>();
Object.assign(globalThis, {
  localStorage: {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  },
});
const { forgetProfile, readyFromCache, rememberReadyProfile } = await import("./session");

describe("readyFromCache", () => {
  beforeEach(() => {
    data.clear();
    forgetProfile("u1");
    forgetProfile("u2");
  });

  it("never for a user whose profile was not ready in this browser", () => {
    expect(readyFromCache("u1", false, true)).toBe(false);
  });

  it("online with setup on its way: wait for ensure_profile", () => {
    rememberReadyProfile("u1");
    expect(readyFromCache("u1", true, false)).toBe(false);
  });

  it("offline, or when setup failed, for a user known here", () => {
    rememberReadyProfile("u1");
    expect(readyFromCache("u1", false, false)).toBe(true);
    rememberReadyProfile("u2");
    expect(readyFromCache("u2", true, true)).toBe(true);
  });

  it("stays ready in this page once the cache was shown, until forgotten", () => {
    rememberReadyProfile("u1");
    expect(readyFromCache("u1", false, false)).toBe(true);
    expect(readyFromCache("u1", true, false)).toBe(true);
    forgetProfile("u1");
    expect(readyFromCache("u1", false, true)).toBe(false);
  });

  it("reads a tampered store as empty", () => {
    data.set("aura.readyProfiles", "{not json");
    expect(readyFromCache("u1", false, true)).toBe(false);
    data.set("aura.readyProfiles", JSON.stringify([1, "u1"]));
    expect(readyFromCache("u1", false, true)).toBe(true);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { globToRegExp, navigationDenylist, type HostingRewrite } from "./navigation";

const FIREBASE_JSON = new URL("../../../../firebase.json", import.meta.url);
const rewrites = (
  JSON.parse(readFileSync(FIREBASE_JSON, "utf8")) as { hosting: { rewrites: HostingRewrite[] } }
).hosting.rewrites;
const denied = (path: string) => navigationDenylist(rewrites).some((re) => re.test(path));

describe("navigationDenylist (from firebase.json)", () => {
  it.each([
    "/api/health",
    "/hooks/uid1/wf1",
    "/hooks/uid1/wf1?x=1",
    "/ical/uid1/token.ics",
    "/__/firebase/init.json",
    "/__/auth/handler",
  ])("leaves %s to the network", (path) => {
    expect(denied(path)).toBe(true);
  });

  it.each(["/", "/chat", "/chat/abc123", "/tasks", "/inbox?briefing=2026-01-02", "/api-docs"])(
    "answers %s with the app shell",
    (path) => {
      expect(denied(path)).toBe(false);
    },
  );

  it("denies every function rewrite of firebase.json and not the catch-all", () => {
    const functionRewrites = rewrites.filter((rewrite) => rewrite.function !== undefined);
    expect(functionRewrites.length).toBeGreaterThanOrEqual(3);
    expect(navigationDenylist(rewrites)).toHaveLength(functionRewrites.length + 1);
  });
});

describe("globToRegExp", () => {
  it("reads ** as any path and * as one segment", () => {
    expect(globToRegExp("/hooks/**").test("/hooks/a/b/c")).toBe(true);
    expect(globToRegExp("/a/*/c").test("/a/b/c")).toBe(true);
    expect(globToRegExp("/a/*/c").test("/a/b/x/c")).toBe(false);
    expect(globToRegExp("/api/health").test("/api/healthz")).toBe(false);
    expect(globToRegExp("/a.b").test("/axb")).toBe(false);
  });
});

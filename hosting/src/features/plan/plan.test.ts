import { describe, expect, it } from "vitest";
import { describeSubscription, percentOf, QUOTAS, toSubscription, toUsageDay, usageDayId } from "./plan";

const END = new Date("2027-01-15T12:00:00Z");

describe("quotas", () => {
  it("are the server's table, pro above free", () => {
    expect(QUOTAS.free.requests).toBeGreaterThan(0);
    expect(QUOTAS.pro.requests).toBeGreaterThan(QUOTAS.free.requests);
    expect(QUOTAS.pro.tokens).toBeGreaterThan(QUOTAS.free.tokens);
  });
});

describe("usage", () => {
  it("reads the ledger's settled counts, tokens both ways", () => {
    expect(toUsageDay({ id: "d", pending: false, data: { requests: 3, inputTokens: 100, outputTokens: 50 } })).toEqual({
      requests: 3,
      tokens: 150,
    });
    expect(toUsageDay({ id: "d", pending: false, data: { requests: "x", inputTokens: -1 } })).toEqual({ requests: 0, tokens: 0 });
  });

  it("names the UTC day", () => {
    expect(usageDayId(new Date("2026-12-02T23:30:00-05:00"))).toBe("2026-12-03");
  });

  it("gives whole, capped percentages", () => {
    expect(percentOf(0, 300)).toBe(0);
    expect(percentOf(150, 300)).toBe(50);
    expect(percentOf(301, 300)).toBe(100);
    expect(percentOf(1, 0)).toBe(100);
  });
});

describe("subscription", () => {
  it("reads the webhook's fields and refuses junk", () => {
    expect(toSubscription({ status: "active", currentPeriodEnd: END, cancelAtPeriodEnd: false })).toEqual({
      status: "active",
      currentPeriodEnd: END,
      cancelAtPeriodEnd: false,
    });
    expect(toSubscription({ status: "weird", currentPeriodEnd: { toDate: () => END } })).toEqual({
      status: "other",
      currentPeriodEnd: END,
      cancelAtPeriodEnd: false,
    });
    expect(toSubscription("active")).toBeNull();
    expect(toSubscription(null)).toBeNull();
  });

  it("says what happens next", () => {
    const active = { status: "active" as const, currentPeriodEnd: END, cancelAtPeriodEnd: false };
    expect(describeSubscription("pro", active)).toMatch(/^Renews on /);
    expect(describeSubscription("pro", { ...active, cancelAtPeriodEnd: true })).toMatch(/then Free\.$/);
    expect(describeSubscription("pro", { ...active, status: "past_due" })).toMatch(/payment failed/);
    expect(describeSubscription("free", { ...active, status: "canceled" })).toMatch(/ended/);
    expect(describeSubscription("free", null)).toBe("");
  });
});

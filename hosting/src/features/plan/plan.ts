/**
 * The Plan page's reading of the profile and the day's usage ledger. Pure.
 * Quotas come from the server's own table (`src/wire/plans.json`, generated from
 * `shared/ai/quotas.QUOTAS`), so the page and the gateway never disagree.
 */
import quotas from "../../wire/plans.json";
import type { StoredDoc } from "../../lib/firebase/watch";

export type PlanName = "free" | "pro";

export interface Quota {
  requests: number;
  tokens: number;
}

export const QUOTAS: Record<PlanName, Quota> = quotas;

/** Settled usage of one UTC day (`users/{uid}/usage/{day}`); in-flight reservations aside. */
export interface UsageDay {
  requests: number;
  tokens: number;
}

/** The ledger's id for the UTC day of `now` (the gateway's days are UTC). */
export function usageDayId(now: Date): string {
  return now.toISOString().slice(0, 10);
}

const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;

export function toUsageDay({ data }: StoredDoc): UsageDay {
  return {
    requests: count(data.requests),
    tokens: count(data.inputTokens) + count(data.outputTokens),
  };
}

/** A share of a quota, 0..100 (whole percent, capped: usage may pass it by a reservation). */
export function percentOf(used: number, limit: number): number {
  if (limit <= 0) return 100;
  return Math.min(100, Math.floor((used / limit) * 100));
}

export type SubscriptionStatus = "trialing" | "active" | "past_due" | "canceled" | "other";

export interface Subscription {
  status: SubscriptionStatus;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

const STATUSES: readonly SubscriptionStatus[] = ["trialing", "active", "past_due", "canceled"];

/** `users/{uid}.subscription` as the billing webhook keeps it; null when there is none. */
export function toSubscription(value: unknown): Subscription | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const status = STATUSES.find((item) => item === raw.status) ?? "other";
  const end = raw.currentPeriodEnd;
  let currentPeriodEnd: Date | null = null;
  if (end instanceof Date) currentPeriodEnd = end;
  else if (typeof end === "object" && end !== null && "toDate" in end) {
    currentPeriodEnd = (end as { toDate: () => Date }).toDate();
  }
  return { status, currentPeriodEnd, cancelAtPeriodEnd: raw.cancelAtPeriodEnd === true };
}

/** One line on the subscription's state, for people. */
export function describeSubscription(plan: PlanName, subscription: Subscription | null): string {
  if (plan === "free") {
    return subscription?.status === "canceled" ? "Your Pro subscription has ended." : "";
  }
  const until = subscription?.currentPeriodEnd
    ? subscription.currentPeriodEnd.toLocaleDateString(undefined, { dateStyle: "long" })
    : null;
  if (subscription?.cancelAtPeriodEnd) {
    return until ? `Pro until ${until}, then Free.` : "Pro until the end of the period, then Free.";
  }
  switch (subscription?.status) {
    case "trialing":
      return until ? `Trial, renews on ${until}.` : "Trial.";
    case "past_due":
      return "Your last payment failed: update your card in Manage billing to keep Pro.";
    default:
      return until ? `Renews on ${until}.` : "";
  }
}

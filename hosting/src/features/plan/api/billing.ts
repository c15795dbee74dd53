/**
 * Plan: the profile's plan and subscription and today's usage ledger, live; the callables
 * `start_checkout` and `open_billing_portal` (their URLs go to Stripe, or to the local
 * stand-in on the emulators).
 */
import { useLive, type LiveState } from "../../../hooks/useLive";
import { callable } from "../../../lib/firebase/callables";
import { watchProfileAs, watchUsageDay } from "../../../lib/firebase/documents";
import type { StoredDoc } from "../../../lib/firebase/watch";
import { toSubscription, toUsageDay, type PlanName, type Subscription, type UsageDay } from "../plan";

export interface PlanState {
  plan: PlanName;
  subscription: Subscription | null;
}

function toPlanState({ data }: StoredDoc): PlanState {
  return { plan: data.plan === "pro" ? "pro" : "free", subscription: toSubscription(data.subscription) };
}

export function usePlanState(uid: string | undefined): LiveState<PlanState | null> {
  return useLive(
    uid ?? null,
    (onData, onError) => watchProfileAs(uid ?? "", toPlanState, onData, onError),
    "your plan",
  );
}

export function useUsageDay(uid: string | undefined, day: string): LiveState<UsageDay | null> {
  return useLive(
    uid ? `${uid}/${day}` : null,
    (onData, onError) => watchUsageDay(uid ?? "", day, toUsageDay, onData, onError),
    "today's usage",
  );
}

/** A Stripe Checkout Session for Pro: `{url}` to go to. */
export const startCheckout = callable("start_checkout");
/** The Stripe customer portal (cancel, card, invoices): `{url}` to go to. */
export const openBillingPortal = callable("open_billing_portal");

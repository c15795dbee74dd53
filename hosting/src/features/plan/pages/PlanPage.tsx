import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { ErrorMessage, LoadError, Loading } from "../../../components/Status";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useAuth } from "../../../lib/auth";
import { callableFailure } from "../../../lib/firebase/errors";
import { openBillingPortal, startCheckout, usePlanState, useUsageDay } from "../api/billing";
import { describeSubscription, percentOf, QUOTAS, usageDayId, type Quota } from "../plan";
import "../plan.css";

const NUMBER = new Intl.NumberFormat();

function Meter({ label, used, limit }: { label: string; used: number; limit: number }) {
  const percent = percentOf(used, limit);
  return (
    <div className="plan-meter">
      <div className="row spread">
        <span>{label}</span>
        <span data-testid={`usage-${label.toLowerCase()}`}>
          {NUMBER.format(used)} of {NUMBER.format(limit)}
        </span>
      </div>
      <progress max={100} value={percent} aria-label={`${label}: ${percent}% of today's quota`} />
    </div>
  );
}

function PlanFacts({ quota }: { quota: Quota }) {
  return (
    <small className="muted">
      {NUMBER.format(quota.requests)} AI requests and {NUMBER.format(quota.tokens)} tokens a day.
    </small>
  );
}

/** /plan: the plan, today's AI usage against its quota, and upgrade or manage billing. */
export default function PlanPage() {
  usePageTitle("Plan");
  const uid = useReadyUid();
  const [params] = useSearchParams();
  const { data: state, error } = usePlanState(uid);
  const { data: usage, error: usageError } = useUsageDay(uid, usageDayId(new Date()));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const checkout = params.get("checkout");
  const { user } = useAuth();

  // The plan changed (a webhook applied): fetch an ID token with the new `plan` claim, so
  // the per-plan rate limits read it now rather than within the hour.
  const seenPlan = useRef<string | null>(null);
  const plan = state?.plan ?? null;
  useEffect(() => {
    if (plan === null) return;
    if (seenPlan.current !== null && seenPlan.current !== plan) void user?.getIdToken(true);
    seenPlan.current = plan;
  }, [plan, user]);

  async function go(action: () => Promise<{ url: string }>) {
    setBusy(true);
    setFailure(null);
    try {
      const { url } = await action();
      window.location.assign(url);
    } catch (err) {
      setFailure(callableFailure(err).message);
      setBusy(false);
    }
  }

  const here = `${window.location.origin}/plan`;
  return (
    <section className="stack">
      <h1>Plan</h1>
      <LoadError what="your plan" error={error ?? usageError} />
      {checkout === "success" && state?.plan !== "pro" && (
        <p className="notice" role="status">
          Payment received: your plan switches to Pro as soon as Stripe confirms it.
        </p>
      )}
      {checkout === "canceled" && (
        <p className="notice" role="status">
          Checkout canceled: nothing was charged.
        </p>
      )}
      {!state ? (
        <Loading>Loading your plan…</Loading>
      ) : (
        <>
          <div className="card stack">
            <h2>
              Your plan: <span data-testid="plan-name">{state.plan === "pro" ? "Pro" : "Free"}</span>
            </h2>
            <p data-testid="plan-status">{describeSubscription(state.plan, state.subscription)}</p>
            <PlanFacts quota={QUOTAS[state.plan]} />
            {failure && <ErrorMessage>{failure}</ErrorMessage>}
            <div className="row">
              {state.plan === "free" && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void go(() =>
                      startCheckout({ successUrl: `${here}?checkout=success`, cancelUrl: `${here}?checkout=canceled` }),
                    )
                  }
                >
                  {busy ? "Opening checkout…" : "Upgrade to Pro"}
                </button>
              )}
              {state.subscription && (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => void go(() => openBillingPortal({ returnUrl: here }))}
                >
                  Manage billing
                </button>
              )}
            </div>
            {state.plan === "free" && (
              <small className="muted">
                Pro: <PlanFacts quota={QUOTAS.pro} />
              </small>
            )}
          </div>
          <div className="card stack">
            <h2>Today&apos;s AI usage</h2>
            <Meter label="Requests" used={usage?.requests ?? 0} limit={QUOTAS[state.plan].requests} />
            <Meter label="Tokens" used={usage?.tokens ?? 0} limit={QUOTAS[state.plan].tokens} />
            <small className="muted">Counts reset at midnight UTC.</small>
          </div>
        </>
      )}
    </section>
  );
}

"""Billing use cases: checkout, the billing portal, and one Stripe event.

The profile (`users/{uid}.plan`) is the source of truth every quota reads; the `plan`
custom claim mirrors it for the per-call rate limits (functions/_limits.py); the
subscription's state is also kept on the profile (`subscription`) for the Plan page and
in `_billing/{uid}` with the ordering bookkeeping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from shared.accounts.models import Caller
from shared.billing import plans, repository
from shared.billing.models import (
    BillingDoc,
    EventOutcome,
    OpenBillingPortal,
    OpenBillingPortalResult,
    StartCheckout,
    StartCheckoutResult,
    SubscriptionState,
)
from shared.billing.stripe_api import StripeApi, StripeConfig
from shared.billing.urls import check_return_url
from shared.errors import AuraError, FailedPrecondition, InvalidArgument, NotFound
from shared.platform import erasure, logs

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

    from shared.accounts.repository import ClaimsStore

# Stripe ids are short ASCII (`evt_1PmZ...`); anything else cannot be a document id here.
STRIPE_ID: Final = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def _customer_key(uid: str) -> str:
    """The idempotency key of the user's customer creation: two concurrent first
    checkouts get the same customer from Stripe (keys last 24 h there)."""
    return f"aura-customer-{uid}"


def ensure_customer(
    *, db: Client, stripe: StripeApi, uid: str, email: str | None, now: datetime
) -> str:
    """The user's Stripe customer id, created once.

    The customer is created with an idempotency key derived from the uid, and
    `_billing/{uid}` is written in a transaction that also reads the account's state:
    concurrent first calls create one customer and one record (a loser of the race
    answers with the stored id), and a customer made while the account is being erased
    is deleted again at once, since no record will ever name it (the erasure's billing
    step deletes the customer of a record written before it began).

    Raises:
        FailedPrecondition: the account is being erased (details.reason `account-closing`).
    """
    from google.cloud import firestore

    ref = repository.billing_ref(db, uid)
    stored = repository.read_billing(ref)
    if stored is not None:
        return stored.customer_id
    customer_id = stripe.create_customer(uid=uid, email=email, idempotency_key=_customer_key(uid))
    record = BillingDoc(uid=uid, customer_id=customer_id, created_at=now)
    watched = [ref, erasure.erasure_ref(db, uid), repository.profile_ref(db, uid)]

    @firestore.transactional
    def keep(transaction: Transaction) -> str | None:
        found = {s.reference.path: s for s in db.get_all(watched, transaction=transaction)}
        billing, closing, profile = (found[r.path] for r in watched)
        if billing.exists:
            return BillingDoc.model_validate(billing.to_dict()).customer_id
        if closing.exists or not profile.exists:
            return None
        transaction.create(ref, record.to_firestore())
        return customer_id

    kept: str | None = keep(db.transaction())
    if kept != customer_id:
        # Ours is named by no record: the account is closing, or a concurrent call's
        # customer won (the same one while the idempotency key lives, 24 h at Stripe).
        try:
            stripe.delete_customer(customer_id)
        except AuraError as exc:  # logged for the operator to delete at Stripe by hand
            logs.error("stripe customer without a record", customer=customer_id, error=repr(exc))
    if kept is None:
        raise _closing()
    return kept


def _closing() -> FailedPrecondition:
    return FailedPrecondition(
        "This account is being deleted.", details={"reason": "account-closing"}
    )


def start_checkout(
    *,
    db: Client,
    stripe: StripeApi,
    config: StripeConfig,
    caller: Caller,
    command: StartCheckout,
    allowed_origins: frozenset[str],
    now: datetime,
) -> StartCheckoutResult:
    """A Stripe Checkout Session (mode subscription) for the pro price.

    Both URLs are checked before anything is written or sent to Stripe. The customer is
    created on the first call only (`ensure_customer`); a repeated call makes a new
    session for the same customer (sessions expire by themselves after 24 h).

    Raises:
        InvalidArgument: a URL not on the app's own origin (`successUrl`, `cancelUrl`).
        FailedPrecondition: no profile yet, already on pro (manage it in the portal), or
            the account is being erased.
        Unavailable: Stripe could not be reached.
    """
    success_url = check_return_url(command.success_url, allowed=allowed_origins, field="successUrl")
    cancel_url = check_return_url(command.cancel_url, allowed=allowed_origins, field="cancelUrl")
    profile_ref = repository.profile_ref(db, caller.uid)
    closing_ref = erasure.erasure_ref(db, caller.uid)
    found = {s.reference.path: s for s in db.get_all([profile_ref, closing_ref])}
    profile = found[profile_ref.path]
    if found[closing_ref.path].exists:
        raise _closing()
    if not profile.exists:
        raise FailedPrecondition(
            "Your profile does not exist yet; sign in again to create it.",
            details={"reason": "profile-missing"},
        )
    if (profile.to_dict() or {}).get("plan") == "pro":
        raise FailedPrecondition(
            "You are already on the pro plan; manage it in the billing portal.",
            details={"reason": "already-pro"},
        )
    customer_id = ensure_customer(db=db, stripe=stripe, uid=caller.uid, email=caller.email, now=now)
    session_id, url = stripe.create_checkout_session(
        customer_id=customer_id,
        price_id=config.pro_price,
        uid=caller.uid,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    return StartCheckoutResult(url=url, session_id=session_id)


def open_billing_portal(
    *,
    db: Client,
    stripe: StripeApi,
    caller: Caller,
    command: OpenBillingPortal,
    allowed_origins: frozenset[str],
) -> OpenBillingPortalResult:
    """A Stripe billing portal session for the caller's customer.

    Raises:
        InvalidArgument: `returnUrl` not on the app's own origin.
        FailedPrecondition: the caller has never started a checkout (no customer).
        Unavailable: Stripe could not be reached.
    """
    return_url = check_return_url(command.return_url, allowed=allowed_origins, field="returnUrl")
    stored = repository.read_billing(repository.billing_ref(db, caller.uid))
    if stored is None:
        raise FailedPrecondition(
            "You have no billing account yet; upgrade first.",
            details={"reason": "no-customer"},
        )
    url = stripe.create_portal_session(customer_id=stored.customer_id, return_url=return_url)
    return OpenBillingPortalResult(url=url)


# --- the webhook -----------------------------------------------------------------------


def _record(
    event: dict[str, Any],
    *,
    uid: str | None,
    subscription_id: str | None,
    outcome: EventOutcome,
    reason: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "uid": uid,
        "type": str(event.get("type", ""))[:100],
        "created": event.get("created") if isinstance(event.get("created"), int) else None,
        "subscriptionId": subscription_id,
        "outcome": outcome,
        "reason": reason,
        "receivedAt": now,
    }


def _record_once(db: Client, event: dict[str, Any], record: dict[str, Any]) -> EventOutcome:
    """Write `_stripeEvents/{id}` unless it exists; `duplicate` when it did."""
    from google.api_core import exceptions as api_exceptions

    try:
        repository.event_ref(db, str(event["id"])).create(record)
    except api_exceptions.AlreadyExists:
        return "duplicate"
    outcome: EventOutcome = record["outcome"]
    return outcome


def _resolve_uid(db: Client, state: SubscriptionState) -> str | None:
    """The user a subscription belongs to: its `metadata.uid` when that user's record
    names the same customer, else whoever's record names the customer."""
    if state.uid:
        stored = repository.read_billing(repository.billing_ref(db, state.uid))
        if stored is not None and stored.customer_id == state.customer_id:
            return state.uid
    return repository.uid_for_customer(db, state.customer_id)


def _profile_fields(state: SubscriptionState, plan: plans.Plan) -> dict[str, Any]:
    return {
        "plan": plan,
        "subscription": {
            "status": state.status,
            "currentPeriodEnd": state.current_period_end,
            "cancelAtPeriodEnd": state.cancel_at_period_end,
        },
    }


def handle_event(
    *,
    db: Client,
    stripe: StripeApi,
    claims: ClaimsStore,
    event: dict[str, Any],
    now: datetime,
) -> EventOutcome:
    """Apply one verified Stripe event, once.

    The subscription's state is read from the API, not from the event body, so a late
    or repeated event cannot bring back an old state; `decide` also ignores an event
    created before the newest one applied to the same subscription. The event is
    recorded (`_stripeEvents/{id}`) in the same transaction as the state it applies:
    a redelivery finds it and does nothing. The `plan` claim is synced from the profile
    after every event about a known user (so a crash between the commit and the claim is
    repaired by Stripe's redelivery).

    Returns:
        applied | stale | ignored (not about a subscription, or an unknown one) |
        duplicate (already handled).

    Raises:
        InvalidArgument: the event has no usable id (400; Stripe sends none such).
        Unavailable: Stripe could not be reached (the webhook answers 503: Stripe retries).
    """
    from google.cloud import firestore

    event_id = event.get("id")
    if not isinstance(event_id, str) or not STRIPE_ID.match(event_id):
        raise InvalidArgument("The event has no valid id.", field="id")
    event_type = str(event.get("type", ""))
    created = event.get("created")
    created_at = created if isinstance(created, int) else 0
    obj = (event.get("data") or {}).get("object") or {}
    ev_ref = repository.event_ref(db, event_id)
    seen = ev_ref.get()
    if seen.exists:  # handled before; its claim sync may not have happened, so again
        seen_uid = (seen.to_dict() or {}).get("uid")
        if isinstance(seen_uid, str) and seen_uid:
            sync_plan_claim(db=db, claims=claims, uid=seen_uid)
        return "duplicate"

    def ignored(reason: str, *, uid: str | None = None, sub: str | None = None) -> EventOutcome:
        record = _record(
            event, uid=uid, subscription_id=sub, outcome="ignored", reason=reason, now=now
        )
        return _record_once(db, event, record)

    subscription_id = plans.subscription_id_of(event_type, obj if isinstance(obj, dict) else {})
    if subscription_id is None or not STRIPE_ID.match(subscription_id):
        return ignored("not-a-subscription-event")
    try:
        state = plans.subscription_from(stripe.retrieve_subscription(subscription_id))
    except NotFound:
        return ignored("subscription-missing", sub=subscription_id)
    except ValueError:
        return ignored("subscription-unreadable", sub=subscription_id)
    uid = _resolve_uid(db, state)
    if uid is None:
        return ignored("unknown-customer", sub=subscription_id)

    billing = repository.billing_ref(db, uid)
    profile = repository.profile_ref(db, uid)

    @firestore.transactional
    def apply(transaction: Transaction) -> EventOutcome:
        if ev_ref.get(transaction=transaction).exists:
            return "duplicate"
        current = repository.read_billing(billing, transaction)
        profile_exists = profile.get(transaction=transaction).exists
        if current is None:  # erased between the lookup and here
            outcome: EventOutcome = "ignored"
            reason: str | None = "unknown-customer"
        else:
            decision = plans.decide(current, state, event_created=created_at)
            if decision == "apply":
                plan = plans.plan_for(state.status)
                transaction.update(
                    billing,
                    {
                        "subscriptionId": state.id,
                        "status": state.status,
                        "priceId": state.price_id,
                        "currentPeriodEnd": state.current_period_end,
                        "cancelAtPeriodEnd": state.cancel_at_period_end,
                        "plan": plan,
                        "eventCreated": max(created_at, current.event_created or 0)
                        if current.subscription_id == state.id
                        else created_at,
                        "eventId": event_id,
                        "updatedAt": now,
                    },
                )
                if profile_exists:
                    transaction.update(profile, _profile_fields(state, plan))
                outcome, reason = "applied", None
            else:
                outcome, reason = "stale", decision
        transaction.create(
            ev_ref,
            _record(
                event,
                # No record: the user is being erased; the event must not name them.
                uid=uid if current is not None else None,
                subscription_id=subscription_id,
                outcome=outcome,
                reason=reason,
                now=now,
            ),
        )
        return outcome

    result: EventOutcome = apply(db.transaction())
    sync_plan_claim(db=db, claims=claims, uid=uid)
    return result


def sync_plan_claim(*, db: Client, claims: ClaimsStore, uid: str) -> bool:
    """Make the Auth user's `plan` claim equal the profile's plan (other claims kept);
    True when it changed. Nothing when the user or the profile is gone."""
    snapshot = repository.profile_ref(db, uid).get()
    if not snapshot.exists:
        return False
    plan = (snapshot.to_dict() or {}).get("plan") or "free"
    current = claims.get(uid)
    if current is None or current.get("plan") == plan:
        return False
    claims.set(uid, {**current, "plan": plan})
    return True


# --- account erasure ---------------------------------------------------------------------

EndBillingOutcome = Literal["no-customer", "deleted", "already-deleted"]


def customer_in(record: dict[str, Any] | None) -> str | None:
    """The Stripe customer id a `_billing/{uid}` record names, if any (read raw: a record
    an older or broken writer left still yields its customer)."""
    customer_id = (record or {}).get("customerId")
    return customer_id if isinstance(customer_id, str) and customer_id else None


def end_billing(*, customer_id: str | None, stripe: Callable[[], StripeApi]) -> EndBillingOutcome:
    """Account erasure's billing step: delete the user's Stripe customer, which cancels
    every subscription at once (no further invoice) and removes the customer's data at
    Stripe. `stripe` is called only when there is a customer: an account that never
    checked out never reaches Stripe, nor needs billing configured. Idempotent: a customer
    Stripe no longer has (deleted by an earlier delivery, or in the dashboard) is done.

    Raises:
        Unavailable: Stripe could not be reached, or billing is not configured (retry).
        FailedPrecondition: Stripe refused the call (a bad key): retry once fixed.
    """
    if not customer_id:
        return "no-customer"
    return "deleted" if stripe().delete_customer(customer_id) else "already-deleted"

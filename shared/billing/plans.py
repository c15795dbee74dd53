"""From Stripe's subscription state to Aura's plan, and which event may change it.

Pure functions (unit-tested without Stripe or Firestore):

    plan_for(status)                 the plan a subscription status entitles to
    subscription_from(obj)           Aura's SubscriptionState from a Stripe subscription
    decide(current, incoming, ...)   apply, or ignore as stale / not the deciding one
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import ValidationError

from shared.billing.models import BillingDoc, SubscriptionState

Plan = Literal["free", "pro"]

# Statuses that keep `pro`. `past_due` keeps it while Stripe retries the payment (its
# retry settings end in `canceled` or `unpaid`, both free); `cancel_at_period_end` does
# not change the status, so a cancelled plan stays pro until the period ends and Stripe
# sends `customer.subscription.deleted` (status `canceled`).
ENTITLED: Final = frozenset({"trialing", "active", "past_due"})

# Event types that are about a subscription's state; every other type is recorded and
# ignored. Each names the subscription where `subscription_id_of` looks.
SUBSCRIPTION_EVENTS: Final = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "customer.subscription.pending_update_applied",
        "customer.subscription.pending_update_expired",
        "customer.subscription.trial_will_end",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


def plan_for(status: str | None) -> Plan:
    """`pro` for an entitling status (trialing, active, past_due), else `free`."""
    return "pro" if status in ENTITLED else "free"


def subscription_id_of(event_type: str, obj: Mapping[str, Any]) -> str | None:
    """The subscription an event is about, or None (not a subscription event, or a
    checkout that made no subscription)."""
    if event_type not in SUBSCRIPTION_EVENTS:
        return None
    if event_type.startswith("customer.subscription."):
        found = obj.get("id")
    elif event_type == "checkout.session.completed":
        found = obj.get("subscription") if obj.get("mode") == "subscription" else None
    else:  # invoices: `subscription` (older API versions) or parent.subscription_details
        found = obj.get("subscription")
        if not found:
            parent = obj.get("parent") or {}
            found = (parent.get("subscription_details") or {}).get("subscription")
    if isinstance(found, Mapping):  # expanded
        found = found.get("id")
    return found if isinstance(found, str) and found else None


def _when(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) and value > 0 else None


def subscription_from(obj: Mapping[str, Any]) -> SubscriptionState:
    """Aura's view of a Stripe subscription object (as the API returns it).

    The period end is read from the first item (API versions since 2025-03 keep it
    there), else from the subscription itself (older versions).

    Raises:
        ValueError: not a subscription Aura can read (no id, customer or known status).
    """
    items = ((obj.get("items") or {}).get("data")) or []
    first: Mapping[str, Any] = items[0] if items and isinstance(items[0], Mapping) else {}
    price = first.get("price")
    price_id = price.get("id") if isinstance(price, Mapping) else price
    customer = obj.get("customer")
    if isinstance(customer, Mapping):
        customer = customer.get("id")
    metadata = obj.get("metadata") or {}
    try:
        return SubscriptionState.model_validate(
            {
                "id": obj.get("id"),
                "customer_id": customer,
                "status": obj.get("status"),
                "price_id": price_id if isinstance(price_id, str) else None,
                "current_period_end": _when(first.get("current_period_end"))
                or _when(obj.get("current_period_end")),
                "cancel_at_period_end": bool(obj.get("cancel_at_period_end")),
                "uid": metadata.get("uid") if isinstance(metadata.get("uid"), str) else None,
            }
        )
    except ValidationError as exc:
        raise ValueError(f"not a subscription Aura can read: {exc.errors()[0]['msg']}") from None


Decision = Literal["apply", "stale", "other-subscription"]


def decide(current: BillingDoc, incoming: SubscriptionState, *, event_created: int) -> Decision:
    """Whether an event's subscription state replaces what `_billing/{uid}` holds.

    - The same subscription: applied unless an event created earlier than the newest one
      already applied (`stale`; Stripe does not deliver in order). Events of the same
      second both apply: the state comes from the API, so the later write is current.
    - Another subscription: it takes over when it entitles to pro or the current one no
      longer does (a new subscription after a cancelled one); a late event about an old,
      cancelled subscription never downgrades a live one (`other-subscription`).
    """
    if current.subscription_id is None:
        return "apply"
    if current.subscription_id == incoming.id:
        if current.event_created is not None and event_created < current.event_created:
            return "stale"
        return "apply"
    if plan_for(incoming.status) == "pro" or plan_for(current.status) == "free":
        return "apply"
    return "other-subscription"

"""Billing's wire and stored models: the two callables' commands and results, the
server-only record `_billing/{uid}`, and the subscription state read from Stripe."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.validation import Command, Public

# The longest return URL accepted (Stripe itself takes up to 5,000 characters).
MAX_RETURN_URL_CHARS: Final = 2_048

ReturnUrl = Annotated[str, Field(min_length=1, max_length=MAX_RETURN_URL_CHARS)]

# Stripe's subscription statuses (https://docs.stripe.com/api/subscriptions/object).
SubscriptionStatus = Literal[
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
]


class StartCheckout(Command):
    """`start_checkout` input: where Stripe sends the browser back, after paying
    (`successUrl`) or giving up (`cancelUrl`). Both must be on the app's own origin."""

    success_url: ReturnUrl
    cancel_url: ReturnUrl


class OpenBillingPortal(Command):
    """`open_billing_portal` input: where the portal's "return" link leads (the app's own
    origin only)."""

    return_url: ReturnUrl


class StartCheckoutResult(Public):
    """`start_checkout` output: the Stripe Checkout page to send the browser to."""

    url: str
    session_id: str


class OpenBillingPortalResult(Public):
    """`open_billing_portal` output: the Stripe billing portal page for the caller."""

    url: str


class SubscriptionState(BaseModel):
    """What Aura keeps of one Stripe subscription (read from the API, never from the
    event body alone)."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    id: str
    customer_id: str
    status: SubscriptionStatus
    price_id: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    uid: str | None = None  # the subscription's metadata.uid, set at checkout


class BillingDoc(BaseModel):
    """`_billing/{uid}` (server-only): the user's Stripe customer and the subscription
    that decides the plan, with the `created` time of the newest event applied to it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    uid: str
    customer_id: str
    created_at: datetime
    subscription_id: str | None = None
    status: SubscriptionStatus | None = None
    price_id: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    plan: Literal["free", "pro"] = "free"
    event_created: int | None = None  # Unix seconds of the newest event applied
    event_id: str | None = None
    updated_at: datetime | None = None

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


EventOutcome = Literal["applied", "stale", "ignored", "duplicate"]


class WebhookResult(Public):
    """The `stripe_webhook` answer body (Stripe only reads the status)."""

    received: bool = True
    outcome: EventOutcome

"""Stripe through its official SDK (`stripe`, imported lazily): the API calls billing
makes (and account erasure's, deleting the customer) and the webhook signature check,
behind `StripeApi` so services take a fake.

The API base URL is `AURA_STRIPE_BASE_URL` when set (the local stack points it at the
stand-in, tools/standin/stripe.py); unset, the SDK talks to Stripe itself, so with real
test-mode keys the same code runs against Stripe.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from shared.errors import FailedPrecondition, NotFound, Unavailable

if TYPE_CHECKING:  # pragma: no cover
    from stripe import StripeClient

BASE_URL_ENV = "AURA_STRIPE_BASE_URL"
# Stripe signs `t=<unix seconds>`; an older signature is refused (Stripe's default, 5 min).
SIGNATURE_TOLERANCE_S: Final = 300
NETWORK_RETRIES: Final = 2
TIMEOUT_S: Final = 20


@dataclass(frozen=True)
class StripeConfig:
    """The keys and the price, read at run time from secrets and params."""

    secret_key: str
    webhook_secret: str
    pro_price: str
    base_url: str | None = None

    @classmethod
    def load(
        cls, *, env: Mapping[str, str], secret_key: str, webhook_secret: str, pro_price: str
    ) -> StripeConfig:
        """Raises Unavailable when a secret or the price is missing (a deployment
        without billing configured serves no billing request)."""
        missing = [
            name
            for name, value in (
                ("STRIPE_SECRET_KEY", secret_key),
                ("STRIPE_WEBHOOK_SECRET", webhook_secret),
                ("STRIPE_PRO_PRICE", pro_price),
            )
            if not value.strip()
        ]
        if missing:
            raise Unavailable(
                "Billing is not configured on this deployment.",
                details={"reason": "billing-not-configured", "missing": missing},
            )
        return cls(
            secret_key=secret_key.strip(),
            webhook_secret=webhook_secret.strip(),
            pro_price=pro_price.strip(),
            base_url=env.get(BASE_URL_ENV) or None,
        )


class SignatureRefused(Exception):
    """A webhook request whose `Stripe-Signature` does not verify (or is too old)."""


def verify_event(*, payload: bytes, signature: str, secret: str) -> dict[str, Any]:
    """The event in `payload` once its `Stripe-Signature` verifies with `secret` (the SDK's
    `Webhook.construct_event`: HMAC-SHA256, constant-time compare, at most
    SIGNATURE_TOLERANCE_S old). Nothing is parsed before the signature verifies.

    Raises:
        SignatureRefused: missing, malformed, forged or stale signature, or a body that
            is not the UTF-8 JSON it signs.
    """
    import stripe

    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_S
        )
    except stripe.SignatureVerificationError as exc:
        raise SignatureRefused(str(exc.user_message or exc)[:200]) from None
    except ValueError as exc:  # not UTF-8 or not JSON, though signed
        raise SignatureRefused(f"the body is not JSON: {exc}"[:200]) from None
    data: dict[str, Any] = event.to_dict()
    return data


class StripeApi(Protocol):
    """The Stripe calls billing makes (the SDK below; a fake in unit tests)."""

    def create_customer(self, *, uid: str, email: str | None, idempotency_key: str) -> str:
        """A new customer's id (the same one for a repeated idempotency key)."""

    def create_checkout_session(
        self,
        *,
        customer_id: str,
        price_id: str,
        uid: str,
        success_url: str,
        cancel_url: str,
    ) -> tuple[str, str]:
        """(session id, its page URL) for a subscription to `price_id`."""

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        """The billing portal page URL for `customer_id`."""

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        """The subscription as the API returns it now."""

    def delete_customer(self, customer_id: str) -> bool:
        """Delete the customer (Stripe cancels its subscriptions at once and removes its
        data); False when Stripe has no such customer (deleted before)."""


def _translate(exc: Exception) -> Exception:
    """Stripe's errors -> the domain tree: transient ones Unavailable (retry), a missing
    object NotFound, the rest (bad key, unknown price) FailedPrecondition."""
    import stripe

    match exc:
        case stripe.APIConnectionError() | stripe.RateLimitError() | stripe.APIError():
            return Unavailable("Stripe could not be reached; try again in a moment.")
        case stripe.InvalidRequestError() if exc.http_status == 404:
            return NotFound("Stripe has no such object.", details={"reason": "stripe-missing"})
        case _:
            return FailedPrecondition(
                "Billing is misconfigured; the operator has been told.",
                details={"reason": "stripe-refused"},
            )


class SdkStripe:
    """StripeApi over `stripe.StripeClient` (built once per key and base URL)."""

    def __init__(self, config: StripeConfig) -> None:
        self._client = _client(config.secret_key, config.base_url)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import stripe

        try:
            return fn(*args, **kwargs)
        except stripe.StripeError as exc:
            raise _translate(exc) from exc

    def create_customer(self, *, uid: str, email: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {"metadata": {"uid": uid}}
        if email:
            params["email"] = email
        customer = self._call(
            self._client.v1.customers.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return str(customer.id)

    def create_checkout_session(
        self,
        *,
        customer_id: str,
        price_id: str,
        uid: str,
        success_url: str,
        cancel_url: str,
    ) -> tuple[str, str]:
        session = self._call(
            self._client.v1.checkout.sessions.create,
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": uid,
                "line_items": [{"price": price_id, "quantity": 1}],
                "subscription_data": {"metadata": {"uid": uid}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
        )
        return str(session.id), str(session.url)

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(
            self._client.v1.billing_portal.sessions.create,
            params={"customer": customer_id, "return_url": return_url},
        )
        return str(session.url)

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        subscription = self._call(self._client.v1.subscriptions.retrieve, subscription_id)
        data: dict[str, Any] = subscription.to_dict()
        return data

    def delete_customer(self, customer_id: str) -> bool:
        try:
            self._call(self._client.v1.customers.delete, customer_id)
        except NotFound:
            return False
        return True


@functools.cache
def _client(secret_key: str, base_url: str | None) -> StripeClient:
    import stripe

    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": base_url} if base_url else None,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_S),
    )

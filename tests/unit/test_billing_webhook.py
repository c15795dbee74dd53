"""`stripe_webhook` called directly with synthetic Flask requests (no emulator).

Firestore and Stripe are replaced by things that fail the test when touched, so every
refusal here is shown to happen before any read or write; a verified event reaches the
service (faked) with the event the SDK parsed. The emulator suite
(tests/integration/test_billing.py) covers the same edges end to end.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Flask, Response
from werkzeug.test import EnvironBuilder

from functions.http import stripe_webhook as module
from shared.billing.stripe_api import SIGNATURE_TOLERANCE_S
from shared.billing.webhook import MAX_BODY_BYTES
from shared.errors import Unavailable
from tools.standin import stripe as standin

SECRET = "whsec_adapter"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_adapter")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("STRIPE_PRO_PRICE", "price_adapter")

    def untouchable(*_: Any, **__: Any) -> Any:
        raise AssertionError("Firestore or Auth was touched")

    monkeypatch.setattr(module.clients, "get_db", untouchable)
    monkeypatch.setattr(module.clients, "get_app", untouchable)
    monkeypatch.setattr(module, "FirebaseClaims", untouchable)


def post(body: bytes, headers: dict[str, str] | None = None, method: str = "POST") -> Response:
    environ = EnvironBuilder(path="/", method=method, data=body, headers=headers or {})
    with Flask(__name__).request_context(environ.get_environ()):
        from flask import request

        return module.stripe_webhook(request)


def event(event_id: str = "evt_adapter") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "customer.subscription.updated",
            "created": int(time.time()),
            "data": {"object": {"id": "sub_1", "object": "subscription"}},
        }
    ).encode()


def signature(body: bytes, secret: str = SECRET, age_s: int = 0) -> dict[str, str]:
    return {"Stripe-Signature": standin.sign(body, secret, int(time.time()) - age_s)}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Stripe-Signature": "garbage"},
        {"Stripe-Signature": "t=1,v1=" + "0" * 64},
    ],
)
def test_unsigned_or_malformed_signatures_are_400_before_any_read(headers: dict[str, str]) -> None:
    response = post(event(), headers)
    assert response.status_code == 400
    assert json.loads(response.get_data()) == {"error": "the Stripe-Signature does not verify"}


def test_another_secret_or_an_old_signature_is_400() -> None:
    body = event()
    assert post(body, signature(body, secret="whsec_other")).status_code == 400
    old = signature(body, age_s=SIGNATURE_TOLERANCE_S + 10)
    assert post(body, old).status_code == 400


def test_only_post_and_a_capped_body() -> None:
    assert post(b"", method="GET").status_code == 405
    assert post(b"x" * (MAX_BODY_BYTES + 1)).status_code == 413


def test_a_verified_event_reaches_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []

    def handle_event(**kwargs: Any) -> str:
        seen.append(kwargs["event"])
        return "applied"

    monkeypatch.setattr(module.service, "handle_event", handle_event)
    monkeypatch.setattr(module, "FirebaseClaims", lambda app: None)
    monkeypatch.setattr(module.clients, "get_db", lambda: None)
    monkeypatch.setattr(module.clients, "get_app", lambda: None)
    body = event()
    response = post(body, signature(body))
    assert response.status_code == 200
    assert json.loads(response.get_data()) == {"received": True, "outcome": "applied"}
    assert seen[0]["id"] == "evt_adapter"
    assert seen[0]["data"]["object"]["id"] == "sub_1"


def test_stripe_unreachable_is_503_so_stripe_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(**_: Any) -> str:
        raise Unavailable("Stripe could not be reached; try again in a moment.")

    monkeypatch.setattr(module.service, "handle_event", down)
    monkeypatch.setattr(module, "FirebaseClaims", lambda app: None)
    monkeypatch.setattr(module.clients, "get_db", lambda: None)
    monkeypatch.setattr(module.clients, "get_app", lambda: None)
    body = event()
    assert post(body, signature(body)).status_code == 503


def test_billing_not_configured_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "")
    body = event()
    assert post(body, signature(body)).status_code == 503

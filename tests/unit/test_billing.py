"""Billing without the emulators: plan from status, which event may change the state,
return-URL checks, Stripe's webhook signature through the SDK, the body cap, and the SDK
against the Stripe stand-in over HTTP (the transport is real; Stripe is the stand-in)."""

from __future__ import annotations

import io
import json
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import stripe

from shared.billing import plans, urls
from shared.billing.models import BillingDoc, SubscriptionState
from shared.billing.stripe_api import (
    SIGNATURE_TOLERANCE_S,
    SdkStripe,
    SignatureRefused,
    StripeConfig,
    verify_event,
)
from shared.billing.webhook import MAX_BODY_BYTES, BodyTooLarge, read_body
from shared.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from shared.net import origins
from tools.standin import serve_in_thread
from tools.standin import stripe as standin

SECRET = "whsec_unit"
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

# --- plan from status ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "plan"),
    [
        ("trialing", "pro"),
        ("active", "pro"),
        ("past_due", "pro"),
        ("canceled", "free"),
        ("unpaid", "free"),
        ("incomplete", "free"),
        ("incomplete_expired", "free"),
        ("paused", "free"),
        (None, "free"),
        ("something-new", "free"),
    ],
)
def test_the_plan_follows_the_status(status: str | None, plan: str) -> None:
    assert plans.plan_for(status) == plan


def subscription(**overrides: Any) -> dict[str, Any]:
    sub: dict[str, Any] = {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "cancel_at_period_end": False,
        "metadata": {"uid": "u1"},
        "items": {"data": [{"price": {"id": "price_pro"}, "current_period_end": 1_800_000_000}]},
    }
    sub.update(overrides)
    return sub


def test_a_subscription_is_read_with_its_period_end_from_the_item() -> None:
    state = plans.subscription_from(subscription(cancel_at_period_end=True))
    assert state == SubscriptionState(
        id="sub_1",
        customer_id="cus_1",
        status="active",
        price_id="price_pro",
        current_period_end=datetime.fromtimestamp(1_800_000_000, UTC),
        cancel_at_period_end=True,
        uid="u1",
    )


def test_older_api_versions_keep_the_period_end_on_the_subscription() -> None:
    state = plans.subscription_from(
        subscription(items={"data": []}, current_period_end=1_700_000_000, customer={"id": "c"})
    )
    assert state.current_period_end == datetime.fromtimestamp(1_700_000_000, UTC)
    assert state.customer_id == "c"
    assert state.price_id is None


@pytest.mark.parametrize(
    "broken", [{"id": None}, {"status": "gold"}, {"customer": None}, {"metadata": None}]
)
def test_an_unreadable_subscription_is_a_value_error(broken: dict[str, Any]) -> None:
    if broken == {"metadata": None}:  # no metadata is fine: the uid comes from the customer
        assert plans.subscription_from(subscription(**broken)).uid is None
        return
    with pytest.raises(ValueError, match="not a subscription"):
        plans.subscription_from(subscription(**broken))


@pytest.mark.parametrize(
    ("event_type", "obj", "expected"),
    [
        ("customer.subscription.updated", {"id": "sub_1"}, "sub_1"),
        ("customer.subscription.deleted", {"id": "sub_1"}, "sub_1"),
        ("checkout.session.completed", {"mode": "subscription", "subscription": "sub_2"}, "sub_2"),
        ("checkout.session.completed", {"mode": "payment", "subscription": None}, None),
        ("invoice.paid", {"subscription": "sub_3"}, "sub_3"),
        (
            "invoice.payment_failed",
            {"parent": {"subscription_details": {"subscription": "sub_4"}}},
            "sub_4",
        ),
        ("customer.subscription.updated", {"id": {"id": "sub_5"}}, "sub_5"),
        ("customer.created", {"id": "cus_1"}, None),
        ("charge.refunded", {"id": "ch_1"}, None),
    ],
)
def test_the_subscription_an_event_is_about(
    event_type: str, obj: dict[str, Any], expected: str | None
) -> None:
    assert plans.subscription_id_of(event_type, obj) == expected


def billing(**fields: Any) -> BillingDoc:
    return BillingDoc(uid="u1", customer_id="cus_1", created_at=NOW, **fields)


def state(sub_id: str = "sub_1", status: str = "active") -> SubscriptionState:
    return SubscriptionState.model_validate(
        {"id": sub_id, "customer_id": "cus_1", "status": status}
    )


def test_the_first_subscription_applies() -> None:
    assert plans.decide(billing(), state(), event_created=10) == "apply"


def test_an_event_older_than_the_newest_applied_is_stale() -> None:
    current = billing(subscription_id="sub_1", status="canceled", event_created=20)
    assert plans.decide(current, state(), event_created=19) == "stale"
    assert plans.decide(current, state(), event_created=20) == "apply"  # same second
    assert plans.decide(current, state(), event_created=21) == "apply"


def test_a_new_subscription_takes_over_only_when_it_entitles_or_the_old_one_no_longer_does() -> (
    None
):
    live = billing(subscription_id="sub_new", status="active", event_created=50)
    assert plans.decide(live, state("sub_old", "canceled"), event_created=60) == (
        "other-subscription"
    )
    assert plans.decide(live, state("sub_other", "active"), event_created=1) == "apply"
    ended = billing(subscription_id="sub_old", status="canceled", event_created=50)
    assert plans.decide(ended, state("sub_new", "incomplete"), event_created=10) == "apply"


# --- return URLs --------------------------------------------------------------------

ALLOWED = origins.app_origins(
    project="demo-aura", app_origin="https://aura.example.com", env={origins.APP_ORIGINS_ENV: ""}
)


@pytest.mark.parametrize(
    "url",
    [
        "https://demo-aura.web.app/plan?checkout=success",
        "https://demo-aura.firebaseapp.com/plan",
        "https://DEMO-AURA.web.app:443/plan#done",
        "https://aura.example.com/plan?session={CHECKOUT_SESSION_ID}",
    ],
)
def test_return_urls_on_the_app_are_accepted(url: str) -> None:
    assert urls.check_return_url(url, allowed=ALLOWED, field="successUrl") == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/plan",
        "https://demo-aura.web.app.evil.example/plan",
        "https://demo-aura.web.app@evil.example/plan",
        "https://evil.example@demo-aura.web.app/plan",
        "https://demo-aura.web.app\\@evil.example/",
        "http://demo-aura.web.app/plan",
        "https://demo-aura.web.app:8443/plan",
        "//demo-aura.web.app/plan",
        "/plan",
        "javascript:alert(1)//demo-aura.web.app",
        "https://demo-aura.web.app/pl an",
        "https://demo-aura.web.app/\nplan",
        "https://demo-aura.web.app:99999/",
        "https://demo-aura.web.app/" + "x" * 2_100,
        "",
    ],
)
def test_return_urls_anywhere_else_are_refused_naming_the_field(url: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        urls.check_return_url(url, allowed=ALLOWED, field="cancelUrl")
    assert refused.value.field == "cancelUrl"


def test_the_local_stack_adds_its_hosting_origin() -> None:
    allowed = origins.app_origins(
        project="demo-aura", env={origins.APP_ORIGINS_ENV: "http://127.0.0.1:5000, junk, "}
    )
    assert "http://127.0.0.1:5000" in allowed
    assert urls.check_return_url("http://127.0.0.1:5000/plan", allowed=allowed, field="f")
    with pytest.raises(InvalidArgument):
        urls.check_return_url("http://127.0.0.1:5001/plan", allowed=allowed, field="f")


def test_the_listed_origins_keep_their_order_for_email_links() -> None:
    env = {origins.APP_ORIGINS_ENV: " http://127.0.0.1:5000/ , junk,http://LOCALHOST:5000"}
    assert origins.listed_origins(env) == ["http://127.0.0.1:5000", "http://localhost:5000"]
    assert origins.listed_origins({}) == []


# --- the webhook signature ------------------------------------------------------------


def event_body(event_id: str = "evt_1") -> bytes:
    event = {"id": event_id, "object": "event", "type": "customer.subscription.updated"}
    return json.dumps({**event, "created": 1, "data": {"object": {"id": "sub_1"}}}).encode()


def header(body: bytes, secret: str = SECRET, at: int | None = None) -> str:
    return standin.sign(body, secret, int(time.time()) if at is None else at)


def test_a_signature_made_the_way_stripe_signs_verifies() -> None:
    body = event_body()
    event = verify_event(payload=body, signature=header(body), secret=SECRET)
    assert event["id"] == "evt_1"
    assert event["data"]["object"]["id"] == "sub_1"
    sdk_made = stripe.WebhookSignature.generate_signature_header(body.decode(), SECRET)
    assert verify_event(payload=body, signature=sdk_made, secret=SECRET)["id"] == "evt_1"


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: header(body, secret="whsec_other"),  # wrong secret
        lambda body: header(body, at=int(time.time()) - SIGNATURE_TOLERANCE_S - 5),  # too old
        lambda body: header(body + b" "),  # another body
        lambda body: "",
        lambda body: "t=abc,v1=00",
        lambda body: f"t={int(time.time())}",
        lambda body: f"t={'9' * 5000},v1=00",
        lambda body: header(body).replace("v1=", "v0="),
    ],
)
def test_forged_stale_or_malformed_signatures_are_refused(forge: Any) -> None:
    body = event_body()
    with pytest.raises(SignatureRefused):
        verify_event(payload=body, signature=forge(body), secret=SECRET)


def test_a_signed_body_that_is_not_utf8_json_is_refused() -> None:
    for body in (b"\xff\xfe not utf-8", b"not json"):
        with pytest.raises(SignatureRefused):
            verify_event(payload=body, signature=header(body), secret=SECRET)


def test_the_body_is_read_with_a_cap() -> None:
    assert read_body(io.BytesIO(b"x" * MAX_BODY_BYTES), None) == b"x" * MAX_BODY_BYTES
    with pytest.raises(BodyTooLarge):
        read_body(io.BytesIO(b"x" * (MAX_BODY_BYTES + 1)), None)
    with pytest.raises(BodyTooLarge):
        read_body(io.BytesIO(b""), MAX_BODY_BYTES + 1)


def test_config_refuses_missing_secrets_as_unavailable() -> None:
    with pytest.raises(Unavailable) as missing:
        StripeConfig.load(env={}, secret_key="sk", webhook_secret=" ", pro_price="")
    assert missing.value.details["missing"] == ["STRIPE_WEBHOOK_SECRET", "STRIPE_PRO_PRICE"]
    config = StripeConfig.load(
        env={"AURA_STRIPE_BASE_URL": "http://x/stripe"},
        secret_key="sk",
        webhook_secret="wh",
        pro_price="price",
    )
    assert config.base_url == "http://x/stripe"


# --- the SDK against the stand-in -------------------------------------------------------


def test_the_stand_in_decodes_stripes_form_encoding() -> None:
    pairs = urllib.parse.parse_qsl(
        "mode=subscription&line_items[0][price]=p&line_items[0][quantity]=1"
        "&line_items[1][price]=q&subscription_data[metadata][uid]=u1"
    )
    assert standin.decode_form(pairs) == {
        "mode": "subscription",
        "line_items": [{"price": "p", "quantity": "1"}, {"price": "q"}],
        "subscription_data": {"metadata": {"uid": "u1"}},
    }


@pytest.fixture(scope="module")
def standin_url() -> Iterator[str]:
    url, stop = serve_in_thread()
    yield url
    stop()


def sdk(base: str, key: str = standin.LOCAL_SECRET_KEY) -> SdkStripe:
    return SdkStripe(
        StripeConfig(secret_key=key, webhook_secret="wh", pro_price="p", base_url=f"{base}/stripe")
    )


def checkout(
    api: SdkStripe, customer: str, uid: str, back: str = "https://demo-aura.web.app/plan"
) -> tuple[str, str]:
    """A pro checkout session for `customer`, leading back to `back`: (id, URL)."""
    return api.create_checkout_session(
        customer_id=customer, price_id="price_aura_pro", uid=uid, success_url=back, cancel_url=back
    )


def standin_state(standin_url: str) -> dict[str, Any]:
    state: dict[str, Any] = requests.get(f"{standin_url}/_standin/stripe", timeout=10).json()
    return state


def test_the_sdk_pays_through_the_stand_in(standin_url: str) -> None:
    api = sdk(standin_url)
    customer = api.create_customer(uid="u1", email="u1@aura.test", idempotency_key="k-u1")
    assert api.create_customer(uid="u1", email=None, idempotency_key="k-u1") == customer
    assert api.create_customer(uid="u2", email=None, idempotency_key="k-u2") != customer
    session_id, url = api.create_checkout_session(
        customer_id=customer,
        price_id="price_aura_pro",
        uid="u1",
        success_url="https://demo-aura.web.app/plan?s={CHECKOUT_SESSION_ID}",
        cancel_url="https://demo-aura.web.app/plan",
    )
    assert url == f"{standin_url}/stripe/pay/{session_id}"
    assert "Pay" in requests.get(url, timeout=10).text
    paid = requests.post(url, allow_redirects=False, timeout=10)
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://demo-aura.web.app/plan?s={session_id}"
    state = standin_state(standin_url)
    sub_id = state["checkoutSessions"][session_id]["subscription"]
    assert [e["type"] for e in state["events"][-2:]] == [
        "customer.subscription.created",
        "checkout.session.completed",
    ]
    sub = plans.subscription_from(api.retrieve_subscription(sub_id))
    assert (sub.status, sub.uid, sub.customer_id, sub.price_id) == (
        "active",
        "u1",
        customer,
        "price_aura_pro",
    )
    portal = api.create_portal_session(customer_id=customer, return_url="https://x/plan")
    cancelled = requests.post(f"{portal}/cancel", allow_redirects=False, timeout=10)
    assert cancelled.headers["location"] == "https://x/plan"
    assert plans.subscription_from(api.retrieve_subscription(sub_id)).cancel_at_period_end


def test_stripe_errors_map_to_the_domain_tree(standin_url: str) -> None:
    with pytest.raises(NotFound):
        sdk(standin_url).retrieve_subscription("sub_missing")
    with pytest.raises(FailedPrecondition):
        sdk(standin_url, key="sk_wrong").create_customer(uid="u", email=None, idempotency_key="x")
    with pytest.raises(FailedPrecondition):
        sdk(standin_url).create_portal_session(customer_id="cus_nobody", return_url="https://x")
    with pytest.raises(Unavailable):
        sdk("http://127.0.0.1:9").create_customer(uid="u", email=None, idempotency_key="y")


def test_deleting_a_customer_ends_its_subscription_at_once_and_a_repeat_is_false(
    standin_url: str,
) -> None:
    api = sdk(standin_url)
    customer = api.create_customer(uid="u-erased", email=None, idempotency_key="k-u-erased")
    paid, pay_url = checkout(api, customer, "u-erased")
    requests.post(pay_url, allow_redirects=False, timeout=10)
    open_session, _ = checkout(api, customer, "u-erased")
    sub_id = standin_state(standin_url)["checkoutSessions"][paid]["subscription"]

    assert api.delete_customer(customer) is True
    state = standin_state(standin_url)
    assert state["customers"][customer] == {"id": customer, "object": "customer", "deleted": True}
    assert state["subscriptions"][sub_id]["status"] == "canceled"
    assert state["checkoutSessions"][open_session]["status"] == "expired"
    assert plans.subscription_from(api.retrieve_subscription(sub_id)).status == "canceled"
    types = [e["type"] for e in state["events"] if e["data"]["object"].get("customer") == customer]
    assert "customer.subscription.deleted" in types
    assert any(
        e["type"] == "customer.deleted" and e["data"]["object"]["id"] == customer
        for e in state["events"]
    )
    # Deleted before, or never there: Stripe answers 404, which counts as done.
    assert api.delete_customer(customer) is False
    assert api.delete_customer("cus_never") is False
    with pytest.raises(FailedPrecondition):  # a deleted customer takes no new session
        api.create_portal_session(customer_id=customer, return_url="https://x")
    with pytest.raises(Unavailable):
        sdk("http://127.0.0.1:9").delete_customer(customer)
    with pytest.raises(FailedPrecondition):
        sdk(standin_url, key="sk_wrong").delete_customer(customer)


# --- the stand-in's webhook deliveries ----------------------------------------------------


class Receiver:
    """A local HTTP endpoint that records what the stand-in posts (as stripe_webhook)."""

    def __init__(self) -> None:
        import http.server
        import threading

        received: list[tuple[bytes, str]] = []
        self.received = received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"received": true, "outcome": "applied"}')

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe_webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(standin_url: str) -> Iterator[Receiver]:
    got = Receiver()
    requests.post(f"{standin_url}/_standin/stripe/config", json={"webhookUrl": got.url}, timeout=10)
    yield got
    requests.post(f"{standin_url}/_standin/stripe/config", json={"webhookUrl": None}, timeout=10)
    got.close()


def test_the_stand_in_signs_events_as_stripe_does_and_holds_forges_and_replays(
    standin_url: str, receiver: Receiver
) -> None:
    api = sdk(standin_url)
    customer = api.create_customer(uid="u9", email=None, idempotency_key="k-u9")
    _, url = checkout(api, customer, "u9", back="https://a/")
    requests.post(url, allow_redirects=False, timeout=10)
    assert len(receiver.received) == 2
    events = [
        verify_event(payload=body, signature=sig, secret=standin.LOCAL_WEBHOOK_SECRET)
        for body, sig in receiver.received
    ]
    assert [e["type"] for e in events] == [
        "customer.subscription.created",
        "checkout.session.completed",
    ]
    sub_id = events[0]["data"]["object"]["id"]
    control = f"{standin_url}/_standin/stripe"

    held = requests.post(
        f"{control}/subscriptions/{sub_id}", json={"status": "past_due", "hold": True}, timeout=10
    ).json()
    assert held["deliveries"] == []
    assert len(receiver.received) == 2
    event_id = held["events"][0]["id"]
    for kind in ("forged", "stale"):
        requests.post(
            f"{control}/deliver", json={"eventIds": [event_id], "signature": kind}, timeout=10
        )
        body, sig = receiver.received[-1]
        with pytest.raises(SignatureRefused):
            verify_event(payload=body, signature=sig, secret=standin.LOCAL_WEBHOOK_SECRET)
    replayed = requests.post(
        f"{control}/deliver", json={"eventIds": [event_id, event_id]}, timeout=10
    ).json()
    assert [d["status"] for d in replayed["deliveries"]] == [200, 200]
    body, sig = receiver.received[-1]
    again = verify_event(payload=body, signature=sig, secret=standin.LOCAL_WEBHOOK_SECRET)
    assert (again["id"], again["data"]["object"]["status"]) == (event_id, "past_due")

    requests.post(f"{control}/subscriptions/{sub_id}", json={"cancelAtPeriodEnd": True}, timeout=10)
    ended = requests.post(f"{control}/subscriptions/{sub_id}/advance", timeout=10).json()
    assert [e["type"] for e in ended["events"]] == ["customer.subscription.deleted"]
    assert plans.subscription_from(api.retrieve_subscription(sub_id)).status == "canceled"

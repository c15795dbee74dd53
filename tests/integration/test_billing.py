"""Plans and billing on the emulators, end to end through the Stripe stand-in:
start_checkout -> the stand-in's checkout page "pays" -> signed events -> stripe_webhook ->
profile `plan`, the `plan` claim and the AI quota follow; duplicated and out-of-order
events; forged and stale signatures refused with nothing written; the portal's cancel
keeps pro until the period ends; bad return URLs refused before anything is written."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.accounts.models import Caller
from shared.ai.quotas import QUOTAS
from shared.billing import service as billing
from shared.billing.models import StartCheckout
from shared.billing.stripe_api import SdkStripe, StripeConfig
from shared.errors import FailedPrecondition
from shared.platform import clients, erasure
from tests.support import emulators as emu
from tests.support import erasure as erasure_support
from tools.standin import stripe as stripe_standin

STRIPE = f"{emu.STANDIN}/_standin/stripe"
APP = emu.HOSTING  # the Hosting emulator: an allowed return origin on the local stack
SUCCESS = f"{APP}/plan?checkout=success&session={{CHECKOUT_SESSION_ID}}"
CANCEL = f"{APP}/plan?checkout=cancel"
WEBHOOK = f"{emu.FUNCTIONS}/stripe_webhook"


@pytest.fixture(autouse=True)
def clean_stripe() -> None:
    emu.session.delete(STRIPE, timeout=10).raise_for_status()


def stripe_state() -> dict[str, Any]:
    state: dict[str, Any] = emu.session.get(STRIPE, timeout=10).json()
    return state


def control(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    resp = emu.session.post(f"{STRIPE}{path}", json=body or {}, timeout=180)
    assert resp.status_code == 200, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


def doc(path: str) -> dict[str, Any] | None:
    snapshot = clients.get_db().document(path).get()
    return snapshot.to_dict() if snapshot.exists else None


def stripe_events() -> dict[str, dict[str, Any]]:
    return {s.id: s.to_dict() or {} for s in clients.get_db().collection("_stripeEvents").stream()}


def start(user: emu.User) -> dict[str, Any]:
    result = emu.call("start_checkout", {"successUrl": SUCCESS, "cancelUrl": CANCEL}, user.id_token)
    assert result.status == "OK", result.error
    assert set(result.result) == {"url", "sessionId"}
    return result.result


def pay(checkout: dict[str, Any]) -> str:
    """Pay on the stand-in's checkout page; the events are delivered before it answers.
    Returns the subscription id."""
    paid = emu.session.post(checkout["url"], allow_redirects=False, timeout=180)
    assert paid.status_code == 303, paid.text
    assert paid.headers["location"] == SUCCESS.replace(
        "{CHECKOUT_SESSION_ID}", checkout["sessionId"]
    )
    deliveries = stripe_state()["deliveries"]
    assert [d["status"] for d in deliveries[-2:]] == [200, 200], deliveries
    sub_id: str = stripe_state()["checkoutSessions"][checkout["sessionId"]]["subscription"]
    return sub_id


def upgraded(user: emu.User) -> str:
    return pay(start(user))


def plan_of(user: emu.User) -> str | None:
    return (doc(f"users/{user.uid}") or {}).get("plan")


def test_checkout_and_payment_make_the_user_pro_with_the_claim_and_the_quota_at_once(
    user: emu.User, standin: None
) -> None:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    clients.get_db().document(f"users/{user.uid}/usage/{day}").set(
        {"requests": QUOTAS["free"].requests, "inputTokens": 0, "outputTokens": 0}
    )
    over = emu.call("remember", {"text": "I water the ferns on Sundays"}, user.id_token)
    assert over.status == "RESOURCE_EXHAUSTED", over.error
    assert plan_of(user) == "free"

    checkout = start(user)
    assert checkout["url"].startswith(f"{emu.STANDIN}/stripe/pay/cs_test_")
    assert doc(f"_billing/{user.uid}") is not None  # the customer, before paying
    sub_id = pay(checkout)

    profile = doc(f"users/{user.uid}") or {}
    assert profile["plan"] == "pro"
    assert profile["subscription"]["status"] == "active"
    assert profile["subscription"]["cancelAtPeriodEnd"] is False
    assert profile["subscription"]["currentPeriodEnd"] > datetime.now(UTC)
    assert emu.get_claims(user.uid)["plan"] == "pro"
    assert emu.get_claims(user.uid)["role"] == "user"  # other claims kept
    billing = doc(f"_billing/{user.uid}") or {}
    assert (billing["subscriptionId"], billing["status"], billing["plan"]) == (
        sub_id,
        "active",
        "pro",
    )
    assert billing["priceId"] == stripe_standin.LOCAL_PRO_PRICE
    recorded = stripe_events()
    assert sorted(e["type"] for e in recorded.values()) == [
        "checkout.session.completed",
        "customer.subscription.created",
    ]
    assert {e["uid"] for e in recorded.values()} == {user.uid}
    # The AI quota reads the profile: the same token, no refresh, and pro's quota applies.
    again = emu.call("remember", {"text": "I water the ferns on Sundays"}, user.id_token)
    assert again.status == "OK", again.error
    # A second checkout is refused: the portal manages a live plan.
    refused = emu.call(
        "start_checkout", {"successUrl": SUCCESS, "cancelUrl": CANCEL}, user.id_token
    )
    assert refused.status == "FAILED_PRECONDITION"
    assert refused.details["reason"] == "already-pro"


def test_concurrent_first_checkouts_create_one_customer(user: emu.User) -> None:
    results: list[dict[str, Any]] = []

    def one() -> None:
        results.append(start(user))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = stripe_state()
    assert len(results) == 4
    assert len(state["customers"]) == 1
    (customer_id,) = state["customers"]
    assert state["customers"][customer_id]["metadata"] == {"uid": user.uid}
    assert {s["customer"] for s in state["checkoutSessions"].values()} == {customer_id}
    assert (doc(f"_billing/{user.uid}") or {})["customerId"] == customer_id


def test_a_duplicated_event_does_nothing(user: emu.User) -> None:
    upgraded(user)
    before_events = stripe_events()
    before_billing = doc(f"_billing/{user.uid}")
    ids = [e["id"] for e in stripe_state()["events"]]
    deliveries = control("/deliver", {"eventIds": ids + ids})["deliveries"]
    assert [d["status"] for d in deliveries] == [200] * 4
    assert {json.loads(d["body"])["outcome"] for d in deliveries} == {"duplicate"}
    assert stripe_events() == before_events
    assert doc(f"_billing/{user.uid}") == before_billing
    assert plan_of(user) == "pro"


def test_out_of_order_events_leave_the_plan_of_the_newest_state(user: emu.User) -> None:
    sub_id = upgraded(user)
    now = int(time.time())
    # Stripe made "updated (active)" first and "deleted" later, and delivers them the
    # other way round.
    older = control(
        "/events",
        {
            "type": "customer.subscription.updated",
            "subscription": sub_id,
            "created": now + 5,
            "hold": True,
        },
    )["events"][0]
    newer = control(
        f"/subscriptions/{sub_id}",
        {
            "status": "canceled",
            "type": "customer.subscription.deleted",
            "created": now + 10,
            "hold": True,
        },
    )["events"][0]
    deliveries = control("/deliver", {"eventIds": [newer["id"], older["id"]]})["deliveries"]
    outcomes = [json.loads(d["body"])["outcome"] for d in deliveries]
    assert outcomes == ["applied", "stale"]
    assert plan_of(user) == "free"
    assert emu.get_claims(user.uid)["plan"] == "free"
    assert (doc(f"_billing/{user.uid}") or {})["eventCreated"] == now + 10
    # An event of the same second whose body says "active": the state is read from the
    # API (canceled), so it cannot bring pro back either.
    same_second = control(
        "/events",
        {
            "type": "customer.subscription.updated",
            "object": older["data"]["object"],
            "created": now + 10,
        },
    )["deliveries"][0]
    assert json.loads(same_second["body"])["outcome"] == "applied"
    assert plan_of(user) == "free"
    assert (doc(f"users/{user.uid}") or {})["subscription"]["status"] == "canceled"


@pytest.mark.parametrize("signature", ["forged", "stale"])
def test_a_forged_or_stale_signature_is_refused_with_nothing_written(
    user: emu.User, signature: str
) -> None:
    upgraded(user)
    sub_id = (doc(f"_billing/{user.uid}") or {})["subscriptionId"]
    before = (stripe_events(), doc(f"_billing/{user.uid}"), doc(f"users/{user.uid}"))
    event = control(
        f"/subscriptions/{sub_id}",
        {"status": "canceled", "type": "customer.subscription.deleted", "hold": True},
    )["events"][0]
    (delivery,) = control("/deliver", {"eventIds": [event["id"]], "signature": signature})[
        "deliveries"
    ]
    assert delivery["status"] == 400, delivery
    unsigned = emu.session.post(WEBHOOK, data=json.dumps(event), timeout=60)
    assert unsigned.status_code == 400
    assert (stripe_events(), doc(f"_billing/{user.uid}"), doc(f"users/{user.uid}")) == before
    assert plan_of(user) == "pro"


def test_cancelling_in_the_portal_keeps_pro_until_the_period_ends(user: emu.User) -> None:
    sub_id = upgraded(user)
    portal = emu.call("open_billing_portal", {"returnUrl": f"{APP}/plan"}, user.id_token)
    assert portal.status == "OK", portal.error
    assert set(portal.result) == {"url"}
    assert "Cancel plan" in emu.session.get(portal.result["url"], timeout=30).text
    cancelled = emu.session.post(
        f"{portal.result['url']}/cancel", allow_redirects=False, timeout=180
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"{APP}/plan"

    profile = doc(f"users/{user.uid}") or {}
    assert profile["plan"] == "pro"
    assert profile["subscription"] == {
        **profile["subscription"],
        "status": "active",
        "cancelAtPeriodEnd": True,
    }
    assert emu.get_claims(user.uid)["plan"] == "pro"

    ended = control(f"/subscriptions/{sub_id}/advance")
    assert [e["type"] for e in ended["events"]] == ["customer.subscription.deleted"]
    assert ended["deliveries"][0]["status"] == 200
    profile = doc(f"users/{user.uid}") or {}
    assert profile["plan"] == "free"
    assert profile["subscription"]["status"] == "canceled"
    assert emu.get_claims(user.uid)["plan"] == "free"
    # Free again: a new checkout is possible, with the same customer.
    customer_id = (doc(f"_billing/{user.uid}") or {})["customerId"]
    again = start(user)
    assert stripe_state()["checkoutSessions"][again["sessionId"]]["customer"] == customer_id


def test_the_portal_needs_a_customer_first(user: emu.User) -> None:
    result = emu.call("open_billing_portal", {"returnUrl": f"{APP}/plan"}, user.id_token)
    assert result.status == "FAILED_PRECONDITION"
    assert result.details["reason"] == "no-customer"


@pytest.mark.parametrize(
    ("function", "data", "field"),
    [
        (
            "start_checkout",
            {"successUrl": "https://evil.example/x", "cancelUrl": CANCEL},
            "successUrl",
        ),
        ("start_checkout", {"successUrl": SUCCESS, "cancelUrl": "//evil.example"}, "cancelUrl"),
        ("start_checkout", {"successUrl": SUCCESS}, "cancelUrl"),
        ("start_checkout", {"successUrl": SUCCESS, "cancelUrl": CANCEL, "price": "p"}, "price"),
        ("open_billing_portal", {"returnUrl": f"{APP}.evil.example/plan"}, "returnUrl"),
        ("open_billing_portal", {"returnUrl": "x" * 3000}, "returnUrl"),
    ],
)
def test_bad_input_is_refused_naming_the_field_with_nothing_written(
    user: emu.User, function: str, data: dict[str, Any], field: str
) -> None:
    result = emu.call(function, data, user.id_token)
    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field
    assert doc(f"_billing/{user.uid}") is None
    assert stripe_state()["customers"] == {}


def test_an_event_about_an_unknown_subscription_or_customer_is_recorded_and_ignored(
    user: emu.User,
) -> None:
    upgraded(user)
    unknown = control(
        "/events", {"type": "customer.subscription.updated", "subscription": "sub_unknown"}
    )["deliveries"][0]
    assert unknown["status"] == 200
    assert json.loads(unknown["body"])["outcome"] == "ignored"
    other = control("/events", {"type": "customer.created", "object": {"id": "cus_x"}})
    assert json.loads(other["deliveries"][0]["body"])["outcome"] == "ignored"
    reasons = sorted(
        e["reason"] or "" for e in stripe_events().values() if e["outcome"] == "ignored"
    )
    assert reasons == ["not-a-subscription-event", "subscription-missing"]
    assert plan_of(user) == "pro"


def test_the_webhook_answers_only_post_and_caps_the_body() -> None:
    assert emu.session.get(WEBHOOK, timeout=60).status_code == 405
    big = emu.session.post(WEBHOOK, data=b"x" * 300_000, timeout=60)
    assert big.status_code == 413
    assert stripe_events() == {}


# --- account erasure ends billing ---------------------------------------------------------


def erase_through_the_task(user: emu.User) -> dict[str, Any]:
    """delete_my_account, then the emulated `eraseaccount` task runs; the receipt."""
    token = emu.sign_in(user.email, user.password).id_token
    requested = emu.call("delete_my_account", {"confirm": "delete my account"}, token)
    assert requested.status == "OK", requested.error
    return wait_for_receipt(user.uid, requested.result["requestId"])


def wait_for_receipt(uid: str, request_id: str) -> dict[str, Any]:
    db = clients.get_db()
    query = (
        db.collection("audit")
        .where(filter=FieldFilter("action", "==", "account.erased"))
        .where(filter=FieldFilter("details.requestId", "==", request_id))
    )
    emu.wait_for(
        lambda: query.get() and not db.document(f"_erasures/{uid}").get().exists,
        timeout=120,
        interval=0.5,
    )
    (receipt,) = query.get()
    return receipt.to_dict() or {}


def events_naming(uid: str) -> list[dict[str, Any]]:
    return [e for e in stripe_events().values() if e.get("uid") == uid]


def test_erasing_a_paying_account_deletes_its_stripe_customer_and_ends_the_plan(
    user: emu.User,
) -> None:
    sub_id = upgraded(user)
    customer_id = (doc(f"_billing/{user.uid}") or {})["customerId"]
    assert events_naming(user.uid)

    receipt = erase_through_the_task(user)

    state = stripe_state()
    assert state["customers"][customer_id]["deleted"] is True
    assert state["subscriptions"][sub_id]["status"] == "canceled"
    assert receipt["details"]["counts"]["stripeCustomers"] == 1
    assert receipt["details"]["counts"]["_billing"] == 1
    assert doc(f"_billing/{user.uid}") is None
    # Stripe's own events about the deletion arrive afterwards (or meanwhile): each is
    # handled, and none leaves a record naming the erased user.
    deletion_events = {
        e["id"]
        for e in state["events"]
        if e["type"] in ("customer.subscription.deleted", "customer.deleted")
    }
    assert len(deletion_events) == 2
    emu.wait_for(
        lambda: (
            {d["eventId"] for d in stripe_state()["deliveries"] if d["status"] == 200}
            >= deletion_events
        ),
        timeout=60,
    )
    assert events_naming(user.uid) == []
    assert doc(f"_billing/{user.uid}") is None
    assert doc(f"users/{user.uid}") is None


def test_erasing_an_account_without_a_customer_never_calls_stripe(user: emu.User) -> None:
    # Any call to the stand-in with the functions' key would now fail (401 -> the step
    # fails -> no receipt): the erasure completing proves Stripe was not called.
    control("/config", {"secretKey": "sk_test_not_the_functions_key"})
    try:
        receipt = erase_through_the_task(user)
    finally:
        control("/config", {"secretKey": stripe_standin.LOCAL_SECRET_KEY})
    assert "stripeCustomers" not in receipt["details"]["counts"]
    assert stripe_state()["customers"] == {}


def standin_config(base_url: str = f"{emu.STANDIN}/stripe") -> StripeConfig:
    return StripeConfig(
        secret_key=stripe_standin.LOCAL_SECRET_KEY,
        webhook_secret=stripe_standin.LOCAL_WEBHOOK_SECRET,
        pro_price=stripe_standin.LOCAL_PRO_PRICE,
        base_url=base_url,
    )


def eraser(base_url: str = f"{emu.STANDIN}/stripe") -> erasure.Eraser:
    return erasure_support.in_process_eraser(stripe=lambda: SdkStripe(standin_config(base_url)))


def test_a_checkout_racing_the_erasure_leaves_no_customer_at_stripe(user: emu.User) -> None:
    task = erasure_support.request(user.uid)
    db, stripe = clients.get_db(), SdkStripe(standin_config())
    caller = Caller(uid=user.uid, email=user.email)
    command = StartCheckout.model_validate({"successUrl": SUCCESS, "cancelUrl": CANCEL})

    # A checkout that starts after the request is refused before it reaches Stripe ...
    with pytest.raises(FailedPrecondition) as refused:
        billing.start_checkout(
            db=db,
            stripe=stripe,
            config=standin_config(),
            caller=caller,
            command=command,
            allowed_origins=frozenset({APP}),
            now=datetime.now(UTC),
        )
    assert refused.value.details["reason"] == "account-closing"
    assert stripe_state()["customers"] == {}

    # ... and one that passed that check just before creates its customer, finds the
    # erasure when it comes to record it, and deletes the customer again.
    with pytest.raises(FailedPrecondition) as closing:
        billing.ensure_customer(
            db=db, stripe=stripe, uid=user.uid, email=user.email, now=datetime.now(UTC)
        )
    assert closing.value.details["reason"] == "account-closing"
    customers = stripe_state()["customers"]
    assert [c["deleted"] for c in customers.values()] == [True]
    assert doc(f"_billing/{user.uid}") is None

    assert erasure.run(eraser(), task) == "erased"
    assert doc(f"_billing/{user.uid}") is None


def test_stripe_unreachable_fails_the_erasure_until_it_answers(user: emu.User) -> None:
    sub_id = upgraded(user)
    customer_id = (doc(f"_billing/{user.uid}") or {})["customerId"]
    task = erasure_support.request(user.uid)

    with pytest.raises(erasure.StepFailed) as raised:
        erasure.run(eraser("http://127.0.0.1:9/stripe"), task)  # nothing listens there
    assert raised.value.transient
    progress = doc(f"_erasures/{user.uid}") or {}
    assert progress["stepsDone"] == ["user-tree", "timers"]
    assert progress["lastError"]["step"] == "billing"
    assert progress["leaseUntil"] is None  # released: the retry need not wait
    assert (doc(f"_billing/{user.uid}") or {})["customerId"] == customer_id  # kept
    assert stripe_state()["subscriptions"][sub_id]["status"] == "active"

    assert erasure.run(eraser(), task) == "erased"
    state = stripe_state()
    assert state["customers"][customer_id]["deleted"] is True
    assert state["subscriptions"][sub_id]["status"] == "canceled"
    assert doc(f"_erasures/{user.uid}") is None
    # A redelivery finds nothing to do and calls Stripe no more.
    assert erasure.run(eraser("http://127.0.0.1:9/stripe"), task) == "nothing-to-do"

"""Account erasure's pure parts: the confirmation, the recent sign-in, the subject, paths,
and the billing step over a fake Stripe."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from shared.billing import service as billing_service
from shared.billing.stripe_api import StripeApi
from shared.errors import FailedPrecondition, InvalidArgument, Unavailable
from shared.platform import erasure
from shared.validation import parse

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_only_the_exact_phrase_confirms() -> None:
    assert parse(erasure.DeleteMyAccount, {"confirm": "delete my account"}).confirm
    for data in ({"confirm": "Delete my account"}, {"confirm": "delete"}, {}):
        with pytest.raises(InvalidArgument) as raised:
            parse(erasure.DeleteMyAccount, data)
        assert raised.value.field == "confirm"


@pytest.mark.parametrize("age", [0, 1, erasure.RECENT_SIGN_IN_S])
def test_a_recent_sign_in_passes(age: int) -> None:
    erasure.check_recent_sign_in(int(NOW.timestamp()) - age, NOW)


@pytest.mark.parametrize("auth_time", [None, int(NOW.timestamp()) - erasure.RECENT_SIGN_IN_S - 1])
def test_an_old_or_unknown_sign_in_is_refused(auth_time: int | None) -> None:
    with pytest.raises(FailedPrecondition) as raised:
        erasure.check_recent_sign_in(auth_time, NOW)
    assert raised.value.details["reason"] == "requires-recent-login"


def test_the_subject_is_a_keyed_hash_and_needs_a_key() -> None:
    expected = hmac.new(b"k", b"u1", hashlib.sha256).hexdigest()
    assert erasure.subject_of("k", "u1") == expected
    assert erasure.subject_of("other", "u1") != expected
    with pytest.raises(RuntimeError, match="AUDIT_SUBJECT_KEY"):
        erasure.subject_of("", "u1")
    assert erasure.receipt_id(expected, "r1") == erasure.receipt_id(expected, "r1")
    assert erasure.receipt_id(expected, "r1") != erasure.receipt_id(expected, "r2")


def test_paths_read_as_registry_patterns() -> None:
    assert erasure.pattern_of("u1", "users/u1/tasks/t1") == "tasks"
    assert (
        erasure.pattern_of("u1", "users/u1/conversations/c1/messages/m1")
        == "conversations/*/messages"
    )


def test_marker_days_cover_the_markers_life() -> None:
    days = erasure.marker_days(NOW)
    assert days[0] == "2026-11-28"
    assert days[-1] == "2026-12-02"
    assert "2026-12-01" in days


def test_scrub_replaces_the_uid_everywhere() -> None:
    entry = {"target": "users/u1/workflows/w", "details": {"to": ["u1", "u2"]}, "n": 3}
    assert erasure.scrub(entry, "u1", "erased:s") == {
        "target": "users/erased:s/workflows/w",
        "details": {"to": ["erased:s", "u2"]},
        "n": 3,
    }


# --- the billing step (a fake Stripe; the customer's record read by a stub) ----------------


class FakeStripe:
    """StripeApi with only `delete_customer` working: Stripe's customers, and a failure."""

    def __init__(self, customers: set[str], fail: Exception | None = None) -> None:
        self.customers, self.fail = customers, fail
        self.deleted: list[str] = []

    def delete_customer(self, customer_id: str) -> bool:
        if self.fail is not None:
            raise self.fail
        self.deleted.append(customer_id)
        if customer_id not in self.customers:
            return False
        self.customers.remove(customer_id)
        return True

    def create_customer(self, *, uid: str, email: str | None, idempotency_key: str) -> str:
        raise AssertionError("erasure creates no customer")

    def create_checkout_session(
        self, *, customer_id: str, price_id: str, uid: str, success_url: str, cancel_url: str
    ) -> tuple[str, str]:
        raise AssertionError("erasure makes no session")

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        raise AssertionError("erasure makes no session")

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        raise AssertionError("erasure reads no subscription")


class FakeErasureRef:
    """`_erasures/{uid}`: what the step writes to it."""

    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    def update(self, fields: dict[str, Any]) -> None:
        self.writes.append(fields)

    def set(self, fields: dict[str, Any], merge: bool = False) -> None:
        self.writes.append(fields)


class FakeRecord:
    """`_billing/{uid}`, as the step reads and deletes it (its own snapshot too)."""

    def __init__(self, data: dict[str, Any] | None) -> None:
        self.data = data

    @property
    def exists(self) -> bool:
        return self.data is not None

    def get(self) -> FakeRecord:
        return FakeRecord(self.data)

    def to_dict(self) -> dict[str, Any] | None:
        return self.data


class FakeDb:
    """Just enough Firestore for the billing step: one record and batches."""

    def __init__(self, record: dict[str, Any] | None) -> None:
        self.record = FakeRecord(record)
        self.paths: list[str] = []

    def collection(self, name: str) -> FakeDb:
        self.paths.append(name)
        return self

    def document(self, doc_id: str) -> FakeRecord:
        self.paths.append(doc_id)
        return self.record

    def batch(self) -> FakeBatch:
        return FakeBatch()


class FakeBatch:
    def __init__(self) -> None:
        self.ops: list[tuple[str, Any, Any]] = []

    def delete(self, doc: FakeRecord) -> None:
        self.ops.append(("delete", doc, None))

    def set(self, doc: FakeErasureRef, fields: dict[str, Any], merge: bool = False) -> None:
        self.ops.append(("set", doc, fields))

    def commit(self) -> None:
        for op, doc, fields in self.ops:
            if op == "delete":
                doc.data = None
            else:
                doc.set(fields, merge=True)


def billing_step(
    record: dict[str, Any] | None,
    stripe: Callable[[], StripeApi] | None,
    ref: FakeErasureRef | None = None,
    db: FakeDb | None = None,
) -> tuple[FakeErasureRef, FakeDb]:
    """Run the `billing` step on `_billing/u1` = `record` (None: no record)."""
    db = db or FakeDb(record)
    eraser = erasure.Eraser(
        db=cast(Any, db),
        auth=cast(Any, None),
        bucket=None,
        subject_key="k",
        now=lambda: NOW,
        **({"stripe": stripe} if stripe is not None else {}),
    )
    ref = ref or FakeErasureRef()
    erasure._STEP_FUNCTIONS["billing"](eraser, "u1", "s", cast(Any, ref))
    return ref, db


def counted(ref: FakeErasureRef) -> set[str]:
    return {key for write in ref.writes for key in write.get("counts", {})}


def never() -> StripeApi:
    raise AssertionError("Stripe must not be called for an account without a customer")


def test_billing_ends_before_the_record_of_the_customer_is_deleted() -> None:
    assert erasure.STEPS.index("billing") < erasure.STEPS.index("server")
    assert set(erasure.STEPS) == set(erasure._STEP_FUNCTIONS)


def test_an_account_without_a_customer_never_reaches_stripe() -> None:
    for record in (None, {"uid": "u1"}, {"uid": "u1", "customerId": ""}):
        ref, db = billing_step(record, never)
        assert db.record.data is None  # a record without a customer is deleted all the same
        assert counted(ref) <= {"_billing"}
        billing_step(record, None)  # billing not configured: fine without a customer
    assert billing_service.end_billing(customer_id=None, stripe=never) == "no-customer"


def test_the_customer_is_deleted_then_its_record_and_a_repeat_counts_as_done() -> None:
    stripe = FakeStripe({"cus_1"})
    ref, db = billing_step({"uid": "u1", "customerId": "cus_1"}, lambda: stripe)
    assert stripe.deleted == ["cus_1"]
    assert stripe.customers == set()
    assert db.paths == ["_billing", "u1"]
    assert db.record.data is None
    assert counted(ref) == {"stripeCustomers", "_billing"}
    # A redelivery that died before the record was deleted: Stripe answers 404, done.
    again, db = billing_step({"uid": "u1", "customerId": "cus_1"}, lambda: stripe)
    assert stripe.deleted == ["cus_1", "cus_1"]
    assert db.record.data is None
    assert counted(again) == {"_billing"}
    # One after the record was deleted: Stripe is not called at all.
    billing_step(None, lambda: stripe)
    assert stripe.deleted == ["cus_1", "cus_1"]


@pytest.mark.parametrize(
    ("failure", "reason", "transient"),
    [
        (Unavailable("Stripe could not be reached."), "Unavailable", True),
        (
            FailedPrecondition("Billing is misconfigured.", details={"reason": "stripe-refused"}),
            "stripe-refused",
            False,
        ),
    ],
)
def test_stripe_failing_fails_the_step_and_keeps_the_record(
    failure: Exception, reason: str, transient: bool
) -> None:
    stripe, ref = FakeStripe({"cus_1"}, fail=failure), FakeErasureRef()
    db = FakeDb({"uid": "u1", "customerId": "cus_1"})
    with pytest.raises(erasure.StepFailed) as raised:
        billing_step(None, lambda: stripe, ref, db)
    assert (raised.value.step, raised.value.reason, raised.value.transient) == (
        "billing",
        reason,
        transient,
    )
    assert raised.value.__cause__ is failure  # a domain error: not reported as a crash
    assert ref.writes == [{"lastError": {"step": "billing", "reason": reason, "at": NOW}}]
    assert db.record.data == {"uid": "u1", "customerId": "cus_1"}  # the id is not lost
    assert stripe.customers == {"cus_1"}


def test_a_customer_with_billing_not_configured_fails_the_step_loudly() -> None:
    with pytest.raises(erasure.StepFailed) as raised:
        billing_step({"uid": "u1", "customerId": "cus_1"}, None)
    assert (raised.value.reason, raised.value.transient) == ("billing-not-configured", False)

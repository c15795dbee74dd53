"""Account erasure's pure parts: the confirmation, the recent sign-in, the subject, paths."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from shared.errors import FailedPrecondition, InvalidArgument
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

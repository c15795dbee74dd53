"""Accounts against the real Auth, Firestore and Functions emulators."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.platform import clients
from tests.support import emulators as emu

# Email delivery: off until the user turns it on (docs/platform.md "Email").
EMAIL_DEFAULTS = {
    "enabled": False,
    "kinds": {"reminders": True, "briefing": True, "exports": True, "workflows": False},
}


def profile(uid: str) -> dict[str, Any] | None:
    snap = clients.get_db().collection("users").document(uid).get()
    return snap.to_dict() if snap.exists else None


def audit_entries() -> list[dict[str, Any]]:
    return [d.to_dict() for d in clients.get_db().collection("audit").stream()]


# --- ensure_profile ------------------------------------------------------------------


def test_first_sign_in_creates_profile_with_defaults_and_claims() -> None:
    new = emu.sign_up()
    first = emu.call("ensure_profile", {"timezone": "Europe/Berlin"}, new.id_token)

    assert first.status == "OK", first.error
    assert first.result["created"] is True
    assert first.result["claimsUpdated"] is True
    stored = profile(new.uid)
    assert stored is not None
    assert stored["email"] == new.email
    assert stored["role"] == "user"
    assert stored["plan"] == "free"
    assert stored["settings"] == {
        "timezone": "Europe/Berlin",
        "preferredModel": "auto",
        "briefing": {"enabled": True, "time": "07:00"},
        "memory": {"autoExtract": True},
        "decisions": {"askThreshold": 0.6},
        "email": EMAIL_DEFAULTS,
    }
    assert emu.get_claims(new.uid) == {"role": "user", "plan": "free"}


def test_profile_created_once_when_delivered_twice() -> None:
    new = emu.sign_up()
    first = emu.call("ensure_profile", {}, new.id_token)
    created_at = profile(new.uid)["createdAt"]  # type: ignore[index]
    second = emu.call("ensure_profile", {"timezone": "Asia/Tokyo"}, new.id_token)

    assert [first.result["created"], second.result["created"]] == [True, False]
    after = profile(new.uid)
    assert after is not None
    assert after["createdAt"] == created_at
    assert after["lastSeenAt"] >= created_at
    # A later sign-in does not overwrite settings chosen since.
    assert after["settings"]["timezone"] == "UTC"
    assert len(list(clients.get_db().collection("users").stream())) == 1


def test_concurrent_first_sign_ins_create_one_profile() -> None:
    new = emu.sign_up()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: emu.call("ensure_profile", {}, new.id_token), range(4)))

    assert all(r.status == "OK" for r in results), [r.error for r in results]
    assert sum(r.result["created"] for r in results) == 1


def test_claims_not_rewritten_once_token_carries_them(user: emu.User) -> None:
    again = emu.call("ensure_profile", {}, user.id_token)
    assert again.result["claimsUpdated"] is False


# --- update_settings -----------------------------------------------------------------


def test_update_settings_changes_only_given_fields(user: emu.User) -> None:
    result = emu.call("update_settings", {"timezone": "America/New_York"}, user.id_token)

    assert result.status == "OK", result.error
    assert result.result == {
        "settings": {
            "timezone": "America/New_York",
            "preferredModel": "auto",
            "briefing": {"enabled": True, "time": "07:00"},
            "memory": {"autoExtract": True},
            "decisions": {"askThreshold": 0.6},
            "email": EMAIL_DEFAULTS,
        }
    }
    result = emu.call("update_settings", {"preferredModel": "claude-sonnet-4-6"}, user.id_token)
    assert profile(user.uid)["settings"] == {  # type: ignore[index]
        "timezone": "America/New_York",
        "preferredModel": "claude-sonnet-4-6",
        "briefing": {"enabled": True, "time": "07:00"},
        "memory": {"autoExtract": True},
        "decisions": {"askThreshold": 0.6},
        "email": EMAIL_DEFAULTS,
    }


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "IANA"),
        ({"timezone": "../../etc/passwd"}, "timezone", "IANA"),
        ({"timezone": "CEST"}, "timezone", "IANA"),
        ({"timezone": 42}, "timezone", "string"),
        ({"preferredModel": "gpt-1"}, "preferredModel", "allowed model"),
        ({"decisions": {"askThreshold": 1.5}}, "decisions.askThreshold", "less than or equal"),
        ({"decisions": {"askThreshold": "0.5"}}, "decisions.askThreshold", "number"),
        ({"decisions": {}}, "decisions.askThreshold", "required"),
        ({"timezone": "UTC", "role": "admin"}, "role", "not a known field"),
        ({}, "", "at least one"),
        ("UTC", "", "JSON object"),
    ],
)
def test_update_settings_rejects_bad_input_and_writes_nothing(
    user: emu.User, payload: Any, field: str, words: str
) -> None:
    before = profile(user.uid)
    result = emu.call("update_settings", payload, user.id_token)

    assert result.status == "INVALID_ARGUMENT", result
    assert result.details.get("field") == field
    assert words in result.error["message"]
    assert profile(user.uid) == before


def test_update_settings_without_profile_is_failed_precondition() -> None:
    new = emu.sign_up()
    result = emu.call("update_settings", {"timezone": "UTC"}, new.id_token)

    assert result.status == "FAILED_PRECONDITION"
    assert profile(new.uid) is None


# --- set_role ------------------------------------------------------------------------


def test_set_role_by_non_admin_is_refused_and_not_audited(
    user: emu.User, other_user: emu.User
) -> None:
    result = emu.call("set_role", {"uid": user.uid, "role": "admin"}, other_user.id_token)

    assert result.status == "PERMISSION_DENIED"
    assert profile(user.uid)["role"] == "user"  # type: ignore[index]
    assert emu.get_claims(user.uid)["role"] == "user"
    assert audit_entries() == []


def test_set_role_by_admin_is_audited_once(admin: emu.User, user: emu.User) -> None:
    baseline = len(audit_entries())  # making the first admin was audited too
    first = emu.call("set_role", {"uid": user.uid, "role": "admin"}, admin.id_token)
    second = emu.call("set_role", {"uid": user.uid, "role": "admin"}, admin.id_token)

    assert first.status == "OK", first.error
    assert first.result == {
        "uid": user.uid,
        "role": "admin",
        "changed": True,
        "claimsUpdated": True,
    }
    assert second.result["changed"] is False
    assert profile(user.uid)["role"] == "admin"  # type: ignore[index]
    assert emu.get_claims(user.uid) == {"role": "admin", "plan": "free"}
    entries = [e for e in audit_entries() if e["target"] == f"users/{user.uid}"]
    assert len(audit_entries()) == baseline + 1
    assert entries[0]["actor"] == admin.uid
    assert entries[0]["action"] == "role.set"
    assert entries[0]["details"] == {"from": "user", "to": "admin"}


def test_first_admin_made_by_operator_is_audited(admin: emu.User) -> None:
    entries = audit_entries()
    assert [(e["actor"], e["target"]) for e in entries] == [("operator:cli", f"users/{admin.uid}")]
    assert emu.get_claims(admin.uid)["role"] == "admin"


def test_admin_cannot_demote_themselves(admin: emu.User) -> None:
    result = emu.call("set_role", {"uid": admin.uid, "role": "user"}, admin.id_token)
    assert result.status == "FAILED_PRECONDITION"
    assert profile(admin.uid)["role"] == "admin"  # type: ignore[index]


def test_set_role_for_unknown_user_is_not_found(admin: emu.User) -> None:
    result = emu.call("set_role", {"uid": "no-such-user", "role": "admin"}, admin.id_token)
    assert result.status == "NOT_FOUND"


# --- the rules every callable keeps --------------------------------------------------

CALLABLES_WITH_BAD_INPUT = {
    "ensure_profile": ({"timezone": "Nowhere/Land"}, "timezone"),
    "update_settings": ({"preferredModel": "nope"}, "preferredModel"),
    "set_role": ({"uid": "x", "role": "superuser"}, "role"),
}


@pytest.mark.parametrize("function", sorted(CALLABLES_WITH_BAD_INPUT))
def test_callable_rejects_calls_without_a_user(function: str) -> None:
    payload, _ = CALLABLES_WITH_BAD_INPUT[function]
    result = emu.call(function, payload, token=None)

    assert result.http_status == 401
    assert result.status == "UNAUTHENTICATED"
    assert list(clients.get_db().collections()) == []


@pytest.mark.parametrize("function", sorted(CALLABLES_WITH_BAD_INPUT))
def test_callable_rejects_anonymous_auth_accounts(function: str) -> None:
    result = emu.call(function, {}, token=emu.sign_up_anonymously())

    assert result.status == "UNAUTHENTICATED"
    assert list(clients.get_db().collections()) == []


@pytest.mark.parametrize("function", sorted(CALLABLES_WITH_BAD_INPUT))
def test_callable_rejects_bad_input_naming_the_field(function: str) -> None:
    new = emu.sign_up()
    token = emu.set_claims(new.uid, {"role": "admin", "plan": "free"}) or new.refresh().id_token
    payload, field = CALLABLES_WITH_BAD_INPUT[function]
    result = emu.call(function, payload, token)

    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field
    # Nothing but the call's count against the caller's per-function limit (bad input
    # counts too: docs/security.md, "Rate limits on every function") and its usage
    # counters (docs/platform.md, "Usage analytics": a counter shard and the caller's
    # active marker for the day).
    written = {c.id: len(list(c.stream())) for c in clients.get_db().collections()}
    assert written.pop("_analytics") == 2
    assert written == {"_rateLimits": 1}

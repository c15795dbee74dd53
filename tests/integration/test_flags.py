"""Feature flags through the Functions emulator: `set_flag` (admin, audited in the same
transaction, idempotent), `evaluate_flags` (rollout, plan and uid targeting), `list_flags`
(reach over seeded profiles), bad input and non-admins refused with nothing written, and
the `quickadd-ai` flag gating quick add's AI path end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.platform import clients
from shared.platform.flags import FlagRule, bucket, evaluate
from tests.support import emulators as emu

KEY = "new-inbox"


def set_flag(admin: emu.User, **data: Any) -> emu.CallResult:
    return emu.call("set_flag", {"key": KEY, "enabled": True, **data}, admin.id_token)


def flag_docs() -> dict[str, dict[str, Any]]:
    return {d.id: d.to_dict() or {} for d in clients.get_db().collection("flags").stream()}


def flag_audits() -> list[dict[str, Any]]:
    entries = [d.to_dict() or {} for d in clients.get_db().collection("audit").stream()]
    return [e for e in entries if e["action"] == "flag.set"]


def evaluated(user: emu.User) -> dict[str, bool]:
    got = emu.call("evaluate_flags", {}, user.id_token)
    assert got.status == "OK", got.error
    return dict(got.result["flags"])


def make_pro(user: emu.User) -> emu.User:
    clients.get_db().collection("users").document(user.uid).update({"plan": "pro"})
    emu.set_claims(user.uid, {**emu.get_claims(user.uid), "plan": "pro"})
    return user.refresh()


# --- set_flag -----------------------------------------------------------------------------


def test_set_flag_writes_the_flag_and_its_audit_entry(admin: emu.User) -> None:
    got = set_flag(admin, rolloutPercent=25, targetPlans=["pro"], description="New inbox")
    assert got.status == "OK", got.error
    assert got.result["changed"] is True
    assert got.result["flag"]["version"] == 1

    stored = flag_docs()[KEY]
    assert stored["enabled"] is True
    assert stored["rolloutPercent"] == 25
    assert stored["targetPlans"] == ["pro"]
    assert stored["targetUids"] == []
    assert stored["version"] == 1
    assert stored["updatedBy"] == admin.uid
    (entry,) = flag_audits()
    assert entry["actor"] == admin.uid
    assert entry["target"] == f"flags/{KEY}"
    assert entry["details"]["from"] is None
    assert entry["details"]["to"]["rolloutPercent"] == 25
    # Written in one transaction: the audit entry's time is the flag's updatedAt.
    assert entry["time"] == stored["updatedAt"]


def test_setting_the_same_flag_twice_is_idempotent(admin: emu.User) -> None:
    first = set_flag(admin, rolloutPercent=10, targetUids=["b", "a"])
    again = set_flag(admin, rolloutPercent=10, targetUids=["a", "b", "a"])
    assert first.status == again.status == "OK"
    assert again.result["changed"] is False
    assert again.result["flag"]["version"] == 1
    assert len(flag_audits()) == 1

    changed = set_flag(admin, rolloutPercent=20, targetUids=["a", "b"], expectedVersion=1)
    assert changed.result["changed"] is True
    assert changed.result["flag"]["version"] == 2
    audits = sorted(flag_audits(), key=lambda e: e["details"]["version"])
    assert [a["details"]["to"]["rolloutPercent"] for a in audits] == [10, 20]
    assert audits[1]["details"]["from"]["rolloutPercent"] == 10


def test_a_stale_expected_version_is_refused_and_writes_nothing(admin: emu.User) -> None:
    assert set_flag(admin, rolloutPercent=10).status == "OK"
    got = set_flag(admin, rolloutPercent=50, expectedVersion=3)
    assert got.status == "FAILED_PRECONDITION"
    assert got.details["reason"] == "version-mismatch"
    assert flag_docs()[KEY]["rolloutPercent"] == 10
    assert len(flag_audits()) == 1
    created_twice = emu.call(
        "set_flag", {"key": "other", "enabled": True, "expectedVersion": 1}, admin.id_token
    )
    assert created_twice.status == "FAILED_PRECONDITION"
    assert "other" not in flag_docs()


def test_non_admins_are_refused_and_nothing_is_written(user: emu.User) -> None:
    got = set_flag(user, rolloutPercent=100)
    assert got.status == "PERMISSION_DENIED"
    assert flag_docs() == {}
    assert flag_audits() == []
    assert emu.call("list_flags", {}, user.id_token).status == "PERMISSION_DENIED"
    assert emu.call("set_flag", {"key": KEY, "enabled": True}).status == "UNAUTHENTICATED"
    assert emu.call("evaluate_flags", {}).status == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"key": "Bad Key", "enabled": True}, "key"),
        ({"key": "x" * 41, "enabled": True}, "key"),
        ({"key": KEY}, "enabled"),
        ({"key": KEY, "enabled": True, "rolloutPercent": 101}, "rolloutPercent"),
        ({"key": KEY, "enabled": True, "rolloutPercent": "50"}, "rolloutPercent"),
        ({"key": KEY, "enabled": True, "targetUids": ["a/b"]}, "targetUids[0]"),
        ({"key": KEY, "enabled": True, "targetUids": [f"u{i}" for i in range(501)]}, "targetUids"),
        ({"key": KEY, "enabled": True, "targetPlans": ["gold"]}, "targetPlans[0]"),
        ({"key": KEY, "enabled": True, "description": "d" * 501}, "description"),
        ({"key": KEY, "enabled": True, "expectedVersion": -1}, "expectedVersion"),
        ({"key": KEY, "enabled": True, "owner": "me"}, "owner"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    admin: emu.User, data: dict[str, Any], field: str
) -> None:
    got = emu.call("set_flag", data, admin.id_token)
    assert got.status == "INVALID_ARGUMENT"
    assert got.details["field"] == field
    assert flag_docs() == {}
    assert flag_audits() == []


# --- evaluate_flags --------------------------------------------------------------------------


def test_evaluate_flags_without_documents_gives_the_code_defaults(user: emu.User) -> None:
    assert evaluated(user) == {"quickadd-ai": True}


def test_evaluate_flags_follows_the_rollout_bucket(
    admin: emu.User, user: emu.User, other_user: emu.User
) -> None:
    mine = bucket(KEY, user.uid)
    assert set_flag(admin, rolloutPercent=mine).status == "OK"
    assert evaluated(user)[KEY] is True
    assert evaluated(other_user)[KEY] is (bucket(KEY, other_user.uid) <= mine)

    assert set_flag(admin, rolloutPercent=mine - 1).status == "OK"
    assert evaluated(user)[KEY] is False
    assert set_flag(admin, rolloutPercent=100).status == "OK"
    assert evaluated(user)[KEY] is True
    assert evaluated(other_user)[KEY] is True
    assert set_flag(admin, enabled=False, rolloutPercent=100).status == "OK"
    assert evaluated(user)[KEY] is False


def test_evaluate_flags_by_uid_and_by_plan(
    admin: emu.User, user: emu.User, other_user: emu.User
) -> None:
    assert set_flag(admin, rolloutPercent=0, targetUids=[user.uid]).status == "OK"
    assert evaluated(user)[KEY] is True
    assert evaluated(other_user)[KEY] is False

    assert set_flag(admin, rolloutPercent=0, targetPlans=["pro"]).status == "OK"
    assert evaluated(user)[KEY] is False
    assert evaluated(make_pro(other_user))[KEY] is True


# --- list_flags ------------------------------------------------------------------------------


def test_list_flags_counts_the_users_each_flag_reaches(admin: emu.User) -> None:
    db, now = clients.get_db(), datetime.now(UTC)
    seeded = {f"seed-{i:03d}": ("pro" if i % 5 == 0 else "free") for i in range(60)}
    batch = db.batch()
    for uid, plan in seeded.items():
        batch.set(db.collection("users").document(uid), {"plan": plan, "createdAt": now})
    batch.commit()
    assert set_flag(admin, rolloutPercent=30, targetUids=["seed-001"]).status == "OK"
    assert (
        emu.call(
            "set_flag", {"key": "pro-only", "enabled": True, "targetPlans": ["pro"]}, admin.id_token
        ).status
        == "OK"
    )

    got = emu.call("list_flags", {}, admin.id_token)
    assert got.status == "OK", got.error
    population = {**seeded, admin.uid: "free"}
    assert got.result["usersScanned"] == len(population)
    assert got.result["capped"] is False
    assert got.result["scanCap"] == 10_000
    by_key = {f["key"]: f for f in got.result["flags"]}
    assert set(by_key) == {KEY, "pro-only", "quickadd-ai"}

    rollout = FlagRule(enabled=True, rollout_percent=30, target_uids=("seed-001",))
    expected = sum(evaluate(KEY, rollout, uid=u, plan=p) for u, p in population.items())
    assert by_key[KEY]["reach"] == expected
    assert 0 < expected < len(population)
    assert by_key["pro-only"]["reach"] == 12
    assert by_key["quickadd-ai"]["reach"] == len(population)  # default on, no document
    assert by_key["quickadd-ai"]["stored"] is False


# --- the quick-add gate ----------------------------------------------------------------------


@pytest.mark.usefixtures("standin")
def test_quick_add_reads_with_the_parser_alone_when_its_flag_is_off(
    admin: emu.User, user: emu.User, other_user: emu.User
) -> None:
    line = {"text": "buy milk tomorrow", "save": False, "timezone": "Europe/Berlin"}
    on = emu.call("quick_add", line, user.id_token)
    assert on.status == "OK", on.error
    assert on.result["interpretation"]["source"] == "ai"
    assert emu.standin_requests() != []  # the default: the model is asked

    off = emu.call(
        "set_flag",
        {
            "key": "quickadd-ai",
            "enabled": True,
            "rolloutPercent": 0,
            "targetUids": [other_user.uid],
        },
        admin.id_token,
    )
    assert off.status == "OK", off.error
    assert evaluated(user)["quickadd-ai"] is False
    emu.standin_quiesce()
    emu.standin_reset()

    got = emu.call("quick_add", line, user.id_token)
    assert got.status == "OK", got.error
    assert got.result["interpretation"]["source"] == "parser"
    assert got.result["interpretation"]["title"] == "buy milk"
    assert emu.standin_requests() == []  # no AI request reached the stand-in

    targeted = emu.call("quick_add", line, other_user.id_token)
    assert targeted.result["interpretation"]["source"] == "ai"

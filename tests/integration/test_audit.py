"""The audit log through the Functions emulator: each audited change writes exactly one
entry with the change (none when the change fails or does nothing), entries never hold
the secret or token, and `query_audit` filters, orders and pages, refuses bad input
(naming the field, writing nothing) and non-admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import audit
from shared.platform import clients
from tests.support import emulators as emu

WORKFLOW = {
    "name": "hooked",
    "status": "active",
    "nodes": [{"id": "echo", "type": "transform", "config": {"template": "{{ input.n }}"}}],
    "edges": [],
}


def entries(action: str | None = None) -> list[dict[str, Any]]:
    found = [
        {**(d.to_dict() or {}), "id": d.id}
        for d in clients.get_db().collection(audit.AUDIT).stream()
    ]
    return [e for e in found if action is None or e["action"] == action]


def save(user: emu.User, **fields: Any) -> emu.CallResult:
    return emu.call("save_workflow", {**WORKFLOW, **fields}, user.id_token)


def webhook_secret(uid: str, wid: str) -> str | None:
    from shared.workflows.repository import webhook_secret_ref

    snapshot = webhook_secret_ref(clients.get_db(), uid, wid).get()
    return (snapshot.to_dict() or {}).get("secret") if snapshot.exists else None


# --- webhook secrets --------------------------------------------------------------------


def test_webhook_secret_creation_rotation_and_removal_are_each_audited_once(
    user: emu.User,
) -> None:
    hooks = [{"type": "webhook"}]
    plain = save(user, triggers=[])
    assert plain.status == "OK", plain.error
    wid = plain.result["id"]
    assert entries() == []  # no secret, nothing audited

    created = save(user, id=wid, triggers=hooks)
    assert created.status == "OK", created.error
    first = created.result["webhookSecret"]
    (entry,) = entries("webhook.secret.created")
    assert entry["actor"] == user.uid
    assert entry["target"] == f"users/{user.uid}/workflows/{wid}"
    assert entry["targetUid"] == user.uid
    assert entry["details"] == {"workflowId": wid, "version": 2}
    assert first not in str(entry)

    again = save(user, id=wid, triggers=hooks, name="renamed")
    assert again.status == "OK"
    assert again.result["webhookSecret"] is None
    assert len(entries()) == 1  # the secret stayed: nothing audited

    rotated = save(user, id=wid, triggers=hooks, rotateWebhookSecret=True)
    assert rotated.status == "OK", rotated.error
    second = rotated.result["webhookSecret"]
    assert second
    assert second != first
    assert webhook_secret(user.uid, wid) == second  # the old secret stopped working
    (entry,) = entries("webhook.secret.rotated")
    assert entry["details"] == {"workflowId": wid, "version": 4}
    assert first not in str(entry)
    assert second not in str(entry)

    removed = save(user, id=wid, triggers=[])
    assert removed.status == "OK"
    (entry,) = entries("webhook.secret.deleted")
    assert entry["details"] == {"workflowId": wid, "version": 5, "reason": "trigger-removed"}
    assert len(entries()) == 3


def test_deleting_a_hooked_workflow_audits_its_secret_once(user: emu.User) -> None:
    wid = save(user, triggers=[{"type": "webhook"}]).result["id"]
    for _ in range(2):  # delivered twice: the second deletes nothing and audits nothing
        assert emu.call("delete_workflow", {"id": wid}, user.id_token).status == "OK"
    (entry,) = entries("webhook.secret.deleted")
    assert entry["details"] == {"workflowId": wid, "reason": "workflow-deleted"}
    assert len(entries()) == 2  # created + deleted


def test_a_failed_save_audits_nothing(user: emu.User) -> None:
    wid = save(user, triggers=[{"type": "webhook"}]).result["id"]
    stale = save(
        user, id=wid, triggers=[{"type": "webhook"}], rotateWebhookSecret=True, expectedVersion=7
    )
    assert stale.status == "FAILED_PRECONDITION"
    bad = save(user, id=wid, triggers=[], rotateWebhookSecret=True)
    assert bad.status == "INVALID_ARGUMENT"
    assert bad.details["field"] == "rotateWebhookSecret"
    assert [e["action"] for e in entries()] == ["webhook.secret.created"]


# --- calendar feed ----------------------------------------------------------------------


def test_calendar_feed_changes_are_audited_without_the_token(user: emu.User) -> None:
    def rotate(action: str) -> emu.CallResult:
        got = emu.call("rotate_calendar_feed", {"action": action}, user.id_token)
        assert got.status == "OK", got.error
        return got

    assert rotate("revoke").result["revoked"] is True
    assert entries() == []  # nothing to revoke: nothing audited

    first = rotate("create").result["url"]
    second = rotate("create").result["url"]
    rotate("revoke")
    rotate("revoke")  # again: a no-op

    got = sorted(entries(), key=lambda e: e["time"])
    assert [e["action"] for e in got] == [
        "calendar.feed.created",
        "calendar.feed.rotated",
        "calendar.feed.revoked",
    ]
    for entry in got:
        assert entry["actor"] == user.uid
        assert entry["targetUid"] == user.uid
        assert entry["target"] == f"_calendarFeeds/{user.uid}"
        assert entry["details"] == {}
        for url in (first, second):
            token = url.rsplit("/", 1)[1].removesuffix(".ics")
            assert token not in str(entry)


def test_a_bad_feed_action_audits_nothing(user: emu.User) -> None:
    got = emu.call("rotate_calendar_feed", {"action": "renew"}, user.id_token)
    assert got.status == "INVALID_ARGUMENT"
    assert entries() == []


# --- roles (kept) ------------------------------------------------------------------------


def test_role_changes_carry_the_target_uid(admin: emu.User, user: emu.User) -> None:
    assert emu.call("set_role", {"uid": user.uid, "role": "admin"}, admin.id_token).status == "OK"
    (entry,) = [e for e in entries("role.set") if e["actor"] == admin.uid]
    assert entry["targetUid"] == user.uid
    assert entry["target"] == f"users/{user.uid}"


# --- query_audit ------------------------------------------------------------------------

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def write(db: Any, entry: audit.AuditEntry) -> str:
    from google.cloud import firestore

    @firestore.transactional
    def apply(transaction: Any) -> str:
        return audit.append(db=db, transaction=transaction, entry=entry)

    return str(apply(db.transaction()))


def seed(count: int) -> list[dict[str, Any]]:
    """`count` entries one minute apart, actors and targets alternating, newest last."""
    db = clients.get_db()
    seeded = []
    for i in range(count):
        entry = audit.AuditEntry(
            actor="alice" if i % 2 else "bob",
            action="flag.set" if i % 3 else "role.set",
            target=f"users/u{i % 4}",
            target_uid=f"u{i % 4}",
            time=BASE + timedelta(minutes=i),
            details={"i": i},
        )
        entry_id = write(db, entry)
        seeded.append({"id": entry_id, **entry.to_firestore()})
    return seeded


def query(admin: emu.User, **data: Any) -> emu.CallResult:
    return emu.call("query_audit", data, admin.id_token)


def pages(admin: emu.User, **data: Any) -> list[list[dict[str, Any]]]:
    found: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        got = query(admin, **data, **({"cursor": cursor} if cursor else {}))
        assert got.status == "OK", got.error
        found.append(got.result["entries"])
        cursor = got.result["nextCursor"]
        if cursor is None:
            return found


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in found]


def test_newest_first_with_cursor_pages(admin: emu.User) -> None:
    seeded = seed(7)
    # Making the admin was audited too.
    operator = [e for e in entries("role.set") if e["actor"] == "operator:cli"]
    assert len(operator) == 1
    got = pages(admin, limit=3)
    assert [len(p) for p in got] == [3, 3, 2]
    flat = [e for page in got for e in page]
    newest_first = sorted(seeded + operator, key=lambda e: (e["time"], e["id"]), reverse=True)
    assert ids(flat) == ids(newest_first)
    assert flat[0]["action"] == "role.set"  # making the admin: today, the newest
    assert flat[1]["details"] == {"i": 6}
    assert flat[1]["targetUid"] == "u2"


def test_each_filter_alone_and_with_a_time_range(admin: emu.User) -> None:
    seeded = seed(12)

    def expect(predicate: Any) -> list[str]:
        chosen = [e for e in seeded if predicate(e)]
        return ids(sorted(chosen, key=lambda e: (e["time"], e["id"]), reverse=True))

    def run(**data: Any) -> list[str]:
        return ids([e for page in pages(admin, limit=2, **data) for e in page])

    assert run(actor="alice") == expect(lambda e: e["actor"] == "alice")
    assert run(action="flag.set") == expect(lambda e: e["action"] == "flag.set")
    assert run(targetUid="u1") == expect(lambda e: e["targetUid"] == "u1")
    since, until = BASE + timedelta(minutes=3), BASE + timedelta(minutes=9)

    def in_range(e: dict[str, Any]) -> bool:
        return bool(since <= e["time"] < until)

    window = {"from": since.isoformat(), "to": until.isoformat()}
    assert run(**window) == expect(in_range)
    assert run(actor="bob", **window) == expect(lambda e: in_range(e) and e["actor"] == "bob")
    assert run(targetUid="u2", **window) == expect(lambda e: in_range(e) and e["targetUid"] == "u2")


def test_a_repeated_query_returns_the_same_page(admin: emu.User) -> None:
    seed(5)
    first = query(admin, limit=2, action="flag.set")
    second = query(admin, limit=2, action="flag.set")
    assert first.status == "OK"
    assert first.result == second.result


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"action": "secret.read"}, "action"),
        ({"from": "last week"}, "from"),
        ({"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"actor": "alice", "targetUid": "u1"}, "targetUid"),
        ({"everything": True}, "everything"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    admin: emu.User, data: dict[str, Any], field: str
) -> None:
    before = ids(entries())
    got = query(admin, **data)
    assert got.status == "INVALID_ARGUMENT"
    assert got.details["field"] == field
    assert ids(entries()) == before


def test_non_admins_are_refused(user: emu.User) -> None:
    seed(2)
    got = emu.call("query_audit", {}, user.id_token)
    assert got.status == "PERMISSION_DENIED"
    assert "entries" not in str(got.error)
    assert emu.call("query_audit", {}).status == "UNAUTHENTICATED"

"""The security rules as a matrix: every collection x (owner, other user, anonymous,
admin) x (get, list, create, update, delete), through the Firestore emulator's REST API
with per-user ID tokens and `firestore.rules` loaded."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from shared import registry
from shared.platform import clients
from tests.support import emulators as emu
from tests.support import rules_matrix
from tools.stack import PROJECT_ID, ROOT

OWNER, OTHER, ADMIN = "alice", "bob", "carol"
TOKENS: dict[str, str | None] = {
    "owner": emu.unsigned_token(OWNER, role="user", plan="free"),
    "other": emu.unsigned_token(OTHER, role="user", plan="free"),
    "anonymous": None,
    "admin": emu.unsigned_token(ADMIN, role="admin", plan="pro"),
}
OPS = ("get", "list", "create", "update", "delete")

# Who may read each path; nobody writes anything through the client SDKs except chat
# messages (tested for their shape below).
OWNER_ONLY = {"owner"}
ADMIN_ONLY = {"admin"}
NOBODY: set[str] = set()


@dataclass(frozen=True)
class Case:
    path: str
    get: set[str]
    list: set[str]

    @property
    def collection(self) -> str:
        return self.path.rsplit("/", 1)[0]


CASES = [
    # A user's own tree (listing the top-level `users` collection is nobody's business).
    Case("users/alice", get=OWNER_ONLY, list=NOBODY),
    Case("users/alice/conversations/c1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/conversations/c1/messages/m1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/generations/g1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/generations/g1/files/f00", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/workflows/w1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/workflows/w1/versions/1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/executions/e1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/executions/e1/logs/l1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/tasks/t1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/calendar/ev1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/notifications/n1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/briefings/2026-12-02", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/decisions/d1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/decisionStats/current", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/memories/mem1", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/usage/2026-11-23", get=OWNER_ONLY, list=OWNER_ONLY),
    Case("users/alice/exports/x1", get=OWNER_ONLY, list=OWNER_ONLY),
    # An unknown subcollection under a user's own tree stays closed.
    Case("users/alice/secrets/s1", get=NOBODY, list=NOBODY),
    # Platform collections.
    Case("events/ev1", get={"owner", "admin"}, list=ADMIN_ONLY),
    Case("audit/a1", get=ADMIN_ONLY, list=ADMIN_ONLY),
    Case("flags/f1", get=ADMIN_ONLY, list=ADMIN_ONLY),
    # An unregistered top-level collection stays closed.
    Case("_cache/k1", get=NOBODY, list=NOBODY),
    # Every server-only collection in the registry, so a new one is in the matrix at once.
    *(
        Case(f"{c.name}/x1", get=NOBODY, list=NOBODY)
        for c in registry.SERVER_COLLECTIONS
        if c.client_read == "none"
    ),
]


def test_every_registered_collection_has_a_row() -> None:
    """A collection added to the registry without a row here would go untested."""

    def shape(
        collection: str,
    ) -> str:  # users/alice/workflows/w1/versions -> users/*/workflows/*/versions
        parts = collection.split("/")
        return "/".join("*" if i % 2 else part for i, part in enumerate(parts))

    rows = {shape(case.collection) for case in CASES}
    for user in registry.USER_COLLECTIONS:
        if user.client_readable:
            assert f"users/*/{user.path}" in rows, user.path
    for server in registry.SERVER_COLLECTIONS:
        assert server.name in rows, server.name


@pytest.fixture
def seeded() -> None:
    emu.load_rules((ROOT / "firestore.rules").read_text())
    db = clients.get_db()
    now = datetime.now(UTC)
    for case in CASES:
        db.document(case.path).set({"uid": OWNER, "seededAt": now, "x": 0})


def attempt(op: str, case: Case, token: str | None) -> int:
    headers = emu.auth_header(token)
    body = {"fields": emu.fields({"x": 1})}
    send: Callable[[], requests.Response]
    match op:
        case "get":
            send = lambda: emu.session.get(f"{emu.DOCS}/{case.path}", headers=headers)  # noqa: E731
        case "list":
            send = lambda: emu.session.get(f"{emu.DOCS}/{case.collection}", headers=headers)  # noqa: E731
        case "create":
            url = f"{emu.DOCS}/{case.collection}?documentId=new-{uuid.uuid4().hex[:8]}"
            send = lambda: emu.session.post(url, json=body, headers=headers)  # noqa: E731
        case "update":
            url = f"{emu.DOCS}/{case.path}?currentDocument.exists=true&updateMask.fieldPaths=x"
            send = lambda: emu.session.patch(url, json=body, headers=headers)  # noqa: E731
        case "delete":
            send = lambda: emu.session.delete(f"{emu.DOCS}/{case.path}", headers=headers)  # noqa: E731
    return send().status_code


def test_rules_matrix(seeded: None) -> None:
    mismatches = []
    ran = 0
    for case in CASES:
        for actor, token in TOKENS.items():
            for op in OPS:
                allowed_actors = {"get": case.get, "list": case.list}.get(op, NOBODY)
                expected = 200 if actor in allowed_actors else 403
                status = attempt(op, case, token)
                ran += 1
                if status != expected:
                    mismatches.append(f"{actor:9} {op:6} {case.path}: {status}, want {expected}")
    rules_matrix.record(ran)
    assert not mismatches, "\n".join(mismatches)
    assert ran == len(CASES) * len(TOKENS) * len(OPS)


# --- the one client write: a chat message of the right shape -------------------------

MESSAGES = "users/alice/conversations/c1/messages"


def create_message(
    data: dict[str, Any],
    token: str | None,
    *,
    server_time: bool = True,
    message_id: str | None = None,
) -> int:
    mid = message_id or uuid.uuid4().hex
    name = f"projects/{PROJECT_ID}/databases/(default)/documents/{MESSAGES}/{mid}"
    write: dict[str, Any] = {
        "update": {"name": name, "fields": emu.fields(data)},
        "currentDocument": {"exists": False},
    }
    if server_time:
        write["updateTransforms"] = [{"fieldPath": "createdAt", "setToServerValue": "REQUEST_TIME"}]
    resp = emu.session.post(
        f"{emu.DOCS}:commit", json={"writes": [write]}, headers=emu.auth_header(token)
    )
    return resp.status_code


def test_owner_creates_a_well_formed_user_message(seeded: None) -> None:
    assert create_message({"role": "user", "text": "hello"}, TOKENS["owner"]) == 200
    assert create_message({"role": "user", "text": "x" * 8000}, TOKENS["owner"]) == 200


@pytest.mark.parametrize(
    ("data", "server_time", "why"),
    [
        ({"role": "assistant", "text": "hi"}, True, "only the server writes assistant messages"),
        ({"role": "user", "text": ""}, True, "empty text"),
        ({"role": "user", "text": "x" * 8001}, True, "text over 8000 chars"),
        ({"role": "user", "text": 5}, True, "text not a string"),
        ({"role": "user", "text": "hi", "status": "done"}, True, "extra field"),
        ({"role": "user", "text": "hi", "createdAt": "2020-01-01"}, False, "client timestamp"),
        ({"role": "user"}, True, "no text"),
    ],
)
def test_malformed_messages_are_denied(
    seeded: None, data: dict[str, Any], server_time: bool, why: str
) -> None:
    assert create_message(data, TOKENS["owner"], server_time=server_time) == 403, why


def test_a_client_cannot_precreate_a_reply_id(seeded: None) -> None:
    """`a_{mid}` is where the server writes the reply to message `mid`: a client that
    created it first would make the reply's `create` fail, silencing the assistant."""
    message = {"role": "user", "text": "hello"}
    assert create_message(message, TOKENS["owner"], message_id="a_m123") == 403
    assert create_message(message, TOKENS["owner"], message_id="m123") == 200


@pytest.mark.parametrize("actor", ["other", "anonymous", "admin"])
def test_nobody_else_writes_into_a_users_conversation(seeded: None, actor: str) -> None:
    assert create_message({"role": "user", "text": "hello"}, TOKENS[actor]) == 403


def test_firebase_anonymous_accounts_read_nothing(seeded: None) -> None:
    token = emu.unsigned_token(OWNER, firebase={"sign_in_provider": "anonymous"})
    resp = emu.session.get(f"{emu.DOCS}/users/alice", headers=emu.auth_header(token))
    assert resp.status_code == 403


# --- stopping a reply: the owner may set stopRequested on an assistant message ---------

REPLY = "users/alice/conversations/c1/messages/a_m1"


@pytest.fixture
def reply_in_flight(seeded: None) -> None:
    clients.get_db().document(REPLY).set(
        {"role": "assistant", "text": "partial", "status": "streaming", "stopRequested": False}
    )


def patch(path: str, data: dict[str, Any], token: str | None) -> int:
    mask = "&".join(f"updateMask.fieldPaths={key}" for key in data)
    resp = emu.session.patch(
        f"{emu.DOCS}/{path}?{mask}",
        json={"fields": emu.fields(data)},
        headers=emu.auth_header(token),
    )
    return resp.status_code


def test_owner_can_request_stop(reply_in_flight: None) -> None:
    assert patch(REPLY, {"stopRequested": True}, TOKENS["owner"]) == 200


@pytest.mark.parametrize(
    ("actor", "data", "path"),
    [
        ("owner", {"stopRequested": True, "text": "forged"}, REPLY),
        ("owner", {"status": "done"}, REPLY),
        ("owner", {"stopRequested": False}, REPLY),
        ("owner", {"stopRequested": True}, "users/alice/conversations/c1/messages/m1"),
        ("other", {"stopRequested": True}, REPLY),
        ("anonymous", {"stopRequested": True}, REPLY),
        ("admin", {"stopRequested": True}, REPLY),
    ],
)
def test_nothing_else_about_a_reply_is_client_writable(
    reply_in_flight: None, actor: str, data: dict[str, Any], path: str
) -> None:
    assert patch(path, data, TOKENS[actor]) == 403


# --- the audit log is append-only: nobody rewrites or removes an entry -------------------

AUDIT_ENTRY = "audit/entry1"
AUDIT_OPS = ("get", "list", "update", "delete", "overwrite", "batch-delete")


@pytest.fixture
def audit_entry(seeded: None) -> dict[str, Any]:
    entry = {
        "actor": ADMIN,
        "action": "role.set",
        "target": f"users/{OWNER}",
        "targetUid": OWNER,
        "time": datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        "details": {"from": "user", "to": "admin"},
    }
    clients.get_db().document(AUDIT_ENTRY).set(entry)
    return entry


def audit_attempt(op: str, token: str | None) -> int:
    headers = emu.auth_header(token)
    name = f"projects/{PROJECT_ID}/databases/(default)/documents/{AUDIT_ENTRY}"
    body: dict[str, Any] = {}
    match op:
        case "get":
            return emu.session.get(f"{emu.DOCS}/{AUDIT_ENTRY}", headers=headers).status_code
        case "list":
            return emu.session.get(f"{emu.DOCS}/audit", headers=headers).status_code
        case "update":  # rewrite who did it
            return patch(AUDIT_ENTRY, {"actor": "someone-else"}, token)
        case "overwrite":  # replace the whole entry in a commit
            write = {"update": {"name": name, "fields": emu.fields({"action": "flag.set"})}}
            body = {"writes": [write]}
        case "batch-delete":
            body = {"writes": [{"delete": name}]}
        case "delete":
            return emu.session.delete(f"{emu.DOCS}/{AUDIT_ENTRY}", headers=headers).status_code
    return emu.session.post(f"{emu.DOCS}:commit", json=body, headers=headers).status_code


def test_audit_entries_are_admin_read_and_never_client_written(
    audit_entry: dict[str, Any],
) -> None:
    mismatches = []
    for actor, token in TOKENS.items():
        for op in AUDIT_OPS:
            expected = 200 if actor == "admin" and op in {"get", "list"} else 403
            status = audit_attempt(op, token)
            if status != expected:
                mismatches.append(f"{actor:9} {op:12}: {status}, want {expected}")
    assert not mismatches, "\n".join(mismatches)
    stored = clients.get_db().document(AUDIT_ENTRY).get()
    assert stored.exists
    assert stored.to_dict() == audit_entry  # every attempt left it exactly as written

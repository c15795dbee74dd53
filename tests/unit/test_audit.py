"""The audit log without Firestore: the entry shape (compatible with entries written
before `targetUid`), documented actions, `query_audit`'s input checks and cursor, and
the append-only guarantee as a property of the source: nothing but `append` writes the
collection, and only the retention job deletes from it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared import audit
from shared.errors import InvalidArgument, PermissionDenied
from shared.validation import parse

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


# --- entries -----------------------------------------------------------------------------


def test_entries_written_before_target_uid_still_read() -> None:
    old = {"actor": "a", "action": "role.set", "target": "users/u", "time": NOW, "details": {}}
    entry = audit.AuditEntry.model_validate(old)
    assert entry.target_uid is None


def test_an_entry_is_stored_camel_case_with_its_target_uid() -> None:
    entry = audit.AuditEntry(
        actor="a", action="role.set", target="users/u", target_uid="u", time=NOW
    )
    assert entry.to_firestore() == {
        "actor": "a",
        "action": "role.set",
        "target": "users/u",
        "targetUid": "u",
        "time": NOW,
        "details": {},
    }


class FakeTransaction:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def create(self, ref: Any, data: dict[str, Any]) -> None:
        self.calls.append(("create", ref, data))


class FakeDb:
    def collection(self, name: str) -> Any:
        assert name == audit.AUDIT

        class Collection:
            def document(self) -> Any:
                class Ref:
                    id = "generated-id"

                return Ref()

        return Collection()


def test_append_creates_one_entry_in_the_transaction() -> None:
    transaction = FakeTransaction()
    entry = audit.AuditEntry(actor="a", action="flag.set", target="flags/x", time=NOW)
    assert audit.append(db=FakeDb(), transaction=transaction, entry=entry) == "generated-id"  # type: ignore[arg-type]
    assert [call[0] for call in transaction.calls] == ["create"]


def test_append_refuses_an_undocumented_action() -> None:
    transaction = FakeTransaction()
    entry = audit.AuditEntry(actor="a", action="did.something", target="x/y", time=NOW)
    with pytest.raises(ValueError, match="ACTIONS"):
        audit.append(db=FakeDb(), transaction=transaction, entry=entry)  # type: ignore[arg-type]
    assert transaction.calls == []


def test_every_action_is_dotted_and_documented() -> None:
    docs = (ROOT / "docs" / "platform.md").read_text()
    for action in audit.ACTIONS:
        assert re.fullmatch(r"[a-z]+(\.[a-z]+)+", action), action
        assert f"`{action}`" in docs, f"{action} missing from docs/platform.md"


def test_every_action_the_code_writes_is_listed() -> None:
    written = set()
    for path in (ROOT / "shared").rglob("*.py"):
        written |= set(re.findall(r'"([a-z]+(?:\.[a-z]+){1,3})"', path.read_text()))
    audited = {name for name in written if name.split(".")[0] in {"role", "flag", "webhook"}}
    audited |= {name for name in written if name.startswith("calendar.feed.")}
    assert audited <= set(audit.ACTIONS)


def test_retention_is_a_named_setting() -> None:
    assert audit.AUDIT_RETENTION_DAYS == 400
    assert "AUDIT_RETENTION_DAYS" in (ROOT / "docs" / "platform.md").read_text()


# --- append-only, from the source ----------------------------------------------------------

# Who may touch `audit/` at all: the log itself (create only), the retention job
# (deletes entries older than AUDIT_RETENTION_DAYS; its rule is checked below) and account
# erasure (pseudonymises the erased uid in place; checked below).
ALLOWED = {"shared/audit.py", "shared/platform/retention.py", "shared/platform/erasure.py"}
REFERENCES = re.compile(
    r"""collection\(\s*(?:audit\.)?AUDIT\s*\)|collection\(\s*["']audit["']\s*\)|["']audit/|audit\.AUDIT\b"""
)


def server_sources() -> list[Path]:
    paths = [ROOT / "main.py"]
    for folder in ("shared", "functions", "tools"):
        paths += sorted((ROOT / folder).rglob("*.py"))
    return paths


def test_only_the_log_and_the_retention_job_reach_the_collection() -> None:
    touching = {
        str(path.relative_to(ROOT))
        for path in server_sources()
        if REFERENCES.search(path.read_text())
    }
    assert "shared/audit.py" in touching
    assert touching <= ALLOWED, touching - ALLOWED


def test_the_log_module_only_creates() -> None:
    source = (ROOT / "shared" / "audit.py").read_text()
    assert "transaction.create(" in source
    for call in (".update(", ".delete(", ".set(", "recursive_delete(", "bulk_writer("):
        assert call not in source, call


def test_erasure_only_pseudonymises_audit_entries() -> None:
    """The erasure step rewrites the uid in an entry's actor, target, targetUid and
    details, and never deletes an entry."""
    from shared.platform import erasure

    source = (ROOT / "shared" / "platform" / "erasure.py").read_text()
    audit_step = source[source.index("def _step_audit") : source.index("def _step_auth")]
    assert ".delete(" not in audit_step
    assert "_pseudonymised(" in audit_step
    assert erasure.scrub({"a": ["x u1 y", 3]}, "u1", "erased:s") == {"a": ["x erased:s y", 3]}


def test_the_retention_job_deletes_audit_entries_only_past_the_setting() -> None:
    retention = ROOT / "shared" / "platform" / "retention.py"
    if not retention.exists():  # pragma: no cover - the retention job is optional here
        pytest.skip("no retention job")
    source = retention.read_text()
    assert re.search(r"Rule\(\s*\"audit\",\s*audit\.AUDIT,\s*\"time\",", source)
    assert "AUDIT_RETENTION_DAYS" in source


def test_the_rules_let_nobody_write_the_log() -> None:
    rules = (ROOT / "firestore.rules").read_text()
    block = re.search(r"match /audit/\{id\} \{(.*?)\}", rules, re.S)
    assert block is not None
    body = block.group(1)
    assert "allow read: if isAdmin();" in body
    assert not re.search(r"allow\s+[^;]*\b(write|create|update|delete)\b", body)


# --- query_audit input ---------------------------------------------------------------------


def field_of(data: dict[str, Any]) -> str | None:
    with pytest.raises(InvalidArgument) as raised:
        parse(audit.QueryAudit, data)
    return raised.value.field


def test_defaults() -> None:
    command = parse(audit.QueryAudit, {})
    assert command.limit == audit.DEFAULT_PAGE == 50
    assert command.equality() == {"actor": None, "action": None, "targetUid": None}


def test_each_filter_alone_with_a_time_range_is_accepted() -> None:
    for name, value in (("actor", "u1"), ("action", "role.set"), ("targetUid", "u2")):
        command = parse(
            audit.QueryAudit,
            {name: value, "from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"},
        )
        assert command.equality()[name] == value
        assert command.from_ == datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "10"}, "limit"),
        ({"action": "nope"}, "action"),
        ({"actor": ""}, "actor"),
        ({"targetUid": "x" * 200}, "targetUid"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-12-01T00:00:00"}, "from"),
        ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"actor": "a", "action": "role.set"}, "action"),
        ({"action": "role.set", "targetUid": "u"}, "targetUid"),
        ({"sort": "asc"}, "sort"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    assert field_of(data) == field


def test_the_cursor_round_trips_and_is_opaque() -> None:
    cursor = audit.encode_cursor(NOW, "abc123")
    assert "abc123" not in cursor
    assert "/" not in cursor
    assert audit.decode_cursor(cursor) == (NOW, "abc123")
    # A cursor for another zone's clock names the same instant.
    later = audit.encode_cursor(NOW.astimezone(UTC) + timedelta(hours=1), "x")
    assert audit.decode_cursor(later)[0] == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    "raw",
    ['{"t": "2026-12-02T09:30:00", "id": "a"}', '{"t": "2026-12-02T09:30:00Z"}', "[1]", "{"],
)
def test_a_forged_cursor_is_refused(raw: str) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    with pytest.raises(InvalidArgument) as raised:
        audit.decode_cursor(cursor)
    assert raised.value.field == "cursor"


def test_non_admins_are_refused_before_anything_is_read() -> None:
    class NoDb:
        def collection(self, name: str) -> Any:
            raise AssertionError("read the log")

    with pytest.raises(PermissionDenied):
        audit.query_audit(db=NoDb(), actor_is_admin=False, command=audit.QueryAudit())  # type: ignore[arg-type]


def test_each_allowed_filter_has_its_composite_index() -> None:
    import json

    indexes = json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    shapes = {
        tuple((f["fieldPath"], f.get("order")) for f in index["fields"])
        for index in indexes
        if index["collectionGroup"] == audit.AUDIT and index["queryScope"] == "COLLECTION"
    }
    for stored in audit.FILTERS.values():
        wanted = ((stored, "ASCENDING"), ("time", "DESCENDING"), ("__name__", "DESCENDING"))
        assert wanted in shapes, stored

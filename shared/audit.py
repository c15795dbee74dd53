"""The append-only audit log at `audit/{id}` (admin-readable, never client-writable).

Every privileged or security-relevant change writes one entry with `append`, inside the
transaction that makes the change, so the change and its record commit together or not
at all (and a no-op writes neither). An entry, as stored::

    audit/{id}          id: Firestore's random id; `create` never overwrites
        actor           the uid who acted, "system" for the server itself, or an
                        operator label ("operator:cli")
        action          a dotted name from ACTIONS (`role.set`, `webhook.secret.created`)
        target          the path of what changed (`users/{uid}/workflows/{wid}`)
        targetUid       the user the change concerns (null when none: a flag)
        time            when it committed (the change's own `now`)
        details         what changed; never a secret, token or hash of one

Nothing in the server updates or deletes an entry (`tests/unit/test_audit.py` checks the
source); the rules deny every client write. Entries older than AUDIT_RETENTION_DAYS are
removed by the retention job, the one exception to "the log only grows"; account erasure
(`shared/platform/erasure.py`) is the one writer that updates entries: it replaces the
erased uid by `erased:{subject}` in the entries that name it, and changes nothing else.

`query_audit` (admins) reads the log newest first with at most one equality filter
(actor, action or targetUid) and an optional time range; each combination has its
composite index in `firestore.indexes.json` (see `docs/platform.md`, "Audit log").
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic.alias_generators import to_camel

from shared.errors import InvalidArgument, PermissionDenied
from shared.validation import Command, Public

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Query, Transaction

AUDIT = "audit"
SYSTEM = "system"  # the actor of changes the server makes on its own
AUDIT_RETENTION_DAYS = 400  # entries older than this are removed by the retention job
DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_FILTER_CHARS = 128
MAX_CURSOR_CHARS = 200

# Every action the code writes, with what it records. A new audited change adds its
# action here (and a row in docs/platform.md); `append` refuses names not listed.
ACTIONS: dict[str, str] = {
    "role.set": "an admin (or the operator CLI) changed a user's role; details {from, to}",
    "flag.set": "an admin created or changed a feature flag; details {from, to, version}",
    "webhook.secret.created": "a save gave a workflow a webhook trigger, so a new secret; "
    "details {workflowId, version}",
    "webhook.secret.rotated": "a save asked for a new webhook secret (rotateWebhookSecret); "
    "the old one stops working; details {workflowId, version}",
    "webhook.secret.deleted": "the workflow's last webhook trigger was removed, or the "
    "workflow deleted; details {workflowId, reason}",
    "calendar.feed.created": "a user made their first calendar feed URL; details {}",
    "calendar.feed.rotated": "a user replaced their calendar feed URL (the old one stops); "
    "details {}",
    "calendar.feed.revoked": "a user removed their calendar feed URL; details {}",
    "data.exported": "a user's data export finished (actor and targetUid: the user); "
    "details {exportId, documents, sizeBytes}",
    "account.erased": "the receipt of an account erasure (actor system, target "
    "`erased:{subject}`); details {subject: HMAC-SHA256 of the uid, requestId, counts per "
    "collection, requestedAt, startedAt, finishedAt}",
    "account.erasure.swept": "the sweep an hour after an erasure erased what a token minted "
    "before the request wrote after the receipt (actor system, target `erased:{subject}`); "
    "details as account.erased",
}


class AuditEntry(BaseModel):
    """One entry. Stored camelCase; entries written before `targetUid` existed read back
    with `target_uid` None."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )

    actor: str = Field(min_length=1)
    action: str
    target: str = Field(min_length=1)
    time: datetime
    target_uid: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


def append(
    *, db: Client, transaction: Transaction, entry: AuditEntry, entry_id: str | None = None
) -> str:
    """Add `entry` inside `transaction` so it commits with the change it records.

    Args:
        entry_id: a deterministic id for an entry that must be written once whatever
            retries its change (the erasure receipt); default: a fresh random id.

    Returns:
        The new entry's id. `create` never overwrites (an existing id fails the
        transaction with AlreadyExists): the log only grows.

    Raises:
        ValueError: `entry.action` is not in ACTIONS (a programming error, not user input).
    """
    if entry.action not in ACTIONS:
        raise ValueError(f"Undocumented audit action {entry.action!r}; add it to ACTIONS.")
    ref = db.collection(AUDIT).document(entry_id) if entry_id else db.collection(AUDIT).document()
    transaction.create(ref, entry.to_firestore())
    return str(ref.id)


# --- reading: query_audit ---------------------------------------------------------------

# The equality filters `query_audit` accepts, at most one per query, each with its stored
# field; every one combines with a time range (`from`/`to`) on `time`.
FILTERS: dict[str, str] = {"actor": "actor", "action": "action", "targetUid": "targetUid"}


class QueryAudit(Command):
    """`query_audit` input: at most one of `actor`, `action`, `targetUid`; an optional
    range `from` (inclusive) .. `to` (exclusive) on `time`; `limit` 1..100 (50); the
    `cursor` from the previous page's `nextCursor`."""

    actor: str | None = Field(default=None, min_length=1, max_length=MAX_FILTER_CHARS)
    action: str | None = Field(default=None, min_length=1, max_length=MAX_FILTER_CHARS)
    target_uid: str | None = Field(default=None, min_length=1, max_length=MAX_FILTER_CHARS)
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    limit: StrictInt = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, min_length=1, max_length=MAX_CURSOR_CHARS)

    @model_validator(mode="after")
    def _check(self) -> Self:
        for name, value in (("from", self.from_), ("to", self.to)):
            if value is not None and value.tzinfo is None:
                raise InvalidArgument(f"`{name}` needs a time zone offset (e.g. Z).", field=name)
        if self.action is not None and self.action not in ACTIONS:
            raise InvalidArgument(
                f"Unknown action '{self.action}'.",
                field="action",
                details={"allowed": sorted(ACTIONS)},
            )
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise InvalidArgument("`to` must be after `from`.", field="to")
        given = [name for name in FILTERS if self.equality().get(name) is not None]
        if len(given) > 1:
            raise InvalidArgument(
                f"Filter by one of actor, action or targetUid at a time (got {given}).",
                field=given[1],
                details={"reason": "unsupported-combination", "given": given},
            )
        if self.cursor is not None:
            decode_cursor(self.cursor)
        return self

    def equality(self) -> dict[str, str | None]:
        return {"actor": self.actor, "action": self.action, "targetUid": self.target_uid}


class AuditEntryPublic(Public):
    id: str
    actor: str
    action: str
    target: str
    target_uid: str | None
    time: datetime
    details: dict[str, Any]


class QueryAuditResult(Public):
    """`query_audit` output: a page of entries, newest first; `nextCursor` null on the
    last page."""

    entries: list[AuditEntryPublic]
    next_cursor: str | None


def encode_cursor(time: datetime, entry_id: str) -> str:
    """The opaque cursor after the entry (`time`, `entry_id`): base64url of JSON."""
    raw = json.dumps({"t": time.astimezone(UTC).isoformat(), "id": entry_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(time, id) from a cursor made by `encode_cursor`.

    Raises:
        InvalidArgument: (`cursor`) it was not made by `encode_cursor`.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        time = datetime.fromisoformat(data["t"])
        entry_id = data["id"]
        if time.tzinfo is None or not isinstance(entry_id, str) or not entry_id:
            raise ValueError("incomplete")
        if "/" in entry_id or len(entry_id) > MAX_FILTER_CHARS:
            raise ValueError("bad id")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise InvalidArgument("The cursor is not one this API returned.", field="cursor") from error
    return time, entry_id


def query_audit(*, db: Client, actor_is_admin: bool, command: QueryAudit) -> QueryAuditResult:
    """One page of the log, newest first (`time` then id, both descending).

    Reads `limit` + 1 entries to know whether there is a next page; `nextCursor` names
    the last entry returned.

    Raises:
        PermissionDenied: the caller is not an admin (nothing is read).
    """
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    if not actor_is_admin:
        raise PermissionDenied("Only an admin can read the audit log.")
    query: Any = db.collection(AUDIT)
    for name, value in command.equality().items():
        if value is not None:
            query = query.where(filter=FieldFilter(FILTERS[name], "==", value))
    if command.from_ is not None:
        query = query.where(filter=FieldFilter("time", ">=", command.from_))
    if command.to is not None:
        query = query.where(filter=FieldFilter("time", "<", command.to))
    query = query.order_by("time", direction=firestore.Query.DESCENDING).order_by(
        "__name__", direction=firestore.Query.DESCENDING
    )
    if command.cursor is not None:
        time, entry_id = decode_cursor(command.cursor)
        query = query.start_after({"time": time, "__name__": entry_id})
    snapshots = list(query.limit(command.limit + 1).stream())
    page = snapshots[: command.limit]
    entries = [_public(snapshot.id, snapshot.to_dict() or {}) for snapshot in page]
    more = len(snapshots) > command.limit
    last = entries[-1] if entries and more else None
    return QueryAuditResult(
        entries=entries,
        next_cursor=encode_cursor(last.time, last.id) if last is not None else None,
    )


def _public(entry_id: str, data: dict[str, Any]) -> AuditEntryPublic:
    return AuditEntryPublic(
        id=entry_id,
        actor=str(data.get("actor", "")),
        action=str(data.get("action", "")),
        target=str(data.get("target", "")),
        target_uid=data.get("targetUid"),
        time=data["time"],
        details=dict(data.get("details") or {}),
    )


def entries_naming(db: Client, *, field: str, uid: str) -> Query:
    """The entries whose `field` (`actor` or `targetUid`) is `uid`, for reading only (data
    export reads a user's entries through this, so only this module names the log)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    if field not in ("actor", "targetUid"):
        raise ValueError(f"entries are looked up by actor or targetUid, not {field!r}")
    query: Query = db.collection(AUDIT).where(filter=FieldFilter(field, "==", uid))
    return query

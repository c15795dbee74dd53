"""Writes to a user's tasks and calendar become domain events (`aura.task.created`, ...;
a task whose status becomes done: `aura.task.completed`)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from shared.events import service
from shared.events.models import EventEnvelope

COLLECTION_EVENT = {"tasks": "task", "calendar": "calendar_event"}


def operation(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    if before is None and after is not None:
        return "create"
    if before is not None and after is None:
        return "delete"
    if before is not None and after is not None and before != after:
        return "update"
    return None


def origin_of(
    op: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The workflow run that made this write, if one did: a document a step writes carries
    `origin` {executionId, eventId, correlationId, depth}. Only the write that set it
    counts: a later edit by the user leaves `origin` as it was and starts a new chain."""
    if op == "delete" or after is None:
        return None
    origin = after.get("origin")
    if not isinstance(origin, dict) or (before is not None and before.get("origin") == origin):
        return None
    return origin


def event_type(
    collection: str, op: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> str:
    """`aura.<kind>.<created|updated|deleted>`, except that an update turning a task's
    status to done is `aura.task.completed` (its data still says `operation: update`)."""
    kind = COLLECTION_EVENT[collection]
    if (
        collection == "tasks"
        and op == "update"
        and (after or {}).get("status") == "done"
        and (before or {}).get("status") != "done"
    ):
        return f"aura.{kind}.completed"
    op_name = {"create": "created", "update": "updated", "delete": "deleted"}[op]
    return f"aura.{kind}.{op_name}"


def change_event(
    *,
    uid: str,
    collection: str,
    doc_id: str,
    op: str,
    after: dict[str, Any] | None,
    trigger_id: str,
    now: datetime,
    origin: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> EventEnvelope:
    """The event for one change. Its id derives from the trigger's event id, so a
    redelivered change publishes the same event and the bus records it once. A change a
    workflow step made (`origin`) is one level deeper than the run that made it."""
    data: dict[str, Any] = {"id": doc_id, "collection": collection, "operation": op}
    if after is not None:
        data.update(
            {k: after.get(k) for k in ("title", "status", "priority") if after.get(k) is not None}
        )
    envelope = service.envelope_for(
        uid=uid,
        type_=event_type(collection, op, before, after),
        source=f"firestore/users/{uid}/{collection}",
        subject=f"users/{uid}/{collection}/{doc_id}",
        now=now,
        data=data,
        event_id=hashlib.sha256(trigger_id.encode()).hexdigest()[:32],
        correlation_id=str(origin["correlationId"]) if origin else None,
    )
    if origin is None:
        return envelope
    return envelope.model_copy(
        update={
            "causation_id": str(origin.get("eventId") or origin.get("executionId")),
            "depth": int(origin.get("depth", 0)) + 1,
        }
    )

"""Writes to a user's tasks and calendar become domain events (`aura.task.created`, ...)."""

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


def change_event(
    *,
    uid: str,
    collection: str,
    doc_id: str,
    op: str,
    after: dict[str, Any] | None,
    trigger_id: str,
    now: datetime,
) -> EventEnvelope:
    """The event for one change. Its id derives from the trigger's event id, so a
    redelivered change publishes the same event and the bus records it once."""
    kind = COLLECTION_EVENT[collection]
    op_name = {"create": "created", "update": "updated", "delete": "deleted"}[op]
    data: dict[str, Any] = {"id": doc_id, "collection": collection, "operation": op}
    if after is not None:
        data.update(
            {k: after.get(k) for k in ("title", "status", "priority") if after.get(k) is not None}
        )
    return service.envelope_for(
        uid=uid,
        type_=f"aura.{kind}.{op_name}",
        source=f"firestore/users/{uid}/{collection}",
        subject=f"users/{uid}/{collection}/{doc_id}",
        now=now,
        data=data,
        event_id=hashlib.sha256(trigger_id.encode()).hexdigest()[:32],
    )

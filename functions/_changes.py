"""What the task and calendar write triggers share: one change -> one domain event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.events import changes, service
from shared.platform import clients, erasure, logs


def publish_change(event: Any, *, collection: str, id_param: str) -> None:
    """Publish the domain event for a Firestore write event (nothing for a no-op write)."""
    change = event.data
    before = change.before.to_dict() if change and change.before else None
    after = change.after.to_dict() if change and change.after else None
    op = changes.operation(before or None, after or None)
    if op is None:
        return
    uid = event.params["uid"]
    if op == "delete" and erasure.closing(clients.get_db(), uid):
        # The account is being erased: an event about it would outlive the erasure's
        # re-scan (events carry the uid). One read, on deletes only.
        logs.info("change not published: the account is being erased", uid=uid)
        return
    envelope = changes.change_event(
        uid=uid,
        collection=collection,
        doc_id=event.params[id_param],
        op=op,
        after=after,
        before=before,
        trigger_id=event.id,
        now=datetime.now(UTC),
        origin=changes.origin_of(op, before, after),
    )
    with logs.context(uid=uid, correlationId=envelope.correlation_id):
        service.publish(
            publisher=clients.get_publisher(), project=clients.project_id(), envelope=envelope
        )
        logs.info("change published", type=envelope.type, eventId=envelope.id)

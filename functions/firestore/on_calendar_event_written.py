"""`on_calendar_event_written`: a write to `users/{uid}/calendar/{evid}` becomes a domain event."""

from datetime import UTC, datetime

from firebase_functions import firestore_fn
from firebase_functions.core import Change
from google.cloud.firestore_v1 import DocumentSnapshot

from shared import logs, runtime
from shared.events import changes, service


@firestore_fn.on_document_written(document="users/{uid}/calendar/{evid}")
def on_calendar_event_written(
    event: firestore_fn.Event[Change[DocumentSnapshot | None]],  # type: ignore[type-arg]  # the SDK types it so
) -> None:
    """Firestore write. Publishes `aura.calendar_event.created|updated|deleted` on `aura-events`
    (which starts workflows with a `firestore` trigger). Idempotent: the event id derives
    from this trigger's event id, and the bus records an id once. No retries.
    """
    change = event.data
    before = change.before.to_dict() if change and change.before else None
    after = change.after.to_dict() if change and change.after else None
    op = changes.operation(before or None, after or None)
    if op is None:
        return
    uid = event.params["uid"]
    envelope = changes.change_event(
        uid=uid,
        collection="calendar",
        doc_id=event.params["evid"],
        op=op,
        after=after,
        trigger_id=event.id,
        now=datetime.now(UTC),
    )
    with logs.context(uid=uid, correlationId=envelope.correlation_id):
        service.publish(
            publisher=runtime.get_publisher(), project=runtime.project_id(), envelope=envelope
        )
        logs.info("change published", type=envelope.type, eventId=envelope.id)

"""`on_calendar_event_written`: a write to `users/{uid}/calendar/{evid}` becomes a domain event."""

from firebase_functions import firestore_fn
from firebase_functions.core import Change
from google.cloud.firestore_v1 import DocumentSnapshot

from functions import _changes


@firestore_fn.on_document_written(document="users/{uid}/calendar/{evid}")
def on_calendar_event_written(
    event: firestore_fn.Event[Change[DocumentSnapshot | None]],  # type: ignore[type-arg]  # the SDK types it so
) -> None:
    """Firestore write. Publishes `aura.calendar_event.created|updated|deleted` on `aura-events`
    (which starts workflows with a `firestore` trigger). Idempotent: the event id derives
    from this trigger's event id, and the bus records an id once. No retries.
    """
    _changes.publish_change(event, collection="calendar", id_param="evid")

"""`on_event_published`: every domain event on `aura-events` is recorded once."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from firebase_functions import pubsub_fn
from firebase_functions.core import CloudEvent
from pydantic import ValidationError

from functions import _clients
from shared.events import service
from shared.events.models import EventEnvelope
from shared.platform import clients, logs
from shared.workflows import triggers


@pubsub_fn.on_message_published(topic=service.TOPIC, retry=True)
def on_event_published(event: CloudEvent[pubsub_fn.MessagePublishedData[Any]]) -> None:
    """Pub/Sub `aura-events`. Records the envelope at `events/{id}`, counts it, and starts
    the owner's workflows whose event trigger matches (once per workflow and event).

    Idempotent (a `create` keyed by the event id), so retries are on: a transient
    Firestore error raises and Pub/Sub redelivers; after the subscription's delivery
    attempts the message goes to `aura-events-dead-letter` (infra/provision.sh). A
    malformed, stale or too-deep event can never succeed: it is logged and dropped.
    """
    message = event.data.message
    try:
        envelope = EventEnvelope.model_validate_json(base64.b64decode(message.data or ""))
    except (ValidationError, binascii.Error) as exc:
        logs.error("malformed event dropped", messageId=message.message_id, error=str(exc)[:300])
        return
    with logs.context(correlationId=envelope.correlation_id, uid=envelope.uid):
        now = datetime.now(UTC)
        outcome = service.record(db=clients.get_db(), envelope=envelope, now=now)
        if outcome not in {"recorded", "duplicate"}:
            logs.warning(f"event {outcome}", eventId=envelope.id, type=envelope.type)
            return
        # Also on a duplicate: a first delivery that crashed after recording may not have
        # started its workflows; starting is idempotent per (workflow, event).
        started = triggers.start_for_event(
            rt=_clients.workflow_runtime(), envelope=envelope, now=now
        )
        logs.info(f"event {outcome}", eventId=envelope.id, type=envelope.type, started=started)

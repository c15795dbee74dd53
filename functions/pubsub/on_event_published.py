"""`on_event_published`: every domain event on `aura-events` is recorded once."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from firebase_functions import pubsub_fn
from firebase_functions.core import CloudEvent
from pydantic import ValidationError

from shared import logs, runtime
from shared.events import service
from shared.events.models import EventEnvelope


@pubsub_fn.on_message_published(topic=service.TOPIC, retry=True)
def on_event_published(event: CloudEvent[pubsub_fn.MessagePublishedData[Any]]) -> None:
    """Pub/Sub `aura-events`. Records the envelope at `events/{id}` and counts it.

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
        outcome = service.record(db=runtime.get_db(), envelope=envelope, now=datetime.now(UTC))
        log = logs.info if outcome in {"recorded", "duplicate"} else logs.warning
        log(f"event {outcome}", eventId=envelope.id, type=envelope.type, depth=envelope.depth)

"""Publish domain events and record each one exactly once when it is delivered."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.events import repository
from shared.events.models import (
    MAX_CAUSATION_DEPTH,
    MAX_EVENT_AGE_S,
    EventEnvelope,
    PublishEvent,
    PublishEventResult,
    new_event_id,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client


TOPIC = "aura-events"
PUBLISH_TIMEOUT_S = 10.0


def envelope_for(
    *,
    uid: str,
    type_: str,
    source: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    subject: str | None = None,
    cause: EventEnvelope | None = None,
    event_id: str | None = None,
    correlation_id: str | None = None,
) -> EventEnvelope:
    """An envelope; with `cause`, it continues the cause's correlation one level deeper."""
    return EventEnvelope(
        id=event_id or new_event_id(),
        type=type_,
        source=source,
        subject=subject,
        time=now,
        uid=uid,
        correlation_id=cause.correlation_id if cause else correlation_id or new_event_id(),
        causation_id=cause.id if cause else None,
        depth=cause.depth + 1 if cause else 0,
        data=data or {},
    )


def publish(*, publisher: Any, project: str, envelope: EventEnvelope) -> None:
    """Put the envelope on `aura-events` and wait for Pub/Sub to accept it."""
    topic = publisher.topic_path(project, TOPIC)
    future = publisher.publish(topic, envelope.to_json(), type=envelope.type, uid=envelope.uid)
    future.result(timeout=PUBLISH_TIMEOUT_S)


def publish_from_client(
    *, publisher: Any, project: str, uid: str, command: PublishEvent, now: datetime
) -> PublishEventResult:
    envelope = envelope_for(
        uid=uid,
        type_=command.type,
        source=f"client/{uid}",
        now=now,
        data=command.data,
        subject=command.subject,
        event_id=command.id,
        correlation_id=command.correlation_id,
    )
    publish(publisher=publisher, project=project, envelope=envelope)
    return PublishEventResult(id=envelope.id, correlation_id=envelope.correlation_id)


def record(*, db: Client, envelope: EventEnvelope, now: datetime) -> str:
    """Store the event in `events/{id}` and count it, once, atomically.

    Returns:
        "recorded", "duplicate" (already recorded: a redelivery), "too-deep" (the
        causation chain passed MAX_CAUSATION_DEPTH) or "stale" (older than MAX_EVENT_AGE_S).
    """
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    if envelope.depth > MAX_CAUSATION_DEPTH:
        return "too-deep"
    if (now - envelope.time).total_seconds() > MAX_EVENT_AGE_S:
        return "stale"
    batch = db.batch()
    batch.create(repository.event_ref(db, envelope.id), envelope.to_firestore())
    day = now.strftime("%Y-%m-%d")
    counter = repository.day_counter_ref(db, day, envelope.id)
    type_key = envelope.type.replace(".", "_")
    batch.set(
        counter,
        {"day": day, "total": firestore.Increment(1), "byType": {type_key: firestore.Increment(1)}},
        merge=True,
    )
    try:
        batch.commit()
    except AlreadyExists:
        return "duplicate"
    return "recorded"

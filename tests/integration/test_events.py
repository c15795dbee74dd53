"""The domain event bus: publish_event, Pub/Sub, and a handler that records each event once."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cloudevents.http import CloudEvent

from functions.pubsub.on_event_published import on_event_published
from shared.events import repository, service
from shared.events.models import MAX_CAUSATION_DEPTH, EventEnvelope
from shared.platform import clients
from tests.support import emulators as emu


def stored(event_id: str) -> dict[str, Any] | None:
    snap = clients.get_db().collection("events").document(event_id).get()
    return snap.to_dict() if snap.exists else None


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def deliver(envelope: EventEnvelope | bytes) -> None:
    """Call the deployed handler as Pub/Sub (via Eventarc) would, with a real CloudEvent."""
    payload = envelope if isinstance(envelope, bytes) else envelope.to_json()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    on_event_published(
        CloudEvent(
            {
                "id": uuid.uuid4().hex,
                "source": "//pubsub.googleapis.com/projects/demo-aura/topics/aura-events",
                "type": "google.cloud.pubsub.topic.v1.messagePublished",
                "specversion": "1.0",
                "time": now,
            },
            {
                "message": {
                    "data": base64.b64encode(payload).decode(),
                    "message_id": uuid.uuid4().hex,
                    "publish_time": now,
                },
                "subscription": "projects/demo-aura/subscriptions/test",
            },
        )
    )


def envelope(**overrides: Any) -> EventEnvelope:
    return service.envelope_for(
        uid="event-user",
        type_="task.created",
        source="test",
        now=datetime.now(UTC),
        data={"taskId": "t1"},
    ).model_copy(update=overrides)


def test_published_event_is_recorded_with_its_envelope(user: emu.User) -> None:
    result = emu.call(
        "publish_event",
        {"type": "note.saved", "subject": "notes/n1", "data": {"noteId": "n1"}},
        user.id_token,
    )
    assert result.status == "OK", result.error
    event = emu.wait_for(lambda: stored(result.result["id"]), timeout=20)

    assert event["type"] == "note.saved"
    assert event["uid"] == user.uid
    assert event["source"] == f"client/{user.uid}"
    assert event["subject"] == "notes/n1"
    assert event["correlationId"] == result.result["correlationId"]
    assert event["depth"] == 0
    assert event["data"] == {"noteId": "n1"}


def test_an_event_delivered_twice_is_recorded_and_counted_once() -> None:
    event = envelope()
    deliver(event)
    deliver(event)

    assert stored(event.id) is not None
    assert repository.events_counted(clients.get_db(), today()) == 1


def test_a_causation_chain_past_the_limit_is_refused() -> None:
    parent = envelope(depth=MAX_CAUSATION_DEPTH)
    child = service.envelope_for(
        uid="event-user", type_="task.created", source="test", now=datetime.now(UTC), cause=parent
    )
    deliver(parent)
    deliver(child)

    assert child.depth == MAX_CAUSATION_DEPTH + 1
    assert child.correlation_id == parent.correlation_id
    assert child.causation_id == parent.id
    assert stored(parent.id) is not None
    assert stored(child.id) is None


def test_malformed_and_stale_events_are_dropped_without_raising() -> None:
    deliver(b"not json at all")
    deliver(json.dumps({"id": "x"}).encode())
    old = envelope(time=datetime.now(UTC) - timedelta(days=2))
    deliver(old)

    assert stored(old.id) is None
    assert list(clients.get_db().collection("events").stream()) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "aura.user.deleted"}, "type"),
        ({"type": "Bad Type!"}, "type"),
        ({}, "type"),
        ({"type": "note.saved", "data": {"blob": "x" * 40_000}}, "data"),
        ({"type": "note.saved", "id": "short"}, "id"),
        ({"type": "note.saved", "extra": True}, "extra"),
    ],
)
def test_publish_event_rejects_bad_input(user: emu.User, payload: Any, field: str) -> None:
    result = emu.call("publish_event", payload, user.id_token)
    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == field


def test_publish_event_rejects_anonymous_calls() -> None:
    result = emu.call("publish_event", {"type": "note.saved"}, token=None)
    assert result.status == "UNAUTHENTICATED"

"""`health` against the running emulators, directly and through Hosting's rewrite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.topics import EVENTS_TOPIC
from tests.support import emulators as emu


def test_health_is_ok_with_every_dependency_checked() -> None:
    resp = emu.session.get(f"{emu.FUNCTIONS}/health", timeout=20)

    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ok"
    assert body["version"] == "0.1.0"
    assert body["environment"] == "emulator"
    assert {name for name, check in body["checks"].items() if check["ok"]} >= {
        "firestore",
        "pubsub",
        "auth",
    }
    assert set(body["checks"]) == {"firestore", "pubsub", "auth", "ai"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_health_through_hosting_rewrite() -> None:
    resp = emu.session.get(f"{emu.HOSTING}/api/health", timeout=20)
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_health_refuses_writes() -> None:
    resp = emu.session.post(f"{emu.FUNCTIONS}/health", timeout=20)
    assert resp.status_code == 405


@pytest.fixture
def events_topic_missing() -> Iterator[None]:
    """Delete the events topic, then restore it with the subscriptions the Functions
    emulator made for it (deleting a topic detaches them, and later tests need them)."""
    topic = f"{emu.PUBSUB}/topics/{EVENTS_TOPIC}"
    listed = emu.session.get(f"{emu.PUBSUB}/subscriptions", timeout=10).json()
    ours = [sub for sub in listed.get("subscriptions", []) if sub["topic"].endswith(EVENTS_TOPIC)]
    emu.session.delete(topic, timeout=10).raise_for_status()
    try:
        yield
    finally:
        emu.session.put(topic, json={}, timeout=10).raise_for_status()
        for sub in ours:
            url = f"http://{emu.HOST}:{emu.PORTS.pubsub}/v1/{sub['name']}"
            emu.session.delete(url, timeout=10)
            body = {
                k: v for k, v in sub.items() if k in {"topic", "pushConfig", "ackDeadlineSeconds"}
            }
            emu.session.put(url, json=body, timeout=10).raise_for_status()


def test_health_is_503_when_pubsub_topic_is_missing(events_topic_missing: None) -> None:
    resp = emu.session.get(f"{emu.FUNCTIONS}/health", timeout=20)

    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "degraded"
    assert body["checks"]["pubsub"]["ok"] is False
    assert "NotFound" in body["checks"]["pubsub"]["detail"]
    assert body["checks"]["firestore"]["ok"] is True

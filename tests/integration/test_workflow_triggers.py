"""Event-triggered workflows: once per (workflow, event), and loops end at the limit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.events.models import MAX_CAUSATION_DEPTH
from shared.platform import clients
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


def save(user: emu.User, nodes: list[dict[str, Any]], trigger: dict[str, Any]) -> str:
    result = emu.call(
        "save_workflow",
        {
            "name": "on event",
            "status": "active",
            "nodes": nodes,
            "edges": [],
            "triggers": [trigger],
        },
        user.id_token,
    )
    assert result.status == "OK", result.error
    return str(result.result["id"])


def runs(user: emu.User) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{user.uid}/executions").stream()
    return [d.to_dict() for d in docs]


def settle(user: emu.User, quiet_s: float = 3.0, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Wait until no new execution has appeared for `quiet_s` and all have ended."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        current = runs(user)
        busy = any(r["status"] in {"queued", "running"} for r in current)
        if len(current) != last or busy:
            last, since = len(current), time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return current
        time.sleep(0.2)
    raise AssertionError("executions kept changing")


def test_an_event_starts_its_workflow_once_even_when_published_twice(user: emu.User) -> None:
    save(
        user,
        [{"id": "note", "type": "transform", "config": {"template": "{{ input.amount }}"}}],
        {"type": "event", "typePattern": "order.*", "filter": "event.data.amount > 10"},
    )
    event = {"type": "order.placed", "data": {"amount": 42}, "id": "order-event-0001"}
    assert emu.call("publish_event", event, user.id_token).status == "OK"
    assert emu.call("publish_event", event, user.id_token).status == "OK"
    small = {"type": "order.placed", "data": {"amount": 5}, "id": "order-event-0002"}
    assert emu.call("publish_event", small, user.id_token).status == "OK"
    other = {"type": "invoice.sent", "data": {"amount": 99}, "id": "order-event-0003"}
    assert emu.call("publish_event", other, user.id_token).status == "OK"

    emu.wait_for(lambda: runs(user), timeout=30)
    started = settle(user)

    assert len(started) == 1
    assert started[0]["trigger"]["eventId"] == "order-event-0001"
    assert started[0]["status"] == "succeeded"
    assert started[0]["steps"]["note"]["output"] == "42"


def test_a_self_triggering_workflow_stops_at_the_causation_limit(user: emu.User) -> None:
    save(
        user,
        [{"id": "again", "type": "event", "config": {"type": "loop.ping", "data": {}}}],
        {"type": "event", "typePattern": "loop.ping"},
    )
    assert emu.call("publish_event", {"type": "loop.ping"}, user.id_token).status == "OK"

    emu.wait_for(lambda: runs(user), timeout=30)
    started = settle(user, quiet_s=4.0, timeout=120)

    depths = sorted(r["trigger"]["depth"] for r in started)
    assert depths == list(range(MAX_CAUSATION_DEPTH + 1))
    chain = {r["trigger"]["correlationId"] for r in started}
    assert len(chain) == 1  # one causation chain, one correlation id


def test_a_workflow_whose_task_node_triggers_itself_stops_at_the_causation_limit(
    user: emu.User,
) -> None:
    """A `task` node in a workflow started by task creates: each task it creates is a
    change event one level deeper than the run that created it, so the loop ends."""
    save(
        user,
        [{"id": "again", "type": "task", "config": {"title": "again {{ input.title }}"}}],
        {"type": "firestore", "collection": "tasks", "on": ["create"]},
    )
    tasks = clients.get_db().collection(f"users/{user.uid}/tasks")
    tasks.document("seed").set({"title": "seed", "status": "todo", "priority": 1})

    emu.wait_for(lambda: runs(user), timeout=30)
    started = settle(user, quiet_s=10.0, timeout=200)

    depths = sorted(r["trigger"]["depth"] for r in started)
    assert depths == list(range(MAX_CAUSATION_DEPTH + 1))
    assert len({r["trigger"]["correlationId"] for r in started}) == 1
    created = [t.to_dict() for t in tasks.stream()]
    origins = sorted(t["origin"]["depth"] for t in created if "origin" in t)
    assert origins == list(range(MAX_CAUSATION_DEPTH + 1))


def test_a_task_write_starts_a_firestore_triggered_workflow_once(user: emu.User) -> None:
    save(
        user,
        [
            {
                "id": "greet",
                "type": "transform",
                "config": {"template": "new task {{ input.title }}"},
            }
        ],
        {"type": "firestore", "collection": "tasks", "on": ["create"]},
    )
    tasks = clients.get_db().collection(f"users/{user.uid}/tasks")
    tasks.document("t1").set({"title": "Call Bob", "status": "todo", "priority": 1})

    emu.wait_for(lambda: runs(user), timeout=30)
    tasks.document("t1").update({"status": "doing"})  # an update: this workflow ignores it
    started = settle(user)

    assert len(started) == 1
    assert started[0]["status"] == "succeeded"
    assert started[0]["steps"]["greet"]["output"] == "new task Call Bob"
    events = clients.get_db().collection("events").stream()
    types = sorted(e.to_dict()["type"] for e in events if e.to_dict()["uid"] == user.uid)
    assert types == ["aura.task.created", "aura.task.updated"]

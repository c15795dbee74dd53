"""The `rearm` task-queue function called directly with a synthetic Cloud Tasks request;
tasks go to a recording enqueuer instead of Cloud Tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from functions.queues import rearm as rearm_module
from shared.platform.cloud_tasks import FARTHEST, REARM_QUEUE, CloudTasks
from tests.support.workflows import RecordingEnqueuer


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> RecordingEnqueuer:
    recorder = RecordingEnqueuer()
    monkeypatch.setattr(rearm_module, "CloudTasks", lambda: CloudTasks(send=recorder))
    return recorder


def deliver(data: Any) -> int:
    with Flask(__name__).test_request_context(
        "/", method="POST", json={"data": data}, headers={"X-CloudTasks-TaskName": "t-hop"}
    ):
        from flask import request

        return int(rearm_module.rearm(request).status_code)


def hop(ahead: timedelta) -> dict[str, Any]:
    at = datetime.now(UTC) + ahead
    payload = {"uid": "u1", "executionId": "e1", "nodeId": "n", "attempt": 1}
    return {"queue": "runstep", "name": "t-step", "at": at.isoformat(), "payload": payload}


def test_a_hop_near_its_time_queues_the_real_task_once(sent: RecordingEnqueuer) -> None:
    data = hop(timedelta(days=20))

    assert deliver(data) == 200
    assert deliver(data) == 200  # a duplicate delivery is acknowledged, queues nothing

    assert [(t.queue, t.name, t.payload) for t in sent.tasks] == [
        ("runstep", "t-step", data["payload"])
    ]


def test_a_hop_still_far_from_its_time_queues_the_next_hop(sent: RecordingEnqueuer) -> None:
    assert deliver(hop(timedelta(days=50))) == 200
    assert [t.queue for t in sent.tasks] == [REARM_QUEUE]


@pytest.mark.parametrize(
    "data",
    [
        {"queue": "runstep"},
        {**hop(timedelta(days=1)), "queue": REARM_QUEUE},
        hop(FARTHEST + timedelta(days=30)),
    ],
    ids=["incomplete", "hop-in-a-hop", "too-far"],
)
def test_a_hop_that_can_never_succeed_is_acknowledged_and_dropped(
    sent: RecordingEnqueuer, data: dict[str, Any]
) -> None:
    assert deliver(data) == 200  # not retried by Cloud Tasks
    assert sent.tasks == []

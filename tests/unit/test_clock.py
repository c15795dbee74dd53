"""The local clock's pure parts: reading a task's ETA, Cloud Tasks' backoff and horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from tools.clock import Clock, Queue, _eta, create_app, too_far_ahead


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T10:00:05.250000Z", datetime(2026, 11, 23, 10, 0, 5, 250000, tzinfo=UTC)),
        ("1795428000000", datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
        ("2026-11-23T11:00:00+01:00", datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
    ],
)
def test_eta_reads_rfc3339_and_epoch_milliseconds(raw: str, expected: datetime) -> None:
    assert _eta(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "not a time"])
def test_a_missing_or_unreadable_eta_means_now(raw: str | None) -> None:
    before = datetime.now(UTC)
    assert before <= _eta(raw) <= datetime.now(UTC)


def test_backoff_doubles_from_the_minimum_up_to_the_maximum() -> None:
    queue = Queue(
        project="p",
        region="r",
        name="q",
        trigger={
            "retryConfig": {"maxAttempts": 5, "minBackoffSeconds": 2, "maxBackoffSeconds": 10}
        },
        target="http://x",
    )
    assert [queue.backoff(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]
    assert queue.max_attempts == 5


def test_cloud_tasks_refuses_a_schedule_time_more_than_720_hours_ahead() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    assert too_far_ahead(now + timedelta(days=29), now) is None
    assert too_far_ahead(now + timedelta(hours=720), now) is None
    reason = too_far_ahead(now + timedelta(hours=720, seconds=1), now)
    assert reason is not None
    assert reason.startswith("400 INVALID_ARGUMENT")
    assert "no more than 720h in the future" in reason


def _clock_with_queue() -> Clock:
    clock = Clock(project="p", functions="http://f", tasks="http://t", origin="http://c")
    clock.queues["q"] = Queue(project="p", region="r", name="q", trigger={}, target="http://x")
    return clock


def _eta_header(ahead: timedelta) -> dict[str, str]:
    eta = (datetime.now(UTC) + ahead).isoformat().replace("+00:00", "Z")
    return {"X-CloudTasks-TaskETA": eta, "X-CloudTasks-TaskName": "t-far"}


def test_the_clock_refuses_a_task_due_more_than_30_days_ahead_as_production_would() -> None:
    clock = _clock_with_queue()
    client = TestClient(create_app(clock, None))  # no `with`: the emulators are not there

    response = client.post(
        "/dispatch/r/q", json={"data": {}}, headers=_eta_header(timedelta(days=40))
    )

    assert response.status_code == 200  # acknowledged: the Tasks emulator must not retry it
    assert clock.held == {}  # dropped: production would never have queued it
    state = client.get("/_clock/state").json()
    assert [(r["queue"], r["task"]) for r in state["refused"]] == [("q", "t-far")]
    assert "720h" in state["refused"][0]["reason"]

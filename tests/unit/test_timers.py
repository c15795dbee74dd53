"""The timer mechanics every feature shares (shared/platform/timers.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.platform import timers

AT = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str, datetime | None]] = []

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        fresh = all(call[2] != name for call in self.calls)
        if fresh:
            self.calls.append((queue, payload, name, at))
        return fresh


def test_a_time_is_one_task_name_whatever_its_zone() -> None:
    berlin = AT.astimezone(ZoneInfo("Europe/Berlin"))
    assert timers.task_name("u/w", AT) == timers.task_name("u/w", berlin)
    assert timers.task_name("u/w", AT) != timers.task_name("u/w", AT + timedelta(minutes=1))
    assert timers.task_name("u/w", AT) != timers.task_name("u/x", AT)
    with pytest.raises(ValueError, match="timezone-aware"):
        timers.task_name("u/w", AT.replace(tzinfo=None))


def test_arming_the_same_time_twice_queues_one_task_naming_the_timer() -> None:
    queue = Recording()
    for _ in range(2):
        record = timers.arm(queue, kind="probe", record_id="r1", at=AT, now=AT, cron="x")
    assert [(q, at) for q, _, _, at in queue.calls] == [(timers.TIMER_QUEUE, AT)]
    [(_, payload, name, _)] = queue.calls
    assert timers.TimerTask.model_validate(payload) == timers.TimerTask(
        kind="probe", id="r1", at=AT
    )
    assert name == timers.task_name(timers.key_of("probe", "r1"), AT)
    assert record == {"cron": "x", "nextFireAt": AT, "armedAt": AT}


@pytest.mark.parametrize("kind", ["", "Schedule", "a-b", "a_b", "x" * 33, "1st"])
def test_a_task_of_a_malformed_kind_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="kind"):
        timers.TimerTask(kind=kind, id="r1", at=AT)


def test_a_record_holds_its_time_and_a_stale_task_finds_nothing() -> None:
    record = timers.arm(Recording(), kind="probe", record_id="r", at=AT, now=AT, uid="u")
    assert record["nextFireAt"] == AT
    snapshot = SimpleNamespace(exists=True, to_dict=lambda: record)
    assert timers.armed_for(snapshot, AT) == record  # type: ignore[arg-type]
    assert timers.armed_for(snapshot, AT + timedelta(days=1)) is None  # type: ignore[arg-type]
    gone = SimpleNamespace(exists=False, to_dict=lambda: None)
    assert timers.armed_for(gone, AT) is None  # type: ignore[arg-type]

"""The generic timer (`shared/platform/timers.py`) against the Firestore emulator, with a
probe kind standing in for a feature: what `firetimer` and the sweeper do for every kind
(workflow schedules, reminders, ...), whatever the kind does when it fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.platform import clients, timers
from shared.platform.timers import TIMER_QUEUE, Fired, TimerKind, TimerTask
from tests.support.workflows import RecordingEnqueuer

COLLECTION = "_probeTimers"
AT = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Probe:
    """A feature with timers: records what fired, answers what the test says."""

    def __init__(self, following: datetime | None = AT + HOUR) -> None:
        self.following = following
        self.fired: list[tuple[str, datetime]] = []
        self.repaired: list[str] = []
        self.during_fire: Any = None  # called inside on_fire (a save racing the fire)

    def kind(self) -> TimerKind:
        def on_fire(record_id: str, record: dict[str, Any], at: datetime, now: datetime) -> Fired:
            self.fired.append((record_id, at))
            if self.during_fire:
                self.during_fire()
            return Fired("fired", self.following)

        def on_repair(record_id: str, record: dict[str, Any], now: datetime) -> str:
            if record.get("broken"):
                raise ValueError("cannot repair this one")
            self.repaired.append(record_id)
            ref(record_id).delete()
            return "dropped"

        return TimerKind(name="probe", collection=COLLECTION, on_fire=on_fire, on_repair=on_repair)


def ref(record_id: str) -> Any:
    return clients.get_db().collection(COLLECTION).document(record_id)


def stored(record_id: str) -> dict[str, Any] | None:
    return ref(record_id).get().to_dict()


def armed(enqueuer: RecordingEnqueuer, record_id: str, at: datetime = AT) -> None:
    ref(record_id).set(timers.arm(enqueuer, kind="probe", record_id=record_id, at=at, now=AT))


def fire(probe: Probe, enqueuer: RecordingEnqueuer, record_id: str, at: datetime = AT) -> str:
    task = TimerTask(kind="probe", id=record_id, at=at)
    kinds = {"probe": probe.kind()}
    return timers.fire(clients.get_db(), enqueuer, kinds, task, now=at)


@pytest.fixture
def enqueuer() -> RecordingEnqueuer:
    return RecordingEnqueuer()


def test_a_timer_fires_once_arms_the_next_time_and_moves_on(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe()
    armed(enqueuer, "t1")

    outcomes = [fire(probe, enqueuer, "t1") for _ in range(2)]  # delivered twice

    assert outcomes == ["fired", "stale"]
    assert probe.fired == [("t1", AT)]
    record = stored("t1") or {}
    assert (record["nextFireAt"], record["lastFiredAt"]) == (AT + HOUR, AT)
    assert [(t.queue, t.at) for t in enqueuer.tasks] == [
        (TIMER_QUEUE, AT),
        (TIMER_QUEUE, AT + HOUR),
    ]
    assert enqueuer.tasks[1].name == timers.task_name(timers.key_of("probe", "t1"), AT + HOUR)


def test_a_one_shot_timer_is_removed_after_firing(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe(following=None)
    armed(enqueuer, "t2")

    assert fire(probe, enqueuer, "t2") == "fired"

    assert stored("t2") is None
    assert len(enqueuer.tasks) == 1  # nothing armed after it
    assert fire(probe, enqueuer, "t2") == "stale"


def test_a_timer_rearmed_while_it_fires_keeps_the_new_time(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe(following=None)
    armed(enqueuer, "t3")
    later = AT + timedelta(days=2)
    probe.during_fire = lambda: armed(enqueuer, "t3", at=later)  # e.g. the user moved it

    assert fire(probe, enqueuer, "t3") == "fired"

    assert (stored("t3") or {})["nextFireAt"] == later  # neither deleted nor overwritten


def test_a_timer_disarmed_before_its_time_does_nothing(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe()
    armed(enqueuer, "t4")
    ref("t4").delete()  # disarm

    assert fire(probe, enqueuer, "t4") == "stale"
    assert probe.fired == []


def test_a_failing_fire_leaves_the_timer_armed_for_the_retry(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe()
    armed(enqueuer, "t5")

    def boom() -> None:
        raise ConnectionError("the feature's store is down")

    probe.during_fire = boom
    with pytest.raises(ConnectionError):
        fire(probe, enqueuer, "t5")
    assert (stored("t5") or {})["nextFireAt"] == AT

    probe.during_fire = None
    assert fire(probe, enqueuer, "t5") == "fired"  # Cloud Tasks' retry
    assert probe.fired == [("t5", AT), ("t5", AT)]


def test_a_task_of_a_kind_nobody_declares_is_dropped(enqueuer: RecordingEnqueuer) -> None:
    task = TimerTask(kind="nobody", id="t6", at=AT)
    assert timers.fire(clients.get_db(), enqueuer, {}, task, now=AT) == "unknown"


def test_the_sweeper_repairs_each_lost_timer_on_its_own(enqueuer: RecordingEnqueuer) -> None:
    probe = Probe()
    now = datetime.now(UTC)
    lost = now - timers.BROKEN_AFTER - timedelta(minutes=1)
    for record_id in ("lost", "broken", "fresh"):
        armed(enqueuer, record_id, at=lost if record_id != "fresh" else now)
    ref("broken").update({"broken": True})

    report = timers.repair_all(clients.get_db(), [probe.kind()], now=now)

    assert report == {"probes": 1, "probeErrors": 1}
    assert probe.repaired == ["lost"]
    failed = stored("broken") or {}
    assert failed["nextFireAt"] == now + timers.RETRY_REPAIR_AFTER
    assert "cannot repair" in failed["repairError"]
    assert (stored("fresh") or {})["nextFireAt"] == now  # not yet overdue: left alone
    assert timers.repair_all(clients.get_db(), [probe.kind()], now=now) == {
        "probes": 0,
        "probeErrors": 0,
    }

"""Schedule triggers and the sweeper, through the real Tasks, Functions and Firestore
emulators and the local clock (which holds each task until its time and fires the
sweeper on its cron)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared import runtime
from shared.workflows import executions, scheduling, sweeper
from shared.workflows.executions import RunWorkflow, start_execution
from shared.workflows.schedule import next_fire
from shared.workflows.scheduling import FireTask
from tests.support import emulators as emu
from tests.support.workflows import held_runtime, live_runtime

pytestmark = pytest.mark.usefixtures("standin")

NOTIFY = [{"id": "tell", "type": "notify", "config": {"title": "tick", "body": "{{ input }}"}}]


def save(user: emu.User, triggers: list[dict[str, Any]], status: str = "active") -> Any:
    result = emu.call(
        "save_workflow",
        {"name": "timed", "status": status, "nodes": NOTIFY, "edges": [], "triggers": triggers},
        user.id_token,
    )
    assert result.status == "OK", result.error
    return result.result


def armed(uid: str, wid: str) -> dict[str, Any] | None:
    return scheduling.schedule_ref(runtime.get_db(), uid, wid).get().to_dict()


def runs(uid: str) -> list[dict[str, Any]]:
    docs = runtime.get_db().collection(f"users/{uid}/executions").stream()
    return [{"id": d.id, **(d.to_dict() or {})} for d in docs]


def held_fire_at(eta: datetime) -> bool:
    """Whether the clock holds a schedule task due at `eta` (the Tasks emulator hands
    tasks over within a second or so)."""

    def held() -> bool:
        return any(
            t["queue"] == scheduling.SCHEDULE_QUEUE and datetime.fromisoformat(t["eta"]) == eta
            for t in emu.clock_state()["held"]
        )

    return bool(emu.wait_for(held, timeout=10))


def test_saving_arms_the_next_run_and_deactivating_disarms_it(user: emu.User) -> None:
    schedule = {"type": "schedule", "cron": "30 9 * * MON-FRI", "timezone": "Europe/Berlin"}
    saved = save(user, [schedule])
    expected = next_fire("30 9 * * MON-FRI", "Europe/Berlin", datetime.now(UTC))

    assert datetime.fromisoformat(saved["nextRunAt"]) == expected
    assert (armed(user.uid, saved["id"]) or {})["nextFireAt"] == expected
    assert held_fire_at(expected)

    again = emu.call(
        "save_workflow",
        {
            "id": saved["id"],
            "name": "timed",
            "status": "draft",
            "nodes": NOTIFY,
            "triggers": [schedule],
        },
        user.id_token,
    )
    assert again.status == "OK"
    assert again.result["nextRunAt"] is None
    assert armed(user.uid, saved["id"]) is None


def test_a_scheduled_workflow_runs_at_its_cron_time_and_arms_the_next(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "* * * * *", "timezone": "UTC"}])
    first = datetime.fromisoformat(saved["nextRunAt"])

    started = emu.wait_for(lambda: runs(user.uid), timeout=90, interval=0.5)
    done = emu.wait_for(
        lambda: [r for r in runs(user.uid) if r["status"] == "succeeded"], timeout=30
    )

    assert len(started) == 1
    assert done[0]["trigger"]["type"] == "schedule"
    assert done[0]["trigger"]["fireAt"] == first
    assert done[0]["startedAt"] >= first  # the clock held the task until its time
    assert done[0]["id"] == scheduling.run_id(user.uid, saved["id"], first)
    following = first + timedelta(minutes=1)
    emu.wait_for(lambda: (armed(user.uid, saved["id"]) or {}).get("nextFireAt") == following)
    assert held_fire_at(following)


def test_a_fire_task_delivered_twice_starts_one_run(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "0 6 * * *", "timezone": "Asia/Tokyo"}])
    fire_at = datetime.fromisoformat(saved["nextRunAt"])
    rt, enqueuer = held_runtime()
    task = FireTask(uid=user.uid, workflow_id=saved["id"], fire_at=fire_at)

    first = scheduling.fire(rt=rt, task=task, now=fire_at)
    second = scheduling.fire(rt=rt, task=task, now=fire_at + timedelta(seconds=5))

    assert (first, second) == ("fired", "stale")
    assert len(runs(user.uid)) == 1
    following = next_fire("0 6 * * *", "Asia/Tokyo", fire_at)
    assert (armed(user.uid, saved["id"]) or {})["nextFireAt"] == following
    fires = [t for t in enqueuer.tasks if t.queue == scheduling.SCHEDULE_QUEUE]
    assert [t.at for t in fires] == [following]


def test_a_stale_fire_task_starts_nothing(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "0 6 * * *", "timezone": "UTC"}])
    rt, _ = held_runtime()
    elsewhen = datetime.fromisoformat(saved["nextRunAt"]) - timedelta(days=1)

    outcome = scheduling.fire(
        rt=rt, task=FireTask(uid=user.uid, workflow_id=saved["id"], fire_at=elsewhen), now=elsewhen
    )

    assert outcome == "stale"
    assert runs(user.uid) == []


def backdate(ref: Any, minutes: int, *fields: str) -> None:
    then = datetime.now(UTC) - timedelta(minutes=minutes)
    ref.update(dict.fromkeys(fields, then))


def test_the_sweeper_requeues_a_step_whose_task_was_lost(user: emu.User) -> None:
    saved = save(user, [{"type": "manual"}])
    rt, _ = held_runtime()  # the task is "lost": recorded here, never queued
    started = start_execution(
        rt=rt,
        uid=user.uid,
        command=RunWorkflow(workflow_id=saved["id"], input={"n": 1}),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    )
    ref = executions.execution_ref(runtime.get_db(), user.uid, started.execution_id)
    backdate(ref, 10, "startedAt", "steps.tell.dueAt")

    emu.clock_fire("sweep")  # the scheduled function, as its cron would run it
    done = emu.wait_for(
        lambda: (ref.get().to_dict() or {}).get("status") == "succeeded" and ref.get().to_dict(),
        timeout=45,
    )

    assert done["steps"]["tell"]["status"] == "succeeded"
    assert done["steps"]["tell"]["attempts"] == 1
    report = sweeper.sweep(rt=rt, now=datetime.now(UTC))  # nothing left to repair
    assert report.get("requeued", 0) == 0


def test_the_sweeper_fails_an_execution_past_its_deadline(user: emu.User) -> None:
    saved = save(user, [{"type": "manual"}])
    rt, _ = held_runtime()
    started = start_execution(
        rt=rt,
        uid=user.uid,
        command=RunWorkflow(workflow_id=saved["id"]),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    )
    ref = executions.execution_ref(runtime.get_db(), user.uid, started.execution_id)
    backdate(ref, 61, "startedAt")  # the default deadline is an hour

    sweeper.sweep(rt=rt, now=datetime.now(UTC))

    stored = ref.get().to_dict() or {}
    assert stored["status"] == "failed"
    assert "deadline" in stored["error"]["message"]


def test_the_sweeper_rearms_a_broken_schedule_chain(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "15 * * * *", "timezone": "UTC"}])
    ref = scheduling.schedule_ref(runtime.get_db(), user.uid, saved["id"])
    backdate(ref, 30, "nextFireAt")  # its task was lost: the time passed, nothing fired

    now = datetime.now(UTC)
    sweeper.sweep(rt=live_runtime(), now=now)  # (the clock's own sweep may get there first)

    expected = next_fire("15 * * * *", "UTC", now)
    assert (ref.get().to_dict() or {})["nextFireAt"] == expected
    assert held_fire_at(expected)
    assert sweeper.sweep(rt=live_runtime(), now=now)["schedules"] == 0

"""Schedule triggers, the sweeper and far times (hops past Cloud Tasks' 30-day horizon),
through the real Tasks, Functions and Firestore emulators and the local clock (which holds
each task until its time, refuses one more than 30 days ahead as Cloud Tasks does, and
fires the sweeper on its cron)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import FailedPrecondition
from shared.platform import clients, timers
from shared.platform.cloud_tasks import HORIZON, REARM_QUEUE, hop_name, hops_left, task_name
from shared.platform.timers import TIMER_QUEUE, TimerTask
from shared.workflows import repository, schedules, service, sweeper
from shared.workflows.cron import next_fire
from shared.workflows.executions import RunWorkflow, start_execution
from shared.workflows.models import SaveWorkflow
from tests.support import emulators as emu
from tests.support.workflows import held_runtime, live_runtime

pytestmark = pytest.mark.usefixtures("standin")


def fire_key(uid: str, workflow_id: str, at: datetime) -> str:
    """The task name of a workflow's schedule armed for `at`."""
    return timers.task_name(timers.key_of("schedule", schedules.timer_id(uid, workflow_id)), at)


def fire(rt: Any, uid: str, workflow_id: str, at: datetime, now: datetime) -> str:
    """Deliver a schedule's timer task for `at`, as `firetimer` would."""
    task = TimerTask(kind="schedule", id=schedules.timer_id(uid, workflow_id), at=at)
    kinds = {"schedule": schedules.timer_kind(rt)}
    return timers.fire(rt.db, rt.enqueuer, kinds, task, now)


def sweep_timers(rt: Any, now: datetime) -> dict[str, int]:
    return timers.repair_all(rt.db, [schedules.timer_kind(rt)], now=now)


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
    return repository.schedule_ref(clients.get_db(), uid, wid).get().to_dict()


def runs(uid: str) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/executions").stream()
    return [{"id": d.id, **(d.to_dict() or {})} for d in docs]


def held_fire_at(eta: datetime) -> bool:
    """Whether the clock holds a schedule task due at `eta` (the Tasks emulator hands
    tasks over within a second or so)."""

    def held() -> bool:
        return any(
            t["queue"] == TIMER_QUEUE and datetime.fromisoformat(t["eta"]) == eta
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
    assert done[0]["id"] == schedules.run_id(user.uid, saved["id"], first)
    following = first + timedelta(minutes=1)
    emu.wait_for(lambda: (armed(user.uid, saved["id"]) or {}).get("nextFireAt") == following)
    assert held_fire_at(following)


def test_a_fire_task_delivered_twice_starts_one_run(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "0 6 * * *", "timezone": "Asia/Tokyo"}])
    fire_at = datetime.fromisoformat(saved["nextRunAt"])
    rt, enqueuer = held_runtime()
    first = fire(rt, user.uid, saved["id"], fire_at, now=fire_at)
    second = fire(rt, user.uid, saved["id"], fire_at, now=fire_at + timedelta(seconds=5))

    assert (first, second) == ("fired", "stale")
    assert len(runs(user.uid)) == 1
    following = next_fire("0 6 * * *", "Asia/Tokyo", fire_at)
    assert (armed(user.uid, saved["id"]) or {})["nextFireAt"] == following
    fires = [t for t in enqueuer.tasks if t.queue == TIMER_QUEUE]
    assert [t.at for t in fires] == [following]


def test_a_stale_fire_task_starts_nothing(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "0 6 * * *", "timezone": "UTC"}])
    rt, _ = held_runtime()
    elsewhen = datetime.fromisoformat(saved["nextRunAt"]) - timedelta(days=1)

    outcome = fire(rt, user.uid, saved["id"], elsewhen, now=elsewhen)

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
    ref = repository.execution_ref(clients.get_db(), user.uid, started.execution_id)
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
    ref = repository.execution_ref(clients.get_db(), user.uid, started.execution_id)
    backdate(ref, 61, "startedAt")  # the default deadline is an hour

    sweeper.sweep(rt=rt, now=datetime.now(UTC))

    stored = ref.get().to_dict() or {}
    assert stored["status"] == "failed"
    assert "deadline" in stored["error"]["message"]


def test_the_sweeper_rearms_a_broken_schedule_chain(user: emu.User) -> None:
    saved = save(user, [{"type": "schedule", "cron": "15 * * * *", "timezone": "UTC"}])
    ref = repository.schedule_ref(clients.get_db(), user.uid, saved["id"])
    backdate(ref, 30, "nextFireAt")  # its task was lost: the time passed, nothing fired

    now = datetime.now(UTC)
    sweep_timers(live_runtime(), now)  # (the clock's own sweep may get there first)

    expected = next_fire("15 * * * *", "UTC", now)
    assert (ref.get().to_dict() or {})["nextFireAt"] == expected
    assert held_fire_at(expected)
    assert sweep_timers(live_runtime(), now)["schedules"] == 0


# --- Far times: Cloud Tasks' 30-day horizon ---------------------------------------------


def held_task(queue: str, name: str, timeout: float = 10) -> dict[str, Any]:
    """The task named `name` the clock holds on `queue` (waiting for it to arrive)."""

    def found() -> dict[str, Any] | None:
        held = emu.clock_state()["held"]
        return next((t for t in held if (t["queue"], t["task"]) == (queue, name)), None)

    task: dict[str, Any] = emu.wait_for(found, timeout=timeout)
    return task


def held_at(queue: str, eta: datetime) -> set[str]:
    """Names of the tasks the clock holds on `queue` due at `eta`."""
    held = emu.clock_state()["held"]
    return {
        t["task"] for t in held if t["queue"] == queue and datetime.fromisoformat(t["eta"]) == eta
    }


def refused() -> set[str]:
    """Names of the tasks the clock refused as Cloud Tasks would (> 30 days ahead)."""
    return {t["task"] for t in emu.clock_state()["refused"]}


def _in_100_days() -> str:
    day = datetime.now(UTC) + timedelta(days=100)
    return f"0 12 {day.day} {day.month} *"  # once a year, next in about 100 days


@pytest.mark.parametrize("cron", ["@yearly", "0 0 1 */2 *", "0 0 31 * *", _in_100_days()])
def test_a_far_schedule_saves_and_waits_in_hops_inside_the_horizon(
    user: emu.User, cron: str
) -> None:
    saved = save(user, [{"type": "schedule", "cron": cron, "timezone": "UTC"}])
    now = datetime.now(UTC)
    at = next_fire(cron, "UTC", now)

    assert datetime.fromisoformat(saved["nextRunAt"]) == at
    assert (armed(user.uid, saved["id"]) or {})["nextFireAt"] == at
    name = fire_key(user.uid, saved["id"], at)
    hops = hops_left(at, now)
    if hops == 0:  # (near enough today: no hop needed)
        task = held_task(TIMER_QUEUE, name)
        assert datetime.fromisoformat(task["eta"]) == at
    else:
        task = held_task(REARM_QUEUE, hop_name(name, at, hops))
        assert datetime.fromisoformat(task["eta"]) == at - hops * HORIZON <= now + HORIZON
    assert not refused() & {name, task["task"]}


def test_a_delay_until_40_days_ahead_waits_in_a_hop(user: emu.User) -> None:
    until = (datetime.now(UTC) + timedelta(days=40)).replace(microsecond=0)
    nodes = [{"id": "wait", "type": "delay", "config": {"until": "{{ input.until }}"}}, *NOTIFY]
    saved = emu.call(
        "save_workflow",
        {
            "name": "later",
            "status": "active",
            "nodes": nodes,
            "edges": [{"from": "wait", "to": "tell"}],
            "triggers": [{"type": "manual"}],
        },
        user.id_token,
    )
    assert saved.status == "OK", saved.error
    started = emu.call(
        "run_workflow",
        {"workflowId": saved.result["id"], "input": {"until": until.isoformat()}},
        user.id_token,
    )
    assert started.status == "OK", started.error
    eid = started.result["executionId"]
    ref = repository.execution_ref(clients.get_db(), user.uid, eid)

    def tell_queued() -> dict[str, Any] | None:
        doc = ref.get().to_dict() or {}
        return doc if doc.get("steps", {}).get("tell", {}).get("status") == "queued" else None

    doc = emu.wait_for(tell_queued, timeout=45, interval=0.2)

    assert doc["status"] == "running"
    assert doc["steps"]["wait"]["status"] == "succeeded"
    assert doc["steps"]["tell"]["dueAt"] == until
    name = task_name(eid, "tell", "1", "")
    hop = held_task(REARM_QUEUE, hop_name(name, until, 1))
    assert datetime.fromisoformat(hop["eta"]) == until - HORIZON
    assert not refused() & {name, hop["task"]}


@pytest.mark.parametrize(
    ("ahead", "queue"),
    [(timedelta(days=2), TIMER_QUEUE), (timedelta(days=50), REARM_QUEUE)],
    ids=["last-hop", "middle-hop"],
)
def test_a_hop_delivered_twice_rearms_once(user: emu.User, ahead: timedelta, queue: str) -> None:
    at = (datetime.now(UTC) + ahead).replace(microsecond=0)
    name = fire_key(user.uid, "nothing-armed", at)  # fires stale: no schedule is armed
    task = TimerTask(kind="schedule", id=schedules.timer_id(user.uid, "nothing-armed"), at=at)
    payload = task.model_dump(mode="json")
    hop = {"queue": TIMER_QUEUE, "name": name, "at": at.isoformat(), "payload": payload}

    last_hop = queue == TIMER_QUEUE
    expected, eta = (name, at) if last_hop else (hop_name(name, at, 1), at - HORIZON)
    before = held_at(queue, eta)
    for _ in range(2):  # Cloud Tasks delivers at least once: here, exactly twice
        response = emu.session.post(
            f"{emu.FUNCTIONS}/rearm",
            json={"data": hop},
            headers={"Connection": "close", "X-CloudTasks-TaskName": "t-hop"},
            timeout=30,
        )
        assert response.status_code == 200, response.text

    held_task(queue, expected)
    time.sleep(1.5)  # the Tasks emulator polls once a second: a second task would be here
    assert held_at(queue, eta) - before == {expected}


def _clear_of_the_clocks_sweep() -> None:
    """Wait if the clock is about to run its own sweep, so counts are this test's."""
    job = next(j for j in emu.clock_state()["cron"] if j["function"] == "sweep")
    due = datetime.fromisoformat(job["nextAt"]) - datetime.now(UTC)
    if due < timedelta(seconds=45):
        time.sleep(due.total_seconds() + 15)


def test_one_bad_schedule_does_not_stop_the_repair_of_the_others(user: emu.User) -> None:
    _clear_of_the_clocks_sweep()
    good = save(user, [{"type": "schedule", "cron": "15 * * * *", "timezone": "UTC"}])
    bad = save(user, [{"type": "schedule", "cron": "45 * * * *", "timezone": "UTC"}])
    db = clients.get_db()
    # A stored cron that no longer parses, and a bookkeeping document that names nobody.
    repository.workflow_ref(db, user.uid, bad["id"]).update(
        {"triggers": [{"type": "schedule", "cron": "not a cron", "timezone": "UTC"}]}
    )
    nobody = db.collection(schedules.SCHEDULES).document("corrupt")
    nobody.set({"cron": "* * * * *"})
    refs = [repository.schedule_ref(db, user.uid, wid) for wid in (good["id"], bad["id"])]
    backdate(nobody, 60, "nextFireAt")  # the oldest: the first the sweeper reaches
    for ref in refs:
        backdate(ref, 30, "nextFireAt")

    now = datetime.now(UTC)
    report = sweep_timers(live_runtime(), now)

    assert (report["schedules"], report["scheduleErrors"]) == (1, 2)
    expected = next_fire("15 * * * *", "UTC", now)
    assert (refs[0].get().to_dict() or {})["nextFireAt"] == expected
    held_task(TIMER_QUEUE, fire_key(user.uid, good["id"], expected))
    for failed in (refs[1], nobody):  # logged, and tried again after the others
        stored = failed.get().to_dict() or {}
        assert stored["nextFireAt"] == now + schedules.RETRY_REPAIR_AFTER
        assert stored["repairError"]
    again = sweep_timers(live_runtime(), now)
    assert (again["schedules"], again["scheduleErrors"]) == (0, 0)


def test_a_save_whose_schedule_cannot_be_queued_writes_nothing(user: emu.User) -> None:
    """The schedule's task is queued before the save commits: when queueing fails, no
    workflow is stored with a schedule that would never fire."""

    class Refusing:
        def enqueue(self, *args: Any, **kwargs: Any) -> bool:
            raise ConnectionError("Cloud Tasks is unreachable")

    command = SaveWorkflow.model_validate(
        {
            "id": "wnever",
            "name": "timed",
            "status": "active",
            "nodes": NOTIFY,
            "triggers": [{"type": "schedule", "cron": "0 9 * * *", "timezone": "UTC"}],
        }
    )
    with pytest.raises(ConnectionError):
        service.save_workflow(
            db=clients.get_db(),
            uid=user.uid,
            command=command,
            now=datetime.now(UTC),
            enqueuer=Refusing(),
        )
    assert not repository.workflow_ref(clients.get_db(), user.uid, "wnever").get().exists
    assert armed(user.uid, "wnever") is None


def test_a_save_that_fails_after_queueing_leaves_only_a_task_that_does_nothing(
    user: emu.User,
) -> None:
    """A stale `expectedVersion` fails the save's transaction after the task was queued:
    no schedule is stored, and the task finds none when it fires."""
    rt, enqueuer = held_runtime()
    command = SaveWorkflow.model_validate(
        {
            "id": "wstale",
            "name": "timed",
            "status": "active",
            "nodes": NOTIFY,
            "triggers": [{"type": "schedule", "cron": "0 9 * * *", "timezone": "UTC"}],
            "expectedVersion": 3,
        }
    )
    with pytest.raises(FailedPrecondition):
        service.save_workflow(
            db=rt.db, uid=user.uid, command=command, now=datetime.now(UTC), enqueuer=enqueuer
        )
    assert armed(user.uid, "wstale") is None
    [task] = enqueuer.tasks
    kinds = {"schedule": schedules.timer_kind(rt)}
    fired = timers.fire(
        rt.db, enqueuer, kinds, TimerTask.model_validate(task.payload), datetime.now(UTC)
    )
    assert fired == "stale"
    assert runs(user.uid) == []


def test_deleting_a_workflow_removes_its_schedule_in_the_same_transaction(
    user: emu.User,
) -> None:
    saved = save(user, [{"type": "schedule", "cron": "0 9 * * *", "timezone": "UTC"}])
    assert armed(user.uid, saved["id"]) is not None
    assert emu.call("delete_workflow", {"id": saved["id"]}, user.id_token).status == "OK"
    assert armed(user.uid, saved["id"]) is None

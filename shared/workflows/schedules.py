"""Schedule triggers: each run is a timer (`shared.platform.timers`) at its cron time.

`_schedules/{server_key(uid, wid)}` (server-only) is the timer's record: cron, time zone
and `nextFireAt`. Arming queues a task on the `fireschedule` queue named from
(uid/wid, time), so arming the same time twice makes one task. When the task fires it
starts the run (execution id derived from the fire time: a duplicate delivery starts
nothing new), arms the next time, then moves `nextFireAt` on. A task whose time is no
longer `nextFireAt` (the schedule changed or was removed) does nothing. Missed times are
not caught up: a chain the sweeper finds broken is re-armed from now.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import AuraError, NotFound
from shared.platform import logs, timers
from shared.platform.cloud_tasks import Enqueuer
from shared.workflows.cron import next_fire
from shared.workflows.executions import RunWorkflow, WorkflowServices, start_execution
from shared.workflows.models import Definition, ScheduleTrigger, WorkflowDoc
from shared.workflows.repository import SCHEDULES, schedule_ref, workflow_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

SCHEDULE_QUEUE = "fireschedule"
BROKEN_AFTER = timers.BROKEN_AFTER
RETRY_REPAIR_AFTER = timers.RETRY_REPAIR_AFTER


class FireTask(BaseModel):
    """The Cloud Tasks payload of one scheduled run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str = Field(min_length=1, max_length=128)
    workflow_id: str = Field(min_length=1, max_length=128)
    fire_at: datetime


def schedule_of(workflow: Definition | None) -> ScheduleTrigger | None:
    """The schedule trigger that runs, if any: active workflows only."""
    if workflow is None or workflow.status != "active":
        return None
    return next((t for t in workflow.triggers if isinstance(t, ScheduleTrigger)), None)


def sync(
    *,
    db: Client,
    enqueuer: Enqueuer,
    uid: str,
    workflow_id: str,
    workflow: Definition | None,
    now: datetime,
) -> datetime | None:
    """Arm the workflow's schedule after a save (`workflow` is the saved definition), or
    disarm it (None: deleted; or draft, archived, no schedule trigger). Idempotent.
    Returns the next fire time, or None."""
    ref = schedule_ref(db, uid, workflow_id)
    trigger = schedule_of(workflow)
    if trigger is None:
        ref.delete()
        return None
    at = next_fire(trigger.cron, trigger.timezone, now)
    _arm(enqueuer, uid, workflow_id, at)
    ref.set(_record(uid, workflow_id, trigger, at, now))
    return at


def arm_before_save(
    *, enqueuer: Enqueuer, uid: str, workflow_id: str, workflow: Definition, now: datetime
) -> dict[str, Any] | None:
    """Queue the first run of the schedule a save is about to store, and return the
    `_schedules` document the save writes in its own transaction (None: no schedule, so
    the save deletes it).

    The task goes first: should the save then fail, the task finds no schedule holding
    its time when it fires and does nothing; should the task fail to queue, nothing is
    saved. So a save never leaves a stored schedule without its task (or the reverse).
    """
    trigger = schedule_of(workflow)
    if trigger is None:
        return None
    at = next_fire(trigger.cron, trigger.timezone, now)
    _arm(enqueuer, uid, workflow_id, at)
    return _record(uid, workflow_id, trigger, at, now)


def sync_stored(
    *, db: Client, enqueuer: Enqueuer, uid: str, workflow_id: str, now: datetime
) -> datetime | None:
    """`sync` with the workflow as stored now (the sweeper's view)."""
    stored = workflow_ref(db, uid, workflow_id).get()
    workflow = WorkflowDoc.model_validate(stored.to_dict()) if stored.exists else None
    return sync(
        db=db, enqueuer=enqueuer, uid=uid, workflow_id=workflow_id, workflow=workflow, now=now
    )


def _record(
    uid: str, workflow_id: str, trigger: ScheduleTrigger, at: datetime, now: datetime
) -> dict[str, Any]:
    return timers.record(
        at=at,
        now=now,
        uid=uid,
        workflowId=workflow_id,
        cron=trigger.cron,
        timezone=trigger.timezone,
    )


def _arm(enqueuer: Enqueuer, uid: str, workflow_id: str, at: datetime) -> None:
    task = FireTask(uid=uid, workflow_id=workflow_id, fire_at=at)
    timers.enqueue(
        enqueuer,
        queue=SCHEDULE_QUEUE,
        key=f"{uid}/{workflow_id}",
        at=at,
        payload=task.model_dump(mode="json"),
    )


def run_id(uid: str, workflow_id: str, fire_at: datetime) -> str:
    """The execution id of one scheduled run: the same for every delivery of its task."""
    return hashlib.sha256(f"{uid}/{workflow_id}@{fire_at.isoformat()}".encode()).hexdigest()[:20]


def fire(*, rt: WorkflowServices, task: FireTask, now: datetime) -> str:
    """Start the run for `task` and arm the next one. Returns "fired", "stale" (the
    schedule moved on or was removed) or "skipped" (the run could not start)."""
    ref = schedule_ref(rt.db, task.uid, task.workflow_id)
    armed = timers.armed_for(ref.get(), task.fire_at)
    if armed is None:
        return "stale"
    outcome = "fired"
    try:
        start_execution(
            rt=rt,
            uid=task.uid,
            command=RunWorkflow(
                workflow_id=task.workflow_id, input={"fireAt": task.fire_at.isoformat()}
            ),
            trigger={"type": "schedule", "fireAt": task.fire_at, "cron": armed["cron"]},
            now=now,
            execution_id=run_id(task.uid, task.workflow_id, task.fire_at),
        )
    except NotFound:
        ref.delete()  # the workflow is gone: so is its schedule
        return "stale"
    except AuraError as exc:  # e.g. too many runs still going: this time is skipped
        logs.warning("scheduled run skipped", workflowId=task.workflow_id, error=exc.message)
        outcome = "skipped"
    following = next_fire(armed["cron"], armed["timezone"], max(task.fire_at, now))
    _arm(rt.enqueuer, task.uid, task.workflow_id, following)  # before moving on: a retry re-arms
    timers.move_on(rt.db, ref, fired_at=task.fire_at, following=following)
    return outcome


def repair_chains(*, rt: WorkflowServices, now: datetime, limit: int = 200) -> dict[str, int]:
    """Re-arm schedules whose armed time passed without firing (a lost task), each on
    its own (`timers.repair`): from the workflow as stored now, or removed when it no
    longer has a schedule.

    Returns:
        {"repaired": re-armed or removed; "errors": failed, tried again later}.
    """

    def resync(record: dict[str, Any]) -> datetime | None:
        return sync_stored(
            db=rt.db,
            enqueuer=rt.enqueuer,
            uid=record["uid"],
            workflow_id=record["workflowId"],
            now=now,
        )

    return timers.repair(rt.db, collection=SCHEDULES, now=now, repair_one=resync, limit=limit)

"""Schedule triggers: each run is a timer (`shared.platform.timers`) of kind "schedule".

`_schedules/{server_key(uid, wid)}` (server-only) is the timer's record: uid, workflow
id, cron, time zone and `nextFireAt`. Arming queues a `firetimer` task named from
(record, time), so arming the same time twice makes one task. When it fires, `on_fire`
starts the run (execution id derived from the fire time: a duplicate delivery starts
nothing new) and names the next cron time, which the timer arms before moving on. A
task whose time is no longer `nextFireAt` (the schedule changed or was removed) does
nothing. Missed times are not caught up: a chain the sweeper finds broken is re-armed
from now.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import AuraError, NotFound
from shared.ids import server_key
from shared.platform import logs, timers
from shared.platform.cloud_tasks import Enqueuer
from shared.platform.timers import Fired, TimerKind
from shared.workflows.cron import next_fire
from shared.workflows.executions import RunWorkflow, WorkflowServices, start_execution
from shared.workflows.models import Definition, ScheduleTrigger, WorkflowDoc
from shared.workflows.repository import SCHEDULES, schedule_ref, workflow_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

KIND = "schedule"
RETRY_REPAIR_AFTER = timers.RETRY_REPAIR_AFTER


def timer_id(uid: str, workflow_id: str) -> str:
    """The id of a workflow's schedule record (and of its timer)."""
    return server_key(uid, workflow_id)


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
    ref.set(_arm(enqueuer, uid=uid, workflow_id=workflow_id, trigger=trigger, at=at, now=now))
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
    return _arm(enqueuer, uid=uid, workflow_id=workflow_id, trigger=trigger, at=at, now=now)


def sync_stored(
    *, db: Client, enqueuer: Enqueuer, uid: str, workflow_id: str, now: datetime
) -> datetime | None:
    """`sync` with the workflow as stored now (the sweeper's view)."""
    stored = workflow_ref(db, uid, workflow_id).get()
    workflow = WorkflowDoc.model_validate(stored.to_dict()) if stored.exists else None
    return sync(
        db=db, enqueuer=enqueuer, uid=uid, workflow_id=workflow_id, workflow=workflow, now=now
    )


def _arm(
    enqueuer: Enqueuer,
    *,
    uid: str,
    workflow_id: str,
    trigger: ScheduleTrigger,
    at: datetime,
    now: datetime,
) -> dict[str, Any]:
    return timers.arm(
        enqueuer,
        kind=KIND,
        record_id=timer_id(uid, workflow_id),
        at=at,
        now=now,
        uid=uid,
        workflowId=workflow_id,
        cron=trigger.cron,
        timezone=trigger.timezone,
    )


def run_id(uid: str, workflow_id: str, fire_at: datetime) -> str:
    """The execution id of one scheduled run: the same for every delivery of its task."""
    return hashlib.sha256(f"{uid}/{workflow_id}@{fire_at.isoformat()}".encode()).hexdigest()[:20]


def timer_kind(rt: WorkflowServices) -> TimerKind:
    """Schedules as a timer kind: what a fire does and how a lost chain is re-armed."""

    def on_fire(record_id: str, record: dict[str, Any], at: datetime, now: datetime) -> Fired:
        return fire(rt=rt, record=record, fire_at=at, now=now)

    def on_repair(record_id: str, record: dict[str, Any], now: datetime) -> datetime | None:
        return sync_stored(
            db=rt.db,
            enqueuer=rt.enqueuer,
            uid=record["uid"],
            workflow_id=record["workflowId"],
            now=now,
        )

    return TimerKind(name=KIND, collection=SCHEDULES, on_fire=on_fire, on_repair=on_repair)


def fire(
    *, rt: WorkflowServices, record: dict[str, Any], fire_at: datetime, now: datetime
) -> Fired:
    """Start the run armed for `fire_at` and name the next time. Outcomes: "fired",
    "skipped" (the run could not start, e.g. too many runs going; the chain goes on) or
    "stale" (the workflow is gone: so is its schedule)."""
    uid, workflow_id = record["uid"], record["workflowId"]
    outcome = "fired"
    try:
        start_execution(
            rt=rt,
            uid=uid,
            command=RunWorkflow(workflow_id=workflow_id, input={"fireAt": fire_at.isoformat()}),
            trigger={"type": "schedule", "fireAt": fire_at, "cron": record["cron"]},
            now=now,
            execution_id=run_id(uid, workflow_id, fire_at),
        )
    except NotFound:
        return Fired("stale")
    except AuraError as exc:  # e.g. too many runs still going: this time is skipped
        logs.warning("scheduled run skipped", workflowId=workflow_id, error=exc.message)
        outcome = "skipped"
    return Fired(outcome, next_fire(record["cron"], record["timezone"], max(fire_at, now)))

"""Schedule triggers: each run is a named Cloud Task at its cron time.

`_schedules/{server_key(uid, wid)}` (server-only) holds a workflow's armed schedule: cron, time zone
and `nextFireAt`. Arming enqueues a task on the `fireschedule` queue named by
`fire_key(uid/wid, time)`, so arming the same time twice makes one task. When the task
fires it starts the run (execution id derived from the fire time: a duplicate delivery
starts nothing new), arms the next time, then moves `nextFireAt` on. A task whose time
is no longer `nextFireAt` (the schedule changed or was removed) does nothing. Missed
times are not caught up: a chain the sweeper finds broken is re-armed from now.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import AuraError, NotFound
from shared.ids import server_key
from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer
from shared.workflows.cron import fire_key, next_fire
from shared.workflows.executions import Runtime, RunWorkflow, start_execution
from shared.workflows.models import Definition, ScheduleTrigger, WorkflowDoc

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

SCHEDULE_QUEUE = "fireschedule"
SCHEDULES = "_schedules"
# An armed time this far in the past means its task was lost: the sweeper re-arms.
BROKEN_AFTER = timedelta(minutes=2)
# A schedule the sweeper failed to repair is tried again this much later.
RETRY_REPAIR_AFTER = timedelta(minutes=15)


class FireTask(BaseModel):
    """The Cloud Tasks payload of one scheduled run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str = Field(min_length=1, max_length=128)
    workflow_id: str = Field(min_length=1, max_length=128)
    fire_at: datetime


def schedule_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(SCHEDULES).document(server_key(uid, workflow_id))
    return ref


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
    ref.set(
        {
            "uid": uid,
            "workflowId": workflow_id,
            "cron": trigger.cron,
            "timezone": trigger.timezone,
            "nextFireAt": at,
            "armedAt": now,
        }
    )
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
    return {
        "uid": uid,
        "workflowId": workflow_id,
        "cron": trigger.cron,
        "timezone": trigger.timezone,
        "nextFireAt": at,
        "armedAt": now,
    }


def sync_stored(
    *, db: Client, enqueuer: Enqueuer, uid: str, workflow_id: str, now: datetime
) -> datetime | None:
    """`sync` with the workflow as stored now (the sweeper's view)."""
    from shared.workflows.service import workflow_ref

    stored = workflow_ref(db, uid, workflow_id).get()
    workflow = WorkflowDoc.model_validate(stored.to_dict()) if stored.exists else None
    return sync(
        db=db, enqueuer=enqueuer, uid=uid, workflow_id=workflow_id, workflow=workflow, now=now
    )


def _arm(enqueuer: Enqueuer, uid: str, workflow_id: str, at: datetime) -> None:
    task = FireTask(uid=uid, workflow_id=workflow_id, fire_at=at)
    enqueuer.enqueue(
        SCHEDULE_QUEUE,
        task.model_dump(mode="json"),
        name=fire_key(f"{uid}/{workflow_id}", at),
        at=at,
    )


def run_id(uid: str, workflow_id: str, fire_at: datetime) -> str:
    """The execution id of one scheduled run: the same for every delivery of its task."""
    return hashlib.sha256(f"{uid}/{workflow_id}@{fire_at.isoformat()}".encode()).hexdigest()[:20]


def fire(*, rt: Runtime, task: FireTask, now: datetime) -> str:
    """Start the run for `task` and arm the next one. Returns "fired", "stale" (the
    schedule moved on or was removed) or "skipped" (the run could not start)."""
    from google.cloud import firestore

    ref = schedule_ref(rt.db, task.uid, task.workflow_id)
    armed = ref.get().to_dict()
    if armed is None or armed["nextFireAt"] != task.fire_at:
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

    @firestore.transactional
    def move_on(transaction: Any) -> None:
        current = (ref.get(transaction=transaction).to_dict() or {}).get("nextFireAt")
        if current == task.fire_at:  # unless a save re-armed it meanwhile
            transaction.update(ref, {"nextFireAt": following, "lastFiredAt": task.fire_at})

    move_on(rt.db.transaction())
    return outcome


def repair_chains(*, rt: Runtime, now: datetime, limit: int = 200) -> dict[str, int]:
    """Re-arm schedules whose armed time passed without firing (a lost task).

    Each schedule is repaired on its own: one that fails (a corrupt document, a workflow
    that no longer validates, Cloud Tasks refusing) is logged, counted and put back
    `RETRY_REPAIR_AFTER` (so the oldest failures cannot fill every sweep's `limit`),
    and the others go on.

    Returns:
        {"repaired": re-armed, or removed when the workflow no longer has a schedule;
        "errors": failed, to be tried again by a later sweep}.
    """
    from google.cloud.firestore import FieldFilter

    broken = (
        rt.db.collection(SCHEDULES)
        .where(filter=FieldFilter("nextFireAt", "<", now - BROKEN_AFTER))
        .limit(limit)
        .stream()
    )
    counts = {"repaired": 0, "errors": 0}
    for snapshot in broken:
        try:
            data = snapshot.to_dict() or {}
            uid, workflow_id = data["uid"], data["workflowId"]
            at = sync_stored(
                db=rt.db, enqueuer=rt.enqueuer, uid=uid, workflow_id=workflow_id, now=now
            )
        except Exception as exc:  # one bad schedule must not stop the repair of the others
            error = repr(exc)[:500]
            logs.error("schedule chain repair failed", schedule=snapshot.id, error=error)
            counts["errors"] += 1
            with contextlib.suppress(Exception):  # if this fails too, the next sweep retries
                snapshot.reference.update(
                    {"nextFireAt": now + RETRY_REPAIR_AFTER, "repairError": error}
                )
            continue
        logs.warning("schedule chain repaired", workflowId=workflow_id, nextFireAt=str(at))
        counts["repaired"] += 1
    return counts

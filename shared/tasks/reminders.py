"""Task reminders: each is a timer (`shared.platform.timers`) of kind "taskreminder".

`_taskReminders/{server_key(uid, tid)}` (server-only) is the timer's record: uid, task
id and `nextFireAt` (= the task's `remindAt`). A save arms it inside its transaction
(`arm_for`: the task is queued first, the record written by the save) or deletes it
(no reminder, reminder passed, task done); `delete_task` deletes it. When it fires,
`on_fire` reads the task again: a task that still wants a reminder at exactly that
instant gets one notification (id derived from task and instant, so a redelivery
notifies once); a task moved, done or deleted gets none ("stale"). A reminder is one
shot: a recurring task's next reminder belongs to its next occurrence, which its
creation arms. `rearm_floating` moves floating tasks (and their reminders) after the
user's zone changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.ids import server_key
from shared.localtime import describe
from shared.notifications import service as notifications
from shared.platform import timers
from shared.platform.timers import Fired, TimerKind
from shared.tasks.models import TaskDoc, instants
from shared.tasks.repository import (
    TASK_REMINDERS,
    reminder_id,
    reminder_records,
    reminder_ref,
    task_ref,
    tasks_of,
    user_zone,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

    from shared.platform.cloud_tasks import Enqueuer

KIND = "taskreminder"
# A reminder whose task was lost is still delivered (by the sweeper) up to this late;
# later than that it is dropped: a day-old "call Bob at 3" helps nobody.
MAX_LATE = timedelta(hours=24)
# The most tasks a zone change re-derives (= the per-user limit on tasks).
MAX_REFLOAT = 5_000


def wanted_at(task: TaskDoc, now: datetime) -> datetime | None:
    """When the task wants its reminder: its `remindAt` when it is ahead and the task is
    not done, else None."""
    if task.remind_at is None or task.status == "done" or task.remind_at <= now:
        return None
    return task.remind_at


def arm_for(
    enqueuer: Enqueuer, *, uid: str, task_id: str, task: TaskDoc, now: datetime
) -> dict[str, Any] | None:
    """Queue the reminder `task` wants and return its record for the caller to write in
    its own transaction (None: no reminder wanted, so the caller deletes the record)."""
    at = wanted_at(task, now)
    if at is None:
        return None
    return timers.arm(
        enqueuer,
        kind=KIND,
        record_id=reminder_id(uid, task_id),
        at=at,
        now=now,
        uid=uid,
        taskId=task_id,
    )


def notification_id(task_id: str, at: datetime) -> str:
    """The inbox id of the reminder of `task_id` at `at` (the same for every delivery)."""
    return server_key(KIND, task_id, at.astimezone(UTC).isoformat())


def body_of(task: TaskDoc, at: datetime, zone: str) -> str:
    """ "Due Fri 5 Dec 2026, 15:00 Europe/Berlin", in the zone the due is read in."""
    if task.due is not None and task.due_at is not None:
        shown_in = task.due.timezone or zone
        return f"Due {describe(task.due_at, shown_in, all_day=task.due.all_day)}"
    shown_in = (task.remind.timezone if task.remind else None) or zone
    return f"Reminder for {describe(at, shown_in)}"


def deliver(
    db: Client, *, uid: str, task_id: str, task: TaskDoc, at: datetime, zone: str, now: datetime
) -> str:
    """Put the reminder in the user's inbox, once per (task, instant)."""
    return notifications.notify_once(
        db=db,
        uid=uid,
        notification_id=notification_id(task_id, at),
        title=task.title,
        body=body_of(task, at, zone),
        kind="reminder",
        link=f"/tasks?task={task_id}",
        now=now,
    )


def _load(
    db: Client, uid: str, task_id: str, transaction: Transaction | None = None
) -> TaskDoc | None:
    snapshot = task_ref(db, uid, task_id).get(transaction=transaction)
    return TaskDoc.model_validate(snapshot.to_dict()) if snapshot.exists else None


def fire(db: Client, *, record: dict[str, Any], at: datetime, now: datetime) -> Fired:
    """Deliver the reminder armed for `at` if the task still wants it at exactly that
    instant: "fired"; else (moved, done, deleted) nothing: "stale". Never a next time."""
    uid, task_id = record["uid"], record["taskId"]
    task = _load(db, uid, task_id)
    if task is None or task.status == "done" or task.remind_at != at:
        return Fired("stale", None)
    deliver(db, uid=uid, task_id=task_id, task=task, at=at, zone=user_zone(db, uid), now=now)
    return Fired("fired", None)


def repair(db: Client, enqueuer: Enqueuer, *, uid: str, task_id: str, now: datetime) -> str:
    """Bring a reminder whose task was lost back in line with the task as stored now, in
    one transaction: re-armed ("rearmed"), delivered late when it passed less than
    MAX_LATE ago ("late"), or dropped ("dropped")."""
    from google.cloud import firestore

    record_ref = reminder_ref(db, uid, task_id)

    @firestore.transactional
    def apply(transaction: Transaction) -> str:
        task = _load(db, uid, task_id, transaction)
        zone = user_zone(db, uid, transaction)
        record = arm_for(enqueuer, uid=uid, task_id=task_id, task=task, now=now) if task else None
        if record is not None:
            transaction.set(record_ref, record)
            return "rearmed"
        outcome = "dropped"
        if (
            task is not None
            and task.remind_at is not None
            and task.status != "done"
            and now - task.remind_at <= MAX_LATE
        ):
            # Idempotent by its id, so a retried transaction notifies once.
            deliver(db, uid=uid, task_id=task_id, task=task, at=task.remind_at, zone=zone, now=now)
            outcome = "late"
        transaction.delete(record_ref)
        return outcome

    outcome: str = apply(db.transaction())
    return outcome


def timer_kind(db: Client, enqueuer: Enqueuer) -> TimerKind:
    """Task reminders as a timer kind: what a fire does and how a lost one is repaired."""

    def on_fire(record_id: str, record: dict[str, Any], at: datetime, now: datetime) -> Fired:
        return fire(db, record=record, at=at, now=now)

    def on_repair(record_id: str, record: dict[str, Any], now: datetime) -> str:
        if "uid" not in record or "taskId" not in record:  # nothing to go on: drop it
            reminder_records(db).document(record_id).delete()
            return "dropped"
        return repair(db, enqueuer, uid=record["uid"], task_id=record["taskId"], now=now)

    return TimerKind(name=KIND, collection=TASK_REMINDERS, on_fire=on_fire, on_repair=on_repair)


def rearm_floating(
    *, db: Client, enqueuer: Enqueuer, uid: str, user_zone: str, now: datetime
) -> int:
    """After the user's zone changed to `user_zone`: re-derive `dueAt`/`remindAt` of each
    of their floating tasks (a time without its own zone) and re-arm or disarm its
    reminder to match.

    Each task is written with its record in one batch, on the condition that the task has
    not changed since it was read: a save in between already used the new zone (it reads
    the profile in its transaction), so that task is skipped. Idempotent: a task whose
    instants are already right is not written.

    Returns:
        How many reminders were armed.
    """
    from google.api_core.exceptions import FailedPrecondition
    from google.cloud.firestore import FieldFilter

    armed = 0
    floating = (
        tasks_of(db, uid).where(filter=FieldFilter("floating", "==", True)).limit(MAX_REFLOAT)
    )
    for snapshot in floating.stream():
        task = TaskDoc.model_validate(snapshot.to_dict() or {})
        due_at, remind_at = instants(task.due, task.remind, user_zone)
        if (due_at, remind_at) == (task.due_at, task.remind_at):
            continue
        moved = task.model_copy(update={"due_at": due_at, "remind_at": remind_at})
        record = arm_for(enqueuer, uid=uid, task_id=snapshot.id, task=moved, now=now)
        batch = db.batch()
        batch.update(
            snapshot.reference,
            {"dueAt": due_at, "remindAt": remind_at},
            option=db.write_option(last_update_time=snapshot.update_time),
        )
        record_ref = reminder_ref(db, uid, snapshot.id)
        if record is not None:
            batch.set(record_ref, record)
        else:
            batch.delete(record_ref)
        try:
            batch.commit()
        except FailedPrecondition:  # saved meanwhile, with the new zone
            continue
        armed += record is not None
    return armed

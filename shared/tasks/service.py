"""To-dos: save (create or replace, versioned), complete (a recurring task's next
occurrence, once), delete; and `create_once` for workflow `task` nodes.

Each save is one transaction over the task, the user's profile (their zone), the next
occurrence when a recurring task is completed, and the task's reminder record
(`shared.tasks.reminders`), whose Cloud Task is queued inside the transaction before it
commits: a failed commit leaves a task that finds no record (harmless), never a record
without its task.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from shared.errors import (
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
    stale_version,
)
from shared.ids import server_key
from shared.localtime import WallTime, next_instant, occurrences
from shared.tasks import reminders
from shared.tasks.models import (
    MAX_NOTES_CHARS,
    MAX_TITLE_CHARS,
    DeleteTask,
    DeleteTaskResult,
    SaveTask,
    SaveTaskResult,
    TaskDoc,
    floats,
    instants,
)
from shared.tasks.repository import reminder_ref, task_ref, tasks_of, user_zone

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

    from shared.platform.cloud_tasks import Enqueuer

T = TypeVar("T")

MAX_TASKS_PER_USER = 5_000
CONTENDED_ATTEMPTS = 5
# Cloud Tasks carries a time at most ~11.9 years ahead (by hops); a reminder is kept
# well inside that.
MAX_REMIND_AHEAD = timedelta(days=10 * 365)
# Fields a save compares to tell a repeated save (which changes nothing) from an edit.
_BOOKKEEPING = frozenset({"version", "updatedAt"})
_COUNT = re.compile(r"(^|;)COUNT=(\d+)(?=;|$)")


# --- pure rules ------------------------------------------------------------------------


def completed_at(
    *, stored_status: str | None, stored_completed_at: datetime | None, status: str, now: datetime
) -> datetime | None:
    """`completedAt`: set when the status becomes done, kept while it stays done, cleared
    when it leaves done."""
    if status != "done":
        return None
    if stored_status == "done" and stored_completed_at is not None:
        return stored_completed_at
    return now


@dataclass(frozen=True)
class Occurrence:
    """The next task of a series: its due, its reminder and the rule it carries on."""

    due: WallTime
    remind: WallTime | None
    recurrence: str


def next_occurrence(
    *, due: WallTime, remind: WallTime | None, recurrence: str, user_zone: str
) -> Occurrence | None:
    """The occurrence after `due` (None: the series has ended, by COUNT or UNTIL).

    Computed on the wall clock in the due's zone (its own, or the user's when it floats),
    so a weekly 09:00 stays 09:00 local across a DST change; the reminder moves by the
    same wall-clock step. A COUNT is carried on as what is left of it, so a series of
    five makes four more tasks, whichever task is completed when.
    """
    start = due.wall()
    found = next_instant(recurrence, start, due.zone(user_zone), after=due.instant(user_zone))
    if found is None:
        return None
    wall, _ = found
    step = wall - start
    rule = recurrence
    count = _COUNT.search(rule)
    if count is not None:
        # Occurrences this task's rule had before the next one (this one, normally).
        used = 0
        for earlier in occurrences(rule, start, after=start - timedelta(seconds=1)):
            if earlier >= wall:
                break
            used += 1
        left = int(count.group(2)) - used
        if left < 1:  # pragma: no cover - next_instant found one, so one is left
            return None
        rule = _COUNT.sub(lambda m: f"{m.group(1)}COUNT={left}", rule)
    try:
        next_due = WallTime(
            date=wall.date(),
            time=None if due.all_day else wall.strftime("%H:%M"),
            timezone=due.timezone,
        )
        next_remind = None
        if remind is not None:
            moved = remind.wall() + step
            next_remind = WallTime(
                date=moved.date(), time=moved.strftime("%H:%M"), timezone=remind.timezone
            )
    except ValidationError:  # past the last date a time may have: the series ends
        return None
    return Occurrence(due=next_due, remind=next_remind, recurrence=rule)


def next_task_id(series_id: str, due: WallTime) -> str:
    """The id of a series' task due at `due`: the same for every completion that makes
    it, so a retried or concurrent completion creates it once."""
    return server_key("task-series", series_id, due.wall().isoformat())


def _same_content(stored: dict[str, Any], doc: dict[str, Any]) -> bool:
    keep = stored.keys() | doc.keys()
    return all(stored.get(k) == doc.get(k) for k in keep - _BOOKKEEPING)


# --- save and delete -------------------------------------------------------------------


def save_task(
    *, db: Client, enqueuer: Enqueuer, uid: str, command: SaveTask, now: datetime
) -> SaveTaskResult:
    """Create or replace one of the caller's tasks, in one transaction with its reminder.

    The stored version is read and a stale `expectedVersion` refused; the instants are
    derived in the user's zone; `completedAt` follows the status; a save that changes
    nothing writes nothing (a retried create with a client-chosen id is a no-op). When
    the save completes a recurring task, its next occurrence is created under an id
    derived from (series, next due), once. The reminder is armed when the task has one
    ahead and is not done, else disarmed.

    Returns:
        The id, the version now stored, the instants, and the next occurrence's id.

    Raises:
        InvalidArgument: `remind` more than MAX_REMIND_AHEAD ahead (`field`: remind).
        FailedPrecondition: `expectedVersion` is not the stored version (0: none stored);
            details {reason, expected, current}.
        ResourceExhausted: the user already keeps MAX_TASKS_PER_USER tasks.
    """
    from google.cloud import firestore

    ref = task_ref(db, uid, command.id) if command.id else tasks_of(db, uid).document()
    task_id = ref.id
    record_ref = reminder_ref(db, uid, task_id)

    @firestore.transactional
    def apply(transaction: Transaction) -> SaveTaskResult:
        snapshot = ref.get(transaction=transaction)
        raw: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
        stored = TaskDoc.model_validate(raw) if raw is not None else None
        current = (stored.version or 1) if stored else 0  # create_once docs have none
        if command.expected_version is not None and command.expected_version != current:
            raise stale_version("Task", task_id, expected=command.expected_version, current=current)
        zone = user_zone(db, uid, transaction)
        due_at, remind_at = instants(command.due, command.remind, zone)
        if remind_at is not None and remind_at - now > MAX_REMIND_AHEAD:
            raise InvalidArgument(
                f"remind: a reminder can be at most {MAX_REMIND_AHEAD.days} days ahead",
                field="remind",
            )
        series_id = (stored.series_id if stored else None) or (
            task_id if command.recurrence else None
        )
        following = None
        if command.status == "done" and command.recurrence and command.due and series_id:
            following = next_occurrence(
                due=command.due,
                remind=command.remind,
                recurrence=command.recurrence,
                user_zone=zone,
            )
        next_ref = None
        if following is not None and series_id is not None:
            next_ref = task_ref(db, uid, next_task_id(series_id, following.due))
        next_exists = bool(next_ref and next_ref.get(transaction=transaction).exists)
        completing = command.status == "done" and (stored is None or stored.status != "done")
        create_next = next_ref is not None and completing and not next_exists
        _check_room(db, uid, transaction, adding=(stored is None) + create_next)

        doc = TaskDoc(
            title=command.title,
            notes=command.notes,
            status=command.status,
            priority=command.priority,
            due=command.due,
            due_at=due_at,
            remind=command.remind,
            remind_at=remind_at,
            tags=list(command.tags),
            recurrence=command.recurrence,
            series_id=series_id,
            previous_id=stored.previous_id if stored else None,
            floating=floats(command.due, command.remind),
            version=current + 1,
            created_at=(stored.created_at if stored else None) or now,
            updated_at=now,
            completed_at=completed_at(
                stored_status=stored.status if stored else None,
                stored_completed_at=stored.completed_at if stored else None,
                status=command.status,
                now=now,
            ),
            origin=stored.origin if stored else None,
        )
        data = doc.to_firestore()
        unchanged = raw is not None and _same_content(raw, data)
        # Queued before anything is written (and so before the commit).
        record = reminders.arm_for(enqueuer, uid=uid, task_id=task_id, task=doc, now=now)
        next_doc = next_record = None
        if create_next and following and next_ref:
            next_doc = _next_task(doc, following, previous_id=task_id, zone=zone, now=now)
            next_record = reminders.arm_for(
                enqueuer, uid=uid, task_id=next_ref.id, task=next_doc, now=now
            )

        if stored is None:
            transaction.create(ref, data)
        elif not unchanged:
            transaction.set(ref, data)
        if record is not None:
            transaction.set(record_ref, record)
        else:
            transaction.delete(record_ref)
        if next_doc is not None and next_ref is not None:
            transaction.create(next_ref, next_doc.to_firestore())
            if next_record is not None:
                transaction.set(reminder_ref(db, uid, next_ref.id), next_record)
        return SaveTaskResult(
            id=task_id,
            version=current if unchanged else doc.version,
            due_at=due_at,
            remind_at=remind_at,
            next_id=next_ref.id if next_ref and (create_next or next_exists) else None,
        )

    result: SaveTaskResult = _in_transaction(db, apply)
    return result


def delete_task(*, db: Client, uid: str, command: DeleteTask) -> DeleteTaskResult:
    """Delete one of the caller's tasks and disarm its reminder, in one transaction (a
    queued reminder then finds no record and does nothing).

    Idempotent: a task that does not exist (never did, already deleted, or someone
    else's id) changes nothing and answers `deleted: false`, whatever `expectedVersion`.

    Raises:
        FailedPrecondition: the task exists and `expectedVersion` is not its version.
    """
    from google.cloud import firestore

    ref = task_ref(db, uid, command.id)
    record_ref = reminder_ref(db, uid, command.id)

    @firestore.transactional
    def apply(transaction: Transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            transaction.delete(record_ref)
            return False
        current = int((snapshot.to_dict() or {}).get("version") or 1)
        if command.expected_version is not None and command.expected_version != current:
            raise stale_version(
                "Task", command.id, expected=command.expected_version, current=current
            )
        transaction.delete(ref)
        transaction.delete(record_ref)
        return True

    deleted: bool = _in_transaction(db, apply)
    return DeleteTaskResult(deleted=deleted)


def _in_transaction(db: Client, apply: Callable[[Transaction], T]) -> T:
    """Run the transactional `apply`, again from the start when Firestore aborts it in a
    read (two saves of one task at once: the client library retries only an aborted
    commit). Every run re-reads, so the second completion of a task sees the first.

    Raises:
        Unavailable: still contended after CONTENDED_ATTEMPTS runs.
    """
    from google.api_core.exceptions import Aborted

    for attempt in range(CONTENDED_ATTEMPTS):
        try:
            return apply(db.transaction())
        except Aborted:
            time.sleep(0.05 * 2**attempt + random.random() * 0.05)  # noqa: S311 (jitter)
    raise Unavailable("This task is being changed elsewhere right now; try again.")


def _check_room(db: Client, uid: str, transaction: Transaction, *, adding: int) -> None:
    if not adding:
        return
    counted = tasks_of(db, uid).count().get(transaction=transaction)  # type: ignore[no-untyped-call]
    if int(counted[0][0].value) + adding > MAX_TASKS_PER_USER:
        raise ResourceExhausted(
            f"You have {MAX_TASKS_PER_USER} tasks, the most one account can keep; delete "
            "some (completed ones too) to add more.",
            details={"limit": "tasks", "max": MAX_TASKS_PER_USER},
        )


def _next_task(
    done: TaskDoc, following: Occurrence, *, previous_id: str, zone: str, now: datetime
) -> TaskDoc:
    due_at, remind_at = instants(following.due, following.remind, zone)
    return TaskDoc(
        title=done.title,
        notes=done.notes,
        status="todo",
        priority=done.priority,
        due=following.due,
        due_at=due_at,
        remind=following.remind,
        remind_at=remind_at,
        tags=list(done.tags),
        recurrence=following.recurrence,
        series_id=done.series_id,
        previous_id=previous_id,
        floating=floats(following.due, following.remind),
        version=1,
        created_at=now,
        updated_at=now,
        completed_at=None,
        origin=None,
    )


# --- workflow `task` nodes -------------------------------------------------------------


def create_once(
    *,
    db: Client,
    uid: str,
    task_id: str,
    title: str,
    notes: str | None,
    priority: int,
    due_at: datetime | None,
    tags: list[str],
    now: datetime,
    origin: dict[str, Any] | None = None,
) -> str:
    """Create the to-do under `task_id` unless it exists (a retried workflow step derives
    the same id). `origin` is the workflow run that created it, if any: the change event
    continues that run's causation chain. Returns the task id."""
    from google.api_core.exceptions import AlreadyExists

    ref = task_ref(db, uid, task_id)
    data = {
        "title": title[:MAX_TITLE_CHARS],
        "notes": notes[:MAX_NOTES_CHARS] if notes else None,
        "status": "todo",
        "priority": priority,
        "dueAt": due_at,
        "remindAt": None,
        "tags": tags,
        "createdAt": now,
        "completedAt": None,
        "origin": origin,
    }
    with contextlib.suppress(AlreadyExists):  # created before: once is enough
        ref.create(data)
    return task_id

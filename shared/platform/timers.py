"""Timers: "run this at that time, once, surviving lost tasks", for any feature.

A timer is a record document (in a server-only collection of the feature's choosing)
whose `nextFireAt` is the time it is armed for, and one Cloud Task per armed time on the
feature's queue, named from (timer key, time):

    arm        queue the task for `at` (a name used before queues nothing), then record
               `nextFireAt` (or hand the record to the caller's transaction: `record`)
    disarm     delete the record; a task still queued finds no record and does nothing
    fire       when the task runs: `armed_for` says whether the record still holds its
               time (a stale task does nothing); the feature does its work, arms the next
               time if any, then `move_on` advances the record, unless a re-arm moved it
    repair     the sweeper: records whose time passed more than BROKEN_AFTER ago lost their
               task; each is repaired on its own (the feature re-arms from now or drops
               it), and one that fails is logged and tried again RETRY_REPAIR_AFTER later

The task is always queued before the record is written, so a failure in between leaves
a task that finds no record (harmless), never a record with no task. Times beyond Cloud
Tasks' 30-day horizon hop by themselves (`cloud_tasks.CloudTasks`). Workflow schedules
use it first (`shared/workflows/schedules.py`); reminders and briefings only add their
record shape, their queue and what to do when one fires.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot

# An armed time this far in the past means its task was lost: the sweeper re-arms.
BROKEN_AFTER = timedelta(minutes=2)
# A timer the sweeper failed to repair is tried again this much later.
RETRY_REPAIR_AFTER = timedelta(minutes=15)


TASK_PREFIX = "sched-"


def task_name(key: str, at: datetime) -> str:
    """The Cloud Tasks id of timer `key` armed for `at`, the same on every call.

    Enqueueing under this id twice creates one task (Cloud Tasks refuses a name it has
    seen recently), so arming the same time twice fires once. Equal instants in any zone
    give one id; it is a hash, so ids are not sequential (sequential names slow Cloud
    Tasks down): `sched-` and 40 hex digits.

    Raises:
        ValueError: `at` is naive.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware")
    instant = at.astimezone(UTC).isoformat()
    return TASK_PREFIX + hashlib.sha256(f"{key}:{instant}".encode()).hexdigest()[:40]


def enqueue(
    enqueuer: Enqueuer, *, queue: str, key: str, at: datetime, payload: dict[str, Any]
) -> None:
    """Queue the task that fires timer `key` at `at` (once, however often it is asked)."""
    enqueuer.enqueue(queue, payload, name=task_name(key, at), at=at)


def record(*, at: datetime, now: datetime, **fields: Any) -> dict[str, Any]:
    """The record of a timer armed for `at`, with the feature's own fields."""
    return {**fields, "nextFireAt": at, "armedAt": now}


def armed_for(snapshot: DocumentSnapshot[Any], at: datetime) -> dict[str, Any] | None:
    """The record, when it still holds `at` (else the task is stale: None)."""
    data: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
    if data is None or data.get("nextFireAt") != at:
        return None
    return data


def move_on(db: Client, ref: DocumentReference, *, fired_at: datetime, following: datetime) -> None:
    """Advance the record from `fired_at` to `following`, unless it no longer holds
    `fired_at` (a save re-armed or removed it meanwhile)."""
    from google.cloud import firestore

    @firestore.transactional
    def advance(transaction: Any) -> None:
        current = (ref.get(transaction=transaction).to_dict() or {}).get("nextFireAt")
        if current == fired_at:
            transaction.update(ref, {"nextFireAt": following, "lastFiredAt": fired_at})

    advance(db.transaction())


def repair(
    db: Client,
    *,
    collection: str,
    now: datetime,
    repair_one: Callable[[dict[str, Any]], object],
    limit: int = 200,
) -> dict[str, int]:
    """Repair the timers in `collection` whose time passed without firing.

    Args:
        repair_one: re-arms (or drops) one timer from its record; what it returns is
            logged. Anything it raises is caught: that timer is logged, counted, given
            `repairError` and pushed RETRY_REPAIR_AFTER ahead, so the oldest failures
            cannot fill every sweep's `limit`, and the others go on.

    Returns:
        {"repaired": how many were re-armed or dropped, "errors": how many failed}.
    """
    from google.cloud.firestore import FieldFilter

    overdue = (
        db.collection(collection)
        .where(filter=FieldFilter("nextFireAt", "<", now - BROKEN_AFTER))
        .limit(limit)
        .stream()
    )
    counts = {"repaired": 0, "errors": 0}
    for snapshot in overdue:
        try:
            outcome = repair_one(snapshot.to_dict() or {})
        except Exception as exc:  # one bad timer must not stop the repair of the others
            error = repr(exc)[:500]
            logs.error("timer repair failed", collection=collection, timer=snapshot.id, error=error)
            counts["errors"] += 1
            with contextlib.suppress(Exception):  # if this fails too, the next sweep retries
                snapshot.reference.update(
                    {"nextFireAt": now + RETRY_REPAIR_AFTER, "repairError": error}
                )
            continue
        logs.warning("timer repaired", collection=collection, timer=snapshot.id, now=str(outcome))
        counts["repaired"] += 1
    return counts

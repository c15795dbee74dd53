"""Timers: "run this at that time, once, surviving lost tasks", for any feature.

A feature declares a `TimerKind`: the server-only collection its records live in, what to
do when one fires (`on_fire`), and how to re-arm one whose task was lost (`on_repair`).
The composition root lists every kind (`functions/_clients.timer_kinds`); one queue
function (`firetimer`) fires them all and the sweeper repairs them all. A timer is:

    a record   a document `{collection}/{id}` whose `nextFireAt` is the time it is armed
               for, with the feature's own fields beside it
    a task     one Cloud Task per armed time on the `firetimer` queue, payload
               `TimerTask {kind, id, at}`, named from (kind, id, time)

and its life:

    arm        queue the task for `at` (a name used before queues nothing) and return the
               record, which the caller writes (in its own transaction when it has one)
    disarm     delete the record; a task still queued finds no record and does nothing
    fire       `fire`: a task whose time the record no longer holds is stale and does
               nothing; otherwise the kind does its work and names the next time, which
               is armed before the record moves on to it (or, with no next time, the
               record is deleted), unless a save re-armed or removed it meanwhile
    repair     `repair`: records whose time passed more than BROKEN_AFTER ago lost their
               task; each is repaired on its own (the kind re-arms from now or drops it),
               and one that fails is logged and tried again RETRY_REPAIR_AFTER later

The task is always queued before the record is written, so a failure in between leaves
a task that finds no record (harmless), never a record with no task. Times beyond Cloud
Tasks' 30-day horizon hop by themselves (`cloud_tasks.CloudTasks`). `on_fire` must be
idempotent itself (a task is delivered at least once and the kind's work may have been
done by a delivery that died before moving the record on): derive ids from (id, time).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot

# The one queue every timer fires on (letters only: the Tasks emulator ignores others).
TIMER_QUEUE = "firetimer"
# An armed time this far in the past means its task was lost: the sweeper re-arms.
BROKEN_AFTER = timedelta(minutes=2)
# A timer the sweeper failed to repair is tried again this much later.
RETRY_REPAIR_AFTER = timedelta(minutes=15)

TASK_PREFIX = "tmr-"


class TimerTask(BaseModel):
    """The Cloud Tasks payload of one armed time: ids, never the record itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(pattern=r"^[a-z][a-z0-9]{0,31}$")
    id: str = Field(min_length=1, max_length=256)
    at: datetime


@dataclass(frozen=True)
class Fired:
    """What a kind did when its timer fired: an outcome for the logs ("fired",
    "skipped", "stale", ...) and the next time to arm (None: the timer is done)."""

    outcome: str
    following: datetime | None = None


@dataclass(frozen=True)
class TimerKind:
    """One feature's timers.

    Attributes:
        name: the kind in every task payload (lowercase letters and digits).
        collection: the server-only collection of its records (registered in
            `shared.registry.SERVER_COLLECTIONS`).
        on_fire: (record id, record, the armed time, now) -> Fired. Does the work.
        on_repair: (record id, record, now) -> anything loggable. Re-arms the timer from
            what is stored now (`arm` + writing the record), or deletes the record.
    """

    name: str
    collection: str
    on_fire: Callable[[str, dict[str, Any], datetime, datetime], Fired]
    on_repair: Callable[[str, dict[str, Any], datetime], object]


def task_name(key: str, at: datetime) -> str:
    """The Cloud Tasks id of timer `key` armed for `at`, the same on every call.

    Enqueueing under this id twice creates one task (Cloud Tasks refuses a name it has
    seen recently), so arming the same time twice fires once. Equal instants in any zone
    give one id; it is a hash, so ids are not sequential (sequential names slow Cloud
    Tasks down): `tmr-` and 40 hex digits.

    Raises:
        ValueError: `at` is naive.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware")
    instant = at.astimezone(UTC).isoformat()
    return TASK_PREFIX + hashlib.sha256(f"{key}:{instant}".encode()).hexdigest()[:40]


def key_of(kind: str, record_id: str) -> str:
    """The key a timer's task names derive from."""
    return f"{kind}/{record_id}"


def arm(
    enqueuer: Enqueuer, *, kind: str, record_id: str, at: datetime, now: datetime, **fields: Any
) -> dict[str, Any]:
    """Queue the task that fires timer (kind, record_id) at `at`, once however often it is
    asked, and return its record (the feature's `fields`, `nextFireAt`, `armedAt`) for the
    caller to write."""
    task = TimerTask(kind=kind, id=record_id, at=at)
    enqueuer.enqueue(
        TIMER_QUEUE,
        task.model_dump(mode="json"),
        name=task_name(key_of(kind, record_id), at),
        at=at,
    )
    return {**fields, "nextFireAt": at, "armedAt": now}


def armed_for(snapshot: DocumentSnapshot[Any], at: datetime) -> dict[str, Any] | None:
    """The record, when it still holds `at` (else the task is stale: None)."""
    data: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
    if data is None or data.get("nextFireAt") != at:
        return None
    return data


def fire(
    db: Client, enqueuer: Enqueuer, kinds: Mapping[str, TimerKind], task: TimerTask, now: datetime
) -> str:
    """Fire one delivered task: "stale" when its record no longer holds its time,
    "unknown" for a kind nobody declares (acknowledged: retrying cannot help), else what
    the kind's `on_fire` says. Exceptions from `on_fire` propagate, so Cloud Tasks
    retries the task; the record still holds the time, so the retry fires again."""
    kind = kinds.get(task.kind)
    if kind is None:
        logs.error("timer of an unknown kind dropped", kind=task.kind, timer=task.id)
        return "unknown"
    ref = db.collection(kind.collection).document(task.id)
    record = armed_for(ref.get(), task.at)
    if record is None:
        return "stale"
    fired = kind.on_fire(task.id, record, task.at, now)
    if fired.following is not None:  # armed before moving on: a retry re-arms, never loses it
        arm(enqueuer, kind=kind.name, record_id=task.id, at=fired.following, now=now)
    _move_on(db, ref, fired_at=task.at, following=fired.following)
    return fired.outcome


def _move_on(
    db: Client, ref: DocumentReference, *, fired_at: datetime, following: datetime | None
) -> None:
    """Advance the record from `fired_at` to `following` (or delete it: None), unless it
    no longer holds `fired_at` (a save re-armed or removed it meanwhile)."""
    from google.cloud import firestore

    @firestore.transactional
    def advance(transaction: Any) -> None:
        current = (ref.get(transaction=transaction).to_dict() or {}).get("nextFireAt")
        if current != fired_at:
            return
        if following is None:
            transaction.delete(ref)
        else:
            transaction.update(ref, {"nextFireAt": following, "lastFiredAt": fired_at})

    advance(db.transaction())


def repair(db: Client, kind: TimerKind, *, now: datetime, limit: int = 200) -> dict[str, int]:
    """Repair the timers of `kind` whose time passed without firing.

    `kind.on_repair` re-arms (or drops) each; what it returns is logged. Anything it
    raises is caught: that timer is logged, counted, given `repairError` and pushed
    RETRY_REPAIR_AFTER ahead, so the oldest failures cannot fill every sweep's `limit`,
    and the others go on.

    Returns:
        {"repaired": how many were re-armed or dropped, "errors": how many failed}.
    """
    from google.cloud.firestore import FieldFilter

    overdue = (
        db.collection(kind.collection)
        .where(filter=FieldFilter("nextFireAt", "<", now - BROKEN_AFTER))
        .limit(limit)
        .stream()
    )
    counts = {"repaired": 0, "errors": 0}
    for snapshot in overdue:
        try:
            outcome = kind.on_repair(snapshot.id, snapshot.to_dict() or {}, now)
        except Exception as exc:  # one bad timer must not stop the repair of the others
            error = repr(exc)[:500]
            logs.error("timer repair failed", kind=kind.name, timer=snapshot.id, error=error)
            counts["errors"] += 1
            with contextlib.suppress(Exception):  # if this fails too, the next sweep retries
                snapshot.reference.update(
                    {"nextFireAt": now + RETRY_REPAIR_AFTER, "repairError": error}
                )
            continue
        logs.warning("timer repaired", kind=kind.name, timer=snapshot.id, now=str(outcome))
        counts["repaired"] += 1
    return counts


def repair_all(
    db: Client, kinds: Iterable[TimerKind], *, now: datetime, limit: int = 200
) -> dict[str, int]:
    """`repair` every kind, each on its own. Returns `{kind}s` (repaired) and
    `{kind}Errors` for each kind, e.g. {"schedules": 1, "scheduleErrors": 0}."""
    report: Counter[str] = Counter()
    for kind in kinds:
        try:
            counts = repair(db, kind, now=now, limit=limit)
        except Exception as exc:  # e.g. the query failed: the next sweep tries again
            logs.error("sweep could not list timers", kind=kind.name, error=repr(exc)[:500])
            counts = {"repaired": 0, "errors": 1}
        report[f"{kind.name}s"] += counts["repaired"]
        report[f"{kind.name}Errors"] += counts["errors"]
    return dict(report)

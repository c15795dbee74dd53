"""Event reminders: one timer (`shared.platform.timers`) of kind "eventreminder" per event.

`_eventReminders/{server_key(uid, evid)}` (server-only) is the timer's record: uid, event
id, whether the event floats, and `nextFireAt`, the NEXT reminder instant over every
(occurrence x reminder offset) pair of the event. Only that one is armed; when it fires,
`on_fire` re-reads the event and the user's zone, notifies once per pair due at exactly
that instant (notification id derived from event, occurrence and offset, so a redelivery
notifies once) and names the following instant, which the timer arms before moving on.
A task whose instant is no longer the event's next reminder (the event moved, its zone
changed) notifies nothing and re-arms the correct next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.calendar.expand import Occurrence, first_occurrence, iter_occurrences, zone_name
from shared.calendar.repository import (
    EVENT_REMINDERS,
    event_ref,
    events_of,
    reminder_id,
    reminder_ref,
    user_zone,
)
from shared.ids import server_key
from shared.localtime import describe
from shared.notifications import service as notifications
from shared.platform import timers
from shared.platform.cloud_tasks import Enqueuer
from shared.platform.timers import Fired, TimerKind

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

KIND = "eventreminder"
# The most occurrences looked at for one next reminder (a daily event with a four-week
# reminder needs 28); beyond it the search stops.
MAX_SCAN = 1_000
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Due:
    """The next reminder instant of an event and every (occurrence, offset) due then."""

    at: datetime
    pairs: tuple[tuple[Occurrence, int], ...]


def next_reminder(event: dict[str, Any], *, user_zone: str, after: datetime) -> Due | None:
    """The earliest reminder instant strictly after `after`, or None (no reminders, or
    the series has ended)."""
    offsets = sorted({int(m) for m in event.get("reminders") or []})
    if not offsets:
        return None
    widest = timedelta(minutes=offsets[-1])
    best: datetime | None = None
    pairs: list[tuple[Occurrence, int]] = []
    for scanned, occurrence in enumerate(iter_occurrences(event, after=after, user_zone=user_zone)):
        if scanned >= MAX_SCAN or (best is not None and occurrence.start - widest > best):
            break
        for minutes in offsets:
            at = occurrence.start - timedelta(minutes=minutes)
            if at <= after:
                continue
            if best is None or at < best:
                best, pairs = at, [(occurrence, minutes)]
            elif at == best:
                pairs.append((occurrence, minutes))
    return Due(best, tuple(pairs)) if best is not None else None


def _arm(
    enqueuer: Enqueuer,
    *,
    uid: str,
    event_id: str,
    event: dict[str, Any],
    at: datetime,
    now: datetime,
) -> dict[str, Any]:
    return timers.arm(
        enqueuer,
        kind=KIND,
        record_id=reminder_id(uid, event_id),
        at=at,
        now=now,
        uid=uid,
        eventId=event_id,
        floating=event.get("timezone") is None,
    )


def arm_before_save(
    *,
    enqueuer: Enqueuer,
    uid: str,
    event_id: str,
    event: dict[str, Any],
    user_zone: str,
    now: datetime,
) -> dict[str, Any] | None:
    """Queue the task of the next reminder of the event a save is about to store, and
    return the record the save writes in its own transaction (None: no reminder ahead,
    so the save deletes the record). The task goes first: a save that then fails leaves
    a task that finds no record holding its time."""
    due = next_reminder(event, user_zone=user_zone, after=now)
    if due is None:
        return None
    return _arm(enqueuer, uid=uid, event_id=event_id, event=event, at=due.at, now=now)


def notification_id(event_id: str, occurrence_key: str, minutes: int) -> str:
    """The inbox id of one reminder: the same for every delivery of its task."""
    return "rem-" + server_key(event_id, occurrence_key, str(minutes))


def _body(occurrence: Occurrence, minutes: int, zone: str) -> str:
    when = describe(occurrence.start, zone, all_day=occurrence.all_day)
    return f"{when} (in {minutes} min)"


def fire(*, db: Client, uid: str, event_id: str, at: datetime, now: datetime) -> Fired:
    """Deliver the reminders armed for `at` if they are still the event's next ones.

    Outcomes: "fired" (notified; `following` is the next instant), "stale" (the event is
    gone, or its next reminder is no longer `at`: `following` is the correct one)."""
    snapshot = event_ref(db, uid, event_id).get()
    if not snapshot.exists:
        return Fired("stale")
    event = snapshot.to_dict() or {}
    zone = user_zone(db, uid)
    due = next_reminder(event, user_zone=zone, after=at - _TICK)
    if due is None or due.at != at:
        correct = next_reminder(event, user_zone=zone, after=now)
        return Fired("stale", correct.at if correct else None)
    for occurrence, minutes in due.pairs:
        notifications.notify_once(
            db=db,
            uid=uid,
            notification_id=notification_id(event_id, occurrence.key, minutes),
            title=str(event.get("title") or "Event"),
            body=_body(occurrence, minutes, zone),
            kind="reminder",
            link=f"/calendar?event={event_id}",
            now=now,
        )
    following = next_reminder(event, user_zone=zone, after=at)
    return Fired("fired", following.at if following else None)


def sync_stored(
    *, db: Client, enqueuer: Enqueuer, uid: str, event_id: str, now: datetime
) -> datetime | None:
    """Re-arm an event's reminder from what is stored now (or remove its record)."""
    snapshot = event_ref(db, uid, event_id).get()
    ref = reminder_ref(db, uid, event_id)
    event = snapshot.to_dict() if snapshot.exists else None
    due = next_reminder(event, user_zone=user_zone(db, uid), after=now) if event else None
    if event is None or due is None:
        ref.delete()
        return None
    ref.set(_arm(enqueuer, uid=uid, event_id=event_id, event=event, at=due.at, now=now))
    return due.at


def timer_kind(db: Client, enqueuer: Enqueuer) -> TimerKind:
    """Event reminders as a timer kind (listed in `functions/_clients.timer_kinds`)."""

    def on_fire(record_id: str, record: dict[str, Any], at: datetime, now: datetime) -> Fired:
        return fire(db=db, uid=record["uid"], event_id=record["eventId"], at=at, now=now)

    def on_repair(record_id: str, record: dict[str, Any], now: datetime) -> datetime | None:
        return sync_stored(
            db=db, enqueuer=enqueuer, uid=record["uid"], event_id=record["eventId"], now=now
        )

    return TimerKind(name=KIND, collection=EVENT_REMINDERS, on_fire=on_fire, on_repair=on_repair)


def rearm_floating(
    *, db: Client, enqueuer: Enqueuer, uid: str, user_zone: str, now: datetime
) -> int:
    """After the user's zone changed to `user_zone`: move every floating event's derived
    `startAt`/`endAt` to the new zone and re-arm its reminder. Returns how many reminders
    were re-armed (or removed)."""
    from google.cloud.firestore import FieldFilter

    from shared.calendar.models import MAX_EVENTS_PER_USER

    floating = (
        events_of(db, uid)
        .where(filter=FieldFilter("timezone", "==", None))
        .limit(MAX_EVENTS_PER_USER)
        .stream()
    )
    count = 0
    for snapshot in floating:
        event = snapshot.to_dict() or {}
        name = zone_name(event, user_zone)
        first = first_occurrence(event, user_zone=name)
        if first is not None:
            snapshot.reference.update({"startAt": first.start, "endAt": first.end})
        ref = reminder_ref(db, uid, snapshot.id)
        due = next_reminder(event, user_zone=name, after=now)
        if due is None:
            if event.get("reminders"):
                ref.delete()
                count += 1
            continue
        ref.set(_arm(enqueuer, uid=uid, event_id=snapshot.id, event=event, at=due.at, now=now))
        count += 1
    return count

"""Calendar events: save (create or update, versioned) and delete.

An event lives at `users/{uid}/calendar/{evid}`, so a user only ever reaches their own.
Its reminder timer (`_eventReminders`, see `shared.calendar.reminders`) is armed in the
same transaction as the save (its task queued first) and removed with the event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.calendar import reminders
from shared.calendar.models import (
    MAX_EVENTS_PER_USER,
    DeleteCalendarEvent,
    DeleteCalendarEventResult,
    EventException,
    SaveCalendarEvent,
    SaveCalendarEventResult,
    occurrence_key,
)
from shared.calendar.repository import event_ref, events_of, reminder_ref, user_zone
from shared.errors import InvalidArgument, ResourceExhausted, stale_version
from shared.localtime import WallTime, occurrences, to_instant, zone

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

    from shared.platform.cloud_tasks import Enqueuer


def _wall(value: WallTime, zone_name: str | None) -> dict[str, Any]:
    return {**value.stored(), "timezone": zone_name}


def build_event(
    command: SaveCalendarEvent, *, user_zone: str, ical_uid: str | None = None
) -> dict[str, Any]:
    """The stored fields of an event (without version and times of writing), after the
    checks no single field can make.

    Raises:
        InvalidArgument: naming the field (`end`, `end.time`, `recurrence`,
            `exceptions.2026-12-05T09:00`, ...).
    """
    start, end = command.start, command.end
    zone_name = command.zone_name
    for field, value in (("start", start.timezone), ("end", end.timezone)):
        if value is not None and value != zone_name:
            raise InvalidArgument(
                f"{field}.timezone: differs from the event's timezone ({zone_name})",
                field=f"{field}.timezone",
            )
    if (start.time is None) != (end.time is None):
        raise InvalidArgument(
            "end.time: an all-day event has no times, a timed event has both",
            field="end.time",
        )
    first, last = start.wall(), end.wall()
    if command.all_day and last <= first:
        raise InvalidArgument(
            "end: an all-day event ends on a later date (the end date is exclusive)",
            field="end",
        )
    if last < first:
        raise InvalidArgument("end: the event ends before it starts", field="end")
    rule = command.recurrence
    series = occurrences(rule, first, after=first - timedelta(seconds=1))
    opening = next(series, None)
    if opening is None:
        raise InvalidArgument(
            "recurrence: this series never occurs (no date at or after its start matches)",
            field="recurrence",
        )
    _check_exceptions(command, first=first)
    tz = zone(zone_name or user_zone)
    length = last - first
    return {
        "title": command.title,
        "start": _wall(start, zone_name),
        "end": _wall(end, zone_name),
        "allDay": command.all_day,
        "timezone": zone_name,
        "startAt": to_instant(opening, tz),
        "endAt": to_instant(opening + length, tz),
        "location": command.location or None,
        "attendees": list(command.attendees),
        "notes": command.notes or None,
        "recurrence": rule,
        "exceptions": {
            key: _change(change, zone_name) for key, change in command.exceptions.items()
        },
        "reminders": list(command.reminders),
        "uid": ical_uid,
    }


def _change(change: EventException, zone_name: str | None) -> dict[str, Any]:
    if change.start is None or change.end is None:
        return {"cancelled": True}
    return {"start": _wall(change.start, zone_name), "end": _wall(change.end, zone_name)}


def _check_exceptions(command: SaveCalendarEvent, *, first: datetime) -> None:
    """Every key is the original start of a real occurrence (one pass over the series,
    up to the latest key); moved occurrences keep the event's kind and end after start."""
    if not command.exceptions:
        return
    keys = set(command.exceptions)
    for key, change in command.exceptions.items():
        if change.start is not None and change.end is not None:
            field = f"exceptions.{key}"
            for part, value in (("start", change.start), ("end", change.end)):
                if value.timezone is not None and value.timezone != command.zone_name:
                    raise InvalidArgument(
                        f"{field}.{part}.timezone: differs from the event's timezone",
                        field=f"{field}.{part}.timezone",
                    )
            if change.start.all_day != command.all_day or change.end.all_day != command.all_day:
                raise InvalidArgument(
                    f"{field}: a moved occurrence is timed or all-day like its event",
                    field=field,
                )
            if change.end.wall() < change.start.wall() or (
                command.all_day and change.end.wall() <= change.start.wall()
            ):
                raise InvalidArgument(f"{field}.end: ends before it starts", field=f"{field}.end")
    latest = max(datetime.strptime(k, "%Y-%m-%dT%H:%M") for k in keys)
    found: set[str] = set()
    for wall in occurrences(command.recurrence, first, after=first - timedelta(seconds=1)):
        if wall > latest:
            break
        key = occurrence_key(wall)
        if key in keys:
            found.add(key)
    missing = sorted(keys - found)
    if missing:
        field = f"exceptions.{missing[0]}"
        raise InvalidArgument(
            f"{field}: not the original start of an occurrence of this event", field=field
        )


def save_event(
    *, db: Client, enqueuer: Enqueuer, uid: str, command: SaveCalendarEvent, now: datetime
) -> SaveCalendarEventResult:
    """Create or update the caller's event, bumping its version, and arm its reminder.

    The event is checked as a whole first, so an invalid one writes nothing. Its next
    reminder's task is queued before the transaction (a save that then fails leaves a
    task that finds no record holding its time: it does nothing). The transaction
    refuses a stale `expectedVersion` and, for a new event, more than
    MAX_EVENTS_PER_USER events.

    Returns:
        {id, version, startAt, endAt} (the first occurrence's instants).

    Raises:
        InvalidArgument: naming the field; nothing is written.
        FailedPrecondition: `expectedVersion` is not the stored version (0: no event).
        ResourceExhausted: the user already has MAX_EVENTS_PER_USER events.
    """
    zone_now = user_zone(db, uid)
    fields = build_event(command, user_zone=zone_now)
    ref = event_ref(db, uid, command.id) if command.id else events_of(db, uid).document()
    timer_ref = reminder_ref(db, uid, ref.id)
    timer = reminders.arm_before_save(
        enqueuer=enqueuer, uid=uid, event_id=ref.id, event=fields, user_zone=zone_now, now=now
    )
    version = _write(
        db,
        uid=uid,
        ref=ref,
        fields=fields,
        expected=command.expected_version,
        timer_ref=timer_ref,
        timer=timer,
        now=now,
    )
    return SaveCalendarEventResult(
        id=ref.id, version=version, start_at=fields["startAt"], end_at=fields["endAt"]
    )


def _write(
    db: Client,
    *,
    uid: str,
    ref: Any,
    fields: dict[str, Any],
    expected: int | None,
    timer_ref: Any,
    timer: dict[str, Any] | None,
    now: datetime,
) -> int:
    from google.cloud import firestore

    @firestore.transactional
    def apply(transaction: Transaction) -> int:
        snapshot = ref.get(transaction=transaction)
        stored: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
        current = int(stored.get("version") or 0) if stored else 0
        if expected is not None and expected != current:
            raise stale_version("Event", ref.id, expected=expected, current=current)
        if stored is None:
            counted = events_of(db, uid).count().get(transaction=transaction)  # type: ignore[no-untyped-call]
            if int(counted[0][0].value) >= MAX_EVENTS_PER_USER:
                raise ResourceExhausted(
                    f"You have {MAX_EVENTS_PER_USER} calendar events, the most one account "
                    "can keep; delete some to add more.",
                    details={"limit": "calendarEvents", "max": MAX_EVENTS_PER_USER},
                )
        doc = {
            **fields,
            "version": current + 1,
            "createdAt": stored.get("createdAt", now) if stored else now,
            "updatedAt": now,
        }
        transaction.set(ref, doc)
        if timer is not None:
            transaction.set(timer_ref, timer)
        else:
            transaction.delete(timer_ref)
        return current + 1

    return int(apply(db.transaction()))


def delete_event(
    *, db: Client, uid: str, command: DeleteCalendarEvent
) -> DeleteCalendarEventResult:
    """Delete the caller's event and its reminder timer in one transaction.

    Idempotent: an event that does not exist changes nothing (`deleted: false`).

    Raises:
        FailedPrecondition: `expectedVersion` given and not the stored version.
    """
    from google.cloud import firestore

    ref = event_ref(db, uid, command.id)
    timer_ref = reminder_ref(db, uid, command.id)

    @firestore.transactional
    def apply(transaction: Transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return False
        current = int((snapshot.to_dict() or {}).get("version") or 0)
        if command.expected_version is not None and command.expected_version != current:
            raise stale_version(
                "Event", command.id, expected=command.expected_version, current=current
            )
        transaction.delete(ref)
        transaction.delete(timer_ref)
        return True

    return DeleteCalendarEventResult(deleted=apply(db.transaction()))

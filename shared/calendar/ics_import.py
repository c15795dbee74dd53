""".ics import: VEVENTs parsed by `icalendar` (text is data: never evaluated) into events.

Bounded before parsing: at most MAX_ICS_BYTES of text and MAX_ICS_EVENTS VEVENTs (more is
refused as a whole). Each VEVENT maps to the same event a save would make, through the
same command and checks, so an event the importer cannot represent is skipped with its
UID and the reason, never stored half-right:

    UID                  -> event id `ics-` + hash(UID) (a re-import updates, never
                            duplicates) and the stored `uid`
    DTSTART;TZID=zone    -> fixed zone (an unknown TZID: the instant in UTC)
    DTSTART floating     -> floating;  VALUE=DATE -> all day (DTEND exclusive)
    DTEND / DURATION     -> end (neither: the start, or one day for a date)
    RRULE                -> checked by shared.localtime (FREQ finer than daily refused)
    EXDATE               -> cancelled occurrences (ones that are no occurrence: dropped)
    RECURRENCE-ID        -> a moved (or, with STATUS:CANCELLED, cancelled) occurrence
    VALARM TRIGGER -PTnM -> reminders (before the start only; at most 5)
    SUMMARY, LOCATION, DESCRIPTION, ATTENDEE mailto: -> title, location, notes, attendees
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from shared.accounts.models import check_timezone
from shared.calendar import reminders
from shared.calendar.models import (
    KEY_FORMAT,
    MAX_ATTENDEES,
    MAX_EVENTS_PER_USER,
    MAX_ICS_BYTES,
    MAX_ICS_EVENTS,
    MAX_LOCATION_CHARS,
    MAX_NOTES_CHARS,
    MAX_REMINDER_MINUTES,
    MAX_REMINDERS,
    MAX_TITLE_CHARS,
    ImportCalendar,
    ImportCalendarResult,
    SaveCalendarEvent,
    SkippedEvent,
    occurrence_key,
)
from shared.calendar.repository import event_ref, events_of, reminder_ref, user_zone
from shared.calendar.service import build_event
from shared.errors import InvalidArgument, ResourceExhausted
from shared.localtime import occurrences
from shared.validation import parse

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

    from shared.platform.cloud_tasks import Enqueuer

# Two writes per event (the event and its reminder record): 200 events fill a batch.
MAX_BATCH_WRITES = 400
_VEVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)")
_EMAIL = re.compile(r"^mailto:", re.IGNORECASE)
_ADDRESS = re.compile(r"[^@\s<>\"',;:()\[\]]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Skip(Exception):
    """This VEVENT cannot be imported; the message says why."""


def event_id_for(ical_uid: str) -> str:
    """The event id an imported UID maps to (the same on every import)."""
    return "ics-" + hashlib.sha256(ical_uid.encode()).hexdigest()[:40]


def parse_calendar(text: str) -> list[Any]:
    """The VEVENTs of `text`, or InvalidArgument (field `ics`) when it is too large, has
    too many events, or is not iCalendar."""
    raw = text.encode("utf-8", errors="replace")
    if len(raw) > MAX_ICS_BYTES:
        raise InvalidArgument(f"ics: at most {MAX_ICS_BYTES} bytes", field="ics")
    if len(_VEVENT.findall(raw)) > MAX_ICS_EVENTS:
        raise InvalidArgument(
            f"ics: at most {MAX_ICS_EVENTS} events per import; split the file", field="ics"
        )
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(text)
        components = list(calendar.walk("VEVENT"))
    except Exception as exc:  # untrusted text: any parse failure is the sender's problem
        raise InvalidArgument(
            f"ics: not an iCalendar file ({type(exc).__name__}: {str(exc)[:200]})", field="ics"
        ) from None
    if len(components) > MAX_ICS_EVENTS:
        raise InvalidArgument(f"ics: at most {MAX_ICS_EVENTS} events per import", field="ics")
    return components


def _text(component: Any, name: str, limit: int) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] or None


def _zone_of(prop: Any) -> str | None:
    """The IANA zone of an aware DTSTART, or None when it cannot be named."""
    value = prop.dt
    tzinfo = value.tzinfo
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    for candidate in (key, prop.params.get("TZID")):
        if candidate:
            try:
                return check_timezone(str(candidate))
            except ValueError:
                continue
    if value.utcoffset() == timedelta(0):
        return "UTC"
    return None


def _wall(value: date | datetime, zone_name: str | None, all_day: bool) -> dict[str, Any]:
    if all_day:
        day = value.date() if isinstance(value, datetime) else value
        return {"date": day.isoformat(), "time": None, "timezone": None}
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(zone_name or "UTC")).replace(tzinfo=None)
    return {"date": value.date().isoformat(), "time": f"{value:%H:%M}", "timezone": zone_name}


def _key(value: date | datetime, zone_name: str | None, all_day: bool, start: datetime) -> str:
    if not isinstance(value, datetime):  # a date-only EXDATE: that day, at the start's time
        return occurrence_key(datetime.combine(value, start.time()))
    if value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(zone_name or "UTC")).replace(tzinfo=None)
    if all_day:
        value = value.replace(hour=0, minute=0)
    return occurrence_key(value)


def _rule(component: Any, zone_name: str | None, all_day: bool) -> str | None:
    prop = component.get("RRULE")
    if prop is None:
        return None
    if isinstance(prop, list):
        raise Skip("more than one RRULE")
    rule = prop.to_ical().decode()

    def local_until(found: re.Match[str]) -> str:
        day, time, utc = found.groups()
        if all_day:
            return f"UNTIL={day}"
        if not time:
            return found.group(0)
        if utc:
            instant = datetime.strptime(day + time, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            local = instant.astimezone(ZoneInfo(zone_name or "UTC"))
            return f"UNTIL={local:%Y%m%dT%H%M%S}"
        return f"UNTIL={day}{time}"

    return _UNTIL.sub(local_until, rule)


def _dates(component: Any, name: str) -> list[Any]:
    prop = component.get(name)
    if prop is None:
        return []
    lists = prop if isinstance(prop, list) else [prop]
    return [d.dt for item in lists for d in getattr(item, "dts", [])]


def _reminders(component: Any) -> list[int]:
    found: set[int] = set()
    for alarm in component.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        value = getattr(trigger, "dt", None)
        if not isinstance(value, timedelta) or value > timedelta(0):
            continue
        if trigger.params.get("RELATED", "START").upper() != "START":
            continue
        minutes = int(-value.total_seconds() // 60)
        if 0 <= minutes <= MAX_REMINDER_MINUTES:
            found.add(minutes)
    return sorted(found)[:MAX_REMINDERS]


def _attendees(component: Any) -> list[str]:
    prop = component.get("ATTENDEE")
    values = prop if isinstance(prop, list) else ([prop] if prop is not None else [])
    emails: list[str] = []
    for value in values:
        email = _EMAIL.sub("", str(value)).strip().lower()
        if _ADDRESS.fullmatch(email) and email not in emails:
            emails.append(email)
    return emails[:MAX_ATTENDEES]


def to_payload(master: Any, overrides: list[Any]) -> dict[str, Any]:
    """A SaveCalendarEvent payload (camelCase) for one UID's VEVENTs, or Skip."""
    if str(master.get("STATUS", "")).upper() == "CANCELLED":
        raise Skip("the event is cancelled")
    start_prop = master.get("DTSTART")
    if start_prop is None:
        raise Skip("no DTSTART")
    start = start_prop.dt
    all_day = not isinstance(start, datetime)
    zone_name: str | None = None
    if not all_day and start.tzinfo is not None:
        zone_name = _zone_of(start_prop) or "UTC"
    if master.get("DTEND") is not None:
        end = master.get("DTEND").dt
    elif master.get("DURATION") is not None:
        end = start + master.get("DURATION").dt
    else:
        end = start + timedelta(days=1) if all_day else start
    if all_day != (not isinstance(end, datetime)):
        raise Skip("DTSTART and DTEND are not both dates or both date-times")
    start_wall = _wall(start, zone_name, all_day)
    first = datetime.strptime(f"{start_wall['date']}T{start_wall['time'] or '00:00'}", KEY_FORMAT)
    rule = _rule(master, zone_name, all_day)
    exceptions: dict[str, dict[str, Any]] = {}
    for value in _dates(master, "EXDATE"):
        exceptions[_key(value, zone_name, all_day, first)] = {"cancelled": True}
    for override in overrides:
        original = override.get("RECURRENCE-ID").dt
        key = _key(original, zone_name, all_day, first)
        if str(override.get("STATUS", "")).upper() == "CANCELLED":
            exceptions[key] = {"cancelled": True}
            continue
        moved_start = override.get("DTSTART")
        if moved_start is None:
            continue
        moved_end = override.get("DTEND")
        new_end = (
            moved_end.dt
            if moved_end is not None
            else moved_start.dt + (end - start if type(end) is type(start) else timedelta(0))
        )
        exceptions[key] = {
            "start": _wall(moved_start.dt, zone_name, all_day),
            "end": _wall(new_end, zone_name, all_day),
        }
    return {
        "title": _text(master, "SUMMARY", MAX_TITLE_CHARS) or "(no title)",
        "start": start_wall,
        "end": _wall(end, zone_name, all_day),
        "timezone": zone_name,
        "location": _text(master, "LOCATION", MAX_LOCATION_CHARS),
        "attendees": _attendees(master),
        "notes": _text(master, "DESCRIPTION", MAX_NOTES_CHARS),
        "recurrence": rule,
        "exceptions": _real_only(exceptions, rule, first),
        "reminders": _reminders(master),
    }


def _real_only(
    exceptions: dict[str, dict[str, Any]], rule: str | None, first: datetime
) -> dict[str, dict[str, Any]]:
    """The exceptions whose keys are occurrences (an EXDATE of no occurrence changes
    nothing in other calendars either); the series is walked once, up to the latest."""
    if not exceptions:
        return exceptions
    try:
        latest = max(datetime.strptime(k, KEY_FORMAT) for k in exceptions)
        real: set[str] = set()
        for wall in occurrences(rule, first, after=first - timedelta(seconds=1)):
            if wall > latest:
                break
            real.add(occurrence_key(wall))
    except ValueError:  # an invalid rule: the command's check names it
        return exceptions
    return {k: v for k, v in exceptions.items() if k in real}


def _group(
    components: list[Any],
) -> tuple[dict[str, Any], dict[str, list[Any]], list[SkippedEvent]]:
    """VEVENTs by UID: the series (no RECURRENCE-ID) and its overrides."""
    skipped: list[SkippedEvent] = []
    masters: dict[str, Any] = {}
    overrides: dict[str, list[Any]] = {}
    for component in components:
        ical_uid = str(component.get("UID") or "").strip()
        if not ical_uid or len(ical_uid) > 500:
            skipped.append(SkippedEvent(uid=ical_uid[:100], reason="no usable UID"))
            continue
        if component.get("RECURRENCE-ID") is not None:
            overrides.setdefault(ical_uid, []).append(component)
        elif ical_uid in masters:
            skipped.append(SkippedEvent(uid=ical_uid, reason="a second VEVENT with this UID"))
        else:
            masters[ical_uid] = component
    for ical_uid in sorted(overrides.keys() - masters.keys()):
        skipped.append(SkippedEvent(uid=ical_uid, reason="RECURRENCE-ID without its event"))
    return masters, overrides, skipped


def to_events(
    components: list[Any], *, user_zone: str
) -> tuple[list[tuple[str, dict[str, Any]]], list[SkippedEvent]]:
    """(event id, stored fields) per importable series, and what was skipped and why."""
    masters, overrides, skipped = _group(components)
    prepared: list[tuple[str, dict[str, Any]]] = []
    for ical_uid, master in masters.items():
        try:
            payload = to_payload(master, overrides.get(ical_uid, []))
            fields = build_event(
                parse(SaveCalendarEvent, payload), user_zone=user_zone, ical_uid=ical_uid
            )
        except (Skip, InvalidArgument) as exc:
            reason = exc.message if isinstance(exc, InvalidArgument) else str(exc)
            skipped.append(SkippedEvent(uid=ical_uid, reason=reason[:300]))
            continue
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # odd values
            skipped.append(SkippedEvent(uid=ical_uid, reason=f"unreadable: {exc}"[:300]))
            continue
        prepared.append((event_id_for(ical_uid), fields))
    return prepared, skipped


def import_calendar(
    *, db: Client, enqueuer: Enqueuer, uid: str, command: ImportCalendar, now: datetime
) -> ImportCalendarResult:
    """Import the VEVENTs of `command.ics` into the caller's calendar.

    Events are written with batched sets (at most MAX_BATCH_WRITES writes per batch, each
    event with its reminder record, its task queued first); an event imported before
    (same UID) is replaced and its version bumped. Idempotent: importing the same file
    again updates the same events.

    Raises:
        InvalidArgument: (field `ics`) too large, too many events, not iCalendar.
        ResourceExhausted: the import would take the user past MAX_EVENTS_PER_USER.
    """
    zone_now = user_zone(db, uid)
    prepared, skipped = to_events(parse_calendar(command.ics), user_zone=zone_now)
    refs = [event_ref(db, uid, event_id) for event_id, _ in prepared]
    stored: dict[str, dict[str, Any]] = {}
    for i in range(0, len(refs), 300):
        for snapshot in db.get_all(refs[i : i + 300]):
            if snapshot.exists:
                stored[snapshot.id] = snapshot.to_dict() or {}
    new = sum(1 for event_id, _ in prepared if event_id not in stored)
    if new:
        counted = events_of(db, uid).count().get()  # type: ignore[no-untyped-call]
        if int(counted[0][0].value) + new > MAX_EVENTS_PER_USER:
            raise ResourceExhausted(
                f"This import would take you past {MAX_EVENTS_PER_USER} calendar events; "
                "delete some first or import fewer.",
                details={"limit": "calendarEvents", "max": MAX_EVENTS_PER_USER},
            )
    per_batch = MAX_BATCH_WRITES // 2
    for i in range(0, len(prepared), per_batch):
        batch = db.batch()
        for event_id, fields in prepared[i : i + per_batch]:
            before = stored.get(event_id)
            timer = reminders.arm_before_save(
                enqueuer=enqueuer,
                uid=uid,
                event_id=event_id,
                event=fields,
                user_zone=zone_now,
                now=now,
            )
            batch.set(
                event_ref(db, uid, event_id),
                {
                    **fields,
                    "version": int(before.get("version") or 0) + 1 if before else 1,
                    "createdAt": before.get("createdAt", now) if before else now,
                    "updatedAt": now,
                },
            )
            timer_ref = reminder_ref(db, uid, event_id)
            if timer is not None:
                batch.set(timer_ref, timer)
            else:
                batch.delete(timer_ref)
        batch.commit()
    return ImportCalendarResult(
        imported=new, updated=len(prepared) - new, skipped=skipped[:MAX_ICS_EVENTS]
    )

"""The private iCalendar feed: `GET /ical/{uid}/{token}.ics` serves a user's events as
RFC 5545 text (built by `icalendar`) for calendar apps to subscribe to.

`_calendarFeeds/{uid}` (server-only) holds `{uid, tokenHash, createdAt}`: the SHA-256 of
the token, never the token, which is shown once by `rotate_calendar_feed` ("create"
again replaces it: the old URL stops working; "revoke" removes it). A request is served
only when its token hashes to the stored hash (compared in constant time); an unknown
user, a wrong token and a revoked feed get the same 404 body.

Mapping (what `ics_import` reads back): one VEVENT per event (UID: the imported UID, or
`{evid}@aura`); a fixed zone as TZID with its VTIMEZONE, a floating time as a floating
(local) time, an all-day event as VALUE=DATE with an exclusive DTEND; RRULE (UNTIL in UTC
when the zone is fixed, as RFC 5545 asks); EXDATE per cancelled occurrence; one VEVENT
with RECURRENCE-ID per moved occurrence; one VALARM per reminder.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared import audit
from shared.calendar.expand import wall_time
from shared.calendar.models import (
    MAX_EVENTS_PER_USER,
    RotateCalendarFeed,
    RotateCalendarFeedResult,
)
from shared.calendar.repository import events_of, feed_ref
from shared.localtime import zone
from shared.platform import ratelimit

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

TOKEN_BYTES = 32
RATE_LIMIT_PER_MINUTE = 60
MAX_FEED_EVENTS = MAX_EVENTS_PER_USER
CONTENT_TYPE = "text/calendar; charset=utf-8"
NOT_FOUND = "No calendar feed here."
PRODID = "-//Aura//Calendar//EN"
_PATH = re.compile(r"^/?(?:ical/)?([A-Za-z0-9_-]{1,128})/([A-Za-z0-9_-]{20,100})\.ics$")
_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6})(Z?)")
# Compared against when the user has no feed, so an unknown uid costs the same work.
_NO_HASH = hashlib.sha256(b"no feed").hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(uid: str, token: str) -> str:
    return f"/ical/{uid}/{token}.ics"


def rotate(
    *, db: Client, uid: str, command: RotateCalendarFeed, now: datetime
) -> RotateCalendarFeedResult:
    """Create (or replace) the user's feed token and return its URL once, or revoke it.
    Idempotent for "revoke"; each "create" makes a new token (the old one stops).

    Each change writes one `audit/` entry in its transaction: `calendar.feed.created`
    (there was no feed), `calendar.feed.rotated` (one was replaced) or
    `calendar.feed.revoked`; revoking a feed that does not exist writes and audits
    nothing. The entry never holds the token or its hash."""
    from google.cloud import firestore

    ref = feed_ref(db, uid)
    token = secrets.token_urlsafe(TOKEN_BYTES) if command.action == "create" else None

    @firestore.transactional
    def apply(transaction: Transaction) -> None:
        existed = ref.get(transaction=transaction).exists
        if token is None:
            if not existed:
                return
            transaction.delete(ref)
            action = "calendar.feed.revoked"
        else:
            transaction.set(ref, {"uid": uid, "tokenHash": hash_token(token), "createdAt": now})
            action = "calendar.feed.rotated" if existed else "calendar.feed.created"
        audit.append(
            db=db,
            transaction=transaction,
            entry=audit.AuditEntry(
                actor=uid,
                action=action,
                target=f"{ref.parent.id}/{uid}",
                target_uid=uid,
                time=now,
            ),
        )

    apply(db.transaction())
    if token is None:
        return RotateCalendarFeedResult(revoked=True)
    return RotateCalendarFeedResult(url=feed_path(uid, token))


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _not_found() -> Answer:
    return Answer(404, NOT_FOUND.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def parse_path(path: str) -> tuple[str, str] | None:
    """(uid, token) from `/ical/{uid}/{token}.ics` (or `/{uid}/{token}.ics`, as the
    function sees it when called by its own URL), or None for anything else."""
    found = _PATH.fullmatch(path)
    return (found.group(1), found.group(2)) if found else None


def authorized(db: Client, uid: str, token: str) -> bool:
    snapshot = feed_ref(db, uid).get()
    stored = (snapshot.to_dict() or {}).get("tokenHash") if snapshot.exists else None
    expected = stored if isinstance(stored, str) else _NO_HASH
    return hmac.compare_digest(hash_token(token), expected) and stored is not None


def serve(*, db: Client, path: str, now: datetime) -> Answer:
    """The feed at `path`: 200 with the calendar, 404 (one body for every reason), 429
    over RATE_LIMIT_PER_MINUTE requests per token."""
    parsed = parse_path(path)
    if parsed is None:
        return _not_found()
    uid, token = parsed
    if not authorized(db, uid, token):
        return _not_found()
    decision = ratelimit.hit(
        db,
        key=f"ical:{hash_token(token)}",
        limit=RATE_LIMIT_PER_MINUTE,
        window_s=60,
        now=now,
        subject=uid,
    )
    if not decision.allowed:
        return Answer(
            429,
            b"Too many requests for this feed; try again later.",
            {"Retry-After": decision.retry_after_header, "Content-Type": "text/plain"},
        )
    events = [
        (snapshot.id, snapshot.to_dict() or {})
        for snapshot in events_of(db, uid).limit(MAX_FEED_EVENTS).stream()
    ]
    return Answer(
        200,
        build_calendar(events, now=now),
        {"Content-Type": CONTENT_TYPE, "Cache-Control": "private, max-age=300"},
    )


def _value(stored: dict[str, Any], zone_name: str | None) -> date | datetime:
    """A stored wall time as icalendar wants it: a date, a floating datetime, or one in
    its zone (icalendar writes TZID)."""
    wall = wall_time(stored)
    if wall.all_day:
        return wall.date
    local = wall.wall()
    return local.replace(tzinfo=zone(zone_name)) if zone_name else local


def _key_value(key: str, *, all_day: bool, zone_name: str | None) -> date | datetime:
    local = datetime.strptime(key, "%Y-%m-%dT%H:%M")
    if all_day:
        return local.date()
    return local.replace(tzinfo=zone(zone_name)) if zone_name else local


def _rule(rule: str, zone_name: str | None, all_day: bool) -> Any:
    from icalendar import vRecur

    def utc_until(found: re.Match[str]) -> str:
        if all_day or not zone_name or found.group(2):
            return found.group(0)
        local = datetime.strptime(found.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=zone(zone_name))
        return f"UNTIL={local.astimezone(UTC):%Y%m%dT%H%M%S}Z"

    return vRecur.from_ical(_UNTIL.sub(utc_until, rule))


def build_calendar(events: list[tuple[str, dict[str, Any]]], *, now: datetime) -> bytes:
    """RFC 5545 text of `events` ((id, stored document) pairs)."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Aura")
    for event_id, doc in events:
        zone_name = doc.get("timezone")
        all_day = bool(doc.get("allDay"))
        ical_uid = str(doc.get("uid") or f"{event_id}@aura")
        stamp = doc.get("updatedAt") or now
        master = Event()
        master.add("uid", ical_uid)
        master.add("dtstamp", stamp)
        master.add("summary", str(doc.get("title") or ""))
        master.add("dtstart", _value(doc["start"], zone_name))
        master.add("dtend", _value(doc["end"], zone_name))
        if doc.get("location"):
            master.add("location", doc["location"])
        if doc.get("notes"):
            master.add("description", doc["notes"])
        for email in doc.get("attendees") or []:
            master.add("attendee", f"mailto:{email}")
        if doc.get("recurrence"):
            master.add("rrule", _rule(doc["recurrence"], zone_name, all_day))
        exceptions: dict[str, dict[str, Any]] = doc.get("exceptions") or {}
        for key, change in sorted(exceptions.items()):
            if change.get("cancelled"):
                master.add("exdate", [_key_value(key, all_day=all_day, zone_name=zone_name)])
        for minutes in doc.get("reminders") or []:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", str(doc.get("title") or "Reminder"))
            alarm.add("trigger", timedelta(minutes=-int(minutes)))
            master.add_component(alarm)
        calendar.add_component(master)
        for key, change in sorted(exceptions.items()):
            if change.get("cancelled") or "start" not in change:
                continue
            moved = Event()
            moved.add("uid", ical_uid)
            moved.add("dtstamp", stamp)
            moved.add("recurrence-id", _key_value(key, all_day=all_day, zone_name=zone_name))
            moved.add("summary", str(doc.get("title") or ""))
            moved.add("dtstart", _value(change["start"], zone_name))
            moved.add("dtend", _value(change["end"], zone_name))
            calendar.add_component(moved)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())

"""A stored calendar event as the occurrences it has in a window of time.

Each occurrence is computed on the local wall clock (`shared.localtime`) and converted
on its own, so a weekly 09:00 in Europe/Berlin stays 09:00 local across a daylight-saving
change. The zone is the event's own (`timezone`, fixed) or, when it is null, the user's
(floating). Exceptions are keyed by an occurrence's original local start: cancelled ones
are left out; moved ones appear at their new time (and may so enter or leave a window).
Expansion is bounded: at most MAX_OCCURRENCES per call.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.calendar.models import occurrence_key
from shared.localtime import WallTime, occurrences, to_instant, to_wall, zone

MAX_OCCURRENCES = 500


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: `key` is its original local start (`YYYY-MM-DDTHH:MM`), the
    exception key that changes it; `start`/`end` are aware UTC datetimes."""

    key: str
    start: datetime
    end: datetime
    title: str
    all_day: bool


def wall_time(value: dict[str, Any]) -> WallTime:
    """A stored `{date, time, timezone}` as a WallTime."""
    return WallTime(
        date=date.fromisoformat(value["date"]),
        time=value.get("time"),
        timezone=value.get("timezone"),
    )


def zone_name(event: dict[str, Any], user_zone: str) -> str:
    """The zone an event is read in: its own, or the user's when it floats."""
    return str(event.get("timezone") or user_zone)


def iter_occurrences(
    event: dict[str, Any], *, after: datetime, user_zone: str
) -> Iterator[Occurrence]:
    """Every occurrence whose end is after the aware `after` (a zero-length one: whose
    start is at or after it), in order of start, cancelled ones left out. Unbounded in
    count (bounded in time by `localtime.SEARCH_YEARS`): callers stop when they have
    enough."""
    name = zone_name(event, user_zone)
    tz = zone(name)
    first = wall_time(event["start"]).wall()
    length = wall_time(event["end"]).wall() - first
    title = str(event.get("title", ""))
    all_day = bool(event.get("allDay", event["start"].get("time") is None))
    exceptions: dict[str, dict[str, Any]] = dict(event.get("exceptions") or {})

    def regular() -> Iterator[Occurrence]:
        # A day earlier on the wall clock than any occurrence that can still be running:
        # around a DST change wall clocks are not monotonic, so compare instants below.
        since = to_wall(after, tz) - length - timedelta(days=1)
        for wall in occurrences(
            event.get("recurrence"),
            first,
            after=since,
            skip=lambda w: occurrence_key(w) in exceptions,
        ):
            yield Occurrence(
                occurrence_key(wall),
                to_instant(wall, tz),
                to_instant(wall + length, tz),
                title,
                all_day,
            )

    moved = sorted(
        (
            Occurrence(
                key,
                wall_time(change["start"]).instant(name),
                wall_time(change["end"]).instant(name),
                title,
                wall_time(change["start"]).all_day,
            )
            for key, change in exceptions.items()
            if not change.get("cancelled") and "start" in change and "end" in change
        ),
        key=lambda o: o.start,
    )
    for occurrence in heapq.merge(regular(), moved, key=lambda o: o.start):
        if occurrence.end > after or (occurrence.end == occurrence.start >= after):
            yield occurrence


def first_occurrence(event: dict[str, Any], *, user_zone: str) -> Occurrence | None:
    """The series' first occurrence, exceptions ignored (what `startAt`/`endAt` name)."""
    series = {**event, "exceptions": {}}
    opening = wall_time(event["start"]).instant(zone_name(event, user_zone))
    return next(
        iter_occurrences(series, after=opening - timedelta(days=2), user_zone=user_zone), None
    )


def occurrences_between(
    event: dict[str, Any], *, start: datetime, end: datetime, user_zone: str
) -> list[Occurrence]:
    """The occurrences of a stored event that overlap [start, end) (a zero-length one:
    that start in it), in order, at most MAX_OCCURRENCES.

    Args:
        event: the stored document (`users/{uid}/calendar/{evid}`, as a dict).
        start: the window's start, aware.
        end: the window's end, aware.
        user_zone: the user's IANA zone (`settings.timezone`), for a floating event.

    Raises:
        ValueError: `start` or `end` is naive.
    """
    if start.tzinfo is None or end.tzinfo is None:
        msg = "the window must be timezone-aware"
        raise ValueError(msg)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found: list[Occurrence] = []
    for occurrence in iter_occurrences(event, after=start, user_zone=user_zone):
        if occurrence.start >= end:
            break
        found.append(occurrence)
        if len(found) >= MAX_OCCURRENCES:
            break
    return found

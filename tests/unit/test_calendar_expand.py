"""`shared.calendar.expand`: stored events as occurrences in a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.calendar.expand import (
    MAX_OCCURRENCES,
    first_occurrence,
    iter_occurrences,
    occurrences_between,
)

BERLIN = ZoneInfo("Europe/Berlin")


def event(
    start: str,
    end: str,
    *,
    timezone: str | None = "Europe/Berlin",
    recurrence: str | None = None,
    exceptions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    def wall(text: str) -> dict[str, Any]:
        day, _, time = text.partition("T")
        return {"date": day, "time": time or None, "timezone": timezone}

    return {
        "title": "Standup",
        "start": wall(start),
        "end": wall(end),
        "allDay": "T" not in start,
        "timezone": timezone,
        "recurrence": recurrence,
        "exceptions": exceptions or {},
    }


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_weekly_event_keeps_its_wall_time_across_the_dst_change() -> None:
    weekly = event("2026-03-16T09:00", "2026-03-16T09:30", recurrence="FREQ=WEEKLY")

    found = occurrences_between(
        weekly, start=utc(2026, 3, 16), end=utc(2026, 4, 7), user_zone="UTC"
    )

    assert [o.start.astimezone(BERLIN).strftime("%m-%d %H:%M") for o in found] == [
        "03-16 09:00",
        "03-23 09:00",
        "03-30 09:00",
        "04-06 09:00",
    ]
    assert [o.start.hour for o in found] == [8, 8, 7, 7]  # UTC moves, local does not
    assert all(o.end - o.start == timedelta(minutes=30) for o in found)
    assert found[2].key == "2026-03-30T09:00"
    assert all(o.start.tzinfo == UTC for o in found)


def test_cancelled_and_moved_occurrences() -> None:
    daily = event(
        "2026-06-01T09:00",
        "2026-06-01T10:00",
        recurrence="FREQ=DAILY;COUNT=5",
        exceptions={
            "2026-06-02T09:00": {"cancelled": True},
            "2026-06-03T09:00": {
                "start": {"date": "2026-06-10", "time": "14:00", "timezone": None},
                "end": {"date": "2026-06-10", "time": "15:00", "timezone": None},
            },
        },
    )

    found = occurrences_between(daily, start=utc(2026, 6, 1), end=utc(2026, 7, 1), user_zone="UTC")

    assert [o.key for o in found] == [
        "2026-06-01T09:00",
        "2026-06-04T09:00",
        "2026-06-05T09:00",
        "2026-06-03T09:00",  # moved to the 10th, in order of its new start
    ]
    moved = found[-1]
    assert moved.start == datetime(2026, 6, 10, 14, 0, tzinfo=BERLIN)
    # the moved one is found in a window around its new time only
    window = occurrences_between(
        daily, start=utc(2026, 6, 3), end=utc(2026, 6, 3, 23), user_zone="UTC"
    )
    assert window == []


def test_all_day_events_span_local_days_and_end_exclusive() -> None:
    holiday = event("2026-12-24", "2026-12-26", timezone=None)

    [found] = occurrences_between(
        holiday, start=utc(2026, 12, 1), end=utc(2027, 1, 1), user_zone="America/New_York"
    )

    assert found.all_day
    ny = ZoneInfo("America/New_York")
    assert found.start == datetime(2026, 12, 24, tzinfo=ny)
    assert found.end == datetime(2026, 12, 26, tzinfo=ny)


def test_floating_follows_the_user_zone_fixed_does_not() -> None:
    floating = event("2026-05-04T09:00", "2026-05-04T10:00", timezone=None)
    fixed = event("2026-05-04T09:00", "2026-05-04T10:00", timezone="Europe/Berlin")
    window: dict[str, Any] = {"start": utc(2026, 5, 1), "end": utc(2026, 5, 10)}

    tokyo = occurrences_between(floating, **window, user_zone="Asia/Tokyo")[0].start
    london = occurrences_between(floating, **window, user_zone="Europe/London")[0].start
    assert (tokyo, london) == (utc(2026, 5, 4, 0), utc(2026, 5, 4, 8))
    assert {
        occurrences_between(fixed, **window, user_zone=zone)[0].start
        for zone in ("Asia/Tokyo", "Europe/London")
    } == {utc(2026, 5, 4, 7)}


def test_an_occurrence_running_into_the_window_is_included() -> None:
    long = event("2026-05-04T22:00", "2026-05-05T02:00", timezone="UTC")
    assert (
        len(occurrences_between(long, start=utc(2026, 5, 5), end=utc(2026, 5, 6), user_zone="UTC"))
        == 1
    )
    assert (
        occurrences_between(long, start=utc(2026, 5, 5, 2), end=utc(2026, 5, 6), user_zone="UTC")
        == []
    )


def test_expansion_is_bounded() -> None:
    daily = event("2000-01-01T09:00", "2000-01-01T10:00", recurrence="FREQ=DAILY")
    found = occurrences_between(daily, start=utc(2020, 1, 1), end=utc(2030, 1, 1), user_zone="UTC")
    assert len(found) == MAX_OCCURRENCES
    assert found[0].key == "2020-01-01T09:00"


def test_a_dst_gap_moves_forward_and_naive_windows_are_refused() -> None:
    gap = event("2026-03-29T02:30", "2026-03-29T03:30")
    [found] = occurrences_between(
        gap, start=utc(2026, 3, 28), end=utc(2026, 3, 30), user_zone="UTC"
    )
    assert found.start.astimezone(BERLIN).strftime("%H:%M") == "03:30"
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences_between(gap, start=datetime(2026, 3, 28), end=utc(2026, 4, 1), user_zone="UTC")


def test_iteration_is_in_order_of_start() -> None:
    weekly = event(
        "2026-01-05T09:00",
        "2026-01-05T10:00",
        recurrence="FREQ=WEEKLY;COUNT=3",
        exceptions={
            "2026-01-12T09:00": {
                "start": {"date": "2026-01-04", "time": "08:00", "timezone": None},
                "end": {"date": "2026-01-04", "time": "09:00", "timezone": None},
            }
        },
    )
    found = list(iter_occurrences(weekly, after=utc(2025, 12, 1), user_zone="UTC"))
    assert [o.key for o in found] == ["2026-01-12T09:00", "2026-01-05T09:00", "2026-01-19T09:00"]


def test_the_first_occurrence_ignores_exceptions_and_follows_the_zone() -> None:
    weekly = event(
        "2026-01-05T09:00",
        "2026-01-05T10:00",
        timezone=None,
        recurrence="FREQ=WEEKLY;BYDAY=WE",
        exceptions={"2026-01-07T09:00": {"cancelled": True}},
    )
    first = first_occurrence(weekly, user_zone="Asia/Tokyo")
    assert first is not None
    assert (first.key, first.start) == ("2026-01-07T09:00", utc(2026, 1, 7, 0))

"""When a user's briefing is due: the slot instant per zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.accounts.models import BriefingSettings, Settings
from shared.briefings.slots import day_bounds, local_day, next_slot, slot_record


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "after", "expected"),
    [
        # Before today's time: today's; at or after it: tomorrow's.
        ("UTC", utc(2026, 12, 2, 6, 59), utc(2026, 12, 2, 7, 0)),
        ("UTC", utc(2026, 12, 2, 7, 0), utc(2026, 12, 3, 7, 0)),
        ("Europe/Berlin", utc(2026, 12, 2, 0, 0), utc(2026, 12, 2, 6, 0)),  # CET +01:00
        ("Europe/Berlin", utc(2026, 7, 2, 0, 0), utc(2026, 7, 2, 5, 0)),  # CEST +02:00
        # Half- and quarter-hour zones: the instant is theirs, not a rounded hour.
        ("Asia/Kolkata", utc(2026, 12, 2, 0, 0), utc(2026, 12, 2, 1, 30)),  # +05:30
        ("Asia/Kathmandu", utc(2026, 12, 2, 0, 0), utc(2026, 12, 2, 1, 15)),  # +05:45
        ("America/New_York", utc(2026, 12, 2, 11, 0), utc(2026, 12, 2, 12, 0)),  # EST
        ("America/New_York", utc(2026, 12, 2, 12, 0), utc(2026, 12, 3, 12, 0)),
        # The local day differs from the UTC day: 20:00 UTC is already tomorrow in Kolkata.
        ("Asia/Kolkata", utc(2026, 12, 2, 20, 0), utc(2026, 12, 3, 1, 30)),
        ("America/New_York", utc(2026, 12, 3, 2, 0), utc(2026, 12, 3, 12, 0)),  # still 2nd
    ],
)
def test_next_slot_is_the_next_local_seven_oclock(
    timezone: str, after: datetime, expected: datetime
) -> None:
    assert next_slot(time="07:00", timezone=timezone, after=after) == expected


def test_across_spring_forward_the_local_time_holds() -> None:
    # Berlin moves to CEST on 2026-03-29: 07:00 is 06:00 UTC before, 05:00 UTC after.
    before = next_slot(time="07:00", timezone="Europe/Berlin", after=utc(2026, 3, 28, 6, 0))
    after = next_slot(time="07:00", timezone="Europe/Berlin", after=before)
    assert before == utc(2026, 3, 29, 5, 0)
    assert after == utc(2026, 3, 30, 5, 0)
    # New York: 2026-03-08, EST -> EDT.
    ny = next_slot(time="07:00", timezone="America/New_York", after=utc(2026, 3, 7, 12, 0))
    assert ny == utc(2026, 3, 8, 11, 0)


def test_across_fall_back_the_local_time_holds() -> None:
    # New York back to EST on 2026-11-01: 07:00 is 11:00 UTC before, 12:00 UTC after.
    first = next_slot(time="07:00", timezone="America/New_York", after=utc(2026, 10, 31, 10, 0))
    second = next_slot(time="07:00", timezone="America/New_York", after=first)
    assert (first, second) == (utc(2026, 10, 31, 11, 0), utc(2026, 11, 1, 12, 0))


def test_a_time_inside_the_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29 (02:00 -> 03:00): 03:30 CEST = 01:30 UTC.
    slot = next_slot(time="02:30", timezone="Europe/Berlin", after=utc(2026, 3, 28, 12, 0))
    assert slot == utc(2026, 3, 29, 1, 30)


def test_a_time_that_happens_twice_is_the_first() -> None:
    # 01:30 happens twice in New York on 2026-11-01: the first is EDT (05:30 UTC).
    slot = next_slot(time="01:30", timezone="America/New_York", after=utc(2026, 11, 1, 0, 0))
    assert slot == utc(2026, 11, 1, 5, 30)


def test_day_bounds_are_local_midnights_and_may_be_23_or_25_hours() -> None:
    start, end = day_bounds(date(2026, 3, 29), "Europe/Berlin")
    assert (start, end) == (utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0))
    start, end = day_bounds(date(2026, 11, 1), "America/New_York")
    assert (end - start).total_seconds() == 25 * 3600
    assert day_bounds(date(2026, 12, 2), "Asia/Kathmandu")[0] == utc(2026, 12, 1, 18, 15)


def test_local_day_of_a_slot() -> None:
    assert local_day(utc(2026, 12, 2, 1, 30), "Asia/Kolkata") == date(2026, 12, 2)
    assert local_day(utc(2026, 12, 2, 1, 30), "America/New_York") == date(2026, 12, 1)


def test_slot_record_follows_the_settings_and_is_none_when_off() -> None:
    settings = Settings(timezone="Asia/Kolkata", briefing=BriefingSettings(time="06:45"))
    record = slot_record(uid="u1", settings=settings, after=utc(2026, 12, 2, 0, 0))
    assert record == {
        "uid": "u1",
        "nextAt": utc(2026, 12, 2, 1, 15),
        "timezone": "Asia/Kolkata",
        "time": "06:45",
        "enabled": True,
    }
    off = Settings(briefing=BriefingSettings(enabled=False))
    assert slot_record(uid="u1", settings=off, after=utc(2026, 12, 2)) is None

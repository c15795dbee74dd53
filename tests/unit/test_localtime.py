"""Times as the user meant them (shared/localtime.py): DST gaps and folds, floating and
fixed zones, and recurrences that keep their wall time across DST changes."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.localtime import (
    InvalidRule,
    WallTime,
    check_rrule,
    describe,
    ever_occurs,
    next_instant,
    zone,
)

BERLIN, NEW_YORK, KOLKATA = "Europe/Berlin", "America/New_York", "Asia/Kolkata"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_a_fixed_time_keeps_its_instant_whatever_the_users_zone() -> None:
    flight = WallTime(date=date(2026, 12, 5), time="14:05", timezone=BERLIN)
    assert flight.instant(NEW_YORK) == flight.instant(KOLKATA) == utc(2026, 12, 5, 13, 5)


def test_a_floating_time_follows_the_users_zone() -> None:
    standup = WallTime(date=date(2026, 12, 5), time="09:00")
    assert standup.instant(BERLIN) == utc(2026, 12, 5, 8, 0)
    assert standup.instant(NEW_YORK) == utc(2026, 12, 5, 14, 0)
    assert standup.instant(KOLKATA) == utc(2026, 12, 5, 3, 30)  # a half-hour zone


def test_a_whole_day_is_its_local_midnight() -> None:
    day = WallTime(date=date(2026, 12, 5))
    assert day.all_day
    assert day.instant(BERLIN) == utc(2026, 12, 4, 23, 0)


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [  # 02:30 does not exist on the spring-forward night: moved forward by the gap
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # = 03:30 CEST
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),  # = 03:30 EDT
    ],
)
def test_a_wall_time_in_a_dst_gap_moves_forward_by_the_gap(
    tz: str, day: date, expected: datetime
) -> None:
    instant = WallTime(date=day, time="02:30", timezone=tz).instant("UTC")
    assert instant == expected
    assert instant.astimezone(zone(tz)).strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    ("tz", "day", "wall", "expected"),
    [  # happens twice on the fall-back night: the first of the two
        (BERLIN, date(2026, 10, 25), "02:30", utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30)),
    ],
)
def test_a_wall_time_that_happens_twice_is_the_first(
    tz: str, day: date, wall: str, expected: datetime
) -> None:
    assert WallTime(date=day, time=wall, timezone=tz).instant("UTC") == expected


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK])
def test_a_weekly_0900_stays_0900_local_across_both_dst_changes(tz: str) -> None:
    start = datetime(2026, 2, 2, 9, 0)  # a Monday
    after, seen = utc(2026, 2, 1), []
    while after < utc(2026, 12, 1):
        found = next_instant("FREQ=WEEKLY;BYDAY=MO", start, zone(tz), after=after)
        assert found is not None
        wall, instant = found
        seen.append(instant)
        assert instant.astimezone(zone(tz)).strftime("%a %H:%M") == "Mon 09:00"
        assert wall.strftime("%H:%M") == "09:00"
        after = instant
    offsets = {i.astimezone(zone(tz)).utcoffset() for i in seen}
    assert len(offsets) == 2  # the UTC instant moved with DST; the wall time did not
    assert len(seen) == 45  # 2 Feb to 7 Dec


def test_a_series_skips_the_occurrences_it_is_told_to() -> None:
    start = datetime(2026, 12, 1, 9, 0)
    cancelled = {datetime(2026, 12, 2, 9, 0)}
    found = next_instant(
        "FREQ=DAILY", start, zone(BERLIN), after=utc(2026, 12, 1, 12), skip=cancelled.__contains__
    )
    assert found is not None
    assert found[0] == datetime(2026, 12, 3, 9, 0)


def test_a_finished_series_has_no_next_time() -> None:
    start = datetime(2026, 12, 1, 9, 0)
    assert next_instant("FREQ=DAILY;COUNT=2", start, zone(BERLIN), after=utc(2026, 12, 3)) is None
    assert next_instant(None, start, zone(BERLIN), after=utc(2026, 12, 3)) is None
    assert next_instant(None, start, zone(BERLIN), after=utc(2026, 11, 30)) == (
        start,
        utc(2026, 12, 1, 8, 0),
    )


def test_a_rule_that_never_occurs_within_the_search_is_found_quickly() -> None:
    began = time.perf_counter()
    assert not ever_occurs("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", datetime(2026, 1, 1))
    assert time.perf_counter() - began < 5
    assert ever_occurs("FREQ=MONTHLY;BYMONTHDAY=1", datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=MINUTELY", "DAILY, WEEKLY"),
        ("FREQ=HOURLY;INTERVAL=1", "DAILY, WEEKLY"),
        ("INTERVAL=2", "needs FREQ"),
        ("FREQ=DAILY;COUNT=100000", "COUNT is at most"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
        ("FREQ=DAILY\nDTSTART:20260101T000000", "not an RRULE"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 40, "at most"),
        ("", "not an RRULE"),
        ("FREQ=DAILY;BYHOUR=1,2,3", "BYHOUR is not supported"),
        ("FREQ=DAILY;BYMONTHDAY=31;BYMONTH=4,6", "never occurs"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=40", "BYSETPOS"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=MONTHLY;BYMONTHDAY=x", "numbers"),
    ],
)
def test_hostile_or_broken_rules_are_refused(rule: str, reason: str) -> None:
    with pytest.raises(InvalidRule, match=reason):
        check_rrule(rule)


def test_a_rule_is_normalised() -> None:
    assert check_rrule(" rrule:freq=weekly;byday=mo,we ") == "FREQ=WEEKLY;BYDAY=MO,WE"


@pytest.mark.parametrize(
    "bad",
    [
        {"date": "2026-12-05", "time": "24:00"},
        {"date": "2026-12-05", "time": "9:00"},
        {"date": "2026-12-05", "timezone": "CET/Nowhere"},
        {"date": "2026-13-05"},
        {"date": "9999-01-01"},
        {"date": "2026-12-05", "extra": 1},
    ],
)
def test_malformed_wall_times_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WallTime.model_validate(bad)


def test_the_interpretation_reads_in_the_users_zone() -> None:
    instant = utc(2026, 12, 5, 14, 0)
    assert describe(instant, BERLIN) == "Sat 5 Dec 2026, 15:00 Europe/Berlin"
    assert describe(instant, BERLIN, all_day=True) == "Sat 5 Dec 2026"
    assert WallTime.at(instant, timezone=BERLIN).stored() == {
        "date": "2026-12-05",
        "time": "15:00",
        "timezone": BERLIN,
    }
    assert WallTime.at(instant + timedelta(0)).time == "14:00"

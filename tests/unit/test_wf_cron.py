from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.platform.timers import task_name as fire_key
from shared.workflows.cron import check_cron, next_fire


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2025, 1, 15, 0, 0), utc(2025, 1, 15, 8, 0)),  # CET, UTC+1
        (utc(2025, 7, 15, 0, 0), utc(2025, 7, 15, 7, 0)),  # CEST, UTC+2
        (utc(2025, 1, 15, 8, 0), utc(2025, 1, 16, 8, 0)),  # strictly after
        (utc(2025, 1, 15, 7, 59, 59, 999999), utc(2025, 1, 15, 8, 0)),
    ],
)
def test_berlin_morning_follows_daylight_saving(after: datetime, expected: datetime) -> None:
    fire = next_fire("0 9 * * *", "Europe/Berlin", after)
    assert fire == expected
    assert fire.tzinfo is UTC


def test_after_may_be_in_any_zone() -> None:
    after = datetime(2025, 1, 15, 1, 0, tzinfo=ZoneInfo("America/New_York"))  # 06:00 UTC
    assert next_fire("0 9 * * *", "Europe/Berlin", after) == utc(2025, 1, 15, 8, 0)


def test_a_run_in_the_skipped_hour_happens_once_after_it() -> None:
    # Berlin, 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    first = next_fire("30 2 * * *", "Europe/Berlin", utc(2025, 3, 29, 23, 0))
    assert first == utc(2025, 3, 30, 1, 0)  # 03:00 CEST, the first minute after the gap
    assert next_fire("30 2 * * *", "Europe/Berlin", first) == utc(2025, 3, 31, 0, 30)


def test_a_run_in_the_repeated_hour_happens_once() -> None:
    # Berlin, 2025-10-26: 03:00 CEST goes back to 02:00 CET (01:00 UTC); 02:30 happens twice.
    first = next_fire("30 2 * * *", "Europe/Berlin", utc(2025, 10, 25, 23, 0))
    assert first == utc(2025, 10, 26, 0, 30)  # 02:30 CEST
    assert next_fire("30 2 * * *", "Europe/Berlin", first) == utc(2025, 10, 27, 1, 30)
    # From inside the second 02:00-03:00 the second 02:30 (01:30 UTC) is skipped too.
    assert next_fire("30 2 * * *", "Europe/Berlin", utc(2025, 10, 26, 1, 10)) == utc(
        2025, 10, 27, 1, 30
    )


def test_hourly_schedules_keep_every_real_hour_across_the_change() -> None:
    fires, after = [], utc(2025, 10, 25, 23, 30)
    for _ in range(4):
        after = next_fire("0 * * * *", "Europe/Berlin", after)
        fires.append(after)
    assert fires == [utc(2025, 10, 26, h) for h in range(4)]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/15 * * * *", utc(2025, 5, 1, 10, 7), utc(2025, 5, 1, 10, 15)),
        ("0 9 * * MON-FRI", utc(2025, 5, 3, 0, 0), utc(2025, 5, 5, 9, 0)),  # a Saturday
        ("@daily", utc(2025, 5, 1, 10, 0), utc(2025, 5, 2, 0, 0)),
        ("@HOURLY", utc(2025, 5, 1, 10, 0), utc(2025, 5, 1, 11, 0)),
        ("0 0 L * *", utc(2025, 2, 1, 0, 0), utc(2025, 2, 28, 0, 0)),
        ("0 0 29 2 *", utc(2025, 1, 1, 0, 0), utc(2028, 2, 29, 0, 0)),
    ],
)
def test_next_fire_in_utc(expression: str, after: datetime, expected: datetime) -> None:
    check_cron(expression, "UTC")
    assert next_fire(expression, "UTC", after) == expected


def test_a_schedule_that_never_fires_again_is_an_error() -> None:
    # Days 1 and 21 that are also the month's last Monday: never.
    with pytest.raises(ValueError, match="never fires"):
        next_fire("0 0 */20 * 1L", "UTC", utc(2025, 1, 1))


def test_after_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire("0 9 * * *", "UTC", datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("*/5 * * * * *", "has a seconds field; schedules run at most once a minute"),
        ("0 0 9 * * *", "seconds field"),
        ("* * *", "expected 5 fields"),
        ("", "expected 5 fields"),
        ("@reboot", "expected 5 fields"),
        ("61 * * * *", "bad minute field"),
        ("0 24 * * *", "bad hour field"),
        ("0 0 32 * *", "bad day-of-month field"),
        ("0 0 30 2 *", "bad day-of-month field"),
        ("0 0 * 13 *", "bad month field"),
        ("0 0 * * FUNDAY", "bad day-of-week field"),
        ("x" * 201, "longer than 200"),
    ],
)
def test_check_cron_refuses_bad_expressions(expression: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        check_cron(expression, "UTC")
    with pytest.raises(ValueError, match=re.escape(fragment)):
        next_fire(expression, "UTC", utc(2025, 1, 1))


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc ", "CEST", "/etc/localtime", "../UTC"])
def test_check_cron_refuses_non_iana_zones(zone: str) -> None:
    with pytest.raises(ValueError, match="not an IANA time zone"):
        check_cron("0 9 * * *", zone)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham"])
def test_check_cron_accepts_real_zones(zone: str) -> None:
    check_cron("0 9 * * 1-5", zone)


def test_fire_key_is_a_stable_hashed_task_id() -> None:
    when = utc(2025, 1, 15, 8, 0)
    key = fire_key("wf_123", when)
    digest = hashlib.sha256(b"wf_123:2025-01-15T08:00:00+00:00").hexdigest()
    assert key == "tmr-" + digest[:40]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,100}", key)
    assert fire_key("wf_123", when) == key
    assert fire_key("wf_124", when) != key
    assert fire_key("wf_123", when + timedelta(minutes=1)) != key


def test_fire_key_depends_on_the_instant_not_the_zone() -> None:
    berlin = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert fire_key("wf", berlin) == fire_key("wf", utc(2025, 1, 15, 8, 0))


def test_fire_key_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fire_key("wf", datetime(2025, 1, 15, 8, 0))

"""Quick add's deterministic parser over a table of phrases (fixed `now`, two zones, four
daylight-saving changes), and its pass rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.quickadd import parser
from shared.quickadd.models import Interpretation

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def at(zone: str, *parts: int) -> tuple[datetime, str]:
    from zoneinfo import ZoneInfo

    return datetime(*parts, tzinfo=ZoneInfo(zone)), zone  # type: ignore[misc]


TUE = at(BERLIN, 2026, 12, 1, 10, 0)  # a Tuesday
MON = at(BERLIN, 2026, 11, 30, 9, 0)  # a Monday
SAT = at(NEW_YORK, 2026, 12, 5, 11, 0)  # a Saturday
BER_SPRING = at(BERLIN, 2026, 3, 28, 12, 0)  # clocks go forward Sun 29 Mar, 02:00 -> 03:00
BER_FALL = at(BERLIN, 2026, 10, 24, 12, 0)  # clocks go back Sun 25 Oct, 03:00 -> 02:00
NY_SPRING = at(NEW_YORK, 2026, 3, 7, 10, 0)  # Sun 8 Mar, 02:00 -> 03:00
NY_FALL = at(NEW_YORK, 2026, 10, 31, 10, 0)  # Sun 1 Nov, 02:00 -> 01:00
NY_FALL_LATE = at(NEW_YORK, 2026, 10, 31, 23, 30)


@dataclass(frozen=True)
class Row:
    when: tuple[datetime, str]
    text: str
    kind: str = "task"
    title: str | None = None
    date: str | None = None  # of due (task, reminder) or start (event)
    time: str | None = None
    zone: str | None = None  # the WallTime's own zone (None: floating)
    rule: str | None = None
    end: str | None = None  # "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (events)
    question: str | None = None  # a fragment of the expected question
    instant: str | None = None  # the UTC instant of the time, ISO
    summary: str | None = None  # a fragment of the summary
    extra: tuple[tuple[str, Any], ...] = ()


ROWS = [
    # relative days
    Row(TUE, "remind me to call Bob tomorrow at 3pm", "reminder", "call Bob", "2026-12-02", "15:00",
        summary="Reminder: call Bob, Wed 2 Dec 2026, 15:00 Europe/Berlin"),
    Row(TUE, "buy milk day after tomorrow", title="buy milk", date="2026-12-03"),
    Row(TUE, "pay the bills today", title="pay the bills", date="2026-12-01"),
    Row(TUE, "call mom tonight", title="call mom", date="2026-12-01", time="20:00"),
    Row(TUE, "movie at 9 tonight", title="movie", date="2026-12-01", time="21:00"),
    Row(TUE, "water plants tomorrow morning", title="water plants", date="2026-12-02",
        time="09:00"),
    Row(TUE, "in 3 days renew passport", title="renew passport", date="2026-12-04"),
    Row(TUE, "check the oven in 2 hours", title="check the oven", date="2026-12-01", time="12:00"),
    Row(TUE, "stretch in 30 minutes", title="stretch", date="2026-12-01", time="10:30"),
    Row(TUE, "book flights in 2 weeks", title="book flights", date="2026-12-15"),
    # weekdays: "Tuesday" is the coming one, "next Tuesday" the one of next week
    Row(MON, "pay rent Tuesday", title="pay rent", date="2026-12-01"),
    Row(MON, "pay rent next Tuesday", title="pay rent", date="2026-12-08"),
    Row(MON, "call Anna on Monday", title="call Anna", date="2026-12-07"),
    Row(MON, "call Anna this Monday", title="call Anna", date="2026-11-30"),
    Row(SAT, "dentist next tuesday at 10am", "event", "dentist", "2026-12-08", "10:00",
        end="2026-12-08 11:00"),
    Row(TUE, "submit report by friday", title="submit report", date="2026-12-04"),
    Row(TUE, "groceries on sat", title="groceries", date="2026-12-05"),
    Row(TUE, "review Thursday next week", title="review", date="2026-12-10"),
    Row(TUE, "plan trip next week", title="plan trip", date="2026-12-07"),
    Row(TUE, "clean garage this weekend", title="clean garage", date="2026-12-05"),
    # dates and ordinals
    Row(TUE, "party 5 Dec", "event", "party", "2026-12-05", end="2026-12-06"),
    Row(TUE, "send report December 5th", title="send report", date="2026-12-05"),
    Row(TUE, "renew insurance on the 15th", title="renew insurance", date="2026-12-15"),
    Row(TUE, "pay rent the 1st", title="pay rent", date="2026-12-01"),
    Row(TUE, "taxes due 2027-04-15", title="taxes", date="2027-04-15"),
    Row(TUE, "birthday card Nov 3", title="birthday card", date="2027-11-03"),
    Row(TUE, "dinner 12/5", question="Sat 5 Dec 2026 or Wed 12 May 2027"),
    Row(TUE, "dinner 25/12", title="dinner", date="2026-12-25"),
    Row(TUE, "conference Feb 30", "event", question="There is no 30 February"),
    # times
    Row(TUE, "lunch with Sam at noon", "event", "lunch with Sam", "2026-12-01", "12:00",
        end="2026-12-01 13:00"),
    Row(TUE, "submit by midnight", title="submit", date="2026-12-02", time="00:00"),
    Row(TUE, "call Bob at 9", title="call Bob", date="2026-12-02", time="09:00"),
    Row(TUE, "standup 15:00", "event", "standup", "2026-12-01", "15:00"),
    Row(TUE, "call the bank at 3", title="call the bank", date="2026-12-01", time="15:00"),
    Row(TUE, "run at 07:30 tomorrow", title="run", date="2026-12-02", time="07:30"),
    # durations and ranges
    Row(TUE, "meeting tomorrow 10:30-11:30", "event", "meeting", "2026-12-02", "10:30",
        end="2026-12-02 11:30", summary="Wed 2 Dec 2026, 10:30-11:30 Europe/Berlin"),
    Row(TUE, "yoga tomorrow at 6pm for an hour", "event", "yoga", "2026-12-02", "18:00",
        end="2026-12-02 19:00"),
    Row(TUE, "workshop Friday 2pm for 90 minutes", "event", "workshop", "2026-12-04", "14:00",
        end="2026-12-04 15:30"),
    Row(TUE, "review slides tomorrow from 3 to 4:30pm", "event", "review slides", "2026-12-02",
        "15:00", end="2026-12-02 16:30"),
    Row(TUE, "night shift friday 22:00-06:00", "event", "night shift", "2026-12-04", "22:00",
        end="2026-12-05 06:00"),
    # repetitions
    Row(TUE, "standup every weekday at 9am", "event", "standup", "2026-12-02", "09:00",
        rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", summary="every weekday"),
    Row(TUE, "gym every Monday and Wednesday at 7pm", title="gym", date="2026-12-02",
        time="19:00", rule="FREQ=WEEKLY;BYDAY=MO,WE"),
    Row(TUE, "pay rent every month on the 1st", title="pay rent", date="2026-12-01",
        rule="FREQ=MONTHLY;BYMONTHDAY=1"),
    Row(TUE, "rent due the 1st of every month", title="rent", date="2026-12-01",
        rule="FREQ=MONTHLY;BYMONTHDAY=1"),
    Row(TUE, "water plants every day", title="water plants", date="2026-12-01", rule="FREQ=DAILY"),
    Row(TUE, "team sync every 2 weeks on Monday at 10am", "event", "team sync", "2026-12-07",
        "10:00", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    Row(TUE, "take pills every day at 8am until Dec 31", title="take pills", date="2026-12-02",
        time="08:00", rule="FREQ=DAILY;UNTIL=20261231T235959"),
    Row(TUE, "water plants every day for 5 times", title="water plants", date="2026-12-01",
        rule="FREQ=DAILY;COUNT=5"),
    Row(TUE, "renew domain every year", title="renew domain", date="2026-12-01",
        rule="FREQ=YEARLY"),
    Row(TUE, "review budget every first Monday of the month", title="review budget",
        date="2026-12-07", rule="FREQ=MONTHLY;BYDAY=1MO"),
    Row(TUE, "standup every second tuesday", "event", question="every 2 weeks, or the second"),
    Row(TUE, "check email every hour", question="at most once a day"),
    # priorities, tags, kinds
    Row(TUE, "write report p1 #work @office", title="write report",
        extra=(("priority", 3), ("tags", ["work", "office"]), ("due", None))),
    Row(TUE, "fix the sink p3", title="fix the sink", extra=(("priority", 1),)),
    Row(TUE, "remind me to stretch", "reminder", question="When should I remind you"),
    Row(TUE, "remind me to call Bob tomorrow", "reminder", question="At what time on Wed 2 Dec"),
    Row(TUE, "meeting with Bob", "event", question="When is it"),
    # zones named in the text
    Row(TUE, "flight tomorrow 15:00 America/New_York", "event", "flight", "2026-12-02", "15:00",
        zone=NEW_YORK, instant="2026-12-02T20:00:00+00:00",
        summary="15:00-16:00 America/New_York (21:00 Europe/Berlin)"),
    Row(TUE, "call the Tokyo office tomorrow 9am Tokyo time", title="call the Tokyo office",
        date="2026-12-02", time="09:00", zone="Asia/Tokyo", instant="2026-12-02T00:00:00+00:00"),
    Row(TUE, "call at 3pm PST", question="Which time zone is PST"),
    # daylight saving, Europe/Berlin
    Row(BER_SPRING, "call mom tomorrow at 3pm", title="call mom", date="2026-03-29",
        time="15:00", instant="2026-03-29T13:00:00+00:00",
        summary="Sun 29 Mar 2026, 15:00 Europe/Berlin"),
    Row(BER_SPRING, "check heating in 24 hours", title="check heating", date="2026-03-29",
        time="13:00", instant="2026-03-29T11:00:00+00:00"),
    Row(BER_SPRING, "bake bread tomorrow at 2:30am", title="bake bread", date="2026-03-29",
        time="02:30", instant="2026-03-29T01:30:00+00:00", summary="03:30 Europe/Berlin"),
    Row(BER_FALL, "call mom tomorrow at 3pm", title="call mom", date="2026-10-25", time="15:00",
        instant="2026-10-25T14:00:00+00:00"),
    Row(BER_FALL, "check the heating in 24 hours", title="check the heating", date="2026-10-25",
        time="11:00", instant="2026-10-25T10:00:00+00:00"),
    # daylight saving, America/New_York (dateparser gave -05:00 for the first one)
    Row(NY_SPRING, "dentist tomorrow at 3pm", "event", "dentist", "2026-03-08", "15:00",
        instant="2026-03-08T19:00:00+00:00", end="2026-03-08 16:00"),
    Row(NY_SPRING, "standup every day at 9am", "event", "standup", "2026-03-08", "09:00",
        rule="FREQ=DAILY", instant="2026-03-08T13:00:00+00:00"),
    Row(NY_FALL, "feed cat tomorrow at 1:30am", title="feed cat", date="2026-11-01",
        time="01:30", instant="2026-11-01T05:30:00+00:00"),
    Row(NY_FALL_LATE, "call grandma in 3 hours", question="happens twice"),
]  # fmt: skip


def read(row: Row) -> Interpretation:
    now, zone = row.when
    return parser.interpret(parser.parse(row.text, now=now, zone=zone), text=row.text,
                            now=now, zone=zone)  # fmt: skip


def problems(row: Row) -> list[str]:
    """What differs from the row's expectations (empty: the row passes)."""
    got = read(row)
    wrong: list[str] = []

    def check(name: str, actual: Any, expected: Any) -> None:
        if actual != expected:
            wrong.append(f"{name}: {actual!r} != {expected!r}")

    if row.question is not None:
        if not got.question or row.question not in got.question:
            wrong.append(f"question: {got.question!r} lacks {row.question!r}")
        check("kind", got.kind, row.kind)
        return wrong
    check("question", got.question, None)
    check("kind", got.kind, row.kind)
    if row.title is not None:
        check("title", got.title, row.title)
    when = got.start if got.kind == "event" else got.due
    if row.date is not None:
        check("date", when and when.date.isoformat(), row.date)
        check("time", when and when.time, row.time)
        check("zone", when and when.timezone, row.zone)
    check("recurrence", got.recurrence, row.rule)
    if got.kind == "reminder":
        check("remind", got.remind, got.due)
    if row.end is not None:
        end = got.end
        shown = end and (f"{end.date} {end.time}" if end.time else end.date.isoformat())
        check("end", shown, row.end)
    if row.instant is not None and when is not None:
        check("instant", when.instant(row.when[1]).isoformat(), row.instant)
    if row.summary is not None and row.summary not in got.summary:
        wrong.append(f"summary: {got.summary!r} lacks {row.summary!r}")
    for name, expected in row.extra:
        check(name, getattr(got, name), expected)
    return wrong


def test_the_table_is_large_and_covers_both_zones_across_dst() -> None:
    assert len(ROWS) >= 40
    dst = [r for r in ROWS if r.when in {BER_SPRING, BER_FALL, NY_SPRING, NY_FALL, NY_FALL_LATE}]
    assert {r.when[1] for r in dst} == {BERLIN, NEW_YORK}
    assert sum(r.question is not None for r in ROWS) >= 8


@pytest.mark.parametrize("row", ROWS, ids=[r.text for r in ROWS])
def test_phrase(row: Row) -> None:
    assert problems(row) == []


def test_pass_rate_of_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    failed = {row.text: p for row in ROWS if (p := problems(row))}
    rate = 1 - len(failed) / len(ROWS)
    with capsys.disabled():
        print(f"\nquick add parser: {len(ROWS) - len(failed)}/{len(ROWS)} = {rate:.1%}")  # noqa: T201
    assert rate >= 0.95, failed


def test_weekday_rule_both_readings() -> None:
    """Said on a Monday: "Tuesday" is tomorrow, "next Tuesday" 8 days on; said on a
    Saturday both are 3 days on (next week's Tuesday is the coming one)."""
    monday, saturday = MON[0], datetime(2026, 12, 5, 12, tzinfo=UTC)

    def day(text: str, now: datetime) -> str:
        found = parser.parse(text, now=now, zone="UTC").date
        return found.isoformat() if found else ""

    assert day("on Tuesday", monday) == "2026-12-01"
    assert day("next Tuesday", monday) == "2026-12-08"
    assert day("Tuesday", saturday) == day("next Tuesday", saturday) == "2026-12-08"
    assert day("this Tuesday", datetime(2026, 12, 1, 8, tzinfo=UTC)) == "2026-12-01"


def test_a_time_alone_is_today_if_ahead_else_tomorrow() -> None:
    now = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    ahead = parser.parse("call at 4pm", now=now, zone="UTC")
    past = parser.parse("call at 1pm", now=now, zone="UTC")
    assert parser.interpret(ahead, text="", now=now, zone="UTC").due.date.day == 1  # type: ignore[union-attr]
    assert parser.interpret(past, text="", now=now, zone="UTC").due.date.day == 2  # type: ignore[union-attr]


def test_a_passed_reminder_asks() -> None:
    now = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    r = parser.parse("remind me to call Bob today at 9am", now=now, zone="UTC")
    assert "passed" in (parser.interpret(r, text="", now=now, zone="UTC").question or "")


def test_the_title_keeps_words_that_are_not_times() -> None:
    now = TUE[0]
    r = parser.parse("read 500 pages on the way home", now=now, zone=BERLIN)
    assert r.title == "read 500 pages on the way home"
    assert r.date is None
    assert r.time is None


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parser.parse("x", now=datetime(2026, 1, 1), zone="UTC")


@pytest.mark.parametrize(
    "text",
    ["x in 999 years", "x 9999-12-31", "x 1900-01-01", "x in 99999999999999999999 days",
     "x in 99999999999999 hours", "every day until 9999-01-01 x", "every 2000 days x",
     "x every day for 5000 times", "x until 1990-01-01 every day", "x 13pm", "x 31 Feb 2027"],
)  # fmt: skip
def test_impossible_or_far_lines_ask(text: str) -> None:
    now, zone = TUE
    got = parser.interpret(parser.parse(text, now=now, zone=zone), text=text, now=now, zone=zone)
    assert got.question


def test_time_like_words_left_in_the_title_lower_the_confidence() -> None:
    now, zone = TUE
    got = parser.interpret(parser.parse("x at 25:00", now=now, zone=zone), text="", now=now,
                           zone=zone)  # fmt: skip
    assert got.title == "x at 25:00"
    assert got.confidence == 0.6


def test_any_line_is_read_quickly_without_error() -> None:
    import random
    import time

    rnd = random.Random(7)
    phrase = "every monday next 3pm at 10:30 - to from in 2 hours day after tomorrow the 1st "
    phrase += "of month until dec 5 for times # @ p1 / 12 , and 99999 years 2026-02-30 PST tonight"
    words = phrase.split(" ")
    lines = ["1 " * 250, "every " * 83, "mon, " * 100, "12:" * 166, "3-" * 250, "#a" * 250]
    lines += [" ".join(rnd.choice(words) for _ in range(150))[:500] for _ in range(300)]
    now, zone = TUE
    worst = 0.0
    for text in lines:
        started = time.perf_counter()
        parser.interpret(parser.parse(text, now=now, zone=zone), text=text, now=now, zone=zone)
        worst = max(worst, time.perf_counter() - started)
    assert worst < 0.5

"""Quick add read deterministically: one line -> what it means, with no AI.

A small explicit grammar over regular expressions (docs/quick-add.md lists it). Each
phrase it recognises (a day, a time, a range, a repetition, a zone, `p1`, `#tag`) is cut
out of the line and what is left is the title. Days are computed on the user's local
calendar (`now` in their zone), times are wall-clock times (`WallTime`), and instants
only ever come from `shared.localtime`, so a daylight-saving change between now and
then moves nothing. What it cannot read with confidence becomes a `question`, never a
guess: "12/5" (5 December or 12 May?), "PST" (which zone?), "every second Tuesday"
(every other week, or the 2nd of the month?).

The weekday rule: "Tuesday", "on Tuesday" and "coming Tuesday" are the next Tuesday
after today (said on a Tuesday: a week later; today is "today"); "this Tuesday" is the
Tuesday of this week, from today on (said on a Tuesday: today; said after Tuesday: the
next one); "next Tuesday" and "Tuesday next week" are the Tuesday of next week (weeks
start on Monday): said on a Monday that is 8 days later, said on a Saturday 3 days later.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from shared import localtime
from shared.localtime import WallTime
from shared.quickadd.models import (
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TITLE_CHARS,
    Interpretation,
    Kind,
    Source,
)

I = re.IGNORECASE  # noqa: E741
Day = date  # `Reading.date` shadows the type inside the class body

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Parts of the day: the time they stand for alone, and how a bare hour beside them reads.
PARTS_OF_DAY = {"morning": "09:00", "afternoon": "15:00", "evening": "18:00", "night": "20:00"}
DEFAULT_EVENT_MINUTES = 60
MAX_MOMENT_MINUTES = 366 * 24 * 60  # "in N hours/minutes" up to a year; beyond, name the day
MAX_DURATION_MINUTES = 24 * 60
# Event words: a line with one of these (and no "remind me") is an event.
EVENT_WORDS = re.compile(
    r"\b(?:meeting|meet\s+(?:with|up)|sync|stand-?up|dentist|doctor|appointment|appt|"
    r"(?:lunch|dinner|breakfast|brunch|coffee|drinks|call)\s+with|interview|conference|"
    r"party|flight|webinar|workshop|one-on-one|1:1)\b",
    I,
)
# Zone abbreviations name no IANA zone (EST is a fixed -05:00; CST is three places): ask.
ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "CST": "America/Chicago",
    "CDT": "America/Chicago", "MST": "America/Denver", "MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "BST": "Europe/London", "IST": "Asia/Kolkata",
    "JST": "Asia/Tokyo", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "WET": "Europe/Lisbon",
}  # fmt: skip

WD = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|"
    r"sat(?:urday)?|sun(?:day)?"
)
WD_LIST = rf"(?:{WD})s?(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)(?:{WD})s?)*"
MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
NUM = r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
END = r"(?![\w/:])"
POD = r"(?:\s+(?:in\s+the\s+)?(?P<pod>morning|afternoon|evening|night))?"


def _weekday(word: str) -> int:
    return [d[:2] for d in WEEKDAY_NAMES].index(word[:2].lower())


def _month(word: str) -> int:
    return MONTHS[word[:3].lower()]


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS[word]


@functools.cache
def _zones() -> dict[str, str]:
    """IANA zone names by lower case, and by city ("new york" -> America/New_York)."""
    names = zoneinfo.available_timezones()
    found = {name.lower(): name for name in names}
    areas = ("Europe/", "America/", "Asia/", "Africa/", "Australia/", "Pacific/", "Atlantic/")
    for name in sorted(names):
        if name.startswith(areas):
            city = name.rsplit("/", 1)[1].replace("_", " ").lower()
            found.setdefault(f"city:{city}", name)
    return found


class Unreadable(Exception):
    """A phrase was recognised but cannot be read with confidence: the question to ask."""


@dataclass
class Reading:
    """One line, read: the parts of speech and what they mean (dates still relative:
    a time without a day gets its day in `interpret`)."""

    title: str = ""
    kind: Kind = "task"
    reminder_words: bool = False
    event_words: bool = False
    date: Day | None = None
    time: str | None = None
    end_time: str | None = None
    duration: int | None = None  # minutes
    pod: str | None = None  # part of the day named (morning, afternoon, evening, night)
    timezone: str | None = None
    recurrence: str | None = None
    priority: int = 0
    tags: list[str] = field(default_factory=list)
    date_phrase: str | None = None
    time_phrase: str | None = None
    recurrence_phrase: str | None = None
    questions: list[str] = field(default_factory=list)
    leftovers: bool = False  # the title still holds words that look like a time

    @property
    def question(self) -> str | None:
        return self.questions[0] if self.questions else None


# --- the line as it is consumed -------------------------------------------------------


class _Line:
    """The text with the spans already read blanked out (positions stay as they were)."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.work = text

    def scan(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return list(pattern.finditer(self.work))

    def take(self, match: re.Match[str]) -> str:
        start, end = match.span()
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]
        return " ".join(self.original[start:end].split())

    def rest(self) -> str:
        return self.work


# --- days -----------------------------------------------------------------------------

LEAD = r"(?:(?:on|by|due(?:\s+on|\s+by)?|for|starting(?:\s+on)?)\s+)?"
DATE_BODIES: dict[str, str] = {
    "iso": r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d))?",
    "dmy": rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{MONTH})\.?"
    r"(?:,?\s+(?P<y>\d{4}))?",
    "mdy": rf"(?P<mon>{MONTH})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![:\d])"
    r"(?:,?\s+(?P<y>\d{4}))?",
    "slash": r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?",
    "ordinal": r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)",
    "relative": r"(?P<rel>(?:the\s+)?day\s+after\s+tomorrow|tomorrow|tmrw|today|tonight|"
    r"yesterday)",
    "weekday": rf"(?:(?P<which>this|next|coming)\s+)?(?P<wd>{WD})"
    r"(?P<nextweek>\s+(?:next|this)\s+week)?",
    "week": r"(?P<span>(?:this|next)\s+(?:week(?:end)?|month|year)|the\s+weekend)",
    "offset": rf"in\s+(?P<n>{NUM})\s+(?P<unit>days?|weeks?|months?|years?)|"
    rf"(?P<n2>{NUM})\s+(?P<unit2>days?|weeks?)\s+from\s+(?:now|today)",
}  # fmt: skip
DATE_PATTERNS = {
    name: re.compile(rf"\b{LEAD}(?:{body}){POD}{END}", I) for name, body in DATE_BODIES.items()
}
DATE_AT = {name: re.compile(rf"(?:{body}){END}", I) for name, body in DATE_BODIES.items()}


def _coming(today: date, month: int, day: int, year: int | None) -> date:
    """The date of `day` `month` (`year` if given, else this year's, or next year's when
    it has passed)."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            raise Unreadable(f"There is no {day} {_month_name(month)} {year}.") from None
    for candidate_year in range(today.year, today.year + 9):
        try:
            found = date(candidate_year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise Unreadable(f"There is no {day} {_month_name(month)}.")


def _month_name(month: int) -> str:
    return date(2000, month, 1).strftime("%B")


def _resolve_date(name: str, m: re.Match[str], today: date) -> tuple[date, str | None]:
    """The day a date phrase names (and a time, for an ISO date-time), within the days
    `shared.localtime` stores."""
    try:
        day, time = _day_of(name, m, today)
    except (OverflowError, ValueError) as exc:  # "in 10**20 days"
        raise Unreadable(f"{' '.join(m.group(0).split())}: that is too far away.") from exc
    if not localtime.EARLIEST <= day <= localtime.LATEST:
        raise Unreadable(f"{day:%Y}: Aura keeps days from 1970 to 2200.")
    return day, time


def _day_of(  # noqa: PLR0911 - one branch per kind of date phrase
    name: str, m: re.Match[str], today: date
) -> tuple[date, str | None]:
    groups = m.groupdict()
    if name == "iso":
        try:
            found = date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        except ValueError:
            raise Unreadable(f"{m.group(0).strip()} is not a date.") from None
        time = f"{groups['hh']}:{groups['mm']}" if groups.get("hh") else None
        return found, time
    if name in {"dmy", "mdy"}:
        year = int(groups["y"]) if groups.get("y") else None
        return _coming(today, _month(groups["mon"]), int(groups["d"]), year), None
    if name == "slash":
        return _slash(int(groups["a"]), int(groups["b"]), groups.get("y"), today), None
    if name == "ordinal":
        return _ordinal_day(int(groups["d"]), today), None
    if name == "relative":
        rel = " ".join(groups["rel"].lower().split())
        delta = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1}
        return today + timedelta(days=delta.get(rel, 2)), None
    if name == "weekday":
        return _weekday_date(groups, today), None
    if name == "week":
        return _span_date(" ".join(groups["span"].lower().split()), today), None
    count = _number(groups.get("n") or groups["n2"])
    unit = (groups.get("unit") or groups["unit2"]).lower().rstrip("s")
    step = {
        "day": relativedelta(days=count),
        "week": relativedelta(weeks=count),
        "month": relativedelta(months=count),
        "year": relativedelta(years=count),
    }[unit]
    return today + step, None


def _slash(a: int, b: int, year_text: str | None, today: date) -> date:
    """ "12/5": 12 May (day first) or December 5 (month first)? Read only when one of the
    two is impossible or both are the same day; otherwise ask."""
    year = None
    if year_text is not None:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings: set[date] = set()
    for day, month in ((a, b), (b, a)):
        if 1 <= month <= 12 and 1 <= day <= 31:
            try:
                readings.add(_coming(today, month, day, year))
            except Unreadable:
                continue
    if len(readings) == 1:
        return readings.pop()
    if not readings:
        raise Unreadable(f"{a}/{b} is not a date.")
    first, second = sorted(readings)
    raise Unreadable(
        f"Did you mean {first:%a} {first.day} {first:%b %Y} or "
        f"{second:%a} {second.day} {second:%b %Y}? Write the month as a word (5 Dec)."
    )


def _ordinal_day(day: int, today: date) -> date:
    """ "the 15th": the next 15th from today on (skipping months that have none)."""
    if not 1 <= day <= 31:
        raise Unreadable(f"There is no {day}th of a month.")
    first = today.replace(day=1)
    for ahead in range(13):
        month = first + relativedelta(months=ahead)
        try:
            found = month.replace(day=day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise Unreadable(f"There is no {day}th of a month.")  # pragma: no cover


def _weekday_date(groups: dict[str, Any], today: date) -> date:
    wanted = _weekday(groups["wd"])
    which = (groups.get("which") or "").lower()
    if which == "next" or (groups.get("nextweek") and "next" in groups["nextweek"].lower()):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=wanted)
    ahead = (wanted - today.weekday()) % 7
    if which == "this" or groups.get("nextweek"):  # "this Tuesday", "Tuesday this week"
        return today + timedelta(days=ahead)
    return today + timedelta(days=ahead or 7)


def _span_date(span: str, today: date) -> date:
    monday = today - timedelta(days=today.weekday())
    if span in {"this weekend", "the weekend"}:
        return today if today.weekday() >= 5 else monday + timedelta(days=5)
    if span == "next weekend":
        return monday + timedelta(days=12)
    if span == "next week":
        return monday + timedelta(days=7)
    if span == "next month":
        return (today.replace(day=1) + relativedelta(months=1)).replace(day=1)
    if span == "next year":
        return date(today.year + 1, 1, 1)
    raise Unreadable(f"Which day {span}? Name the day (Friday, 5 Dec).")


def date_at(text: str, pos: int, today: date) -> tuple[int, date] | None:
    """The date phrase starting at `pos` (after "until"): its end and its day."""
    for name, pattern in DATE_AT.items():
        m = pattern.match(text, pos)
        if m is not None:
            return m.end(), _resolve_date(name, m, today)[0]
    return None


# --- times ----------------------------------------------------------------------------

ATOM = r"(?P<{p}h>\d{{1,2}})(?::(?P<{p}m>[0-5]\d))?(?:\s*(?P<{p}ap>[ap])\.?m\b\.?)?"
RANGE = re.compile(
    rf"\b(?:(?P<lead>from|between|at)\s+)?{ATOM.format(p='a')}\s*"
    rf"(?P<sep>-|\u2013|\u2014|\bto\b|\buntil\b|\btill\b|\band\b)\s*{ATOM.format(p='b')}{END}",
    I,
)
TIME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("named", re.compile(r"\b(?:(?:at|by|around)\s+)?(?P<named>noon|midday|midnight)\b", I)),
    (
        "ampm",
        re.compile(
            r"(?:\b(?:at|by|around)\s+|@\s*|\b)(?P<h>\d{1,2})(?::(?P<m>[0-5]\d))?\s*"
            r"(?P<ap>[ap])\.?m\b\.?",
            I,
        ),
    ),
    (
        "24h",
        re.compile(r"(?:\b(?:at|by|around)\s+|@\s*|\b)(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b", I),
    ),
    ("oclock", re.compile(r"\b(?:at\s+)?(?P<h>\d{1,2})\s*o'?clock\b", I)),
    (
        "bare",
        re.compile(
            r"(?:\bat\s*|@\s*)(?P<h>\d{1,2})\b(?![:/.,]\d|\s*(?:%|st\b|nd\b|rd\b|th\b|"
            r"minutes?\b|mins?\b|hours?\b|hrs?\b|days?\b|weeks?\b|months?\b|years?\b|"
            r"times?\b|people\b|percent\b))",
            I,
        ),
    ),
]
POD_ALONE = re.compile(
    r"\b(?:(?:this|in\s+the)\s+(?P<pod>morning|afternoon|evening)|(?P<tonight>tonight))\b", I
)
# "the first Monday" alone is one day, not a repetition
NOT_REPEATING = "not a repetition"


def _hhmm(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _clock(
    hour: int, minute: int, meridiem: str | None, pod: str | None, *, literal: bool = False
) -> tuple[int, int]:
    """A clock reading as 24-hour time. With am/pm: as said. With a leading zero
    (`09:30`, `03:00`): as on a 24-hour clock. A bare hour (`at 9`, `3:30`): 0 and 13-23
    as on a 24-hour clock; 12 is noon; 1-6 the afternoon and 7-11 the morning, unless a
    part of the day says otherwise ("at 9 tonight" is 21:00)."""
    if minute > 59:
        raise Unreadable(f"{hour}:{minute:02d} is not a time.")
    if meridiem:
        if not 1 <= hour <= 12:
            raise Unreadable(f"{hour}{meridiem}m is not a time.")
        hour = hour % 12 + (12 if meridiem.lower() == "p" else 0)
        return hour, minute
    if hour > 23:
        raise Unreadable(f"{hour}:{minute:02d} is not a time.")
    if literal or hour == 0 or hour >= 13:
        return hour, minute
    if pod in {"afternoon", "evening", "night"}:
        return (hour % 12) + 12, minute
    if pod == "morning" or hour == 12:
        return hour, minute
    return (hour + 12 if hour <= 6 else hour), minute


# --- repetitions ----------------------------------------------------------------------

ORD = r"(?P<d{n}>\d{{1,2}})(?:st|nd|rd|th)"
RECURRENCES: list[tuple[str, re.Pattern[str]]] = [
    ("subdaily", re.compile(r"\bevery\s+(?:\d+\s+)?(?:hours?|minutes?|mins?|hrs?)\b", I)),
    (
        "nth_weekday",
        re.compile(
            rf"\b(?:on\s+)?(?P<lead>every|each|the)\s+(?P<nth>first|second|third|fourth|last|1st|2nd|"
            rf"3rd|4th)\s+(?P<wd>{WD})(?P<ofmonth>\s+of\s+(?:the|every|each)\s+month)?{END}",
            I,
        ),
    ),
    (
        "monthday",
        re.compile(
            rf"\b(?:(?:on\s+)?(?:the\s+)?{ORD.format(n=1)}\s+of\s+(?:every|each)\s+month|"
            rf"every\s+{ORD.format(n=2)}(?:\s+of\s+the\s+month)?|"
            rf"(?:every\s+month|monthly)\s+on\s+the\s+{ORD.format(n=3)})\b",
            I,
        ),
    ),
    (
        "weekdays",
        re.compile(
            rf"\b(?:every|each)\s+(?P<other>other\s+)?(?P<days>{WD_LIST}){END}|"
            rf"\b(?:on\s+)(?P<plural>(?:mon|tues|wednes|thurs|fri|satur|sun)days){END}",
            I,
        ),
    ),
    (
        "interval",
        re.compile(
            rf"\b(?:every|each)\s+(?P<n>other\s+|(?:{NUM})\s+)?(?P<unit>days?|weekdays?|workdays?|"
            rf"business\s+days?|weeks?|fortnight|months?|years?|weekends?)"
            rf"(?:\s+on\s+(?P<on>{WD_LIST}))?{END}",
            I,
        ),
    ),
    (
        "adverb",
        re.compile(
            rf"\b(?P<adverb>daily|weekly|fortnightly|monthly|yearly|annually)"
            rf"(?:\s+on\s+(?P<on>{WD_LIST}))?{END}",
            I,
        ),
    ),
    ("pod", re.compile(r"\bevery\s+(?P<pod>morning|afternoon|evening|night)\b", I)),
]
UNTIL = re.compile(r"\b(?:until|till|through|thru)\s+", I)
COUNT = re.compile(rf"\b(?:for\s+)?(?P<n>{NUM})\s+times\b", I)


def _days(text: str) -> list[str]:
    found = re.findall(WD, text, I)
    return list(dict.fromkeys(RRULE_DAYS[_weekday(w)] for w in found))


def _recurrence(  # noqa: PLR0911, PLR0912 - one branch per kind of repetition
    name: str, m: re.Match[str]
) -> tuple[str, str | None]:
    """The RRULE a repetition phrase names (without UNTIL/COUNT), and a part of the day."""
    g = m.groupdict()
    if name == "subdaily":
        raise Unreadable("Aura repeats things at most once a day. How often should it repeat?")
    if name == "nth_weekday":
        nth = g["nth"].lower()
        if g["lead"].lower() == "the" and not re.search(r"every|each", g.get("ofmonth") or ""):
            return NOT_REPEATING, None
        position = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(
            nth, 4 if nth in {"fourth", "4th"} else -1
        )
        if position in {2, 3} and not g.get("ofmonth") and m.group(0).lower().startswith("every"):
            raise Unreadable(
                f"Every {nth} {g['wd']}: every {position} weeks, or the {nth} {g['wd']} of each "
                "month?"
            )
        return f"FREQ=MONTHLY;BYDAY={position}{RRULE_DAYS[_weekday(g['wd'])]}", None
    if name == "monthday":
        day = int(next(v for k, v in g.items() if k.startswith("d") and v))
        if not 1 <= day <= 31:
            raise Unreadable(f"There is no {day}th of a month.")
        return f"FREQ=MONTHLY;BYMONTHDAY={day}", None
    if name == "weekdays":
        days = _days(g.get("days") or g["plural"])
        interval = ";INTERVAL=2" if g.get("other") else ""
        return f"FREQ=WEEKLY{interval};BYDAY={','.join(days)}", None
    if name == "pod":
        return "FREQ=DAILY", g["pod"].lower()
    if name == "adverb":
        adverb = g["adverb"].lower()
        freq = {"daily": "DAILY", "weekly": "WEEKLY", "fortnightly": "WEEKLY;INTERVAL=2"}.get(
            adverb, "MONTHLY" if adverb == "monthly" else "YEARLY"
        )
        on = f";BYDAY={','.join(_days(g['on']))}" if g.get("on") else ""
        return f"FREQ={freq}{on}", None
    unit = " ".join(g["unit"].lower().split()).rstrip("s")
    raw = (g.get("n") or "").strip().lower()
    n = 2 if raw == "other" else _number(raw) if raw else 1
    interval = f";INTERVAL={n}" if n > 1 else ""
    if unit in {"weekday", "workday", "business day"}:
        if n > 1:
            raise Unreadable(f"Every {n} {unit}s: which days?")
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", None
    if unit == "weekend":
        return f"FREQ=WEEKLY{interval};BYDAY=SA,SU", None
    if unit == "fortnight":
        return "FREQ=WEEKLY;INTERVAL=2", None
    freq = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}[unit]
    on = f";BYDAY={','.join(_days(g['on']))}" if g.get("on") else ""
    if on and freq != "WEEKLY":
        raise Unreadable("On which days should it repeat?")
    return f"FREQ={freq}{interval}{on}", None


# --- everything else ------------------------------------------------------------------

TAG = re.compile(r"(?<!\S)[#@](?P<tag>[^\W\d_][\w-]*)", I)
PRIORITY = re.compile(r"(?<!\S)(?:!!|p)(?P<p>[1-4])(?!\S)", I)
REMIND = re.compile(
    r"^\s*(?:please\s+)?(?:(?:set\s+a\s+)?reminder(?:\s*:|\s+to\b)|remind\s+me"
    r"(?:\s+(?:to|about|that)\b)?)",
    I,
)
DURATION = re.compile(
    rf"\bfor\s+(?:(?P<half>half\s+an\s+hour)|(?P<n>{NUM}|\d+\.\d+)\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?|m)\b(?P<andhalf>\s+and\s+a\s+half)?)",
    I,
)
MOMENT = re.compile(
    rf"\bin\s+(?:(?P<half>half\s+an\s+hour)|(?P<n>{NUM})\s+(?P<unit>minutes?|mins?|hours?|hrs?))\b",
    I,
)
IANA = re.compile(r"\b(?:in\s+)?(?P<zone>[A-Za-z]+(?:/[A-Za-z0-9_+\-]+){1,2}|UTC|GMT)\b")
CITY_TIME = re.compile(r"\b(?:in\s+)?(?P<city>[A-Za-z]+(?:\s[A-Za-z]+)?)\s+time\b", I)
ABBREVIATION = re.compile(rf"\b(?P<abbr>{'|'.join(ABBREVIATIONS)})\b")
CONNECTORS = {
    "on", "at", "by", "in", "for", "from", "due", "and", "every", "until", "till",
    "starting", "around", "the", "@", "-", "\u2013", "\u2014", ",", ";", ":", "to",
}  # fmt: skip
LEFTOVER = re.compile(
    rf"\b(?:{'|'.join(WEEKDAY_NAMES)}|today|tomorrow|tonight|next|every|o'?clock|"
    r"january|february|april|june|july|august|september|october|november|december|"
    r"\d{1,2}:\d{2}|\d{1,2}\s*[ap]\.?m\.?)\b",
    I,
)


@dataclass
class _Scan:
    """One line being read: what is found so far, and the questions to ask."""

    line: _Line
    r: Reading
    now: datetime
    tz: Any
    today: date
    dates: list[tuple[date, str]] = field(default_factory=list)
    times: list[tuple[str, str]] = field(default_factory=list)

    def ask(self, exc: Unreadable) -> None:
        if str(exc) not in self.r.questions:
            self.r.questions.append(str(exc))


def parse(text: str, *, now: datetime, zone: str) -> Reading:
    """Read one line relative to `now` (aware) in the user's IANA `zone`.

    Returns:
        A `Reading`; its `questions` say what could not be read with confidence.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = localtime.zone(zone)
    scan = _Scan(line=_Line(text), r=Reading(), now=now, tz=tz, today=now.astimezone(tz).date())
    line, r = scan.line, scan.r
    if (m := REMIND.search(line.rest())) is not None:
        line.take(m)
        r.reminder_words = True
    for m in line.scan(TAG):
        if len(r.tags) < MAX_TAGS:
            r.tags.append(m.group("tag")[:MAX_TAG_CHARS])
        line.take(m)
    for m in line.scan(PRIORITY):
        r.priority = 4 - int(m.group("p"))  # Todoist: p1 is the highest (3), p4 none (0)
        line.take(m)
    _read_zone(line, r, scan.ask)
    _read_recurrence(line, r, scan.today, scan.ask)
    _read_ranges(line, r, scan.times, scan.ask)
    for m in line.scan(DURATION):
        r.duration = _duration(m, scan.ask)
        line.take(m)
    _read_days(scan)
    for name, pattern in TIME_PATTERNS:
        for m in line.scan(pattern):
            try:
                scan.times.append((_time_of(name, m, r.pod), line.take(m)))
            except Unreadable as exc:
                line.take(m)
                scan.ask(exc)
    _settle(scan)
    r.title = _title(line.rest())
    r.leftovers = bool(LEFTOVER.search(r.title))
    r.event_words = bool(EVENT_WORDS.search(text))
    if r.reminder_words:
        r.kind = "reminder"
    elif r.event_words or r.end_time is not None or r.duration is not None:
        r.kind = "event"
    return r


def _read_days(scan: _Scan) -> None:
    """Moments ("in 2 hours"), days ("tomorrow", "5 Dec", "next Tuesday") and parts of
    the day ("tonight", "this evening")."""
    line, r = scan.line, scan.r
    _read_moments(scan)
    for name, pattern in DATE_PATTERNS.items():
        for m in line.scan(pattern):
            if not _plausible_date(name, m):
                continue
            try:
                day, at = _resolve_date(name, m, scan.today)
            except Unreadable as exc:
                scan.ask(exc)
                line.take(m)
                continue
            phrase = line.take(m)
            scan.dates.append((day, phrase))
            if at is not None:
                scan.times.append((at, phrase))
            pod = m.groupdict().get("pod")
            if name == "relative" and "tonight" in phrase.lower():
                pod = pod or "night"
            if pod:
                r.pod = pod.lower()
    for m in line.scan(POD_ALONE):
        phrase = line.take(m)
        r.pod = "night" if m.group("tonight") else m.group("pod").lower()
        if not phrase.lower().startswith("in"):  # "this evening", "tonight": today
            scan.dates.append((scan.today, phrase))


def _read_moments(scan: _Scan) -> None:
    """ "in 2 hours", "in 30 minutes": a day and a time, counted on the UTC line."""
    line = scan.line
    for m in line.scan(MOMENT):
        minutes = 30 if m.group("half") else _number(m.group("n"))
        if not m.group("half") and m.group("unit").lower().startswith("h"):
            minutes *= 60
        if minutes > MAX_MOMENT_MINUTES:
            line.take(m)
            scan.ask(Unreadable("That is too far away; name the day."))
            continue
        # on the UTC line: aware arithmetic in a zone would add wall-clock minutes
        moment = scan.now.astimezone(UTC) + timedelta(minutes=minutes)
        local = moment.astimezone(scan.tz)
        phrase = line.take(m)
        wall = local.replace(tzinfo=None)
        if localtime.to_instant(wall, scan.tz) != moment:
            # the clocks go back then: that wall time happens twice, and a stored wall
            # time means the first
            scan.ask(Unreadable(f"{local:%H:%M} happens twice that night; write the time."))
        scan.dates.append((local.date(), phrase))
        scan.times.append((local.strftime("%H:%M"), phrase))


def _settle(scan: _Scan) -> None:
    """One day and one time (or a question), the time a part of the day stands for,
    midnight as the end of its day, and UNTIL through the last day of a timed series."""
    r = scan.r
    _settle_dates(r, scan.dates, scan.ask)
    _settle_times(r, scan.times, scan.ask)
    if r.time is None and r.pod is not None:
        r.time = PARTS_OF_DAY[r.pod]
    if r.time is not None and r.time.startswith("24"):  # midnight: the end of that day
        r.time = "00:00"
        r.date = (r.date or scan.today) + timedelta(days=1)
    if r.recurrence and r.time is not None and ";UNTIL=" in r.recurrence:
        r.recurrence += "T235959"  # a timed series runs through the whole last day


def _plausible_date(name: str, m: re.Match[str]) -> bool:
    """Abbreviated weekdays ("sat", "sun", "wed") are words too: read them only after
    on/this/next/by."""
    if name != "weekday":
        return True
    word = m.group("wd")
    full = word.lower() in WEEKDAY_NAMES
    lead = m.group(0).split()[0].lower()
    return full or lead in {"on", "this", "next", "coming", "by", "due", "for"}


def _read_zone(line: _Line, r: Reading, ask: Callable[[Unreadable], None]) -> None:
    zones = _zones()
    for m in line.scan(IANA):
        name = zones.get(m.group("zone").lower())
        if name is not None:
            r.timezone = "UTC" if name in {"GMT", "UTC"} else name
            line.take(m)
    for m in line.scan(CITY_TIME):
        words = m.group("city").lower().split()
        for start in range(len(words)):  # "Bob New York time": the city is the tail
            name = zones.get("city:" + " ".join(words[start:]))
            if name is not None:
                r.timezone = name
                cut = (
                    m.start() if start == 0 else m.start("city") + len(" ".join(words[:start])) + 1
                )
                line.work = line.work[:cut] + " " * (m.end() - cut) + line.work[m.end() :]
                break
    for m in line.scan(ABBREVIATION):
        abbr = m.group("abbr")
        line.take(m)
        ask(
            Unreadable(
                f"Which time zone is {abbr}? Write it as a zone, e.g. {ABBREVIATIONS[abbr]}."
            )
        )


def _read_recurrence(
    line: _Line, r: Reading, today: date, ask: Callable[[Unreadable], None]
) -> None:
    for name, pattern in RECURRENCES:
        for m in line.scan(pattern):
            try:
                rule, pod = _recurrence(name, m)
            except Unreadable as exc:
                line.take(m)
                ask(exc)
                continue
            if rule == NOT_REPEATING:
                continue
            phrase = line.take(m)
            if r.recurrence is not None:
                ask(Unreadable("Which repetition did you mean? The line names two."))
                continue
            r.recurrence, r.recurrence_phrase = rule, phrase
            r.pod = pod or r.pod
    if r.recurrence is not None:
        _read_bounds(line, r, today, ask)


def _read_bounds(line: _Line, r: Reading, today: date, ask: Callable[[Unreadable], None]) -> None:
    """A repetition's end: "until <day>" (UNTIL) or "for 5 times" (COUNT)."""
    assert r.recurrence is not None
    for m in line.scan(UNTIL):
        found = None
        try:
            found = date_at(line.work, m.end(), today)
        except Unreadable as exc:
            ask(exc)
        if found is None:
            continue
        end, until = found
        phrase = " ".join(line.original[m.start() : end].split())
        line.work = line.work[: m.start()] + " " * (end - m.start()) + line.work[end:]
        r.recurrence += f";UNTIL={until:%Y%m%d}"
        r.recurrence_phrase = f"{r.recurrence_phrase} {phrase}"
        break
    for m in line.scan(COUNT):
        count = _number(m.group("n"))
        if not 1 <= count <= localtime.MAX_COUNT:
            ask(Unreadable(f"It can repeat at most {localtime.MAX_COUNT} times."))
        elif ";UNTIL=" in r.recurrence:
            ask(Unreadable("Until a day, or a number of times? Not both."))
        else:
            r.recurrence += f";COUNT={count}"
        r.recurrence_phrase = f"{r.recurrence_phrase} {line.take(m)}"
        break


def _read_ranges(
    line: _Line, r: Reading, times: list[tuple[str, str]], ask: Callable[[Unreadable], None]
) -> None:
    for m in line.scan(RANGE):
        g = m.groupdict()
        sep = g["sep"].lower()
        marked = g["am"] or g["bm"] or g["aap"] or g["bap"]
        if (sep == "and" and g["lead"] != "between") or not (marked or g["lead"]):
            continue  # "5-6 people", "3 and 4": not times
        try:
            end_h, end_m = _clock(
                int(g["bh"]), int(g["bm"] or 0), g["bap"], r.pod, literal=g["bh"][0] == "0"
            )
            start_ap = g["aap"]
            if start_ap is None and g["bap"] is not None:
                # "3-4pm" is afternoon; "11-1pm" starts in the morning
                start_ap = g["bap"] if int(g["ah"]) % 12 <= int(g["bh"]) % 12 else "a"
            start_h, start_m = _clock(
                int(g["ah"]), int(g["am"] or 0), start_ap, r.pod, literal=g["ah"][0] == "0"
            )
        except Unreadable as exc:
            ask(exc)
            line.take(m)
            continue
        phrase = line.take(m)
        times.append((_hhmm(start_h, start_m), phrase))
        r.end_time = _hhmm(end_h, end_m)
        return


def _duration(m: re.Match[str], ask: Callable[[Unreadable], None]) -> int | None:
    if m.group("half"):
        return 30
    raw = m.group("n").lower()
    amount = float(raw) if "." in raw else _number(raw)
    if m.group("andhalf"):
        amount += 0.5
    minutes = round(amount * (60 if m.group("unit").lower().startswith("h") else 1))
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        ask(Unreadable(f"An event lasts at most {MAX_DURATION_MINUTES // 60} hours here."))
        return None
    return minutes


def _time_of(name: str, m: re.Match[str], pod: str | None) -> str:
    g = m.groupdict()
    if name == "named":
        return "24:00" if g["named"].lower() == "midnight" else "12:00"
    hour, minute = int(g["h"]), int(g.get("m") or 0)
    literal = name == "24h" and g["h"].startswith("0")
    return _hhmm(*_clock(hour, minute, g.get("ap"), pod, literal=literal))


def _settle_dates(
    r: Reading, dates: list[tuple[date, str]], ask: Callable[[Unreadable], None]
) -> None:
    distinct = sorted({d for d, _ in dates})
    if len(distinct) > 1:
        said = " and ".join(f"'{p}'" for _, p in dates)
        ask(Unreadable(f"Which day did you mean: {said}?"))
    if dates:
        r.date = distinct[0]
        r.date_phrase = " ".join(dict.fromkeys(p for _, p in dates))


def _settle_times(
    r: Reading, times: list[tuple[str, str]], ask: Callable[[Unreadable], None]
) -> None:
    distinct = sorted({t for t, _ in times})
    if len(distinct) > 1:
        said = " and ".join(f"'{p}'" for _, p in times)
        ask(Unreadable(f"Which time did you mean: {said}?"))
    if times:
        r.time = distinct[0]
        r.time_phrase = " ".join(dict.fromkeys(p for _, p in times))


def _title(rest: str) -> str:
    words = rest.split()
    while words and words[0].lower().strip(",;:") in CONNECTORS:
        words.pop(0)
    while words and words[-1].lower().strip(",;:") in CONNECTORS:
        words.pop()
    title = " ".join(words)
    title = re.sub(r"\s+([,;:.!?])", r"\1", title).strip(" ,;:-\u2013\u2014")
    return title[:MAX_TITLE_CHARS]


# --- from a reading to an interpretation ----------------------------------------------


def interpret(
    r: Reading,
    *,
    text: str,
    now: datetime,
    zone: str,
    source: Source = "parser",
    confidence: float | None = None,
    notes: list[str] | None = None,
) -> Interpretation:
    """Complete a reading into what would be saved: a day for a time said alone (today
    if that time is still ahead, else tomorrow), the first occurrence of a repetition,
    an event's end (60 minutes by default; an all-day event ends the next day), and a
    question for what is missing (a reminder without a time, an event without a day)."""
    r = replace(r, questions=list(r.questions))
    read_in = r.timezone or zone
    tz = localtime.zone(read_in)
    today = now.astimezone(localtime.zone(zone)).date()
    day, time = r.date, r.time
    if time is not None and day is None:
        candidate = localtime.to_instant(_wall(today, time), tz)
        day = today if candidate > now else today + timedelta(days=1)
        if r.recurrence is None:
            r.date = day
    rule = r.recurrence
    if rule is not None:
        try:
            rule = localtime.check_rrule(rule)
            day = _first_occurrence(rule, day or today, time, tz, now, fixed=r.date is not None)
        except (localtime.InvalidRule, _Never) as exc:
            r.questions.append(f"That repetition never happens: {exc}")
            rule = None
    if not r.title:
        r.questions.append("What should it be called?")
    kind = r.kind
    fields = _fields(r, day=day, time=time, repeats=rule is not None, tz=tz, now=now)
    question = r.questions[0] if r.questions else None
    if confidence is None:
        confidence = 0.3 if question else 0.6 if r.leftovers else 0.9
    elif question:
        confidence = min(confidence, 0.3)
    title = r.title or " ".join(text.split())[:MAX_TITLE_CHARS] or "Untitled"
    known: dict[str, Any] = {"kind": kind, "title": title, "recurrence": rule, **fields}
    partial = Interpretation.model_construct(**known)
    return Interpretation(
        kind=kind,
        title=title,
        recurrence=rule,
        priority=r.priority,
        tags=r.tags,
        confidence=round(confidence, 2),
        question=question,
        summary=summarize(partial, zone=zone),
        source=source,
        notes=(notes or [])[:5],
        **fields,
    )


def _fields(
    r: Reading, *, day: date | None, time: str | None, repeats: bool, tz: Any, now: datetime
) -> dict[str, WallTime]:
    """The times of the item its kind needs (due; remind; start and end), and a question
    in `r.questions` for what is missing."""
    fields: dict[str, WallTime] = {}

    def wall(on: date, at: str | None) -> WallTime:
        return WallTime(date=on, time=at, timezone=r.timezone)

    if r.kind == "event":
        return _event_fields(r, day=day, time=time)
    if day is not None:
        fields["due"] = wall(day, time)
    if r.kind == "reminder":
        if day is None:
            r.questions.append("When should I remind you?")
        elif time is None:
            r.questions.append(f"At what time on {day:%a} {day.day} {day:%b} should I remind you?")
        else:
            fields["remind"] = fields["due"]
            if not repeats and localtime.to_instant(_wall(day, time), tz) <= now:
                r.questions.append("That time has passed. When should I remind you?")
    return fields


def _event_fields(r: Reading, *, day: date | None, time: str | None) -> dict[str, WallTime]:
    """An event's start and end: all day (the end the next day, exclusive), or timed with
    the range's end, the duration, or DEFAULT_EVENT_MINUTES."""
    if day is None:
        r.questions.append("When is it? Add a day or a time.")
        return {}
    if time is None:
        if r.duration is not None or r.end_time is not None:
            r.questions.append("At what time does it start?")
        return {
            "start": WallTime(date=day, timezone=r.timezone),
            "end": WallTime(date=day + timedelta(days=1), timezone=r.timezone),
        }
    start = _wall(day, time)
    if r.end_time is not None:
        end = _wall(day, r.end_time)
        if end <= start:  # "22:00-01:00" ends the next day
            end += timedelta(days=1)
    else:
        end = start + timedelta(minutes=r.duration or DEFAULT_EVENT_MINUTES)
    return {
        "start": WallTime(date=day, time=time, timezone=r.timezone),
        "end": WallTime(date=end.date(), time=end.strftime("%H:%M"), timezone=r.timezone),
    }


class _Never(Exception):
    pass


def _wall(day: date, time: str | None) -> datetime:
    hours, minutes = (int(p) for p in (time or "00:00").split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes)


def _first_occurrence(
    rule: str, day: date, time: str | None, tz: Any, now: datetime, *, fixed: bool
) -> date:
    """The series' first day: the first occurrence on or after `day`; when no day was
    named and a time was, the first whose instant is still ahead."""
    start = _wall(day, time)
    # The first matching day, counted without INTERVAL: dateutil counts "every 2 weeks on
    # Monday" from the week of its start, so a series started on a Tuesday would skip the
    # coming Monday; starting it on that Monday is what was meant.
    single = ";".join(p for p in rule.split(";") if not p.startswith("INTERVAL="))
    first = next(localtime.occurrences(single, start, after=start - timedelta(seconds=1)), None)
    if first is None:
        raise _Never("no day matches it")
    if not fixed and time is not None and localtime.to_instant(first, tz) <= now:
        found = localtime.next_instant(rule, first, tz, after=now)
        if found is None:
            raise _Never("no day ahead matches it")
        first = found[0]
    return first.date()


def summarize(i: Interpretation, *, zone: str) -> str:
    """ "Reminder: call Bob, Fri 5 Dec 2026, 15:00 Europe/Berlin, every week"."""
    label = {"task": "Task", "event": "Event", "reminder": "Reminder"}[i.kind]
    parts = [f"{label}: {i.title}"]
    when = i.start if i.kind == "event" else i.remind or i.due
    if when is not None:
        parts.append(_describe(when, zone))
        if i.kind == "event" and i.end is not None and when.time is not None:
            same_day = i.end.date == when.date and i.end.timezone == when.timezone
            end = _describe(i.end, zone, short=same_day)
            if same_day:  # "Wed 2 Dec 2026, 10:30-11:30 Europe/Berlin"
                day, _, rest = parts[-1].partition(", ")
                clock, _, zone_text = rest.partition(" ")
                parts[-1] = f"{day}, {clock}-{end} {zone_text}"
            else:
                parts[-1] += f" to {end}"
    if i.recurrence:
        parts.append(describe_rule(i.recurrence))
    return ", ".join(parts)


def _describe(w: WallTime, zone: str, *, short: bool = False) -> str:
    read_in = w.timezone or zone
    instant = w.instant(zone)
    text = localtime.describe(instant, read_in, all_day=w.all_day)
    if short and not w.all_day:
        return text.split(", ", 1)[1].split(" ", 1)[0]  # the end's clock time alone
    if w.timezone and w.timezone != zone and not w.all_day:
        local = instant.astimezone(localtime.zone(zone))
        text += f" ({local:%H:%M} {zone})"
    return text


def describe_rule(rule: str) -> str:
    """A repetition in words ("every week on Mon, Wed until 31 Dec 2026")."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    n = int(parts.get("INTERVAL", "1"))
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[parts["FREQ"]]
    text = f"every {unit}" if n == 1 else f"every {n} {unit}s"
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        names = {code: WEEKDAY_NAMES[i][:3].title() for i, code in enumerate(RRULE_DAYS)}
        if parts["FREQ"] == "MONTHLY":
            nth = days[0][:-2]
            order = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
            text = f"every month on the {order.get(nth, nth)} {names[days[0][-2:]]}"
        elif days == ["MO", "TU", "WE", "TH", "FR"] and n == 1:
            text = "every weekday"
        else:
            text += " on " + ", ".join(names[d] for d in days)
    if "BYMONTHDAY" in parts:
        day = int(parts["BYMONTHDAY"])
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        text += f" on the {day}{suffix}"
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d")
        text += f" until {until:%a} {until.day} {until:%b %Y}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    return text

"""What the user meant by a time, and the instants it names.

A time is stored as the user meant it (`WallTime`): a local date, an optional wall-clock
time and an optional IANA zone. Without a zone it is *floating* and follows the user's
zone (`settings.timezone`): "every weekday at 09:00" stays 09:00 wherever they are. With
a zone it is *fixed*: its instant never moves when the user's zone changes (a flight at
14:05 Europe/Berlin). The UTC instant is derived per occurrence, never stored as the
truth, so a weekly 09:00 stays 09:00 local across a daylight-saving change.

Daylight saving (RFC 5545 section 3.3.5, as Google Calendar does): a wall time that does
not exist (02:30 on the spring-forward night) moves forward by the gap (03:30 local); one
that exists twice (01:30 on the fall-back night) is the first of the two.

Recurrences are RFC 5545 RRULEs expanded by `dateutil.rrule` on the local wall clock
(never by hand), bounded: at most MAX_RRULE_CHARS, no frequency finer than daily, and a
search never looks further than SEARCH_YEARS ahead, so a rule that can never occur (the
30th of February) costs a bounded loop and is refused at save.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import cache, lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field

from shared.accounts.models import Timezone
from shared.validation import Command

MAX_RRULE_CHARS = 300
SEARCH_YEARS = 10
# Finer than daily would make a reminder every minute: refused (Google Calendar agrees).
ALLOWED_FREQS = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
MAX_COUNT = 1_000
HHMM = r"^(?:[01]\d|2[0-3]):[0-5]\d$"
EARLIEST = date(1970, 1, 1)
LATEST = date(2200, 12, 31)

_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)(?:;|$)")
_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)(?:;|$)")
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-:T]+$")
# What a calendar's recurrence editor produces; the rest (BYHOUR, BYYEARDAY, BYWEEKNO,
# BYEASTER, ...) is refused: none is needed, and each widens what a rule can cost.
ALLOWED_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
MAX_INTERVAL = 1_000
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February as in leap years


class InvalidRule(ValueError):
    """An RRULE this module refuses: the message says why, for the caller's field."""


def check_rrule(text: str) -> str:
    """The rule normalised (upper case, no `RRULE:` prefix), or InvalidRule.

    Refused: more than MAX_RRULE_CHARS, anything but one RRULE (no DTSTART, EXDATE or
    second line: those are fields of their own), no FREQ or one finer than DAILY, a
    COUNT above MAX_COUNT, and anything dateutil cannot parse.
    """
    rule = text.strip().upper().removeprefix("RRULE:")
    if len(rule) > MAX_RRULE_CHARS:
        raise InvalidRule(f"a recurrence rule is at most {MAX_RRULE_CHARS} characters")
    if not rule or any(not _PART.match(part) for part in rule.split(";")):
        raise InvalidRule("not an RRULE (for example 'FREQ=WEEKLY;BYDAY=MO,WE')")
    freq = _FREQ.search(rule)
    if freq is None:
        raise InvalidRule("a recurrence rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq.group(1) not in ALLOWED_FREQS:
        raise InvalidRule("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    count = _COUNT.search(rule)
    if count is not None and int(count.group(1)) > MAX_COUNT:
        raise InvalidRule(f"COUNT is at most {MAX_COUNT}")
    _check_cheap(dict(part.split("=", 1) for part in rule.split(";")))
    try:
        _parsed(rule, datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise InvalidRule(f"not a valid RRULE: {exc}") from None
    return rule


def _numbers(value: str | None) -> list[int]:
    try:
        return [int(v) for v in value.split(",")] if value else []
    except ValueError:
        raise InvalidRule("not a valid RRULE: a BY part holds numbers") from None


def _check_cheap(parts: dict[str, str]) -> None:
    """Refuse rules whose expansion could loop for seconds without one occurrence:
    dateutil stops only at year 9999 when nothing ever matches (a daily rule for the
    30th of February takes ~3 s), so the combinations that can never match are refused
    here, by arithmetic."""
    unknown = sorted(set(parts) - ALLOWED_PARTS)
    if unknown:
        raise InvalidRule(f"{', '.join(unknown)} is not supported in a recurrence")
    interval = _numbers(parts.get("INTERVAL"))
    if interval and not 1 <= interval[0] <= MAX_INTERVAL:
        raise InvalidRule(f"INTERVAL runs from 1 to {MAX_INTERVAL}")
    if interval and interval[0] > 1 and parts["FREQ"] == "DAILY" and "BYDAY" in parts:
        raise InvalidRule("use FREQ=WEEKLY with BYDAY for every N weeks on given days")
    months = _numbers(parts.get("BYMONTH")) or list(range(1, 13))
    if any(not 1 <= m <= 12 for m in months):
        raise InvalidRule("BYMONTH runs from 1 to 12")
    days = _numbers(parts.get("BYMONTHDAY"))
    if any(d == 0 or not -31 <= d <= 31 for d in days):
        raise InvalidRule("BYMONTHDAY runs from 1 to 31 (or -31 to -1 from the end)")
    if days and not any(abs(d) <= DAYS_IN_MONTH[m - 1] for m in months for d in days):
        raise InvalidRule("this recurrence never occurs (no such day in those months)")
    positions = _numbers(parts.get("BYSETPOS"))
    limit = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1}[parts["FREQ"]]
    if any(p == 0 or abs(p) > limit for p in positions):
        raise InvalidRule(f"BYSETPOS runs from 1 to {limit} (or from the end) here")


Rrule = Annotated[str, Field(max_length=MAX_RRULE_CHARS + 10), AfterValidator(check_rrule)]


def _check_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"dates run from {EARLIEST} to {LATEST}")
    return value


LocalDate = Annotated[date, AfterValidator(_check_date)]


class WallTime(Command):
    """A time as the user meant it: `{"date": "2026-12-05", "time": "15:00",
    "timezone": "Europe/Berlin"}`; `time` absent for a whole day, `timezone` absent for
    a floating time (the user's zone)."""

    date: LocalDate
    time: str | None = Field(default=None, pattern=HHMM)
    timezone: Timezone | None = None

    @property
    def all_day(self) -> bool:
        return self.time is None

    def zone(self, user_zone: str) -> ZoneInfo:
        """The zone it is read in: its own, or the user's when it floats."""
        return zone(self.timezone or user_zone)

    def wall(self) -> datetime:
        """The local wall-clock datetime, naive (00:00 for a whole day)."""
        hours, minutes = (int(p) for p in (self.time or "00:00").split(":"))
        return datetime.combine(self.date, clock(hours, minutes))

    def instant(self, user_zone: str) -> datetime:
        """The UTC instant (a whole day: its local midnight)."""
        return to_instant(self.wall(), self.zone(user_zone))

    def stored(self) -> dict[str, Any]:
        """As stored in Firestore (strings: Firestore has no date or time type)."""
        return {"date": self.date.isoformat(), "time": self.time, "timezone": self.timezone}

    @classmethod
    def at(cls, moment: datetime, *, timezone: str | None = None) -> WallTime:
        """The wall time of an aware `moment` in `timezone` (fixed) or its own zone."""
        local = moment.astimezone(zone(timezone)) if timezone else moment
        return cls(date=local.date(), time=local.strftime("%H:%M"), timezone=timezone)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a naive local wall time in `tz`: a wall time in a DST gap moves
    forward by the gap, one that happens twice is the first (fold=0)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall time of an aware instant in `tz`."""
    return instant.astimezone(tz).replace(tzinfo=None)


def describe(instant: datetime, tz_name: str, *, all_day: bool = False) -> str:
    """How the interpretation is shown to the user: "Fri 5 Dec 2026, 15:00 Europe/Berlin"
    (or "Fri 5 Dec 2026" for a whole day)."""
    local = instant.astimezone(zone(tz_name))
    day = f"{local:%a} {local.day} {local:%b %Y}"
    return day if all_day else f"{day}, {local:%H:%M} {tz_name}"


@lru_cache(maxsize=1024)
def _parsed(rule: str, start: datetime) -> Any:
    from dateutil.rrule import rrulestr

    return rrulestr(rule, dtstart=start)


def occurrences(
    rule: str | None,
    start: datetime,
    *,
    after: datetime,
    skip: Callable[[datetime], bool] = lambda wall: False,
) -> Iterator[datetime]:
    """Naive local wall times of the series starting at naive `start`, strictly after
    naive `after`, in order, excluding those `skip` names (cancelled or moved ones);
    never looking beyond SEARCH_YEARS after `after`. Without a rule the series is `start`
    alone."""
    horizon = after + timedelta(days=366 * SEARCH_YEARS)
    if rule is None:
        if after < start <= horizon and not skip(start):
            yield start
        return
    series = _parsed(rule, start)
    for wall in series.xafter(after, inc=False):
        if wall > horizon:
            return
        if not skip(wall):
            yield wall


def next_instant(
    rule: str | None,
    start: datetime,
    tz: ZoneInfo,
    *,
    after: datetime,
    skip: Callable[[datetime], bool] = lambda wall: False,
) -> tuple[datetime, datetime] | None:
    """The first occurrence whose UTC instant is after the aware `after`: (its naive
    wall time, its UTC instant), or None when the series has ended (or nothing occurs
    within SEARCH_YEARS). Each occurrence is converted on its own, so the wall time
    holds across DST changes."""
    # A day before, on the wall clock: around a DST change the wall time of `after` is
    # not monotonic, so start early and compare instants.
    since = to_wall(after, tz) - timedelta(days=1)
    for wall in occurrences(rule, start, after=since, skip=skip):
        instant = to_instant(wall, tz)
        if instant > after:
            return wall, instant
    return None


def ever_occurs(rule: str, start: datetime) -> bool:
    """Whether the series has any occurrence at or after its start within SEARCH_YEARS
    (a rule such as the 30th of February has none)."""
    return next(occurrences(rule, start, after=start - timedelta(seconds=1)), None) is not None

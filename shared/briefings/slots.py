"""When a user's next briefing is due: one UTC instant per user, the slot.

A slot is the instant of the user's briefing time (`settings.briefing.time`, a wall-clock
"HH:MM") on a local day in their zone (`settings.timezone`), so zones half or a quarter of
an hour off UTC (Asia/Kolkata +05:30, Asia/Kathmandu +05:45) are briefed at their own
07:00, not at a rounded hour. Each day's instant is converted on its own with
`shared.localtime`, so 07:00 stays 07:00 local across a daylight-saving change; a time
that does not exist that day (inside a spring-forward gap) moves forward by the gap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from shared.accounts.models import Settings
from shared.localtime import to_instant, to_wall, zone


def instant_on(day: date, *, time: str, timezone: str) -> datetime:
    """The UTC instant of wall-clock `time` ("HH:MM") on local `day` in `timezone`."""
    hours, minutes = (int(part) for part in time.split(":"))
    return to_instant(datetime.combine(day, clock(hours, minutes)), zone(timezone))


def next_slot(*, time: str, timezone: str, after: datetime) -> datetime:
    """The first instant strictly after the aware `after` at which the local wall clock
    in `timezone` reads `time`: today's if it is still ahead, else tomorrow's."""
    today = to_wall(after, zone(timezone)).date()
    # Yesterday is tried too: around a DST change the local date of `after` and the day
    # of the next slot can differ in either direction.
    for offset in (-1, 0, 1, 2):
        candidate = instant_on(today + timedelta(days=offset), time=time, timezone=timezone)
        if candidate > after:
            return candidate
    msg = f"no {time} in {timezone} within two days of {after.isoformat()}"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def local_day(instant: datetime, timezone: str) -> date:
    """The local date of an aware instant in `timezone`."""
    return to_wall(instant, zone(timezone)).date()


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of local `day` in `timezone` as UTC instants (23 or 25 hours long on
    the days the clocks change)."""
    tz = zone(timezone)
    start = to_instant(datetime.combine(day, clock()), tz)
    end = to_instant(datetime.combine(day + timedelta(days=1), clock()), tz)
    return start, end


def slot_record(*, uid: str, settings: Settings, after: datetime) -> dict[str, Any] | None:
    """The `_briefingSlots/{uid}` document for `settings`, next due after `after`; None
    when the briefing is off (a disabled briefing has no slot, so the due query never
    sees it)."""
    if not settings.briefing.enabled:
        return None
    time, timezone = settings.briefing.time, settings.timezone
    return {
        "uid": uid,
        "nextAt": next_slot(time=time, timezone=timezone, after=after),
        "timezone": timezone,
        "time": time,
        "enabled": True,
    }

"""Cron schedules in IANA time zones: validation, the next fire time, a task id per run."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from shared.accounts.models import check_timezone

MAX_EXPRESSION_CHARS = 200
# Debian cron's shorthands, which cronsim leaves out.
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_FIELDS = "minute hour day-of-month month day-of-week"


def check_cron(expression: str, timezone: str) -> None:
    """Refuse a schedule that is not a 5-field cron expression in an IANA time zone.

    Raises:
        ValueError: the expression is malformed or has a seconds field, or the zone is
            not an IANA name (`Europe/Berlin`, `UTC`).
    """
    _parse(expression, _zone(timezone), datetime(2000, 1, 1, tzinfo=UTC))


def next_fire(expression: str, timezone: str, after: datetime) -> datetime:
    """The first time strictly after `after` at which the schedule fires.

    The expression is read in local time of `timezone`, with Debian cron's rules at DST
    changes (which cronsim follows): a run whose local time is skipped when clocks go
    forward happens at the first valid minute after it, and one whose local time repeats
    when clocks go back happens once, at the first occurrence.

    Args:
        expression: a 5-field cron expression (`0 9 * * MON-FRI`) or a nickname (`@daily`).
        timezone: an IANA time zone name.
        after: an aware datetime.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: the schedule is invalid, `after` is naive, or the schedule never
            fires again (such as `0 0 30 2 *`).
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("`after` must be timezone-aware")
    zone = _zone(timezone)
    start = after.astimezone(zone)
    times = _parse(expression, zone, start)
    # Near a DST change cronsim works in local wall time, so a run can come out at or before
    # `after` (e.g. `after` in the second pass of a repeated hour); skip those.
    for _ in range(8):
        try:
            fire = next(times).astimezone(UTC)
        except StopIteration:
            msg = f"the schedule '{expression}' never fires after {after.isoformat()}"
            raise ValueError(msg) from None
        if fire > after:
            return fire
    msg = f"could not find when the schedule '{expression}' next fires"
    raise ValueError(msg)


def _zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(check_timezone(timezone))


def _parse(expression: str, zone: ZoneInfo, start: datetime) -> CronSim:
    if len(expression) > MAX_EXPRESSION_CHARS:
        msg = f"cron expression is longer than {MAX_EXPRESSION_CHARS} characters"
        raise ValueError(msg)
    text = NICKNAMES.get(expression.strip().lower(), expression)
    fields = text.split()
    if len(fields) == 6:
        msg = (
            f"'{expression}' has a seconds field; schedules run at most once a minute,"
            f" so use 5 fields ({_FIELDS})"
        )
        raise ValueError(msg)
    if len(fields) != 5:
        msg = f"'{expression}' is not a cron expression: expected 5 fields ({_FIELDS})"
        raise ValueError(msg)
    try:
        return CronSim(text, start.astimezone(zone))
    except CronSimError as exc:
        msg = f"'{expression}' is not a valid cron expression: {str(exc).lower()} field"
        raise ValueError(msg) from None

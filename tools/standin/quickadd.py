"""Quick add: the answer to Aura's quick-add schema (`QuickAddReading`), from the prompt.

It reuses Aura's own deterministic parser (`shared.quickadd.parser`) to split the line
into its parts, so the AI path can be tested end to end with a well-formed, predictable
answer. `quickadd=wrong-date` (a directive or a fault setting) shifts the day it answers
by one, `quickadd=wrong-time` the time by an hour, so the cross-check has something to
catch; the existing faults (`status=500`, `invalid_json=1`, `hang_ms`) make it fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SCHEMA_TITLE = "QuickAddReading"
MODES = ("right", "wrong-date", "wrong-time")
PROMPT = re.compile(
    r"Now: (?P<now>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}) \(\w+\)\. "
    r"Zone: (?P<zone>\S+)\. Text: (?P<text>.*)$",
    re.S,
)


def matches(schema: Mapping[str, Any]) -> bool:
    """Whether a structured-output request asks for Aura's quick-add reading."""
    return schema.get("title") == SCHEMA_TITLE


def answer(prompt: str, *, mode: str | None = None) -> dict[str, Any]:
    """The reading of the line in `prompt` (as `shared.quickadd.ai.prompt` writes it)."""
    from shared.quickadd import parser  # Aura's own parser: imported only when asked

    found = PROMPT.search(prompt)
    if found is None:
        return {"kind": "task", "title": prompt[:200] or "stand-in", "tags": []}
    zone = found.group("zone")
    now = datetime.fromisoformat(found.group("now")).replace(tzinfo=ZoneInfo(zone))
    r = parser.parse(found.group("text"), now=now, zone=zone)
    day: date | None = r.date
    time = r.time
    if mode == "wrong-date" and day is not None:
        day += timedelta(days=1)
    if mode == "wrong-time" and time is not None:
        moved = datetime.strptime(time, "%H:%M") + timedelta(hours=1)
        time = moved.strftime("%H:%M")
    return {
        "kind": r.kind,
        "title": r.title or found.group("text")[:200],
        "datePhrase": r.date_phrase,
        "date": day.isoformat() if day else None,
        "timePhrase": r.time_phrase,
        "time": time,
        "endTime": r.end_time,
        "durationMinutes": r.duration,
        "recurrencePhrase": r.recurrence_phrase,
        "timezone": r.timezone,
        "priority": r.priority or None,
        "tags": r.tags,
    }

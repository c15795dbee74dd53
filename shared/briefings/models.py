"""What a briefing holds: the day's items as stored in `users/{uid}/briefings/{day}`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# Bounds of one briefing (one user, one day): what is read and what is stored.
MAX_TASKS = 50  # open tasks due today or overdue, earliest due first
MAX_REMINDERS = 50  # open tasks whose reminder is today
MAX_EVENTS_READ = 100  # per calendar query (events ending after the day starts; series)
MAX_EVENTS = 50  # occurrences of the day kept
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class EventItem:
    id: str
    key: str  # the occurrence's original local start (exceptions are keyed by it)
    title: str
    start: datetime
    end: datetime
    all_day: bool

    def stored(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "allDay": self.all_day,
        }


@dataclass(frozen=True)
class TaskItem:
    id: str
    title: str
    due_at: datetime
    priority: int
    overdue: bool  # due before the day began

    def stored(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "dueAt": self.due_at,
            "priority": self.priority,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class ReminderItem:
    id: str  # the task's id
    title: str
    remind_at: datetime

    def stored(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "remindAt": self.remind_at}


@dataclass(frozen=True)
class DayContent:
    """One user's local day: the items a briefing reports, in order."""

    day: date
    timezone: str
    events: list[EventItem] = field(default_factory=list)
    tasks: list[TaskItem] = field(default_factory=list)
    reminders: list[ReminderItem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)


SummarySource = Literal["ai", "fallback"]


def briefing_document(
    content: DayContent, *, summary: str, source: SummarySource, time: str, now: datetime
) -> dict[str, Any]:
    """The stored briefing `users/{uid}/briefings/{day}`."""
    return {
        "date": content.day.isoformat(),
        "timezone": content.timezone,
        "time": time,
        "events": [event.stored() for event in content.events],
        "tasks": [task.stored() for task in content.tasks],
        "reminders": [reminder.stored() for reminder in content.reminders],
        "counts": {
            "events": len(content.events),
            "tasks": len(content.tasks),
            "overdue": content.overdue,
            "reminders": len(content.reminders),
        },
        "summary": summary,
        "summarySource": source,
        "createdAt": now,
    }

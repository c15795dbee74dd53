"""Calendar payloads: what callers send, what is stored at `users/{uid}/calendar/{evid}`,
what is returned.

Times are what the user meant (`shared.localtime.WallTime`): `start` and `end` are local
wall times read in the event's `timezone` (fixed) or, when it is null, in the user's zone
(floating). A timed event has a time on both; an all-day event on neither, with an
exclusive end date (a one-day event on the 5th ends on the 6th). `exceptions` are keyed by
the original local start of an occurrence (`"2026-12-05T09:00"`; all-day `"...T00:00"`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from shared.accounts.models import Timezone
from shared.ids import DocId
from shared.localtime import Rrule, WallTime
from shared.validation import Command, Public

MAX_TITLE_CHARS = 200
MAX_NOTES_CHARS = 5_000
MAX_LOCATION_CHARS = 500
MAX_ATTENDEES = 50
MAX_EMAIL_CHARS = 254
MAX_EXCEPTIONS = 100
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 40_320  # four weeks, as Google Calendar allows
MAX_EVENTS_PER_USER = 5_000
MAX_ICS_BYTES = 1_048_576
MAX_ICS_EVENTS = 1_000

KEY_FORMAT = "%Y-%m-%dT%H:%M"
_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T(?:[01]\d|2[0-3]):[0-5]\d)?$")
# Deliberately plain: one @, no spaces, a dot in the domain (no email-validator here).
_EMAIL = re.compile(r"^[^@\s<>\"',;:()\[\]]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        msg = f"'{value[:80]}' is not an email address"
        raise ValueError(msg)
    return value.lower()


def occurrence_key(wall: datetime) -> str:
    """The key of an occurrence: its original local start, `YYYY-MM-DDTHH:MM`."""
    return wall.strftime(KEY_FORMAT)


def _check_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        msg = "exception keys are original local starts, 'YYYY-MM-DDTHH:MM'"
        raise ValueError(msg)
    try:
        parsed = datetime.strptime(value if "T" in value else value + "T00:00", KEY_FORMAT)
    except ValueError:
        msg = f"'{value}' is not a real date and time"
        raise ValueError(msg) from None
    return occurrence_key(parsed)


Email = Annotated[str, Field(max_length=MAX_EMAIL_CHARS), AfterValidator(_check_email)]
ReminderMinutes = Annotated[int, Field(ge=0, le=MAX_REMINDER_MINUTES)]


class EventException(Command):
    """One occurrence changed: `{"cancelled": true}` or moved `{"start", "end"}`."""

    cancelled: Literal[True] | None = None
    start: WallTime | None = None
    end: WallTime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if self.cancelled and (self.start or self.end):
            msg = "an exception is either cancelled or moved (start and end), not both"
            raise ValueError(msg)
        if not self.cancelled and (self.start is None or self.end is None):
            msg = "a moved occurrence needs both start and end (or cancelled: true)"
            raise ValueError(msg)
        return self

    def stored(self) -> dict[str, Any]:
        if self.cancelled:
            return {"cancelled": True}
        assert self.start is not None  # checked above
        assert self.end is not None
        return {"start": self.start.stored(), "end": self.end.stored()}


def _check_exceptions(value: dict[str, EventException]) -> dict[str, EventException]:
    if len(value) > MAX_EXCEPTIONS:
        msg = f"at most {MAX_EXCEPTIONS} changed occurrences per event"
        raise ValueError(msg)
    normal: dict[str, EventException] = {}
    for key, exception in value.items():
        normal[_check_key(key)] = exception
    return normal


def _check_reminders(value: list[int]) -> list[int]:
    if len(set(value)) != len(value):
        msg = "reminders must be distinct"
        raise ValueError(msg)
    return sorted(value)


class SaveCalendarEvent(Command):
    """Create (no `id`, or a new client-chosen one) or update (`id` + `expectedVersion`)."""

    id: DocId | None = None
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    start: WallTime
    end: WallTime
    timezone: Timezone | None = None
    location: str | None = Field(default=None, max_length=MAX_LOCATION_CHARS)
    attendees: list[Email] = Field(default_factory=list, max_length=MAX_ATTENDEES)
    notes: str | None = Field(default=None, max_length=MAX_NOTES_CHARS)
    recurrence: Rrule | None = None
    exceptions: Annotated[dict[str, EventException], AfterValidator(_check_exceptions)] = Field(
        default_factory=dict
    )
    reminders: Annotated[
        list[ReminderMinutes], Field(max_length=MAX_REMINDERS), AfterValidator(_check_reminders)
    ] = Field(default_factory=list)
    expected_version: int | None = Field(default=None, ge=0)

    @property
    def all_day(self) -> bool:
        return self.start.time is None

    @property
    def zone_name(self) -> str | None:
        return self.timezone or self.start.timezone or self.end.timezone


class DeleteCalendarEvent(Command):
    id: DocId
    expected_version: int | None = Field(default=None, ge=0)


class RotateCalendarFeed(Command):
    action: Literal["create", "revoke"]


class ImportCalendar(Command):
    # Characters, not bytes; the byte bound is checked again in the service.
    ics: str = Field(min_length=1, max_length=MAX_ICS_BYTES)


class SaveCalendarEventResult(Public):
    id: str
    version: int
    start_at: datetime
    end_at: datetime


class DeleteCalendarEventResult(Public):
    deleted: bool


class RotateCalendarFeedResult(Public):
    url: str | None = None
    revoked: bool = False


class SkippedEvent(Public):
    uid: str
    reason: str


class ImportCalendarResult(Public):
    imported: int
    updated: int
    skipped: list[SkippedEvent]


class EventDoc(BaseModel):
    """`users/{uid}/calendar/{evid}` as stored (camelCase in Firestore)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    title: str
    start: dict[str, Any]
    end: dict[str, Any]
    all_day: bool
    timezone: str | None
    start_at: datetime
    end_at: datetime
    location: str | None = None
    attendees: list[str] = Field(default_factory=list)
    notes: str | None = None
    recurrence: str | None = None
    exceptions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    reminders: list[int] = Field(default_factory=list)
    version: int
    created_at: datetime
    updated_at: datetime
    uid: str | None = None

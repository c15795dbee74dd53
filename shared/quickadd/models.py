"""Quick add payloads: the command, what a line was read as, and the answer."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from shared.accounts.models import Timezone
from shared.ids import DocId
from shared.localtime import Rrule, WallTime
from shared.validation import Command, Public

MAX_TEXT_CHARS = 500
MAX_TITLE_CHARS = 200  # the task and calendar documents' title limit
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_NOTES = 5

Kind = Literal["task", "event", "reminder"]
Source = Literal["parser", "ai"]


class QuickAdd(Command):
    """`quick_add` input: one line in the user's words.

    `timezone` is the zone the line is read in (defaults to the profile's
    `settings.timezone`); `requestId` makes a retried call save the same item once.
    """

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    save: bool = True
    timezone: Timezone | None = None
    request_id: DocId | None = None


class Interpretation(Public):
    """What the line was read as, in the user's words and zone.

    A task has `due` (a day, optionally with a time); a reminder is a task whose `remind`
    is its time (`due` = `remind`); an event has `start` and `end` (without times: an
    all-day event, `end` the day after, exclusive). Times float (no `timezone`) unless the
    text names a zone. When the line cannot be read with confidence `question` says what
    to ask, and nothing is saved; what could be read is filled in.
    """

    kind: Kind
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    due: WallTime | None = None
    start: WallTime | None = None
    end: WallTime | None = None
    remind: WallTime | None = None
    recurrence: Rrule | None = None
    priority: int = Field(default=0, ge=0, le=3)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    confidence: float = Field(ge=0.0, le=1.0)
    question: str | None = None
    summary: str
    source: Source = "parser"
    notes: list[str] = Field(default_factory=list, max_length=MAX_NOTES)

    @model_validator(mode="after")
    def _complete_unless_asking(self) -> Self:
        if self.question is not None:
            return self
        if self.kind == "event" and (self.start is None or self.end is None):
            raise ValueError("an event needs a start and an end")
        if self.kind == "reminder" and (self.remind is None or self.remind.time is None):
            raise ValueError("a reminder needs a time")
        return self


class Saved(Public):
    kind: Literal["task", "event"]
    id: str


class QuickAddResult(Public):
    """`quick_add` output: `saved` is null when nothing was saved (`save: false`, or a
    question to ask first)."""

    interpretation: Interpretation
    saved: Saved | None = None
    question: str | None = None

"""To-dos: what `save_task` / `delete_task` accept, what `users/{uid}/tasks/{tid}` holds,
and what they answer.

A task's times are kept as the user meant them (`shared.localtime.WallTime`: `due` with or
without a time, `remind` always with one), beside the UTC instants derived from them in
the user's zone (`dueAt`, `remindAt`, recomputed on every save and on a zone change).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from shared.ids import DocId
from shared.localtime import Rrule, WallTime, ever_occurs
from shared.validation import Command, Public

MAX_TITLE_CHARS = 200
MAX_NOTES_CHARS = 5_000
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_PRIORITY = 3

Status = Literal["todo", "doing", "done"]
Tag = Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
Priority = Annotated[StrictInt, Field(ge=0, le=MAX_PRIORITY)]


def field_error(field: str, message: str, value: Any) -> ValidationError:
    """An error at `field` (for checks across fields, so the path names the field that
    has to change rather than the whole payload)."""
    return ValidationError.from_exception_data(
        "SaveTask",
        [{"type": PydanticCustomError("value_error", message), "loc": (field,), "input": value}],
    )


class SaveTask(Command):
    """Create (no `id`, or a new client-chosen `id`: a retried create then changes
    nothing) or replace one of the caller's tasks.

    Every field is sent on every save (a save replaces the task); `expectedVersion` makes
    a stale edit fail instead of overwriting a newer one (0: the task must not exist yet).
    """

    id: DocId | None = None
    expected_version: StrictInt | None = Field(default=None, ge=0)
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    notes: str | None = Field(default=None, max_length=MAX_NOTES_CHARS)
    status: Status = "todo"
    priority: Priority = 0
    due: WallTime | None = None
    remind: WallTime | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    recurrence: Rrule | None = None

    @model_validator(mode="after")
    def _times_fit_together(self) -> Self:
        if self.remind is not None and self.remind.time is None:
            raise field_error("remind.time", "a reminder needs a time (HH:MM)", None)
        if self.recurrence is not None:
            if self.due is None:
                raise field_error("recurrence", "a recurring task needs a due date", None)
            if not ever_occurs(self.recurrence, self.due.wall()):
                raise field_error(
                    "recurrence", "this recurrence never occurs after the due date", None
                )
        if len(set(self.tags)) != len(self.tags):
            raise field_error("tags", "a tag is listed twice", self.tags)
        return self


class SaveTaskResult(Public):
    id: str
    version: int
    # The instants of `due` and `remind` in the user's zone (null when not set).
    due_at: datetime | None
    remind_at: datetime | None
    # The next occurrence this save created (completing a recurring task), else null.
    next_id: str | None = None


class DeleteTask(Command):
    id: DocId
    expected_version: StrictInt | None = Field(default=None, ge=0)


class DeleteTaskResult(Public):
    deleted: bool


class TaskDoc(BaseModel):
    """The document at `users/{uid}/tasks/{tid}` as read back (camelCase as stored).

    Lenient on purpose: tasks a workflow's `task` node created (`service.create_once`)
    have `dueAt` but no `due`, `version` or `updatedAt`, and must still load.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    title: str = ""
    notes: str | None = None
    status: Status = "todo"
    priority: int = 0
    due: WallTime | None = None
    due_at: datetime | None = None
    remind: WallTime | None = None
    remind_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    recurrence: str | None = None
    series_id: str | None = None
    previous_id: str | None = None
    floating: bool = False
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
    origin: dict[str, Any] | None = None

    def to_firestore(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, exclude={"due", "remind"})
        data["due"] = self.due.stored() if self.due else None
        data["remind"] = self.remind.stored() if self.remind else None
        return data


def instants(
    due: WallTime | None, remind: WallTime | None, user_zone: str
) -> tuple[datetime | None, datetime | None]:
    """`dueAt` and `remindAt`: the UTC instants of `due` (a whole day: its local midnight)
    and `remind`, each in its own zone or, floating, in the user's."""
    return (
        due.instant(user_zone) if due is not None else None,
        remind.instant(user_zone) if remind is not None else None,
    )


def floats(due: WallTime | None, remind: WallTime | None) -> bool:
    """Whether a zone change moves the task's instants (a time without its own zone)."""
    return any(t is not None and t.timezone is None for t in (due, remind))

"""Inbox payloads: what `mark_notifications_read` takes and answers."""

from __future__ import annotations

from typing import Self

from pydantic import Field, StrictBool, model_validator

from shared.ids import DocId
from shared.validation import Command, Public

MAX_IDS = 500  # ids one call may name
MAX_MARKED_PER_CALL = 10_000  # notifications `all` marks in one call; the rest: call again
BATCH_WRITES = 400  # writes per batch commit (Firestore allows 500)


class MarkNotificationsRead(Command):
    """`{ids: [id, ...]}` (1 to MAX_IDS of the caller's notifications) or `{all: true}`
    (every unread one); exactly one of the two."""

    ids: list[DocId] | None = Field(default=None, min_length=1, max_length=MAX_IDS)
    all: StrictBool | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.ids is None) == (not self.all):
            msg = "give exactly one of: ids (a list of notification ids), all (true)"
            raise ValueError(msg)
        return self


class MarkNotificationsReadResult(Public):
    """`updated`: notifications this call turned from unread to read (a repeated call
    answers 0); `more`: unread ones remain beyond what one call marks (call again)."""

    updated: int
    more: bool = False

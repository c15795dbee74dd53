"""The event envelope and the `publish_event` command."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from shared.ids import check_doc_id
from shared.validation import Command, NotStorable, Public, check_storable

# A workflow that emits the event it listens to would loop forever; each event caused by
# another is one deeper, and the bus refuses chains deeper than this.
MAX_CAUSATION_DEPTH = 8
MAX_DATA_BYTES = 32_768
# Events older than this when delivered are dropped (a retry storm must end somewhere).
MAX_EVENT_AGE_S = 24 * 3600
SYSTEM_PREFIX = "aura."

EventType = Annotated[str, Field(min_length=3, max_length=100, pattern=r"^[a-z][a-z0-9_.-]+$")]
EventId = Annotated[
    str,
    Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
    AfterValidator(check_doc_id),
]


class EventEnvelope(BaseModel):
    """What travels on the bus and is stored at `events/{id}`."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )

    id: EventId
    type: EventType
    source: str = Field(max_length=200)
    subject: str | None = Field(default=None, max_length=300)
    time: datetime
    uid: str = Field(min_length=1, max_length=128)
    correlation_id: str = Field(max_length=64)
    causation_id: str | None = Field(default=None, max_length=64)
    depth: int = Field(default=0, ge=0)
    data: dict[str, Any] = Field(default_factory=dict)
    specversion: str = "1.0"

    def to_json(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode()

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


def check_data_size(value: dict[str, Any]) -> dict[str, Any]:
    """Event data: JSON that Firestore can store, at most MAX_DATA_BYTES.

    Raises:
        NotStorable: where and why it cannot be stored, or that it is too large.
    """
    try:
        check_storable(value, max_bytes=MAX_DATA_BYTES)
    except NotStorable as exc:
        if exc.path:
            raise
        msg = f"is over {MAX_DATA_BYTES} bytes; events carry ids, not documents"
        raise NotStorable((), msg) from None
    return value


def check_user_type(value: str, verb: str) -> str:
    """A type a user may publish or a workflow emit: not one of Aura's own (`aura.*`)."""
    if value.startswith(SYSTEM_PREFIX):
        msg = f"types starting with '{SYSTEM_PREFIX}' are Aura's own and cannot be {verb}"
        raise ValueError(msg)
    return value


class PublishEvent(Command):
    """A client-published event. `id` makes publishing idempotent: the same id is
    recorded (and acted on) once."""

    type: EventType
    subject: str | None = Field(default=None, max_length=300)
    data: dict[str, Any] = Field(default_factory=dict)
    id: EventId | None = None
    correlation_id: str | None = Field(default=None, max_length=64)

    @field_validator("type")
    @classmethod
    def _not_a_system_type(cls, value: str) -> str:
        return check_user_type(value, "published")

    @field_validator("data")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_data_size(value)


class PublishEventResult(Public):
    id: str
    correlation_id: str


def new_event_id() -> str:
    return uuid.uuid4().hex

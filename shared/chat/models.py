"""Chat payloads and the shapes of what the chat writes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.ids import DocId
from shared.validation import Command, Public

MAX_MESSAGE_CHARS = 8000  # also in firestore.rules
# Firestore documents max out at 1 MiB; 200k characters is at most ~800 KB of UTF-8,
# leaving room for the other fields. A reply that reaches it ends with TRUNCATION_MARKER.
MAX_REPLY_CHARS = 200_000
TRUNCATION_MARKER = "\n\n… *[reply truncated: it reached the 200,000-character limit]*"
CONTEXT_BUDGET_TOKENS = 6_000
HISTORY_LIMIT = 60
REPLY_MAX_TOKENS = 2_048

IntentLabel = Literal[
    "question",
    "task",
    "reminder",
    "schedule",
    "code",
    "generate",
    "automation",
    "chitchat",
    "other",
]


def reply_id(message_id: str) -> str:
    """The assistant reply to user message `message_id` (deterministic: one per message)."""
    return f"a_{message_id}"


class Entity(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = Field(max_length=40, description="person, date, time, place, project, ...")
    value: str = Field(max_length=200)


class IntentResult(BaseModel):
    """What the fast tier returns about a user message (structured output)."""

    model_config = ConfigDict(extra="ignore")

    label: IntentLabel
    confidence: float = Field(ge=0.0, le=1.0)
    entities: list[Entity] = Field(default_factory=list, max_length=20)


class TitleResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=80)


class DeleteConversation(Command):
    conversation_id: DocId


class DeleteConversationResult(Public):
    deleted: int


class RetryReply(Command):
    conversation_id: DocId
    message_id: DocId


class RetryReplyResult(Public):
    reply_id: str

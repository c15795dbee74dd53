"""Chat payloads and the shapes of what the chat writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.ai.models import Provider
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
PROVIDER_BY_MODEL_PREFIX: dict[str, Provider] = {"gpt": "openai", "claude": "anthropic"}

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


# --- documents as the chat reads them (lenient: a missing field takes its default) ------


@dataclass(frozen=True)
class MessageDoc:
    """`messages/{id}`: a user's message (`role: user`) or an assistant reply."""

    role: str
    text: str
    created_at: datetime | None = None
    status: str | None = None  # replies: pending, streaming, done or error
    reply_to: str | None = None  # replies: the user message they answer
    id: str | None = None  # the document id, when read from a query

    @classmethod
    def of(cls, data: dict[str, Any], id: str | None = None) -> MessageDoc:
        return cls(
            id=id,
            role=str(data.get("role", "")),
            text=str(data.get("text", "")),
            created_at=data.get("createdAt"),
            status=data.get("status"),
            reply_to=data.get("replyTo"),
        )


@dataclass(frozen=True)
class ConversationDoc:
    """`conversations/{cid}`, the parts the chat reads back (an absent one is empty)."""

    title: str | None = None
    summary: str | None = None
    summary_covers: int = 0  # how many of the oldest turns `summary` stands for
    exists: bool = False

    @classmethod
    def of(cls, data: dict[str, Any]) -> ConversationDoc:
        return cls(
            exists=bool(data),
            title=data.get("title"),
            summary=data.get("summary"),
            summary_covers=int(data.get("summaryCovers", 0)),
        )


@dataclass(frozen=True)
class Reader:
    """What the chat needs to know about the user: plan and preferred provider."""

    plan: str
    preferred_provider: Provider | None
    auto_extract: bool = True  # settings.memory.autoExtract: facts kept after each turn

    @classmethod
    def of_profile(cls, profile: dict[str, Any]) -> Reader:
        """From the profile document `users/{uid}` (a missing one reads as free, auto,
        extraction on)."""
        settings = profile.get("settings") or {}
        model = str(settings.get("preferredModel", "auto"))
        preferred = next(
            (p for prefix, p in PROVIDER_BY_MODEL_PREFIX.items() if model.startswith(prefix)), None
        )
        memory = settings.get("memory") or {}
        return cls(
            plan=str(profile.get("plan", "free")),
            preferred_provider=preferred,
            auto_extract=memory.get("autoExtract", True) is not False,
        )


@dataclass(frozen=True)
class ReplyError:
    """Why a reply ended in `error`, as the user sees it (`code` is a canonical code)."""

    code: str
    message: str
    retry_after_s: int | None = None  # the rate limit says when to retry

    def to_firestore(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.retry_after_s is not None:
            stored["retryAfterSeconds"] = self.retry_after_s
        return stored


# --- what the fast tier returns ----------------------------------------------------------


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


# --- callable payloads ------------------------------------------------------------------


class DeleteConversation(Command):
    conversation_id: DocId


class DeleteConversationResult(Public):
    deleted: int


class RetryReply(Command):
    conversation_id: DocId
    message_id: DocId


class RetryReplyResult(Public):
    reply_id: str

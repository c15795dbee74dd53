"""What callers ask the gateway for, and what they get back."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Provider = Literal["openai", "anthropic"]
Tier = Literal["fast", "strong"]
# Purposes route to tiers: classification, titles, parsing and summaries are fast; chat
# answers and generation are strong.
Purpose = Literal[
    "chat", "generate", "classify", "title", "parse", "summarize", "extract", "decide"
]
FAST_PURPOSES: frozenset[str] = frozenset({"classify", "title", "parse", "summarize", "extract"})
PROVIDERS: tuple[Provider, ...] = ("openai", "anthropic")


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["user", "assistant"]
    content: str


class AIRequest(BaseModel):
    """A provider-neutral request. `uid` is who pays (quota and metering)."""

    model_config = ConfigDict(frozen=True)

    uid: str
    purpose: Purpose
    messages: tuple[Message, ...]
    system: str | None = None
    max_tokens: int = Field(default=1024, ge=1, le=16_384)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    preferred_provider: Provider | None = None

    @property
    def deterministic(self) -> bool:
        """Temperature 0: the same request may be answered from the cache."""
        return self.temperature == 0.0

    def input_chars(self) -> int:
        return len(self.system or "") + sum(len(m.content) for m in self.messages)

    def fingerprint(self, extra: dict[str, Any] | None = None) -> str:
        body = {
            "purpose": self.purpose,
            "system": self.system,
            "messages": [m.model_dump() for m in self.messages],
            "max_tokens": self.max_tokens,
            **(extra or {}),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"))


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def to_firestore(self) -> dict[str, Any]:
        return {
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "costUsd": self.cost_usd,
        }


class AIResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    provider: Provider
    model: str
    usage: Usage
    cached: bool = False


class Embeddings(BaseModel):
    """`Gateway.embed`'s answer: a unit vector per text, in the order asked.

    `usage` is what this call cost (zero when every text came from the cache); `cached`
    counts the texts served from the cache."""

    model_config = ConfigDict(frozen=True)

    vectors: list[list[float]]
    model: str
    dimensions: int
    usage: Usage
    cached: int = 0

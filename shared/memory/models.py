"""Memories: what `remember`, `recall`, `forget`, `update_memory` and
`forget_all_memories` accept and answer, what `users/{uid}/memories/{id}` holds, and the
limits (enforced here and in `shared.memory.service`, listed in docs/security.md).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, StrictInt
from pydantic.alias_generators import to_camel

from shared.ids import DocId
from shared.validation import Command, Public

MAX_MEMORIES = 1_000  # active memories per user
# Every stored version (active or superseded) per user: corrections keep the old text,
# so this bounds what a stream of corrections can pile up.
MAX_STORED_MEMORIES = 3_000
MAX_TEXT_CHARS = 500
MAX_QUERY_CHARS = 1_000
MAX_QUOTE_CHARS = 1_000
RECALL_LIMIT_MAX = 20
DEFAULT_RECALL_LIMIT = 5
# Cosine distance (1 - cosine similarity, 0..2): a recalled memory is at most this far
# from the query. Tuned on tests/data/memory_eval.json with the stand-in's WordLlama
# vectors (tests/unit/test_memory_eval_set.py; docs/memory.md, "Retrieval quality"): the
# best recall@3 while returning nothing for most unanswerable questions. 0.81: recall@3
# 0.82, 68 % of unanswerable questions get nothing (0.75: 0.65 and 80 %; 0.82: 0.84 and
# 48 %). Tuned for WordLlama: re-measure with the production embedding model.
DEFAULT_DISTANCE_THRESHOLD = 0.81
MAX_DISTANCE = 2.0

Kind = Literal["fact", "preference", "person", "plan", "other"]
Source = Literal["explicit", "chat"]

MemoryText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]


def text_key(text: str) -> str:
    """The key that makes two texts "the same memory": sha256 (hex) of the text in NFKC,
    lowercased, with runs of whitespace collapsed to one space and the ends stripped."""
    normal = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return hashlib.sha256(normal.encode()).hexdigest()


class Provenance(BaseModel):
    """Where a memory extracted from chat came from: the message and the user's words."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    conversation_id: str
    message_id: str
    quote: str = Field(max_length=MAX_QUOTE_CHARS)


# --- commands and results ---------------------------------------------------------------


class Remember(Command):
    """`{text, kind?, expiresAt?}`: keep a memory; the same text again changes nothing."""

    text: MemoryText
    kind: Kind = "fact"
    # Must be in the future (checked against the server's clock by the service).
    expires_at: AwareDatetime | None = None


class RememberResult(Public):
    id: str
    created: bool


class Recall(Command):
    """`{query, limit?, threshold?}`: the memories nearest in meaning to `query`."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    limit: StrictInt = Field(default=DEFAULT_RECALL_LIMIT, ge=1, le=RECALL_LIMIT_MAX)
    threshold: StrictFloat | StrictInt = Field(
        default=DEFAULT_DISTANCE_THRESHOLD, ge=0, le=MAX_DISTANCE
    )


class Recalled(Public):
    """One recalled memory, `distance` (cosine, 0..2) from the query."""

    id: str
    text: str
    kind: Kind
    source: Source
    provenance: Provenance | None
    distance: float
    created_at: datetime
    updated_at: datetime


class RecallResult(Public):
    memories: list[Recalled]


class Forget(Command):
    """`{id}`: delete a memory and every older version of it."""

    id: DocId


class ForgetResult(Public):
    deleted: int


class UpdateMemory(Command):
    """`{id, text, kind?, expectedVersion?}`: correct a memory; the old text is kept,
    inactive, in its chain."""

    id: DocId
    text: MemoryText
    kind: Kind | None = None  # None: the old memory's kind
    expected_version: StrictInt | None = Field(default=None, ge=1)


class UpdateMemoryResult(Public):
    id: str  # the new (active) memory
    supersedes: str | None  # the memory it replaced


class ForgetAllMemories(Command):
    """`{confirm: true}`: delete every memory of the caller."""

    confirm: Literal[True]


# --- stored -----------------------------------------------------------------------------


class MemoryDoc(BaseModel):
    """The document at `users/{uid}/memories/{id}` (camelCase as stored).

    `embedding` is a Firestore `Vector` at the top level of the document (vector fields in
    maps fail on the emulator); it is kept out of this model and written beside it.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    text: str
    text_key: str
    embedding_model: str
    kind: Kind = "fact"
    source: Source = "explicit"
    provenance: Provenance | None = None
    active: bool = True
    supersedes: str | None = None
    superseded_by: str | None = None
    expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def recalled(self, memory_id: str, distance: float) -> Recalled:
        return Recalled(
            id=memory_id,
            text=self.text,
            kind=self.kind,
            source=self.source,
            provenance=self.provenance,
            distance=distance,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

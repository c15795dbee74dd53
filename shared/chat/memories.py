"""What a chat turn takes from the user's memories, and what it gives back.

Before the reply streams, when the user keeps any memory (one read of at most one
document), the user's message is embedded once and one vector search
(`shared.memory.service.nearest`) finds the nearest memories: those within recall's
threshold go into the reply's context (nearest first, within MEMORY_BUDGET_TOKENS) and
the reply records their ids (`memoryIds`); the wider set is what extraction compares new
facts with after the reply. Both are best effort: no OpenAI key, a quota refusal or a
failing search gives a reply without memories, never a failed reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.ai.gateway import Tab, estimate_tokens
from shared.ai.models import AIRequest
from shared.errors import AuraError
from shared.memory import extraction
from shared.platform import logs

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

    from shared.chat.enrichment import Labeller

MEMORY_BUDGET_TOKENS = 400  # of memory text in one reply's context


@dataclass(frozen=True)
class Remembered:
    id: str
    text: str
    distance: float


@dataclass(frozen=True)
class MemoryContext:
    """The memories a reply uses (`used`, in its prompt) and the ones extraction is shown
    (`candidates`: the nearest, within extraction's looser distance)."""

    used: tuple[Remembered, ...] = ()
    candidates: tuple[Remembered, ...] = ()

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.used]

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.used]


NONE = MemoryContext()


def select(
    found: Sequence[Remembered], *, threshold: float, budget_tokens: int = MEMORY_BUDGET_TOKENS
) -> tuple[Remembered, ...]:
    """The memories within `threshold`, nearest first, while their text fits the budget."""
    used: list[Remembered] = []
    spent = 0
    for memory in sorted(found, key=lambda m: m.distance):
        if memory.distance > threshold:
            break
        cost = estimate_tokens(len(memory.text))
        if spent + cost > budget_tokens:
            break
        used.append(memory)
        spent += cost
    return tuple(used)


class MemorySource(Protocol):
    """The user's memories as a chat turn sees them."""

    def for_message(self, text: str, *, plan: str) -> MemoryContext: ...

    def writer(self, *, plan: str) -> extraction.MemoryWriter: ...


class FirestoreMemories:
    """`MemorySource` over `users/{uid}/memories` and the gateway's embeddings."""

    def __init__(self, *, db: Client, gateway: Any, uid: str, now: datetime) -> None:
        self._db, self._gateway, self._uid, self._now = db, gateway, uid, now

    def for_message(self, text: str, *, plan: str) -> MemoryContext:
        from shared.memory import repository, service
        from shared.memory.models import DEFAULT_DISTANCE_THRESHOLD

        try:
            if not repository.any_active(self._db, self._uid):
                return NONE  # nothing to find: no embedding, no quota, one read
            vector = self._gateway.embed([text[:8_000]], uid=self._uid, plan=plan).vectors[0]
            found = service.nearest(
                db=self._db,
                uid=self._uid,
                vector=vector,
                limit=extraction.CANDIDATES,
                threshold=max(extraction.CANDIDATE_DISTANCE, DEFAULT_DISTANCE_THRESHOLD),
                now=self._now,
            )
        except AuraError as exc:
            logs.info("reply without memories", code=exc.code, error=exc.message)
            return NONE
        except Exception as exc:  # a failing search must not fail the reply
            logs.error("memory search failed; reply without memories", error=repr(exc))
            return NONE
        remembered = tuple(Remembered(m.id, m.text, m.distance) for m in found)
        return MemoryContext(
            used=select(remembered, threshold=DEFAULT_DISTANCE_THRESHOLD),
            candidates=remembered,
        )

    def writer(self, *, plan: str) -> extraction.MemoryWriter:
        return extraction.FirestoreWriter(
            db=self._db, gateway=self._gateway, uid=self._uid, plan=plan, now=self._now
        )


def extraction_request(*, uid: str, text: str, context: MemoryContext) -> AIRequest:
    """The extraction call for a user message (reserved on the turn's tab)."""
    return extraction.request(
        uid=uid,
        message=text,
        candidates=[extraction.Candidate(m.id, m.text) for m in context.candidates],
    )


def extract(
    *,
    gateway: Labeller,
    memories: MemorySource,
    request: AIRequest,
    plan: str,
    tab: Tab | None,
    context: MemoryContext,
    source: extraction.Source,
) -> list[extraction.Applied]:
    """Ask for operations on the user's memories after a turn, vet them against the
    user's own words and the memories shown, and apply them. Best effort: a failure is
    logged and what was applied so far is returned."""
    candidates = [extraction.Candidate(m.id, m.text) for m in context.candidates]
    try:
        proposed, _ = gateway.structured(
            request, extraction.MemoryOperations, plan=plan, tab=tab, cache=False
        )
        vetted = extraction.vet(proposed.operations, message=source.text, candidates=candidates)
        dropped = len([o for o in proposed.operations if o.op != "none"]) - len(vetted)
        applied = extraction.apply(vetted, source=source, writer=memories.writer(plan=plan))
    except AuraError as exc:
        logs.warning("memory extraction skipped", code=exc.code, error=exc.message)
        return []
    except Exception as exc:  # the reply is written; its accounting must still happen
        logs.error("memory extraction failed", error=repr(exc))
        return []
    logs.info(
        "memories extracted",
        applied=[f"{a.op}:{a.id}" for a in applied],
        dropped=dropped,
    )
    return applied

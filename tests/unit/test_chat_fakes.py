"""In-memory fakes of the chat's repository and AI gateway, for the chat unit tests; and
the tests that keep them (and the Firestore repository) true to the protocols."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from shared.ai.gateway import Tab
from shared.ai.models import AIRequest, AIResult, Usage
from shared.ai.quotas import Reservation
from shared.chat import enrichment, streaming
from shared.chat.models import (
    HISTORY_LIMIT,
    ConversationDoc,
    IntentResult,
    MessageDoc,
    Reader,
    ReplyError,
    TitleResult,
)
from shared.chat.repository import (
    ChatRepository,
    ConversationGone,
    FirestoreConversation,
    ResetOutcome,
    Seen,
)
from shared.errors import AuraError
from shared.memory.extraction import MemoryOperations
from shared.platform.ratelimit import Decision

M = TypeVar("M", bound=BaseModel)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def now() -> datetime:
    return NOW


def allow(_now: datetime) -> Decision:
    return Decision(allowed=True, remaining=19, retry_after_s=0.0)


def deny(_now: datetime) -> Decision:
    return Decision(allowed=False, remaining=0, retry_after_s=41.2)


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class FakeConversation:
    """ChatRepository in memory. Replies are dicts of their stored fields, keyed by the
    user message they answer; `ops` records every call in order."""

    def __init__(
        self,
        *,
        messages: Sequence[tuple[str, str]] = (),
        conversation: ConversationDoc | None = None,
        reader: Reader | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.messages: dict[str, MessageDoc] = {
            mid: MessageDoc(role="user", text=text, created_at=NOW, id=mid)
            for mid, text in messages
        }
        self.replies: dict[str, dict[str, Any]] = {}
        self.doc = conversation
        self.message_count = 0
        self.usage = Usage()
        self.labels: dict[str, IntentResult] = {}
        self.stop: set[str] = set()
        self.ops: list[str] = []
        self.streamed: list[tuple[float, str]] = []  # (clock, text) of each streaming write
        self.gone = False  # when set, every write finds its document deleted
        # Like Firestore's conditional writes: a streamed write sees a stop (else polled).
        self.writes_see_stop = False
        self._reader = reader or Reader(plan="free", preferred_provider=None)
        self._clock = clock or (lambda: 0.0)

    # -- helpers for tests --

    @property
    def conversation_id(self) -> str:
        return "c1"

    def reply(self, mid: str) -> dict[str, Any]:
        return self.replies[mid]

    def _write(self, op: str) -> None:
        self.ops.append(op)
        if self.gone:
            raise ConversationGone("c1", op)

    # -- ChatRepository --
    def reader(self) -> Reader:
        self.ops.append("reader")
        return self._reader

    def message(self, mid: str) -> MessageDoc | None:
        self.ops.append("message")
        if mid in self.messages:
            return self.messages[mid]
        if mid.startswith("a_") and mid[2:] in self.replies:
            return MessageDoc(role="assistant", text=self.replies[mid[2:]]["text"])
        return None

    def create_reply(self, mid: str, *, created_at: datetime, now: datetime) -> bool:
        self.ops.append("create_reply")
        if mid in self.replies:
            return False
        self.replies[mid] = {
            "status": "pending",
            "text": "",
            "createdAt": created_at,
            "error": None,
            "usage": None,
            "provider": None,
            "model": None,
            "stopped": False,
            "truncated": False,
            "attempt": 1,
        }
        return True

    def touch(self, *, exists: bool, now: datetime) -> None:
        self._write("touch")
        if self.doc is None:
            self.doc = ConversationDoc(exists=True)
        self.message_count += 2

    def reset_reply(self, mid: str, *, now: datetime) -> ResetOutcome:
        self.ops.append("reset_reply")
        reply = self.replies.get(mid)
        if reply is None:
            return "missing"
        if reply["status"] != "error":
            return "not-failed"
        reply.update(status="pending", text="", error=None, attempt=reply["attempt"] + 1)
        self.stop.discard(mid)
        return "reset"

    def conversation(self) -> ConversationDoc:
        self.ops.append("conversation")
        return self.doc or ConversationDoc()

    def recent_messages(self) -> list[MessageDoc]:
        self.ops.append("recent_messages")
        found: list[MessageDoc] = []
        for mid, message in self.messages.items():
            found.append(message)
            if mid in self.replies:
                reply = self.replies[mid]
                found.append(
                    MessageDoc(
                        role="assistant",
                        text=reply["text"],
                        status=reply["status"],
                        reply_to=mid,
                        id=f"a_{mid}",
                    )
                )
        return found[-HISTORY_LIMIT:]

    def stop_requested(self, mid: str) -> bool:
        return mid in self.stop  # polled from the watcher thread: not recorded in `ops`

    def reply_streaming(
        self, mid: str, *, text: str, provider: str | None, model: str | None, now: datetime
    ) -> Seen:
        self._write("reply_streaming")
        if self.writes_see_stop and mid in self.stop:
            return "stop-requested"
        self.streamed.append((self._clock(), text))
        self.replies[mid].update(status="streaming", text=text, provider=provider, model=model)
        return "unchanged" if self.writes_see_stop else "unchecked"

    def reply_done(
        self,
        mid: str,
        *,
        text: str,
        provider: str | None,
        model: str | None,
        usage: Usage,
        stopped: bool,
        truncated: bool,
        now: datetime,
        memory_ids: Sequence[str] = (),
    ) -> None:
        self._write("reply_done")
        self.replies[mid].update(
            status="done",
            text=text,
            provider=provider,
            model=model,
            usage=usage,
            stopped=stopped,
            truncated=truncated,
            memory_ids=list(memory_ids),
        )

    def reply_failed(
        self,
        mid: str,
        *,
        text: str,
        error: ReplyError,
        usage: Usage | None,
        provider: str | None,
        model: str | None,
        now: datetime,
    ) -> None:
        self._write("reply_failed")
        self.replies[mid].update(
            status="error", text=text, error=error, usage=usage, provider=provider, model=model
        )

    def reply_refused(self, mid: str, *, error: ReplyError, now: datetime) -> None:
        self._write("reply_refused")
        self.replies[mid].update(status="error", error=error)

    def conclude(
        self,
        *,
        usage: Usage | None,
        title: str | None,
        summary: tuple[str, int] | None,
        count: bool,
        now: datetime,
    ) -> None:
        if usage is None and title is None and summary is None and not count:
            return  # nothing to write
        self._write("conclude")
        if count:
            self.message_count += 2
        if usage is not None:
            self.usage = Usage(
                input_tokens=self.usage.input_tokens + usage.input_tokens,
                output_tokens=self.usage.output_tokens + usage.output_tokens,
                cost_usd=self.usage.cost_usd + usage.cost_usd,
            )
        current = self.doc or ConversationDoc()
        self.doc = ConversationDoc(
            title=title if title is not None else current.title,
            summary=summary[0] if summary is not None else current.summary,
            summary_covers=summary[1] if summary is not None else current.summary_covers,
            exists=True,
        )

    def label_message(self, mid: str, intent: IntentResult) -> None:
        self._write("label_message")
        self.labels[mid] = intent

    def delete_all(self) -> int:
        self._write("delete_all")
        deleted = len(self.messages) + len(self.replies) + (self.doc is not None)
        self.messages, self.replies, self.doc = {}, {}, None
        return deleted


class FakeStream:
    """A streamed answer: yields `deltas`, then raises `fail` if given. `after_delta(i)`
    runs when the consumer asks for the delta after the i-th (0-based)."""

    provider = "openai"
    model = "gpt-4o"

    def __init__(
        self,
        deltas: Sequence[str] | Iterator[str],
        *,
        fail: Exception | None = None,
        after_delta: Callable[[int], None] | None = None,
    ) -> None:
        self._deltas = deltas
        self._fail = fail
        self._after_delta = after_delta
        self.closed = threading.Event()
        self.sent = 0
        self.finished = 0

    def __iter__(self) -> Iterator[str]:
        for i, delta in enumerate(self._deltas):
            if self.closed.is_set():
                return
            self.sent += 1
            yield delta
            if self._after_delta:
                self._after_delta(i)
        if self._fail is not None and not self.closed.is_set():
            raise self._fail

    def close(self) -> None:
        self.closed.set()

    def finish(self) -> Usage:
        self.finished += 1
        return Usage(input_tokens=10, output_tokens=self.sent, cost_usd=0.001 * self.sent)


class FakeGateway:
    """The AI gateway: one stream, canned intent/title/summary answers; `requests`
    records every call's request in order. `refuse` is raised by every call."""

    def __init__(
        self,
        stream: FakeStream | None = None,
        *,
        refuse: AuraError | None = None,
        enrichment_fails: AuraError | None = None,
        memory_operations: MemoryOperations | None = None,
    ) -> None:
        self.memory_operations = memory_operations or MemoryOperations()
        self.stream_handle = stream or FakeStream(["Hello", ", ", "world"])
        self.refuse = refuse
        self.enrichment_fails = enrichment_fails
        self.requests: list[AIRequest] = []
        self.tabs: list[tuple[int, Tab]] = []  # (calls held, tab) of each tab opened
        self.closed: list[Tab] = []

    def purposes(self) -> list[str]:
        return [r.purpose for r in self.requests]

    def _call(self, request: AIRequest) -> None:
        self.requests.append(request)
        if self.refuse is not None:
            raise self.refuse

    def open_tab(self, requests: Sequence[AIRequest], *, plan: str) -> Tab:
        if self.refuse is not None:
            raise self.refuse
        tab = Tab(Reservation(ref=Any, id="r1", tokens=0, requests=len(requests)))
        self.tabs.append((len(requests), tab))
        return tab

    def close_tab(self, tab: Tab) -> None:
        self.closed.append(tab)

    def stream(self, request: AIRequest, *, plan: str, tab: Tab | None = None) -> FakeStream:
        self._call(request)
        if tab is not None:
            assert tab.take()
        return self.stream_handle

    def structured(
        self,
        request: AIRequest,
        output: type[M],
        *,
        plan: str,
        tab: Tab | None = None,
        cache: bool = True,
    ) -> tuple[M, AIResult]:
        self._call(request)
        if tab is not None:
            assert tab.take(), "a call the tab does not hold"
        if self.enrichment_fails is not None:
            raise self.enrichment_fails
        if output is IntentResult:
            parsed: Any = IntentResult(label="question", confidence=0.9)
        elif output is MemoryOperations:
            parsed = self.memory_operations
        else:
            parsed = TitleResult(title="  Tides and the moon  ")
        return parsed, _result("{}")

    def complete(self, request: AIRequest, *, plan: str) -> AIResult:
        self._call(request)
        return _result("They talked about tides.")


def _result(text: str) -> AIResult:
    return AIResult(text=text, provider="openai", model="gpt-4o-mini", usage=Usage())


# --- the fakes (and Firestore) implement the protocols ------------------------------------


def members(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


def parameters(function: Any) -> list[str]:
    if isinstance(function, property):  # compare the getter's
        function = function.fget
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize("implementation", [FakeConversation, FirestoreConversation])
def test_chat_repositories_implement_the_protocol(implementation: type) -> None:
    for name in members(ChatRepository):
        assert parameters(getattr(implementation, name)) == parameters(
            getattr(ChatRepository, name)
        ), name


@pytest.mark.parametrize("protocol", [streaming.StreamSource, enrichment.Labeller])
def test_the_fake_gateway_implements_the_protocols(protocol: type) -> None:
    for name in members(protocol):
        assert parameters(getattr(FakeGateway, name)) == parameters(getattr(protocol, name)), name

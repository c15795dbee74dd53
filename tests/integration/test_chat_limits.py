"""The reply size cap and the last-resort error path, with fake gateways streaming into
real Firestore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from shared import runtime
from shared.ai.models import Usage
from shared.chat import service
from shared.chat.models import MAX_REPLY_CHARS, TRUNCATION_MARKER, reply_id


class EndlessStream:
    """Deltas of 50,000 characters for as long as it is read."""

    provider = "openai"
    model = "gpt-4o"

    def __init__(self) -> None:
        self.closed = False
        self.sent = 0

    def __iter__(self) -> Iterator[str]:
        while not self.closed:
            self.sent += 1
            yield "é" * 50_000

    def close(self) -> None:
        self.closed = True

    def finish(self) -> Usage:
        return Usage(input_tokens=10, output_tokens=self.sent * 12_500, cost_usd=0.0)


class BuggyStream(EndlessStream):
    """One delta, then an error no provider mapping knows (a bug, say)."""

    def __iter__(self) -> Iterator[str]:
        yield "partial "
        raise RuntimeError("unexpected")


class FakeGateway:
    def __init__(self, stream: EndlessStream | None = None) -> None:
        self.stream_handle = stream or EndlessStream()

    def stream(self, request: Any, *, plan: str) -> EndlessStream:
        return self.stream_handle


def stream_one_reply(uid: str, gateway: FakeGateway) -> dict[str, Any]:
    db = runtime.get_db()
    conversation = db.document(f"users/{uid}/conversations/c1")
    messages = conversation.collection("messages")
    messages.document("m1").set({"role": "user", "text": "hello", "createdAt": datetime.now(UTC)})
    reply = messages.document(reply_id("m1"))
    reply.set({"role": "assistant", "status": "pending", "text": "", "stopRequested": False})
    conversation.set({"title": None, "usage": {}})

    service._stream_reply(
        db=db,
        gateway=gateway,  # type: ignore[arg-type]
        uid=uid,
        conversation=conversation,
        reply=reply,
        mid="m1",
        now=lambda: datetime.now(UTC),
    )
    stored = reply.get().to_dict()
    assert stored is not None
    return stored


def test_reply_is_capped_below_the_document_limit_with_a_marker() -> None:
    gateway = FakeGateway()
    stored = stream_one_reply("cap-user", gateway)

    assert stored["status"] == "done"
    assert stored["truncated"] is True
    assert stored["text"].endswith(TRUNCATION_MARKER)
    assert len(stored["text"]) == MAX_REPLY_CHARS + len(TRUNCATION_MARKER)
    assert len(stored["text"].encode()) < 1_000_000
    assert gateway.stream_handle.closed


def test_an_unexpected_failure_still_ends_the_reply_in_error() -> None:
    gateway = FakeGateway(BuggyStream())
    stored = stream_one_reply("bug-user", gateway)

    assert stored["status"] == "error"
    assert stored["error"]["code"] == "internal"
    assert stored["text"] == "partial "
    assert gateway.stream_handle.closed

"""The reply size cap, with a fake gateway that streams huge deltas into real Firestore."""

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


class FakeGateway:
    def __init__(self) -> None:
        self.stream_handle = EndlessStream()

    def stream(self, request: Any, *, plan: str) -> EndlessStream:
        return self.stream_handle


def test_reply_is_capped_below_the_document_limit_with_a_marker() -> None:
    db = runtime.get_db()
    messages = db.collection("users/cap-user/conversations/c1/messages")
    user_message = messages.document("m1")
    user_message.set({"role": "user", "text": "say a lot", "createdAt": datetime.now(UTC)})
    reply = messages.document(reply_id("m1"))
    reply.set({"role": "assistant", "status": "pending", "text": "", "stopRequested": False})
    db.document("users/cap-user/conversations/c1").set({"title": None, "usage": {}})
    gateway = FakeGateway()

    service._stream_reply(
        db=db,
        gateway=gateway,  # type: ignore[arg-type]
        uid="cap-user",
        conversation=db.document("users/cap-user/conversations/c1"),
        reply=reply,
        mid="m1",
        now=lambda: datetime.now(UTC),
    )

    stored = reply.get().to_dict()
    assert stored is not None
    assert stored["status"] == "done"
    assert stored["truncated"] is True
    assert stored["text"].endswith(TRUNCATION_MARKER)
    assert len(stored["text"]) == MAX_REPLY_CHARS + len(TRUNCATION_MARKER)
    assert len(stored["text"].encode()) < 1_000_000
    assert gateway.stream_handle.closed

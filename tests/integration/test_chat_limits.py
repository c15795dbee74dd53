"""The chat's limits: the reply size cap and the last-resort error path (fake gateways
streaming into real Firestore), and the per-user message rate (through the trigger)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.ai.models import AIRequest, Message, Usage
from shared.chat import service, streaming
from shared.chat.models import MAX_REPLY_CHARS, TRUNCATION_MARKER, reply_id
from shared.chat.repository import FirestoreConversation
from shared.platform import clients, ratelimit
from tests.support import emulators as emu
from tests.support.gateway import local_gateway


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

    def open_tab(self, requests: Any, *, plan: str) -> Any:
        return None  # no quota ledger here

    def close_tab(self, tab: Any) -> None:
        pass

    def stream(self, request: Any, *, plan: str, tab: Any = None) -> EndlessStream:
        return self.stream_handle


def stream_one_reply(uid: str, gateway: FakeGateway) -> dict[str, Any]:
    db = clients.get_db()
    conversation = db.document(f"users/{uid}/conversations/c1")
    messages = conversation.collection("messages")
    messages.document("m1").set({"role": "user", "text": "hello", "createdAt": datetime.now(UTC)})
    reply = messages.document(reply_id("m1"))
    reply.set({"role": "assistant", "status": "pending", "text": "", "stopRequested": False})
    conversation.set({"title": None, "usage": {}})

    streaming.stream_reply(
        chat=FirestoreConversation(db, uid, "c1"),
        gateway=gateway,
        request=AIRequest(
            uid=uid, purpose="chat", messages=(Message(role="user", content="hello"),)
        ),
        plan="pro",
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


# --- the per-user message rate ----------------------------------------------------------


def send(user: emu.User, text: str) -> str:
    return emu.create_doc(
        f"users/{user.uid}/conversations/c1/messages",
        {"role": "user", "text": text},
        user.id_token,
        server_time="createdAt",
    )


def reply_when_finished(user: emu.User, mid: str) -> dict[str, Any]:
    ref = clients.get_db().document(f"users/{user.uid}/conversations/c1/messages/{reply_id(mid)}")

    def finished() -> dict[str, Any] | None:
        reply = ref.get().to_dict()
        return reply if reply and reply["status"] in {"done", "error"} else None

    result: dict[str, Any] = emu.wait_for(finished, timeout=30)
    return result


def use_up_the_chat_rate(uid: str) -> None:
    """Spend this minute's messages, and the next minute's (the trigger may run in it)."""
    now = datetime.now(UTC)
    for when in (now, now + timedelta(seconds=60)):
        for _ in range(service.CHAT_MESSAGES_PER_MINUTE):
            ratelimit.hit(
                clients.get_db(),
                key=f"chat:{uid}",
                limit=service.CHAT_MESSAGES_PER_MINUTE,
                window_s=60,
                now=when,
            )


def chat_hits(uid: str) -> int:
    """Hits counted against the user's chat rate in the last, this and the next minute."""
    now = datetime.now(UTC)
    total = 0
    for when in (now - timedelta(seconds=60), now, now + timedelta(seconds=60)):
        index = ratelimit.window_of(when, 60).index
        doc_id = ratelimit.doc_id(f"chat:{uid}", 60, index, 0)
        snapshot = clients.get_db().collection(ratelimit.COLLECTION).document(doc_id).get()
        total += int((snapshot.to_dict() or {}).get("count", 0))
    return total


@pytest.mark.usefixtures("standin")
def test_over_the_message_rate_the_reply_says_so_and_no_model_is_called(user: emu.User) -> None:
    use_up_the_chat_rate(user.uid)

    mid = send(user, "One message too many")
    reply = reply_when_finished(user, mid)

    assert reply["status"] == "error"
    assert reply["error"]["code"] == "resource-exhausted"
    assert "too fast" in reply["error"]["message"]
    assert 1 <= reply["error"]["retryAfterSeconds"] <= 120
    assert reply["text"] == ""
    emu.standin_quiesce()
    # No reply, no intent, no title for this message. (Filtered by its text: a trigger of
    # an earlier test, started late by the emulator, may still reach the stand-in.)
    about_it = [e for e in emu.standin_requests() if "One message too many" in e["prompt"]]
    assert about_it == []

    retried = emu.call("retry_reply", {"conversationId": "c1", "messageId": mid}, user.id_token)
    assert retried.status == "OK", retried.error
    assert reply_when_finished(user, mid)["error"]["code"] == "resource-exhausted"
    emu.standin_quiesce()
    # Filtered by its text, as above: an earlier test's late trigger may still arrive.
    assert [e for e in emu.standin_requests() if "One message too many" in e["prompt"]] == []


@pytest.mark.usefixtures("standin")
def test_a_redelivered_message_counts_once_against_the_rate(user: emu.User) -> None:
    mid = send(user, "Count me once")
    assert reply_when_finished(user, mid)["status"] == "done"

    again = service.answer_message(
        db=clients.get_db(),
        gateway=local_gateway(),
        uid=user.uid,
        cid="c1",
        mid=mid,
        now=lambda: datetime.now(UTC),
    )

    assert again is False
    assert chat_hits(user.uid) == 1

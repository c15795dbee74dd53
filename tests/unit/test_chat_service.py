"""Chat orchestration in memory (a fake repository, a fake gateway, a fake rate): one
turn's steps in order, duplicates, the rate limit, enrichment, retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared.chat import service
from shared.chat.context import SYSTEM_PROMPT
from shared.chat.models import REPLY_MAX_TOKENS, ConversationDoc, Reader
from shared.errors import FailedPrecondition, NotFound, Unavailable
from shared.platform.ratelimit import Decision
from tests.unit.test_chat_fakes import (
    NOW,
    FakeConversation,
    FakeGateway,
    FakeStream,
    allow,
    deny,
    now,
)


class CountingRate:
    def __init__(self, decide: service.RateLimit = allow) -> None:
        self.decide = decide
        self.hits = 0

    def __call__(self, at: datetime) -> Decision:
        self.hits += 1
        return self.decide(at)


def answer(
    chat: FakeConversation, gateway: FakeGateway, rate: service.RateLimit = allow, mid: str = "m1"
) -> bool:
    return service.answer(chat=chat, rate=rate, gateway=gateway, uid="u1", mid=mid, now=now)


def retry(
    chat: FakeConversation, gateway: FakeGateway, rate: service.RateLimit = allow
) -> service.RetryReplyResult:
    return service.retry(chat=chat, rate=rate, gateway=gateway, uid="u1", mid="m1", now=now)


def test_one_turn_creates_streams_and_enriches_the_reply_in_that_order() -> None:
    chat = FakeConversation(
        messages=[("m1", "Tell me about tides")],
        reader=Reader(plan="pro", preferred_provider="anthropic"),
    )
    gateway = FakeGateway()

    assert answer(chat, gateway) is True

    # Every read and write of one turn (the Firestore repository does one each; the
    # messages are a query, one read per message found).
    assert chat.ops == [
        "recent_messages",  # the context, and the message being answered
        "create_reply",
        "conversation",
        "touch",
        "reader",
        "reply_streaming",
        "reply_done",
        "label_message",
        "conclude",  # usage and title in one write
    ]
    # One quota reservation for the reply, the intent and the title, settled once.
    assert [held for held, _ in gateway.tabs] == [3]
    assert gateway.closed == [gateway.tabs[0][1]]
    assert chat.usage.output_tokens == 3
    reply = chat.reply("m1")
    assert reply["status"] == "done"
    assert reply["text"] == "Hello, world"
    assert reply["createdAt"] == NOW + timedelta(milliseconds=1)  # sorts after the message
    assert chat.message_count == 2
    assert gateway.purposes() == ["chat", "classify", "title"]
    request = gateway.requests[0]
    assert request.system == SYSTEM_PROMPT
    assert [(m.role, m.content) for m in request.messages] == [("user", "Tell me about tides")]
    assert (request.max_tokens, request.preferred_provider) == (REPLY_MAX_TOKENS, "anthropic")
    assert chat.labels["m1"].label == "question"
    assert chat.doc is not None
    assert chat.doc.title == "Tides and the moon"


def test_a_duplicate_delivery_does_nothing() -> None:
    chat = FakeConversation(messages=[("m1", "Only once")])
    gateway = FakeGateway()
    rate = CountingRate()
    assert answer(chat, gateway, rate) is True
    first = dict(chat.reply("m1"))
    calls = len(gateway.requests)
    chat.ops.clear()

    assert answer(chat, gateway, rate) is False

    # The create found the reply: stop.
    assert chat.ops == ["recent_messages", "create_reply"]
    assert chat.reply("m1") == first
    assert len(gateway.requests) == calls
    assert rate.hits == 1  # counted once


@pytest.mark.parametrize("mid", ["a_m1", "nope"])
def test_a_reply_or_a_missing_message_is_not_answered(mid: str) -> None:
    chat = FakeConversation(messages=[("m1", "hi")])
    chat.create_reply("m1", created_at=NOW, now=NOW)
    chat.ops.clear()

    assert answer(chat, FakeGateway(), mid=mid) is False
    # Not among the newest messages (a reply is, "nope" is not): read on its own.
    assert chat.ops == (["recent_messages"] if mid == "a_m1" else ["recent_messages", "message"])


def test_over_the_rate_the_reply_says_so_and_no_model_is_called() -> None:
    chat = FakeConversation(messages=[("m1", "One too many")])
    gateway = FakeGateway()

    assert answer(chat, gateway, deny) is True

    reply = chat.reply("m1")
    assert reply["status"] == "error"
    assert reply["text"] == ""
    assert reply["error"].code == "resource-exhausted"
    assert "too fast" in reply["error"].message
    assert reply["error"].retry_after_s == 42
    assert gateway.requests == []  # no reply, no intent, no title
    assert "reader" not in chat.ops  # not even the profile is read
    assert chat.ops[-1] == "reply_refused"


def test_enrichment_failing_leaves_the_reply_done() -> None:
    chat = FakeConversation(messages=[("m1", "hi")])
    gateway = FakeGateway(enrichment_fails=Unavailable("The AI providers are unavailable."))

    assert answer(chat, gateway) is True
    assert chat.reply("m1")["status"] == "done"
    assert chat.labels == {}
    assert chat.doc == ConversationDoc(exists=True)  # untitled
    assert gateway.closed == [gateway.tabs[0][1]]  # the reply's usage settled all the same


def test_a_titled_conversation_is_not_titled_again() -> None:
    chat = FakeConversation(messages=[("m1", "hi")], conversation=ConversationDoc(title="Mine"))
    gateway = FakeGateway()

    answer(chat, gateway)
    assert gateway.purposes() == ["chat", "classify"]
    assert chat.doc is not None
    assert chat.doc.title == "Mine"


def test_turns_that_leave_the_context_are_summarised_once() -> None:
    # Three ~2,500-token messages: with the reply, the oldest leaves the 6,000-token budget.
    long = [(f"m{i}", f"{i}" * 10_000) for i in range(3)]
    chat = FakeConversation(messages=long, conversation=ConversationDoc(title="Long"))
    gateway = FakeGateway()

    answer(chat, gateway, mid="m2")
    assert gateway.purposes() == ["chat", "classify", "summarize"]
    assert gateway.requests[-1].messages[0].content.startswith("user: 000")
    assert chat.doc == ConversationDoc(
        title="Long", summary="They talked about tides.", summary_covers=1, exists=True
    )
    assert [held for held, _ in gateway.tabs] == [2]  # reply and intent (a summary is rare)

    chat.replies.pop("m2")
    answer(chat, gateway, mid="m2")  # nothing more has left the window since
    assert gateway.purposes()[3:] == ["chat", "classify"]


def test_a_deleted_conversation_ends_the_turn_quietly() -> None:
    chat = FakeConversation(messages=[("m1", "hi")])

    def delete_it(_i: int) -> None:
        chat.gone = True

    gateway = FakeGateway(FakeStream(["a", "b"], after_delta=delete_it))

    assert answer(chat, gateway) is True
    assert gateway.purposes() == ["chat"]  # no enrichment of a deleted conversation


def failed_reply(chat: FakeConversation) -> None:
    answer(chat, FakeGateway(refuse=Unavailable("The AI providers are unavailable.")))
    assert chat.reply("m1")["status"] == "error"
    chat.ops.clear()


def test_a_failed_reply_is_retried_without_enrichment() -> None:
    chat = FakeConversation(messages=[("m1", "Try again")])
    failed_reply(chat)
    gateway = FakeGateway()

    result = retry(chat, gateway)

    assert result.reply_id == "a_m1"
    reply = chat.reply("m1")
    assert (reply["status"], reply["text"], reply["attempt"]) == ("done", "Hello, world", 2)
    assert gateway.purposes() == ["chat"]
    assert chat.ops[:2] == ["reset_reply", "reader"]


def test_a_retry_over_the_rate_calls_no_model() -> None:
    chat = FakeConversation(messages=[("m1", "Try again")])
    failed_reply(chat)
    gateway = FakeGateway()

    retry(chat, gateway, deny)
    assert chat.reply("m1")["error"].code == "resource-exhausted"
    assert gateway.requests == []


def test_only_a_failed_reply_can_be_retried() -> None:
    chat = FakeConversation(messages=[("m1", "hi")])
    with pytest.raises(NotFound):
        retry(chat, FakeGateway())

    answer(chat, FakeGateway())
    rate = CountingRate()
    with pytest.raises(FailedPrecondition):
        retry(chat, FakeGateway(), rate)
    assert rate.hits == 0  # a refused retry does not count against the rate


def test_a_turn_in_an_existing_conversation_counts_itself_with_its_usage() -> None:
    chat = FakeConversation(
        messages=[("m1", "Again")], conversation=ConversationDoc(title="Mine", exists=True)
    )
    gateway = FakeGateway()

    answer(chat, gateway)

    assert "touch" not in chat.ops  # counted in the one conversation write at the end
    assert chat.ops[-2:] == ["label_message", "conclude"]
    assert chat.message_count == 2
    assert [held for held, _ in gateway.tabs] == [2]  # reply and intent: already titled


def test_a_refused_turn_in_an_existing_conversation_still_counts() -> None:
    chat = FakeConversation(
        messages=[("m1", "Again")], conversation=ConversationDoc(title="Mine", exists=True)
    )

    answer(chat, FakeGateway(), deny)

    assert chat.message_count == 2
    assert chat.ops[-2:] == ["reply_refused", "touch"]

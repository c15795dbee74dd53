"""The reply stream in memory (a fake repository, a fake gateway, a fake clock): how often
it writes, stopping, truncation, and how every failure ends the reply."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest

from shared.ai.errors import StreamInterrupted
from shared.ai.models import AIRequest, Message
from shared.chat import streaming
from shared.chat.models import MAX_REPLY_CHARS, TRUNCATION_MARKER
from shared.chat.repository import ConversationGone
from shared.errors import ResourceExhausted
from tests.unit.test_chat_fakes import FakeClock, FakeConversation, FakeGateway, FakeStream, now

REQUEST = AIRequest(uid="u1", purpose="chat", messages=(Message(role="user", content="hi"),))
INTERVAL = 0.25  # a binary fraction, so the fake clock's sums are exact


def run(
    chat: FakeConversation, gateway: FakeGateway, pace: streaming.Pace = streaming.PACE
) -> streaming.Streamed:
    chat.create_reply("m1", created_at=now(), now=now())
    chat.ops.clear()
    return streaming.stream_reply(
        chat=chat, gateway=gateway, request=REQUEST, plan="free", mid="m1", now=now, pace=pace
    )


def test_the_first_delta_is_written_at_once_then_at_most_one_write_per_interval() -> None:
    clock = FakeClock()
    chat = FakeConversation(clock=clock)
    deltas = [f"{i} " for i in range(20)]
    stream = FakeStream(deltas, after_delta=lambda _i: clock.advance(INTERVAL / 4))
    run(chat, FakeGateway(stream), streaming.Pace(write_interval_s=INTERVAL, clock=clock))

    times = [t for t, _ in chat.streamed]
    assert chat.streamed[0] == (0.0, "0 ")  # the first delta, at once
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(times))
    assert times == [0.0, 0.25, 0.5, 0.75, 1.0]  # 20 deltas over 1.1875 s
    assert chat.reply("m1")["status"] == "done"
    assert chat.reply("m1")["text"] == "".join(deltas)  # the final write has it all


def test_a_burst_of_deltas_is_one_partial_write_and_the_final_one() -> None:
    chat = FakeConversation()
    frozen = FakeClock()
    gateway = FakeGateway(FakeStream(["a"] * 50))
    streamed = run(chat, gateway, streaming.Pace(write_interval_s=INTERVAL, clock=frozen))

    assert chat.ops == ["reply_streaming", "reply_done"]
    assert chat.streamed == [(0.0, "a")]
    reply = chat.reply("m1")
    assert reply["text"] == "a" * 50
    assert (reply["provider"], reply["model"]) == ("openai", "gpt-4o")
    assert reply["usage"].output_tokens == 50
    # The caller adds it to the conversation's running total, and closes the quota tab.
    assert streamed.usage == reply["usage"]
    assert streamed.text == "a" * 50
    assert [held for held, _ in gateway.tabs] == [1]
    assert streamed.tab is gateway.tabs[0][1]


def test_a_stop_requested_mid_stream_closes_it_and_keeps_the_text() -> None:
    chat = FakeConversation()
    stream: FakeStream

    def stop_after_the_third(i: int) -> None:
        if i == 2:
            chat.stop.add("m1")  # the owner sets stopRequested on the reply
            assert stream.closed.wait(5), "the watcher never closed the stream"

    stream = FakeStream([f"{i} " for i in range(10)], after_delta=stop_after_the_third)
    run(chat, FakeGateway(stream), streaming.Pace(stop_poll_s=0.01, first_poll_s=0.0))

    reply = chat.reply("m1")
    assert reply["status"] == "done"
    assert reply["stopped"] is True
    assert reply["text"] == "0 1 2 "
    assert stream.sent == 3
    assert reply["usage"].output_tokens == 3  # billed for what was generated


def test_while_writes_confirm_the_reply_unchanged_the_stop_flag_is_not_polled() -> None:
    frozen = FakeClock()  # every write "just now": each vouches for the next poll period
    chat = FakeConversation(clock=frozen)
    chat.writes_see_stop = True  # as Firestore's conditional writes do
    polls: list[str] = []

    def stop_requested(mid: str) -> bool:
        polls.append(mid)
        return mid in chat.stop

    chat.stop_requested = stop_requested  # type: ignore[method-assign]

    def stop_after_the_third(i: int) -> None:
        time.sleep(0.06)  # three poll periods: the watcher wakes, and reads nothing
        if i == 2:
            chat.stop.add("m1")

    stream = FakeStream([f"{i} " for i in range(10)], after_delta=stop_after_the_third)
    run(
        chat,
        FakeGateway(stream),
        streaming.Pace(write_interval_s=0.0, stop_poll_s=0.02, clock=frozen, first_poll_s=0.0),
    )

    reply = chat.reply("m1")
    assert (reply["status"], reply["stopped"]) == ("done", True)
    assert reply["text"] == "0 1 2 3 "  # the write after the stop saw it: no more deltas
    assert stream.sent == 4
    assert stream.closed.is_set()
    assert polls == []  # the flag was never read: the writes saw the stop


def test_a_reply_that_reaches_the_cap_is_truncated_with_the_marker() -> None:
    def endless() -> Iterator[str]:
        while True:
            yield "é" * 50_000

    chat = FakeConversation()
    stream = FakeStream(endless())
    run(chat, FakeGateway(stream))

    reply = chat.reply("m1")
    assert reply["status"] == "done"
    assert reply["truncated"] is True
    assert reply["text"] == "é" * MAX_REPLY_CHARS + TRUNCATION_MARKER
    assert stream.closed.is_set()
    assert stream.sent == MAX_REPLY_CHARS // 50_000  # nothing read past the cap
    assert all(len(text) < MAX_REPLY_CHARS for _, text in chat.streamed)


def test_a_stream_cut_midway_ends_in_error_with_the_partial_text() -> None:
    chat = FakeConversation()
    cut = StreamInterrupted("The answer was interrupted by the AI provider; try again.")
    stream = FakeStream(["partial ", "text"], fail=cut)
    streamed = run(chat, FakeGateway(stream))

    reply = chat.reply("m1")
    assert reply["status"] == "error"
    assert reply["text"] == "partial text"
    assert streamed.usage is None  # nothing for the conversation's running total
    assert (reply["error"].code, reply["error"].message) == ("unavailable", cut.message)
    assert reply["usage"].output_tokens == 2  # what was generated is still recorded
    assert reply["provider"] == "openai"
    assert stream.closed.is_set()
    assert chat.ops[-1] == "reply_failed"


def test_an_unexpected_failure_is_an_internal_error_with_the_partial_text() -> None:
    chat = FakeConversation()
    stream = FakeStream(["partial "], fail=RuntimeError("a bug"))
    run(chat, FakeGateway(stream))

    reply = chat.reply("m1")
    assert reply["status"] == "error"
    assert reply["error"].code == "internal"
    assert "a bug" not in reply["error"].message  # no internals in what the user sees
    assert reply["text"] == "partial "
    assert stream.closed.is_set()


def test_a_refused_stream_ends_in_its_error_without_text_or_usage() -> None:
    chat = FakeConversation()
    gateway = FakeGateway(refuse=ResourceExhausted("Daily AI quota reached."))
    run(chat, gateway)

    reply = chat.reply("m1")
    assert chat.ops == ["reply_failed"]
    assert reply["status"] == "error"
    assert reply["error"].code == "resource-exhausted"
    assert (reply["text"], reply["usage"], reply["provider"]) == ("", None, None)


def test_a_deleted_conversation_stops_the_stream_and_says_so() -> None:
    chat = FakeConversation()
    chat.gone = True
    stream = FakeStream(["a", "b"])

    with pytest.raises(ConversationGone):
        run(chat, FakeGateway(stream))
    assert stream.closed.is_set()

"""Chat end to end through the emulators and the AI stand-in: a client writes a message,
the trigger streams the reply into Firestore, a listener watches it grow."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.ai.quotas import QUOTAS
from shared.chat.models import reply_id
from shared.platform import clients
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


def conversation_path(uid: str, cid: str = "c1") -> str:
    return f"users/{uid}/conversations/{cid}"


def send(user: emu.User, text: str, cid: str = "c1") -> str:
    return emu.create_doc(
        f"{conversation_path(user.uid, cid)}/messages",
        {"role": "user", "text": text},
        user.id_token,
        server_time="createdAt",
    )


def reply_of(user: emu.User, mid: str, cid: str = "c1") -> dict[str, Any] | None:
    ref = clients.get_db().document(f"{conversation_path(user.uid, cid)}/messages/{reply_id(mid)}")
    snap = ref.get()
    return snap.to_dict() if snap.exists else None


def finished(user: emu.User, mid: str, timeout: float = 30.0) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        reply = reply_of(user, mid)
        return reply if reply and reply["status"] in {"done", "error"} else None

    result: dict[str, Any] = emu.wait_for(done, timeout=timeout)
    return result


def chat_requests(prompt_fragment: str) -> list[dict[str, Any]]:
    return [
        r
        for r in emu.standin_requests()
        if r["endpoint"] in {"chat", "messages"} and prompt_fragment in r["prompt"] and r["stream"]
    ]


class Watcher:
    """A Firestore listener on one reply, recording every snapshot it sees."""

    def __init__(self, path: str) -> None:
        self.seen: list[dict[str, Any]] = []
        self.done = threading.Event()
        self._watch = clients.get_db().document(path).on_snapshot(self._on_snapshot)

    def _on_snapshot(self, docs: list[Any], _changes: Any, _read_time: Any) -> None:
        for doc in docs:
            if doc.exists:
                data = doc.to_dict()
                self.seen.append(data)
                if data["status"] in {"done", "error"}:
                    self.done.set()

    def close(self) -> None:
        self._watch.unsubscribe()


def test_reply_streams_into_firestore_and_records_usage(user: emu.User) -> None:
    mid_holder: dict[str, str] = {}
    # Listen before writing, as the web app does: the reply id is known from the message id.
    mid = send(user, "Tell me about tides [[standin tokens=60 token_delay_ms=40]]")
    mid_holder["mid"] = mid
    watcher = Watcher(f"{conversation_path(user.uid)}/messages/{reply_id(mid)}")
    try:
        assert watcher.done.wait(30), "the reply never finished"
    finally:
        watcher.close()

    partials = [s["text"] for s in watcher.seen if s["status"] == "streaming"]
    assert len(set(partials)) >= 2, partials
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(partials))
    final = watcher.seen[-1]
    assert final["status"] == "done"
    assert final["text"].startswith("Aura stand-in reply to: Tell me about tides")
    assert final["usage"]["outputTokens"] == 60
    assert final["usage"]["inputTokens"] > 0
    assert final["usage"]["costUsd"] > 0
    assert final["provider"] == "openai"
    # About five writes a second at most: 60 tokens over ~2.4 s is far fewer than 60 writes.
    assert len(partials) < 30

    day = datetime.now(UTC).strftime("%Y-%m-%d")
    ledger = clients.get_db().document(f"users/{user.uid}/usage/{day}")

    def settled() -> dict[str, Any] | None:
        # The turn settles its reply and enrichment in one write, after the enrichment.
        found = ledger.get().to_dict()
        return found if found and found.get("requests") else None

    usage = emu.wait_for(settled, timeout=20)
    assert usage["requests"] == 4  # the reply, its intent, the title, memory extraction
    assert usage["outputTokens"] >= 60
    assert usage["reservations"] == {}

    def enriched() -> dict[str, Any] | None:
        conv = clients.get_db().document(conversation_path(user.uid)).get().to_dict()
        return conv if conv and conv.get("title") else None

    conversation = emu.wait_for(enriched, timeout=20)
    assert conversation["usage"]["outputTokens"] >= 60
    assert conversation["messageCount"] == 2
    message = clients.get_db().document(f"{conversation_path(user.uid)}/messages/{mid}").get()
    intent = emu.wait_for(lambda: message.reference.get().to_dict().get("intent"), timeout=20)
    assert 0 <= intent["confidence"] <= 1
    assert isinstance(message.reference.get().to_dict()["entities"], list)


def test_second_delivery_creates_no_second_reply(user: emu.User) -> None:
    from shared.chat import service
    from tests.support.gateway import local_gateway

    mid = send(user, "Only once please")
    first = finished(user, mid)
    again = service.answer_message(
        db=clients.get_db(),
        gateway=local_gateway(),
        uid=user.uid,
        cid="c1",
        mid=mid,
        now=lambda: datetime.now(UTC),
    )

    assert again is False
    assert reply_of(user, mid) == first
    messages = list(clients.get_db().collection(f"{conversation_path(user.uid)}/messages").stream())
    assert len(messages) == 2
    assert len(chat_requests("Only once please")) == 1


def test_failing_first_provider_falls_back_to_the_second(user: emu.User) -> None:
    emu.standin_fault(provider="openai", status=500, count=2)
    reply = finished(user, send(user, "Fallback please"))

    assert reply["status"] == "done"
    assert reply["provider"] == "anthropic"
    assert reply["model"] == "claude-sonnet-4-6"


def test_overloaded_anthropic_falls_back_to_openai(user: emu.User) -> None:
    emu.call("update_settings", {"preferredModel": "claude-sonnet-4-6"}, user.id_token)
    emu.standin_fault(provider="anthropic", status=529, count=2)
    reply = finished(user, send(user, "Prefer Claude"))

    assert reply["status"] == "done"
    assert reply["provider"] == "openai"


def test_both_providers_failing_is_a_clean_error(user: emu.User) -> None:
    emu.standin_fault(provider="*", status=500, count=10)
    reply = finished(user, send(user, "Nobody home"))

    assert reply["status"] == "error"
    assert "unavailable" in reply["error"]["message"]
    assert reply["error"]["code"] == "unavailable"


def test_retry_reply_after_failure_completes(user: emu.User) -> None:
    emu.standin_fault(provider="*", status=500, count=4)
    mid = send(user, "Try again later")
    assert finished(user, mid)["status"] == "error"

    result = emu.call("retry_reply", {"conversationId": "c1", "messageId": mid}, user.id_token)
    assert result.status == "OK", result.error
    assert reply_of(user, mid)["status"] == "done"  # type: ignore[index]
    again = emu.call("retry_reply", {"conversationId": "c1", "messageId": mid}, user.id_token)
    assert again.status == "FAILED_PRECONDITION"


def test_stream_cut_midway_ends_in_error_with_partial_text(user: emu.User) -> None:
    reply = finished(user, send(user, "Cut me [[standin tokens=50 cut_after=10]]"))

    assert reply["status"] == "error"
    assert reply["text"].startswith("Aura stand-in reply to")
    assert reply["error"]["message"].startswith("The answer was interrupted")


def test_stop_ends_the_reply_and_closes_the_provider_stream(user: emu.User) -> None:
    mid = send(user, "Long story [[standin tokens=400 token_delay_ms=50]]")
    path = f"{conversation_path(user.uid)}/messages/{reply_id(mid)}"
    emu.wait_for(lambda: (reply_of(user, mid) or {}).get("status") == "streaming", timeout=20)
    stop = emu.session.patch(
        f"{emu.DOCS}/{path}?updateMask.fieldPaths=stopRequested",
        json={"fields": emu.fields({"stopRequested": True})},
        headers=emu.auth_header(user.id_token),
    )
    assert stop.status_code == 200
    asked = datetime.now(UTC)
    reply = finished(user, mid, timeout=5)

    assert reply["status"] == "done"
    assert reply["stopped"] is True
    assert (reply["updatedAt"] - asked).total_seconds() < 2.0
    assert 0 < reply["usage"]["outputTokens"] < 400
    request = emu.wait_for(
        lambda: [r for r in chat_requests("Long story") if r["client_closed"]], timeout=5
    )[0]
    assert request["tokens_sent"] < 400


def test_over_quota_user_gets_resource_exhausted_without_a_provider_call(user: emu.User) -> None:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    clients.get_db().document(f"users/{user.uid}/usage/{day}").set(
        {"requests": 1, "inputTokens": QUOTAS["free"].tokens, "outputTokens": 0, "costUsd": 1.0}
    )
    reply = finished(user, send(user, "Over the limit"))

    assert reply["status"] == "error"
    assert reply["error"]["code"] == "resource-exhausted"
    assert chat_requests("Over the limit") == []


def test_delete_conversation_removes_it_and_its_messages(
    user: emu.User, other_user: emu.User
) -> None:
    finished(user, send(user, "Keep nothing"))
    theirs = send(other_user, "Mine stays")
    finished(other_user, theirs)

    result = emu.call("delete_conversation", {"conversationId": "c1"}, user.id_token)
    assert result.status == "OK", result.error
    assert result.result["deleted"] == 3  # user message, reply, conversation
    assert (
        list(clients.get_db().collection(f"{conversation_path(user.uid)}/messages").stream()) == []
    )
    assert not clients.get_db().document(conversation_path(user.uid)).get().exists
    assert clients.get_db().document(conversation_path(other_user.uid)).get().exists
    again = emu.call("delete_conversation", {"conversationId": "c1"}, user.id_token)
    assert again.result == {"deleted": 0}


@pytest.mark.parametrize(
    ("function", "payload", "field"),
    [
        ("delete_conversation", {"conversationId": "../../x"}, "conversationId"),
        ("delete_conversation", {}, "conversationId"),
        ("retry_reply", {"conversationId": "c1"}, "messageId"),
    ],
)
def test_chat_callables_reject_bad_input(
    user: emu.User, function: str, payload: Any, field: str
) -> None:
    result = emu.call(function, payload, user.id_token)
    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == field


@pytest.mark.parametrize("function", ["delete_conversation", "retry_reply"])
def test_chat_callables_reject_anonymous_calls(function: str) -> None:
    result = emu.call(function, {"conversationId": "c1", "messageId": "m1"}, token=None)
    assert result.status == "UNAUTHENTICATED"


def test_older_turns_are_summarised_once_they_leave_the_window(user: emu.User) -> None:
    # Four long messages (~2,000 tokens each) overflow the 6,000-token context budget.
    for i in range(4):
        mid = send(user, f"Part {i}: " + "lorem ipsum " * 600)
        assert finished(user, mid)["status"] == "done"
        emu.standin_quiesce()

    conversation = clients.get_db().document(conversation_path(user.uid)).get().to_dict()
    assert conversation is not None
    assert conversation["summaryCovers"] >= 1
    assert conversation["summary"]
    # The summarisation prompt is the transcript of the dropped turns ("user: Part 0: ...").
    summaries = [r for r in emu.standin_requests() if r["prompt"].startswith("user: Part 0")]
    assert summaries, "a summarisation call saw the oldest turn"

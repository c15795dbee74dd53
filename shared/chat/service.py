"""Chat orchestration: answer a user's message, retry a failed reply, delete a conversation.

The steps live beside it: `repository` (every document the chat touches), `streaming`
(the reply as it is written), `enrichment` (intent, title, summary). `answer_message`,
`retry_reply` and `delete_conversation` are the entry points over Firestore; `answer` and
`retry` take the conversation as a `ChatRepository` and the rate limit as a function, so
unit tests drive them with fakes.

Each user may have CHAT_MESSAGES_PER_MINUTE replies streamed a minute (new messages and
retries alike); beyond that the reply ends in `error` asking them to slow down, and no
model is called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from shared.ai.models import AIRequest
from shared.chat import enrichment, streaming
from shared.chat.context import build_context, history_turns
from shared.chat.memories import (
    NONE,
    FirestoreMemories,
    MemoryContext,
    MemorySource,
    extraction_request,
)
from shared.chat.memories import extract as extract_memories
from shared.chat.models import (
    CONTEXT_BUDGET_TOKENS,
    HISTORY_LIMIT,
    REPLY_MAX_TOKENS,
    ConversationDoc,
    DeleteConversationResult,
    MessageDoc,
    Reader,
    ReplyError,
    RetryReplyResult,
    reply_id,
)
from shared.chat.repository import ChatRepository, ConversationGone, FirestoreConversation
from shared.errors import FailedPrecondition, NotFound
from shared.memory.extraction import Source
from shared.platform import logs, ratelimit

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

CHAT_MESSAGES_PER_MINUTE = 20

# Counts one reply against the user's per-minute limit at the given time, and decides it.
RateLimit = Callable[[datetime], ratelimit.Decision]


class ChatGateway(streaming.StreamSource, enrichment.Labeller, Protocol):
    """What the chat asks of the AI gateway (`shared.ai.gateway.Gateway`)."""


def chat_rate(db: Client, uid: str) -> RateLimit:
    """The user's chat rate: `chat:{uid}` in one-minute windows (`_rateLimits/`)."""

    def hit(now: datetime) -> ratelimit.Decision:
        return ratelimit.hit(
            db,
            key=f"chat:{uid}",
            limit=CHAT_MESSAGES_PER_MINUTE,
            window_s=60,
            now=now,
            subject=uid,
        )

    return hit


def answer_message(
    *, db: Client, gateway: ChatGateway, uid: str, cid: str, mid: str, now: Callable[[], datetime]
) -> bool:
    """`answer` for message `mid` of `users/{uid}/conversations/{cid}` in Firestore."""
    return answer(
        chat=FirestoreConversation(db, uid, cid),
        rate=chat_rate(db, uid),
        gateway=gateway,
        uid=uid,
        mid=mid,
        now=now,
        memories=FirestoreMemories(db=db, gateway=gateway, uid=uid, now=now()),
    )


def answer(
    *,
    chat: ChatRepository,
    rate: RateLimit,
    gateway: ChatGateway,
    uid: str,
    mid: str,
    now: Callable[[], datetime],
    memories: MemorySource | None = None,
) -> bool:
    """Create the reply to user message `mid`, stream it, then enrich. Idempotent.

    Args:
        chat: the conversation the message is in.
        rate: the user's chat rate, hit once per reply that gets this far.
        gateway: the AI gateway.
        uid: the user (who pays for the answer).
        mid: the user message.
        now: the clock.
        memories: the user's memories: the reply's context takes the relevant ones, and
            after it extraction (when the user has it on) adds, corrects or deletes.

    Returns:
        False when `mid` is not a user message or its reply already exists (a duplicate
        delivery): nothing is done. True otherwise, however the reply ended.
    """
    # The newest messages first: the context needs them, and the message being answered
    # is among them (read on its own only when it is not).
    messages = chat.recent_messages()
    message = next((m for m in messages if m.id == mid), None) or chat.message(mid)
    if message is None or message.role != "user":
        return False
    created_at = message.created_at or now()
    if not chat.create_reply(mid, created_at=created_at + timedelta(milliseconds=1), now=now()):
        return False
    try:
        conversation = chat.conversation()
        # A new conversation is created at once (so it shows while the first reply
        # streams); an existing one counts the turn with its usage, in one write at the end.
        counted = not conversation.exists
        if counted:
            chat.touch(exists=False, now=now())
        # After the reply's create(): a redelivered event stops above, so it never counts
        # twice; before any model call, so a refused message costs nothing.
        if _refused_for_rate(chat=chat, rate=rate, mid=mid, now=now):
            if not counted:
                chat.touch(exists=True, now=now())
            return True
        reader = chat.reader()  # the profile, read once per message
        calls = enrichment.requests(uid=uid, text=message.text, titled=bool(conversation.title))
        recalled = memories.for_message(message.text, plan=reader.plan) if memories else NONE
        extracting = (
            extraction_request(uid=uid, text=message.text, context=recalled)
            if memories is not None and reader.auto_extract
            else None
        )
        streamed = _stream(
            chat=chat,
            gateway=gateway,
            uid=uid,
            mid=mid,
            reader=reader,
            now=now,
            conversation=conversation,
            messages=messages,
            then=[*calls, *([extracting] if extracting else [])],
            recalled=recalled,
        )
        try:
            found = enrichment.enrich(
                chat=chat,
                gateway=gateway,
                mid=mid,
                calls=calls,
                plan=reader.plan,
                known=conversation,
                messages=_with_reply(messages, mid=mid, streamed=streamed),
                tab=streamed.tab,
            )
            if extracting is not None and memories is not None and streamed.usage is not None:
                extract_memories(
                    gateway=gateway,
                    memories=memories,
                    request=extracting,
                    plan=reader.plan,
                    tab=streamed.tab,
                    context=recalled,
                    source=Source(
                        conversation_id=chat.conversation_id, message_id=mid, text=message.text
                    ),
                )
            chat.conclude(
                usage=streamed.usage,
                title=found.title,
                summary=found.summary,
                count=not counted,
                now=now(),
            )
        finally:
            if streamed.tab is not None:
                gateway.close_tab(streamed.tab)  # one settle for the reply and enrichment
    except ConversationGone as gone:
        # The conversation was deleted while we answered: nothing left to write to.
        logs.info(
            "conversation deleted during the reply; stopped", conversationId=gone.conversation_id
        )
    return True


def retry_reply(
    *, db: Client, gateway: ChatGateway, uid: str, cid: str, mid: str, now: Callable[[], datetime]
) -> RetryReplyResult:
    """`retry` for the reply to message `mid` of `users/{uid}/conversations/{cid}`."""
    return retry(
        chat=FirestoreConversation(db, uid, cid),
        rate=chat_rate(db, uid),
        gateway=gateway,
        uid=uid,
        mid=mid,
        now=now,
        memories=FirestoreMemories(db=db, gateway=gateway, uid=uid, now=now()),
    )


def retry(
    *,
    chat: ChatRepository,
    rate: RateLimit,
    gateway: ChatGateway,
    uid: str,
    mid: str,
    now: Callable[[], datetime],
    memories: MemorySource | None = None,
) -> RetryReplyResult:
    """Reset the failed reply to user message `mid` to pending and stream it again.

    Args:
        chat, rate, gateway, uid, mid, now, memories: as for `answer` (the retried
            reply uses the memories; extraction follows only a first attempt).

    Returns:
        The reply's id (its outcome is in the reply document).

    Raises:
        NotFound: no such conversation message (or someone else's).
        FailedPrecondition: the reply did not fail (it is done or still running).
    """
    match chat.reset_reply(mid, now=now()):
        case "missing":
            raise NotFound("There is no reply to that message.", details={"field": "messageId"})
        case "not-failed":
            raise FailedPrecondition("Only a failed reply can be retried.")
    result = RetryReplyResult(reply_id=reply_id(mid))
    if _refused_for_rate(chat=chat, rate=rate, mid=mid, now=now):
        return result  # only the retry that won the reset counts
    reader = chat.reader()
    conversation, messages = chat.conversation(), chat.recent_messages()
    message = next((m for m in messages if m.id == mid), None)
    recalled = (
        memories.for_message(message.text, plan=reader.plan)
        if memories is not None and message is not None
        else NONE
    )
    streamed = _stream(
        chat=chat,
        gateway=gateway,
        uid=uid,
        mid=mid,
        reader=reader,
        now=now,
        conversation=conversation,
        messages=messages,
        recalled=recalled,
    )
    try:
        chat.conclude(usage=streamed.usage, title=None, summary=None, count=False, now=now())
    finally:
        if streamed.tab is not None:
            gateway.close_tab(streamed.tab)
    return result


def delete_conversation(*, db: Client, uid: str, cid: str) -> DeleteConversationResult:
    """Delete a conversation and every message in it (idempotent: 0 the second time)."""
    return DeleteConversationResult(deleted=FirestoreConversation(db, uid, cid).delete_all())


# --- internals ------------------------------------------------------------------------


def _refused_for_rate(
    *, chat: ChatRepository, rate: RateLimit, mid: str, now: Callable[[], datetime]
) -> bool:
    """Count one reply against the user's per-minute limit; over it, end the reply in
    `error` (no model call) and return True."""
    decision = rate(now())
    if decision.allowed:
        return False
    wait_s = int(decision.retry_after_header)
    logs.warning("chat message over the rate limit", retryAfterS=wait_s)
    chat.reply_refused(
        mid,
        error=ReplyError(
            code="resource-exhausted",
            message=(
                f"You are sending messages too fast (at most {CHAT_MESSAGES_PER_MINUTE} "
                f"a minute). Wait {wait_s} s, then retry this message."
            ),
            retry_after_s=wait_s,
        ),
        now=now(),
    )
    return True


def _stream(
    *,
    chat: ChatRepository,
    gateway: ChatGateway,
    uid: str,
    mid: str,
    reader: Reader,
    now: Callable[[], datetime],
    conversation: ConversationDoc,
    messages: list[MessageDoc],
    then: Sequence[AIRequest] = (),
    recalled: MemoryContext = NONE,
) -> streaming.Streamed:
    """Build the prompt (the newest turns that fit, the summary for the rest, the
    relevant memories) and stream its answer into the reply to `mid` (quota held for
    `then` too, on one tab)."""
    context = build_context(
        history_turns(messages, answering=mid),
        budget_tokens=CONTEXT_BUDGET_TOKENS,
        summary=conversation.summary,
        memories=recalled.texts,
    )
    request = AIRequest(
        uid=uid,
        purpose="chat",
        system=context.system,
        messages=context.messages,
        max_tokens=REPLY_MAX_TOKENS,
        preferred_provider=reader.preferred_provider,
    )
    return streaming.stream_reply(
        chat=chat,
        gateway=gateway,
        request=request,
        plan=reader.plan,
        mid=mid,
        now=now,
        then=then,
        memory_ids=recalled.ids,
    )


def _with_reply(
    messages: list[MessageDoc], *, mid: str, streamed: streaming.Streamed
) -> list[MessageDoc]:
    """`messages` as a query would find them now: with the reply to `mid` (read before
    it was written), the newest HISTORY_LIMIT."""
    reply = MessageDoc(
        role="assistant",
        text=streamed.text,
        status="done" if streamed.usage is not None else "error",
        reply_to=mid,
        id=reply_id(mid),
    )
    return [*(m for m in messages if m.id != reply.id), reply][-HISTORY_LIMIT:]

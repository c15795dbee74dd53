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

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from shared.ai.models import AIRequest
from shared.chat import enrichment, streaming
from shared.chat.context import build_context, history_turns
from shared.chat.models import (
    CONTEXT_BUDGET_TOKENS,
    REPLY_MAX_TOKENS,
    DeleteConversationResult,
    Reader,
    ReplyError,
    RetryReplyResult,
    reply_id,
)
from shared.chat.repository import ChatRepository, ConversationGone, FirestoreConversation
from shared.errors import FailedPrecondition, NotFound
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
            db, key=f"chat:{uid}", limit=CHAT_MESSAGES_PER_MINUTE, window_s=60, now=now
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
    )


def answer(
    *,
    chat: ChatRepository,
    rate: RateLimit,
    gateway: ChatGateway,
    uid: str,
    mid: str,
    now: Callable[[], datetime],
) -> bool:
    """Create the reply to user message `mid`, stream it, then enrich. Idempotent.

    Args:
        chat: the conversation the message is in.
        rate: the user's chat rate, hit once per reply that gets this far.
        gateway: the AI gateway.
        uid: the user (who pays for the answer).
        mid: the user message.
        now: the clock.

    Returns:
        False when `mid` is not a user message or its reply already exists (a duplicate
        delivery): nothing is done. True otherwise, however the reply ended.
    """
    message = chat.message(mid)
    if message is None or message.role != "user":
        return False
    created_at = message.created_at or now()
    if not chat.create_reply(mid, created_at=created_at + timedelta(milliseconds=1), now=now()):
        return False
    try:
        chat.touch(now=now())
        # After the reply's create(): a redelivered event stops above, so it never counts
        # twice; before any model call, so a refused message costs nothing.
        if _refused_for_rate(chat=chat, rate=rate, mid=mid, now=now):
            return True
        reader = chat.reader()  # the profile, read once per message
        _stream(chat=chat, gateway=gateway, uid=uid, mid=mid, reader=reader, now=now)
        enrichment.enrich(
            chat=chat, gateway=gateway, uid=uid, mid=mid, text=message.text, plan=reader.plan
        )
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
    )


def retry(
    *,
    chat: ChatRepository,
    rate: RateLimit,
    gateway: ChatGateway,
    uid: str,
    mid: str,
    now: Callable[[], datetime],
) -> RetryReplyResult:
    """Reset the failed reply to user message `mid` to pending and stream it again.

    Args:
        chat, rate, gateway, uid, mid, now: as for `answer`.

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
    _stream(chat=chat, gateway=gateway, uid=uid, mid=mid, reader=reader, now=now)
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
) -> None:
    """Build the prompt (the newest turns that fit, the summary for the rest) and stream
    its answer into the reply to `mid`."""
    conversation = chat.conversation()
    context = build_context(
        history_turns(chat.recent_messages(), answering=mid),
        budget_tokens=CONTEXT_BUDGET_TOKENS,
        summary=conversation.summary,
    )
    request = AIRequest(
        uid=uid,
        purpose="chat",
        system=context.system,
        messages=context.messages,
        max_tokens=REPLY_MAX_TOKENS,
        preferred_provider=reader.preferred_provider,
    )
    streaming.stream_reply(
        chat=chat, gateway=gateway, request=request, plan=reader.plan, mid=mid, now=now
    )

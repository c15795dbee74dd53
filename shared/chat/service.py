"""Answer a user's chat message by streaming the assistant's reply into Firestore.

The reply lives at `messages/a_{mid}` and goes pending -> streaming -> done | error. Its
`text` is written with the first token at once, then at most every WRITE_INTERVAL_S, so
a listener sees it grow at about five writes a second. A client stops a reply by setting
`stopRequested`; a watcher reads that flag every STOP_POLL_S and closes the provider
stream, so no more tokens are generated or billed and the partial text stays.

Each user may have CHAT_MESSAGES_PER_MINUTE replies streamed a minute (new messages and
retries alike); beyond that the reply ends in `error` asking them to slow down, and no
model is called.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared import registry
from shared.ai.errors import StreamInterrupted
from shared.ai.gateway import Gateway
from shared.ai.models import AIRequest, Message, Usage
from shared.chat.context import SYSTEM_PROMPT, Turn, build_context
from shared.chat.models import (
    CONTEXT_BUDGET_TOKENS,
    HISTORY_LIMIT,
    MAX_REPLY_CHARS,
    REPLY_MAX_TOKENS,
    TRUNCATION_MARKER,
    DeleteConversationResult,
    IntentResult,
    RetryReplyResult,
    TitleResult,
    reply_id,
)
from shared.errors import AuraError, FailedPrecondition, NotFound
from shared.platform import logs, ratelimit

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

WRITE_INTERVAL_S = 0.2
STOP_POLL_S = 0.5
CHAT_MESSAGES_PER_MINUTE = 20
PROVIDER_BY_MODEL_PREFIX = {"gpt": "openai", "claude": "anthropic"}


def conversation_ref(db: Client, uid: str, cid: str) -> DocumentReference:
    ref: DocumentReference = registry.user_collection(db, uid, "conversations").document(cid)
    return ref


@dataclass(frozen=True)
class Reader:
    """What the chat needs to know about the user: plan and preferred provider."""

    plan: str
    preferred_provider: Any

    @classmethod
    def load(cls, db: Client, uid: str) -> Reader:
        profile = registry.profile_ref(db, uid).get().to_dict() or {}
        model = str((profile.get("settings") or {}).get("preferredModel", "auto"))
        preferred = next(
            (p for prefix, p in PROVIDER_BY_MODEL_PREFIX.items() if model.startswith(prefix)), None
        )
        return cls(plan=str(profile.get("plan", "free")), preferred_provider=preferred)


def answer_message(
    *, db: Client, gateway: Gateway, uid: str, cid: str, mid: str, now: Callable[[], datetime]
) -> bool:
    """Create the reply to user message `mid` and stream it. Idempotent.

    Returns:
        False when the message is not a user message or its reply already exists (a
        duplicate delivery): nothing is done.
    """
    from google.api_core.exceptions import AlreadyExists
    from google.api_core.exceptions import NotFound as NotFoundError
    from google.cloud import firestore

    conversation = conversation_ref(db, uid, cid)
    message = conversation.collection("messages").document(mid).get()
    data = message.to_dict() or {}
    if not message.exists or data.get("role") != "user":
        return False
    reply = conversation.collection("messages").document(reply_id(mid))
    try:
        created_at = data.get("createdAt") or now()
        reply.create(_pending_reply(mid, created_at + timedelta(milliseconds=1), now()))
    except AlreadyExists:
        return False
    try:
        _touch_conversation(db, conversation, now(), firestore.Increment(2))
        # After the reply's create(): a redelivered event stops above, so it never counts
        # twice; before any model call, so a refused message costs nothing.
        if _refused_for_rate(db, uid, reply, now):
            return True
        reader = Reader.load(db, uid)  # the profile, read once per message
        _stream_reply(
            db=db,
            gateway=gateway,
            uid=uid,
            conversation=conversation,
            reply=reply,
            mid=mid,
            now=now,
            reader=reader,
        )
        _after_reply(
            db=db,
            gateway=gateway,
            uid=uid,
            conversation=conversation,
            mid=mid,
            text=str(data.get("text", "")),
            reader=reader,
        )
    except NotFoundError:
        # The conversation was deleted while we answered: nothing left to write to.
        logs.info("conversation deleted during the reply; stopped", conversationId=cid)
    return True


def retry_reply(
    *, db: Client, gateway: Gateway, uid: str, cid: str, mid: str, now: Callable[[], datetime]
) -> RetryReplyResult:
    """Reset a failed reply to pending and stream it again.

    Raises:
        NotFound: no such conversation message (or someone else's).
        FailedPrecondition: the reply did not fail (it is done or still running).
    """
    from google.cloud import firestore

    conversation = conversation_ref(db, uid, cid)
    reply = conversation.collection("messages").document(reply_id(mid))

    @firestore.transactional
    def reset(transaction: Any) -> None:
        snapshot = reply.get(transaction=transaction)
        if not snapshot.exists:
            raise NotFound("There is no reply to that message.", details={"field": "messageId"})
        if (snapshot.to_dict() or {}).get("status") != "error":
            raise FailedPrecondition("Only a failed reply can be retried.")
        transaction.update(
            reply,
            {
                "status": "pending",
                "text": "",
                "error": None,
                "updatedAt": now(),
                "attempt": firestore.Increment(1),
                "stopRequested": False,
            },
        )

    reset(db.transaction())
    if _refused_for_rate(db, uid, reply, now):  # only the retry that won the reset counts
        return RetryReplyResult(reply_id=reply.id)
    _stream_reply(
        db=db,
        gateway=gateway,
        uid=uid,
        conversation=conversation,
        reply=reply,
        mid=mid,
        now=now,
        reader=Reader.load(db, uid),
    )
    return RetryReplyResult(reply_id=reply.id)


def delete_conversation(*, db: Client, uid: str, cid: str) -> DeleteConversationResult:
    """Delete a conversation and every message in it (idempotent: 0 the second time)."""
    conversation = conversation_ref(db, uid, cid)
    deleted = 0
    messages = conversation.collection("messages")
    while True:
        batch_docs = list(messages.limit(400).stream())
        if not batch_docs:
            break
        batch = db.batch()
        for doc in batch_docs:
            batch.delete(doc.reference)
        batch.commit()
        deleted += len(batch_docs)
    if conversation.get().exists:
        conversation.delete()
        deleted += 1
    return DeleteConversationResult(deleted=deleted)


# --- internals ------------------------------------------------------------------------


def _pending_reply(mid: str, created_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "role": "assistant",
        "replyTo": mid,
        "text": "",
        "status": "pending",
        "provider": None,
        "model": None,
        "usage": None,
        "error": None,
        # Just after the user message, so ordering by createdAt pairs them.
        "createdAt": created_at,
        "updatedAt": now,
        "stopRequested": False,
        "stopped": False,
        "truncated": False,
        "attempt": 1,
    }


def _refused_for_rate(
    db: Client, uid: str, reply: DocumentReference, now: Callable[[], datetime]
) -> bool:
    """Count one reply against the user's per-minute limit; over it, end the reply in
    `error` (no model call) and return True."""
    decision = ratelimit.hit(
        db, key=f"chat:{uid}", limit=CHAT_MESSAGES_PER_MINUTE, window_s=60, now=now()
    )
    if decision.allowed:
        return False
    wait_s = int(decision.retry_after_header)
    logs.warning("chat message over the rate limit", retryAfterS=wait_s)
    reply.update(
        {
            "status": "error",
            "error": {
                "code": "resource-exhausted",
                "message": (
                    f"You are sending messages too fast (at most {CHAT_MESSAGES_PER_MINUTE} "
                    f"a minute). Wait {wait_s} s, then retry this message."
                ),
                "retryAfterSeconds": wait_s,
            },
            "updatedAt": now(),
        }
    )
    return True


def _touch_conversation(
    db: Client, conversation: DocumentReference, now: datetime, count: Any
) -> None:
    from google.cloud import firestore

    @firestore.transactional
    def upsert(transaction: Any) -> None:
        snapshot = conversation.get(transaction=transaction)
        if snapshot.exists:
            transaction.update(conversation, {"updatedAt": now, "messageCount": count})
        else:
            transaction.create(
                conversation,
                {
                    "title": None,
                    "summary": None,
                    "summaryCovers": 0,
                    "createdAt": now,
                    "updatedAt": now,
                    "messageCount": 2,
                    "usage": Usage().to_firestore(),
                },
            )

    upsert(db.transaction())


def _history(conversation: DocumentReference, before_mid: str) -> list[Turn]:
    """The conversation's finished turns up to and including user message `before_mid`."""
    docs = (
        conversation.collection("messages")
        .order_by("createdAt", direction="DESCENDING")
        .limit(HISTORY_LIMIT)
        .stream()
    )
    turns: list[Turn] = []
    for doc in docs:
        data = doc.to_dict() or {}
        if data.get("role") == "user":
            turns.append(Turn("user", str(data.get("text", ""))))
        elif (
            data.get("status") == "done" and data.get("text") and data.get("replyTo") != before_mid
        ):
            turns.append(Turn("assistant", str(data["text"])))
    turns.reverse()
    return turns


class _StopWatcher(threading.Thread):
    """Polls the reply's `stopRequested` flag and closes the stream when it is set."""

    def __init__(self, reply: DocumentReference, on_stop: Callable[[], None]) -> None:
        super().__init__(daemon=True, name="chat-stop-watcher")
        self._reply = reply
        self._on_stop = on_stop
        self._done = threading.Event()
        self.stopped = False

    def run(self) -> None:
        while not self._done.wait(STOP_POLL_S):
            snapshot = self._reply.get(field_paths=["stopRequested"])
            if (snapshot.to_dict() or {}).get("stopRequested"):
                self.stopped = True
                self._on_stop()
                return

    def finish(self) -> None:
        self._done.set()


def _stream_reply(
    *,
    db: Client,
    gateway: Gateway,
    uid: str,
    conversation: DocumentReference,
    reply: DocumentReference,
    mid: str,
    now: Callable[[], datetime],
    reader: Reader,
) -> None:
    from google.cloud import firestore

    conv = conversation.get().to_dict() or {}
    context = build_context(
        _history(conversation, mid),
        budget_tokens=CONTEXT_BUDGET_TOKENS,
        summary=conv.get("summary"),
    )
    request = AIRequest(
        uid=uid,
        purpose="chat",
        system=context.system,
        messages=context.messages,
        max_tokens=REPLY_MAX_TOKENS,
        preferred_provider=reader.preferred_provider,
    )
    text = ""
    truncated = False
    stream = None
    watcher: _StopWatcher | None = None
    try:
        stream = gateway.stream(request, plan=reader.plan)
        watcher = _StopWatcher(reply, stream.close)
        watcher.start()
        last_write = 0.0
        for delta in stream:
            text += delta
            if len(text) >= MAX_REPLY_CHARS:
                text = text[:MAX_REPLY_CHARS] + TRUNCATION_MARKER
                truncated = True
                stream.close()
                break
            if time.monotonic() - last_write >= WRITE_INTERVAL_S:
                reply.update(
                    {
                        "text": text,
                        "status": "streaming",
                        "provider": stream.provider,
                        "model": stream.model,
                        "updatedAt": now(),
                    }
                )
                last_write = time.monotonic()
        usage = stream.finish()
        stopped = watcher.stopped
        reply.update(
            {
                "text": text,
                "status": "done",
                "provider": stream.provider,
                "model": stream.model,
                "usage": usage.to_firestore(),
                "stopped": stopped,
                "truncated": truncated,
                "updatedAt": now(),
            }
        )
        conversation.update(
            {
                "usage.inputTokens": firestore.Increment(usage.input_tokens),
                "usage.outputTokens": firestore.Increment(usage.output_tokens),
                "usage.costUsd": firestore.Increment(usage.cost_usd),
                "updatedAt": now(),
            }
        )
        logs.info(
            "chat reply done",
            provider=stream.provider,
            model=stream.model,
            outputTokens=usage.output_tokens,
            stopped=stopped,
            truncated=truncated,
        )
    except Exception as exc:
        # Whatever went wrong, the reply ends in `error`: nothing is left `streaming`.
        if isinstance(exc, AuraError):
            code, message = exc.code, exc.message
            logs.warning(
                "chat reply failed",
                code=code,
                error=message,
                interrupted=isinstance(exc, StreamInterrupted),
            )
        else:
            code, message = "internal", "Something went wrong while answering; try again."
            logs.error("chat reply crashed", error=repr(exc), trace=traceback.format_exc())
        spent = None
        if stream is not None:
            try:
                spent = stream.finish()
            except Exception as metering:  # the reply's state matters more than its bill
                logs.error("chat usage not recorded", error=repr(metering))
        reply.update(
            {
                "text": text,
                "status": "error",
                "error": {"code": code, "message": message},
                "usage": spent.to_firestore() if spent else None,
                "provider": stream.provider if stream else None,
                "model": stream.model if stream else None,
                "updatedAt": now(),
            }
        )
    finally:
        if watcher is not None:
            watcher.finish()
        if stream is not None:
            stream.close()  # a no-op after a full answer; stops generation on any failure


def _after_reply(
    *,
    db: Client,
    gateway: Gateway,
    uid: str,
    conversation: DocumentReference,
    mid: str,
    text: str,
    reader: Reader,
) -> None:
    """Intent and entities on the user message; a title after the first exchange; a
    summary when older turns no longer fit the context. Best effort: a failure here
    never fails the reply."""
    try:
        intent, _ = gateway.structured(
            AIRequest(
                uid=uid,
                purpose="classify",
                temperature=0.0,
                max_tokens=300,
                system="Classify the user's message: intent label, confidence and entities.",
                messages=(Message(role="user", content=text[:4000]),),
            ),
            IntentResult,
            plan=reader.plan,
        )
        conversation.collection("messages").document(mid).update(
            {
                "intent": {"label": intent.label, "confidence": intent.confidence},
                "entities": [e.model_dump() for e in intent.entities],
            }
        )
        conv = conversation.get().to_dict() or {}
        if not conv.get("title"):
            title, _ = gateway.structured(
                AIRequest(
                    uid=uid,
                    purpose="title",
                    temperature=0.0,
                    max_tokens=60,
                    system="Give this conversation a short title (at most six words).",
                    messages=(Message(role="user", content=text[:2000]),),
                ),
                TitleResult,
                plan=reader.plan,
            )
            conversation.update({"title": title.title.strip()[:80]})
        _summarize_if_needed(
            gateway=gateway,
            uid=uid,
            plan=reader.plan,
            conversation=conversation,
            conv=conv,
            mid=mid,
        )
    except AuraError as exc:
        logs.warning("chat enrichment skipped", code=exc.code, error=exc.message)


def _summarize_if_needed(
    *,
    gateway: Gateway,
    uid: str,
    plan: str,
    conversation: DocumentReference,
    conv: dict[str, Any],
    mid: str,
) -> None:
    turns = _history(conversation, "")
    context = build_context(turns, budget_tokens=CONTEXT_BUDGET_TOKENS, summary=None)
    if context.dropped <= int(conv.get("summaryCovers", 0)):
        return
    older = turns[: context.dropped]
    transcript = "\n".join(f"{t.role}: {t.text[:2000]}" for t in older)[-24_000:]
    previous = conv.get("summary") or ""
    result = gateway.complete(
        AIRequest(
            uid=uid,
            purpose="summarize",
            temperature=0.0,
            max_tokens=400,
            system=f"{SYSTEM_PROMPT}\nSummarise the conversation so far in a few sentences.",
            messages=(Message(role="user", content=f"{previous}\n\n{transcript}".strip()),),
        ),
        plan=plan,
    )
    conversation.update({"summary": result.text[:4000], "summaryCovers": context.dropped})

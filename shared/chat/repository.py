"""Where the chat keeps its data: every Firestore path it uses, and nothing else.

    users/{uid}/conversations/{cid}                   title, summary, message count, usage
    users/{uid}/conversations/{cid}/messages/{mid}    a user's message (the client writes it)
    users/{uid}/conversations/{cid}/messages/a_{mid}  the assistant's reply to it
    users/{uid}                                       the profile (read: plan, preferred model)

Services see one conversation through `ChatRepository` (unit tests pass a fake);
`FirestoreConversation` is the real one. Replies are addressed by the user message they
answer (`mid`); `reply_id(mid)` names the document. A write to a document deleted
meanwhile (the user deleted the conversation while it was answered) raises
`ConversationGone`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from shared import registry
from shared.ai.models import Usage
from shared.chat.models import (
    HISTORY_LIMIT,
    ConversationDoc,
    IntentResult,
    MessageDoc,
    Reader,
    ReplyError,
    reply_id,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference
    from google.cloud.firestore_v1.types.write import WriteResult

CONVERSATIONS = "conversations"
MESSAGES = "messages"
DELETE_BATCH = 400  # below Firestore's 500 writes per batch

# What a streamed write found: nobody wrote the reply since our previous write (so no
# stop was asked), the owner asked to stop (nothing written), or it was not checked.
Seen = Literal["unchanged", "stop-requested", "unchecked"]

# What resetting a reply for a retry found: reset it, no such reply, or a reply that
# did not fail (done, or still being written).
ResetOutcome = Literal["reset", "missing", "not-failed"]


class ConversationGone(Exception):
    """A write found its document deleted: the conversation went while it was answered.

    Not an AuraError: nobody is waiting for an answer to it (the trigger stops quietly).
    """

    def __init__(self, conversation_id: str, path: str) -> None:
        super().__init__(f"{path} no longer exists")
        self.conversation_id = conversation_id
        self.path = path


class ChatRepository(Protocol):
    """One user's conversation, as the chat services use it."""

    @property
    def conversation_id(self) -> str:
        """The conversation's id (provenance of the memories a turn keeps)."""
        ...

    def reader(self) -> Reader:
        """The user's plan and preferred provider (from the profile)."""
        ...

    def message(self, mid: str) -> MessageDoc | None:
        """Message `mid`, or None when there is none."""
        ...

    def create_reply(self, mid: str, *, created_at: datetime, now: datetime) -> bool:
        """Create the pending reply to `mid`; False when it already exists (a duplicate
        delivery), which leaves it untouched."""
        ...

    def touch(self, *, exists: bool, now: datetime) -> None:
        """Count the new message and its reply on the conversation, creating it (untitled,
        no usage) when it does not exist yet (`exists`: what the turn read; a guess the
        write corrects, never a count lost). One write, no read."""
        ...

    def reset_reply(self, mid: str, *, now: datetime) -> ResetOutcome:
        """Reset the reply to `mid` to pending for another attempt, only if it failed.
        Atomic, so of two concurrent resets one finds it no longer failed."""
        ...

    def conversation(self) -> ConversationDoc:
        """The conversation's title and summary (empty when it does not exist)."""
        ...

    def recent_messages(self) -> list[MessageDoc]:
        """The newest HISTORY_LIMIT messages, oldest first."""
        ...

    def stop_requested(self, mid: str) -> bool:
        """Whether the owner asked the reply to `mid` to stop."""
        ...

    def reply_streaming(
        self, mid: str, *, text: str, provider: str | None, model: str | None, now: datetime
    ) -> Seen:
        """The reply's text so far, written only if nobody else wrote the reply since our
        previous write; if someone did and it was the owner asking to stop, nothing is
        written and "stop-requested" says so (the one client write on a reply)."""
        ...

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
        """The reply's final text, what it cost, and the memories its context held."""
        ...

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
        """The reply ends in `error`, keeping any partial text."""
        ...

    def reply_refused(self, mid: str, *, error: ReplyError, now: datetime) -> None:
        """The reply ends in `error` before any model was asked (nothing else changes)."""
        ...

    def conclude(
        self,
        *,
        usage: Usage | None,
        title: str | None,
        summary: tuple[str, int] | None,
        count: bool,
        now: datetime,
    ) -> None:
        """After a turn, in one write: add the reply's usage to the conversation's running
        total, set its title, its running summary (text, and how many of the oldest turns
        it stands for), and when `count`, count the turn's message and reply (as `touch`
        does, on a conversation that exists). Writes nothing when there is nothing to add."""
        ...

    def label_message(self, mid: str, intent: IntentResult) -> None:
        """Store the intent and entities of user message `mid`."""
        ...

    def delete_all(self) -> int:
        """Delete every message, then the conversation; returns how many documents went."""
        ...


def conversation_ref(db: Client, uid: str, cid: str) -> DocumentReference:
    """`users/{uid}/conversations/{cid}`."""
    ref: DocumentReference = registry.user_collection(db, uid, CONVERSATIONS).document(cid)
    return ref


class FirestoreConversation:
    """ChatRepository over Firestore (the emulator in tests, production when deployed)."""

    def __init__(self, db: Client, uid: str, cid: str) -> None:
        self._db = db
        self._uid = uid
        self._cid = cid
        self._ref = conversation_ref(db, uid, cid)
        # Each reply's update time as our last write left it (for conditional writes).
        self._versions: dict[str, Any] = {}

    @property
    def conversation_id(self) -> str:
        return self._cid

    def _message_ref(self, mid: str) -> DocumentReference:
        ref: DocumentReference = self._ref.collection(MESSAGES).document(mid)
        return ref

    def _reply_ref(self, mid: str) -> DocumentReference:
        return self._message_ref(reply_id(mid))

    def _update(self, ref: DocumentReference, fields: dict[str, Any]) -> WriteResult:
        from google.api_core.exceptions import NotFound

        try:
            written: WriteResult = ref.update(fields)
        except NotFound as exc:
            raise ConversationGone(self._cid, ref.path) from exc
        return written

    def reader(self) -> Reader:
        profile = registry.profile_ref(self._db, self._uid).get().to_dict() or {}
        return Reader.of_profile(profile)

    def message(self, mid: str) -> MessageDoc | None:
        snapshot = self._message_ref(mid).get()
        return MessageDoc.of(snapshot.to_dict() or {}) if snapshot.exists else None

    def create_reply(self, mid: str, *, created_at: datetime, now: datetime) -> bool:
        from google.api_core.exceptions import AlreadyExists

        try:
            written = self._reply_ref(mid).create(_pending_reply(mid, created_at, now))
        except AlreadyExists:
            return False
        self._versions[mid] = written.update_time
        return True

    def touch(self, *, exists: bool, now: datetime) -> None:
        from google.api_core.exceptions import AlreadyExists, NotFound
        from google.cloud import firestore

        count = {"updatedAt": now, "messageCount": firestore.Increment(2)}
        new = {
            "title": None,
            "summary": None,
            "summaryCovers": 0,
            "createdAt": now,
            "updatedAt": now,
            "messageCount": 2,
            "usage": Usage().to_firestore(),
        }
        # Each write is atomic and a wrong guess fails without writing, so of two first
        # turns racing, one creates and the other counts: nothing is lost or doubled.
        for _ in range(3):
            try:
                if exists:
                    self._ref.update(count)
                else:
                    self._ref.create(new)
            except (NotFound, AlreadyExists):
                exists = not exists
                continue
            return

    def reset_reply(self, mid: str, *, now: datetime) -> ResetOutcome:
        from google.cloud import firestore

        reply = self._reply_ref(mid)

        @firestore.transactional
        def reset(transaction: Any) -> None:
            snapshot = reply.get(transaction=transaction)
            if not snapshot.exists:
                raise _Unchanged("missing")
            if (snapshot.to_dict() or {}).get("status") != "error":
                raise _Unchanged("not-failed")
            transaction.update(
                reply,
                {
                    "status": "pending",
                    "text": "",
                    "error": None,
                    "updatedAt": now,
                    "attempt": firestore.Increment(1),
                    "stopRequested": False,
                },
            )

        try:
            reset(self._db.transaction())
        except _Unchanged as unchanged:  # raised inside, so the transaction rolls back
            return unchanged.outcome
        return "reset"

    def conversation(self) -> ConversationDoc:
        return ConversationDoc.of(self._ref.get().to_dict() or {})

    def recent_messages(self) -> list[MessageDoc]:
        docs = (
            self._ref.collection(MESSAGES)
            .order_by("createdAt", direction="DESCENDING")
            .limit(HISTORY_LIMIT)
            .stream()
        )
        newest_first = [MessageDoc.of(doc.to_dict() or {}, id=doc.id) for doc in docs]
        return newest_first[::-1]

    def stop_requested(self, mid: str) -> bool:
        snapshot = self._reply_ref(mid).get(field_paths=["stopRequested"])
        return bool((snapshot.to_dict() or {}).get("stopRequested"))

    def reply_streaming(
        self, mid: str, *, text: str, provider: str | None, model: str | None, now: datetime
    ) -> Seen:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        ref = self._reply_ref(mid)
        fields = {
            "text": text,
            "status": "streaming",
            "provider": provider,
            "model": model,
            "updatedAt": now,
        }
        version = self._versions.get(mid)
        if version is not None:
            try:
                written = ref.update(fields, option=self._db.write_option(last_update_time=version))
            except (FailedPrecondition, NotFound):
                pass  # someone wrote it (or deleted it): look, below
            else:
                self._versions[mid] = written.update_time
                return "unchanged"
            snapshot = ref.get(field_paths=["stopRequested"])
            if not snapshot.exists:
                raise ConversationGone(self._cid, ref.path)
            if (snapshot.to_dict() or {}).get("stopRequested"):
                return "stop-requested"
        self._versions[mid] = self._update(ref, fields).update_time
        return "unchecked"

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
        fields: dict[str, Any] = {
            "text": text,
            "status": "done",
            "provider": provider,
            "model": model,
            "usage": usage.to_firestore(),
            "stopped": stopped,
            "truncated": truncated,
            "updatedAt": now,
        }
        if memory_ids:
            fields["memoryIds"] = list(memory_ids)
        self._update(self._reply_ref(mid), fields)

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
        self._update(
            self._reply_ref(mid),
            {
                "text": text,
                "status": "error",
                "error": error.to_firestore(),
                "usage": usage.to_firestore() if usage else None,
                "provider": provider,
                "model": model,
                "updatedAt": now,
            },
        )

    def reply_refused(self, mid: str, *, error: ReplyError, now: datetime) -> None:
        self._update(
            self._reply_ref(mid),
            {"status": "error", "error": error.to_firestore(), "updatedAt": now},
        )

    def conclude(
        self,
        *,
        usage: Usage | None,
        title: str | None,
        summary: tuple[str, int] | None,
        count: bool,
        now: datetime,
    ) -> None:
        from google.cloud import firestore

        fields: dict[str, Any] = {}
        if count:
            fields.update({"messageCount": firestore.Increment(2), "updatedAt": now})
        if usage is not None:
            fields.update(
                {
                    "usage.inputTokens": firestore.Increment(usage.input_tokens),
                    "usage.outputTokens": firestore.Increment(usage.output_tokens),
                    "usage.costUsd": firestore.Increment(usage.cost_usd),
                    "updatedAt": now,
                }
            )
        if title is not None:
            fields["title"] = title
        if summary is not None:
            fields.update({"summary": summary[0], "summaryCovers": summary[1]})
        if fields:
            self._update(self._ref, fields)

    def label_message(self, mid: str, intent: IntentResult) -> None:
        self._update(
            self._message_ref(mid),
            {
                "intent": {"label": intent.label, "confidence": intent.confidence},
                "entities": [e.model_dump() for e in intent.entities],
            },
        )

    def delete_all(self) -> int:
        deleted = 0
        messages = self._ref.collection(MESSAGES)
        while True:
            batch_docs = list(messages.limit(DELETE_BATCH).stream())
            if not batch_docs:
                break
            batch = self._db.batch()
            for doc in batch_docs:
                batch.delete(doc.reference)
            batch.commit()
            deleted += len(batch_docs)
        if self._ref.get().exists:
            self._ref.delete()
            deleted += 1
        return deleted


class _Unchanged(Exception):
    """Leaves `reset_reply`'s transaction without writing (raising rolls it back)."""

    def __init__(self, outcome: ResetOutcome) -> None:
        super().__init__(outcome)
        self.outcome = outcome


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

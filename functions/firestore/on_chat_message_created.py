"""`on_chat_message_created`: a user's chat message gets exactly one streamed reply."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import firestore_fn
from google.cloud.firestore import DocumentSnapshot

from functions import _clients
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared.chat import service
from shared.platform import clients, logs

MESSAGE = "users/{uid}/conversations/{cid}/messages/{mid}"


@firestore_fn.on_document_created(document=MESSAGE, secrets=AI_SECRETS, timeout_sec=AI_TIMEOUT_S)
def on_chat_message_created(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    """Firestore create on a message. User messages only (the reply it writes is skipped).

    Idempotent: the reply's id derives from the message id and is created with a
    precondition, so a second delivery does nothing. No retries: a failure is written to
    the reply as `status: error`, which the user can retry (`retry_reply`).
    """
    uid, cid, mid = event.params["uid"], event.params["cid"], event.params["mid"]
    with logs.context(correlationId=event.id, uid=uid, function="on_chat_message_created"):
        answered = service.answer_message(
            db=clients.get_db(),
            gateway=_clients.gateway(),
            uid=uid,
            cid=cid,
            mid=mid,
            now=lambda: datetime.now(UTC),
        )
        if not answered:
            logs.debug("not a new user message; skipped", messageId=mid)

"""`retry_reply`: stream a failed assistant reply again."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared.chat import service
from shared.chat.models import RetryReply
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS, timeout_sec=AI_TIMEOUT_S)
def retry_reply(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Input `RetryReply` ({conversationId, messageId: the user
    message}); output {replyId}. Only a reply in `error` is reset (in a transaction), so a
    double click streams once; the second call gets `failed-precondition`.
    """
    with _edge.call(req, "retry_reply") as caller:
        command = parse(RetryReply, req.data)
        result = service.retry_reply(
            db=clients.get_db(),
            gateway=_clients.gateway(),
            uid=caller.uid,
            cid=command.conversation_id,
            mid=command.message_id,
            now=lambda: datetime.now(UTC),
        )
        return result.to_wire()

"""`delete_conversation`: remove a conversation and all of its messages."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.chat import service
from shared.chat.models import DeleteConversation
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def delete_conversation(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own conversations only (the path is theirs).

    Input `DeleteConversation` ({conversationId}); output {deleted}. Idempotent: deleting
    again deletes nothing and returns 0.
    """
    with _edge.call(req, "delete_conversation") as caller:
        command = parse(DeleteConversation, req.data)
        result = service.delete_conversation(
            db=clients.get_db(), uid=caller.uid, cid=command.conversation_id
        )
        return result.to_wire()

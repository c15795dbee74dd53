"""`forget_all_memories`: delete every memory of the caller."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.memory import service
from shared.memory.models import ForgetAllMemories
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def forget_all_memories(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own memories only.

    Input `ForgetAllMemories` ({confirm: true}); output `ForgetResult` ({deleted}).
    Deletes in batches; idempotent (a repeat deletes 0). `invalid-argument` without
    `confirm: true`.
    """
    with _edge.call(req, "forget_all_memories") as caller:
        parse(ForgetAllMemories, req.data)
        return service.forget_all(db=clients.get_db(), uid=caller.uid).to_wire()

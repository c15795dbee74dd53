"""`forget`: delete one of the caller's memories with the versions it corrected."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.memory import service
from shared.memory.models import Forget
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def forget(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own memories only.

    Input `Forget` ({id}); output `ForgetResult` ({deleted: how many documents went: the
    memory and every older version in its chain}). Idempotent: a repeat, or someone
    else's id, deletes nothing and answers `deleted: 0`. `invalid-argument` for a bad id.
    """
    with _edge.call(req, "forget") as caller:
        command = parse(Forget, req.data)
        return service.forget(db=clients.get_db(), uid=caller.uid, command=command).to_wire()

"""`get_generation`: one of the caller's generations, with its files' contents."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.studio import service
from shared.studio.models import GenerationRef
from shared.validation import parse


@_edge.on_call()
def get_generation(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own generations only.

    Input `GenerationRef` ({id}); output `GenerationPublic` (the summary, `draft`, and
    `contents`: each file with its content, in order). `not-found` for an id that is not
    the caller's.
    """
    with _edge.call(req, "get_generation") as caller:
        command = parse(GenerationRef, req.data)
        return service.get_generation(db=clients.get_db(), uid=caller.uid, gid=command.id).to_wire()

"""`delete_generation`: remove one of the caller's generations and its files."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.studio import service
from shared.studio.models import GenerationRef
from shared.validation import parse


@_edge.on_call()
def delete_generation(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own generations only.

    Input `GenerationRef` ({id}); output `DeleteGenerationResult` ({deleted}). The
    generation goes first, then its files; a running one stops at its next write.
    Idempotent: an id that names none of the caller's generations answers `deleted: false`.
    """
    with _edge.call(req, "delete_generation") as caller:
        command = parse(GenerationRef, req.data)
        result = service.delete_generation(db=clients.get_db(), uid=caller.uid, gid=command.id)
        return result.to_wire()

"""`cancel_generation`: stop one of the caller's generations."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.studio import service
from shared.studio.models import GenerationRef
from shared.validation import parse


@_edge.on_call()
def cancel_generation(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own generations only.

    Input `GenerationRef` ({id}); output `CancelGenerationResult` ({cancelled}). A queued
    generation is cancelled at once; a running one stops at its task's next write (the
    stream is closed, so nothing more is generated or billed) and ends `cancelled`.
    Idempotent; a finished generation answers `cancelled: false`. `not-found` for an id
    that is not the caller's.
    """
    with _edge.call(req, "cancel_generation") as caller:
        command = parse(GenerationRef, req.data)
        result = service.cancel_generation(
            db=clients.get_db(), uid=caller.uid, gid=command.id, now=datetime.now(UTC)
        )
        return result.to_wire()

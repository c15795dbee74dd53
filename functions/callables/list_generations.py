"""`list_generations`: the caller's generation history, newest first, a page at a time."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.studio import service
from shared.studio.models import ListGenerations
from shared.validation import parse


@_edge.on_call()
def list_generations(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own generations only.

    Input `ListGenerations` ({type?, limit? (1..50, default 20), cursor?}); output
    `ListGenerationsResult` ({items: summaries without draft or contents, nextCursor}).
    Pass `nextCursor` back as `cursor` for the next page; null means the last page.
    """
    with _edge.call(req, "list_generations") as caller:
        command = parse(ListGenerations, req.data)
        return service.list_generations(
            db=clients.get_db(), uid=caller.uid, command=command
        ).to_wire()

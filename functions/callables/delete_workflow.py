"""`delete_workflow`: remove one of the caller's workflow definitions and its webhook
secret."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.validation import parse
from shared.workflows import service
from shared.workflows.models import DeleteWorkflow


@_edge.on_call()
def delete_workflow(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own workflows only (the path is theirs, so
    someone else's id is simply not found).

    Input `DeleteWorkflow` ({id}); output `DeleteWorkflowResult` ({deleted}). Idempotent:
    deleting again (or an id that never existed) deletes nothing and returns false.
    """
    with _edge.call(req, "delete_workflow") as caller:
        command = parse(DeleteWorkflow, req.data)
        result = service.delete_workflow(
            db=clients.get_db(), uid=caller.uid, workflow_id=command.id, now=datetime.now(UTC)
        )
        return result.to_wire()

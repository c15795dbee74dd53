"""`delete_workflow`: remove one of the caller's workflow definitions and its webhook
secret."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared import runtime
from shared.tasks import CloudTasks
from shared.validation import parse
from shared.workflows import scheduling, service
from shared.workflows.models import DeleteWorkflow


@https_fn.on_call()
def delete_workflow(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own workflows only (the path is theirs, so
    someone else's id is simply not found).

    Input `DeleteWorkflow` ({id}); output `DeleteWorkflowResult` ({deleted}). Idempotent:
    deleting again (or an id that never existed) deletes nothing and returns false.
    """
    with _edge.call(req, "delete_workflow") as caller:
        command = parse(DeleteWorkflow, req.data)
        db = runtime.get_db()
        result = service.delete_workflow(db=db, uid=caller.uid, workflow_id=command.id)
        scheduling.sync(
            db=db,
            enqueuer=CloudTasks(),
            uid=caller.uid,
            workflow_id=command.id,
            workflow=None,
            now=datetime.now(UTC),
        )
        return result.to_wire()

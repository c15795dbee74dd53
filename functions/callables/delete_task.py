"""`delete_task`: remove one of the caller's to-dos and disarm its reminder."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.tasks import service
from shared.tasks.models import DeleteTask
from shared.validation import parse


@_edge.on_call()
def delete_task(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own tasks only (someone else's id is simply not
    found).

    Input `DeleteTask` ({id, expectedVersion?}); output `DeleteTaskResult` ({deleted}).
    Idempotent: deleting again (or an id that never existed) deletes nothing and returns
    false; `failed-precondition` when the task exists at another `expectedVersion`.
    """
    with _edge.call(req, "delete_task") as caller:
        command = parse(DeleteTask, req.data)
        result = service.delete_task(db=clients.get_db(), uid=caller.uid, command=command)
        return result.to_wire()

"""`pause_execution`: Pause an execution: steps running finish, no new step starts."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.validation import parse
from shared.workflows import control
from shared.workflows.control import ExecutionCommand


@_edge.on_call()
def pause_execution(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own executions. Input {executionId}; output
    {executionId, status}. Idempotent: asking for the status it already has is a no-op;
    a transition its status does not allow is `failed-precondition`.
    """
    with _edge.call(req, "pause_execution") as caller:
        command = parse(ExecutionCommand, req.data)
        result = control.pause(
            db=_clients.workflow_runtime().db,
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

"""`resume_execution`: Resume a paused execution: the steps it was waiting on are queued again."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.validation import parse
from shared.workflows import control
from shared.workflows.control import ExecutionCommand


@_edge.on_call()
def resume_execution(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own executions. Input {executionId}; output
    {executionId, status}. Idempotent: asking for the status it already has is a no-op;
    a transition its status does not allow is `failed-precondition`.
    """
    with _edge.call(req, "resume_execution") as caller:
        command = parse(ExecutionCommand, req.data)
        result = control.resume(
            rt=_clients.workflow_runtime(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

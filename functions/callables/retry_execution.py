"""`retry_execution`: run a failed execution again, from its failed step or the start."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.validation import parse
from shared.workflows import control
from shared.workflows.control import RetryExecution


@_edge.on_call()
def retry_execution(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Input {executionId, fromStart?}; output {executionId}
    (the same execution, or a new one linked by `retryOf` when `fromStart`). Only a failed
    execution can be retried (`failed-precondition` otherwise), so a double click retries once.
    """
    with _edge.call(req, "retry_execution") as caller:
        command = parse(RetryExecution, req.data)
        result = control.retry(
            rt=_clients.workflow_runtime(), uid=caller.uid, command=command, now=datetime.now(UTC)
        )
        return result.to_wire()

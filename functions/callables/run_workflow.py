"""`run_workflow`: start an execution of one of the caller's workflows."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.validation import parse
from shared.workflows import executions
from shared.workflows.executions import RunWorkflow


@_edge.on_call()
def run_workflow(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Input `RunWorkflow` ({workflowId, input?}); output
    {executionId}. Creates `users/{uid}/executions/{eid}` and queues the entry steps.
    `resource-exhausted` when the workflow's concurrent-execution limit is reached.
    """
    with _edge.call(req, "run_workflow") as caller:
        command = parse(RunWorkflow, req.data)
        result = executions.start_execution(
            rt=_clients.workflow_runtime(),
            uid=caller.uid,
            command=command,
            trigger={"type": "manual", "by": caller.uid},
            now=datetime.now(UTC),
        )
        return result.to_wire()

"""`runstep`: run one workflow step (the task queue behind every execution)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared.platform import logs
from shared.workflows import executions
from shared.workflows.executions import StepTask


@tasks_fn.on_task_dispatched(
    secrets=AI_SECRETS,
    timeout_sec=AI_TIMEOUT_S,
    retry_config=options.RetryConfig(max_attempts=5, min_backoff_seconds=2),
    rate_limits=options.RateLimits(max_concurrent_dispatches=50),
)
def runstep(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks; payload `StepTask` ({uid, executionId, nodeId, attempt}).

    Idempotent: the step is claimed in a transaction, so a redelivered task does nothing.
    A payload that can never succeed is logged and acknowledged (Cloud Tasks retries every
    non-2xx); transient errors raise so Cloud Tasks retries the task.
    """
    try:
        task = StepTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable step task dropped", errors=str(exc)[:500])
        return
    with logs.context(uid=task.uid, executionId=task.execution_id, nodeId=task.node_id):
        outcome = executions.run_step(
            rt=_clients.workflow_runtime(), task=task, now=lambda: datetime.now(UTC)
        )
        logs.info(f"step {outcome}", attempt=task.attempt)

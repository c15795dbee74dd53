"""`fireschedule`: start one scheduled run of a workflow and arm the next."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients
from shared.platform import logs
from shared.workflows import schedules
from shared.workflows.schedules import FireTask


@tasks_fn.on_task_dispatched(
    retry_config=options.RetryConfig(max_attempts=5, min_backoff_seconds=10),
    rate_limits=options.RateLimits(max_concurrent_dispatches=20),
)
def fireschedule(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks, queued at each cron time by the schedule itself (`save_workflow`
    arms the first); payload `FireTask` ({uid, workflow_id, fire_at}).

    Idempotent: the run's execution id derives from the fire time and the next task's
    name from the next time, so a duplicate delivery starts and arms nothing new. A
    task for a time the schedule no longer holds does nothing.
    """
    try:
        task = FireTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable schedule task dropped", errors=str(exc)[:500])
        return
    with logs.context(uid=task.uid, workflowId=task.workflow_id):
        outcome = schedules.fire(rt=_clients.workflow_runtime(), task=task, now=datetime.now(UTC))
        logs.info(f"schedule {outcome}", fireAt=task.fire_at.isoformat())

"""`firetimer`: fire one timer of any kind (workflow schedules, and every feature that
declares a `TimerKind` in `functions/_clients.timer_kinds`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients
from shared.platform import clients, logs, timers
from shared.platform.timers import TimerTask


@tasks_fn.on_task_dispatched(
    retry_config=options.RetryConfig(max_attempts=5, min_backoff_seconds=10),
    rate_limits=options.RateLimits(max_concurrent_dispatches=20),
)
def firetimer(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks, queued for each armed time by `timers.arm`; payload `TimerTask`
    ({kind, id, at}).

    Idempotent: a task whose time its record no longer holds does nothing, the next
    time's task is named from that time, and each kind derives its work's ids from the
    fired time, so a duplicate delivery does and arms nothing new. A payload that can
    never succeed is logged and acknowledged; other errors raise so the task is retried.
    """
    try:
        task = TimerTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable timer task dropped", errors=str(exc)[:500])
        return
    with logs.context(timerKind=task.kind, timer=task.id):
        outcome = timers.fire(
            clients.get_db(),
            _clients.workflow_runtime().enqueuer,
            _clients.timer_kinds(),
            task,
            now=datetime.now(UTC),
        )
        logs.info(f"timer {outcome}", at=task.at.isoformat())

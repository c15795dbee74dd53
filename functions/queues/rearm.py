"""`rearm`: one hop of a task due past Cloud Tasks' 30-day horizon (`platform.cloud_tasks`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from shared.platform import logs
from shared.platform.cloud_tasks import CloudTasks, Rearm, TooFarAhead, hops_left


@tasks_fn.on_task_dispatched(
    # A lost hop loses its task until the sweeper notices: retry longer than the others.
    retry_config=options.RetryConfig(max_attempts=10, min_backoff_seconds=10),
    rate_limits=options.RateLimits(max_concurrent_dispatches=20),
)
def rearm(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks, queued by `CloudTasks.enqueue` for a time more than 29 days ahead;
    payload `Rearm` ({queue, name, at, payload}). Queues the real task under its own name
    once its time is inside the horizon, or the next hop.

    Idempotent: every task of the chain has a name derived from the real one, so a
    duplicate delivery queues nothing new. A payload that can never succeed is logged and
    acknowledged; a Cloud Tasks error raises so the hop is retried.
    """
    try:
        hop = Rearm.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable hop dropped", errors=str(exc)[:500])
        return
    try:
        queued = CloudTasks().rearm(hop)
    except TooFarAhead as exc:
        logs.error("hop dropped: its time is too far ahead", queue=hop.queue, error=str(exc))
        return
    logs.info(
        "hop re-armed" if queued else "hop already re-armed (a duplicate delivery)",
        queue=hop.queue,
        at=hop.at.isoformat(),
        hopsLeft=hops_left(hop.at, datetime.now(UTC)),
    )

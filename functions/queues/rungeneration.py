"""`rungeneration`: run one studio generation (queued by `generate`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients
from functions.params import AI_SECRETS, GENERATION_TIMEOUT_S
from shared.platform import clients, logs
from shared.studio import service
from shared.studio.models import GenerationTask


class LeaseHeld(RuntimeError):
    """Another delivery of this generation is running: let Cloud Tasks try again later."""


@tasks_fn.on_task_dispatched(
    secrets=AI_SECRETS,
    timeout_sec=GENERATION_TIMEOUT_S,
    # Retries outlast a lease (service.LEASE_S, 120 s): 10 + 20 + 40 + 80 s, so the task
    # of an instance that died mid-generation is picked up again once its lease is stale.
    retry_config=options.RetryConfig(
        max_attempts=5, min_backoff_seconds=10, max_backoff_seconds=300
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=50),
)
def rungeneration(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks; payload `GenerationTask` ({uid, generationId}).

    Idempotent: the generation is claimed with a write conditional on what was read, so
    a duplicate delivery of a finished, cancelled or deleted generation does nothing. One
    held by a live lease answers an error, so Cloud Tasks retries it later: by then it
    has finished (nothing to do) or its lease is stale (it starts again from the start).
    A payload that can never succeed is logged and acknowledged.
    """
    try:
        task = GenerationTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable generation task dropped", errors=str(exc)[:500])
        return
    with logs.context(uid=task.uid, generationId=task.generation_id):
        outcome = service.run_task(
            db=clients.get_db(),
            gateway=_clients.gateway(),
            task=task,
            now=lambda: datetime.now(UTC),
        )
        logs.info(f"generation task {outcome}")
        if outcome == "running":
            raise LeaseHeld("the generation is running under another delivery")

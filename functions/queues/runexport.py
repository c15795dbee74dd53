"""`runexport`: write one data export's archive to Storage (queued by `export_my_data`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions.params import EXPORT_TIMEOUT_S
from shared.platform import clients, export, logs
from shared.platform.export_models import ExportTask


class LeaseHeld(RuntimeError):
    """Another delivery of this export is running: let Cloud Tasks try again later."""


@tasks_fn.on_task_dispatched(
    timeout_sec=EXPORT_TIMEOUT_S,
    # Retries outlast a lease (export.LEASE_S, 120 s): 10 + 20 + 40 + 80 s, so the task of
    # an instance that died mid-export is picked up again once its lease is stale.
    retry_config=options.RetryConfig(
        max_attempts=export.MAX_ATTEMPTS, min_backoff_seconds=10, max_backoff_seconds=300
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=20),
)
def runexport(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks; payload `ExportTask` ({uid, exportId}).

    Idempotent: the export is claimed in a transaction, so a duplicate delivery of a
    done, failed or expired export does nothing. One held by a live lease answers an
    error, so Cloud Tasks retries it later: by then it has finished (nothing to do) or
    its lease is stale (it starts again from the start, replacing the object). A
    transient error releases the lease and is raised (retried). A payload that can
    never succeed is logged and acknowledged.
    """
    try:
        task = ExportTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable export task dropped", errors=str(exc)[:500])
        return
    with logs.context(uid=task.uid, exportId=task.export_id):
        outcome = export.run_task(db=clients.get_db(), task=task, now=lambda: datetime.now(UTC))
        logs.info(f"export task {outcome}")
        if outcome == "running":
            raise LeaseHeld("the export is running under another delivery")

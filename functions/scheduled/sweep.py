"""`sweep`: repair what lost Cloud Tasks left behind."""

from datetime import UTC, datetime

from firebase_functions import scheduler_fn
from firebase_functions.options import Timezone

from functions import _clients
from shared.email import service as email
from shared.platform import clients, logs, timers
from shared.workflows import sweeper

SCHEDULE = "*/5 * * * *"


@scheduler_fn.on_schedule(schedule=SCHEDULE, timezone=Timezone("UTC"))
def sweep(event: scheduler_fn.ScheduledEvent) -> None:
    """Every five minutes: executions whose step task was lost get it queued again (or
    fail at their deadline); timers of every kind whose task was lost (schedule chains,
    ...) are re-armed; emails whose send task was lost get it again (under its own name).
    Idempotent: a second sweep finds nothing left to repair."""
    now = datetime.now(UTC)
    report = sweeper.sweep(rt=_clients.workflow_runtime(), now=now)
    kinds = _clients.timer_kinds().values()
    report |= timers.repair_all(clients.get_db(), kinds, now=now)
    report["emails"] = email.requeue_lost(
        db=clients.get_db(), enqueuer=_clients.workflow_runtime().enqueuer, now=now
    )
    logs.info("sweep done", **report)

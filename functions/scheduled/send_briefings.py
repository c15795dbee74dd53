"""`send_briefings`: every 15 minutes, the daily briefing of each user whose time it is."""

from datetime import UTC, datetime

from firebase_functions import scheduler_fn
from firebase_functions.options import Timezone

from functions import _clients
from functions.params import AI_SECRETS
from shared.briefings import service
from shared.platform import clients, logs

SCHEDULE = "*/15 * * * *"
TIMEOUT_S = 540  # the most a scheduled function may run: MAX_PER_TICK users, 8 at a time


@scheduler_fn.on_schedule(
    schedule=SCHEDULE, timezone=Timezone("UTC"), secrets=AI_SECRETS, timeout_sec=TIMEOUT_S
)
def send_briefings(event: scheduler_fn.ScheduledEvent) -> None:
    """Every 15 minutes (UTC): brief the users whose `_briefingSlots.nextAt` has come (an
    indexed query, at most 500 a tick; the rest stay due for the next). Idempotent: a
    briefing is created once per user and local day, and a second or overlapping tick
    finds the slot moved on. No retries (the next tick picks up what is still due).
    Without an AI provider configured, briefings carry the fixed summary text."""
    config = _clients.gateway_config()
    configured = any(provider.configured for provider in config.providers.values())
    report = service.send_due(
        db=clients.get_db(),
        gateway=_clients.gateway() if configured else None,
        now=datetime.now(UTC),
    )
    logs.info("briefings sent", **report)

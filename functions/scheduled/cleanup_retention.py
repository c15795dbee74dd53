"""`cleanup_retention`: every hour, delete what is past its documented age."""

from datetime import UTC, datetime

from firebase_functions import scheduler_fn
from firebase_functions.options import Timezone

from shared.platform import clients, logs, retention

SCHEDULE = "40 * * * *"


@scheduler_fn.on_schedule(schedule=SCHEDULE, timezone=Timezone("UTC"))
def cleanup_retention(event: scheduler_fn.ScheduledEvent) -> None:
    """Every hour at :40 (UTC): events, execution logs, read notifications, AI cache
    entries, rate-limit windows and audit entries past their age (`RULES` in
    shared/platform/retention.py), oldest first, at most 500 a rule and 2,000 a run; the
    rest wait for the next hour. Idempotent: a second or overlapping run deletes only what
    is still past its age. No retries (the next run picks up what is left)."""
    report = retention.cleanup(clients.get_db(), now=datetime.now(UTC))
    logs.info("retention cleanup done", **report.as_log())

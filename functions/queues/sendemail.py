"""`sendemail`: send one email of the outbox over SMTP (queued by `on_notification_created`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients, _limits
from functions.params import SMTP_PASSWORD
from shared.email import service
from shared.email.models import SendEmailTask
from shared.email.smtp import SmtpTransport
from shared.platform import clients, logs


@tasks_fn.on_task_dispatched(
    secrets=[SMTP_PASSWORD],
    # These retries are for deliveries that raise (a lease held by another delivery, a
    # Firestore error, a dead instance): SMTP failures are retried by the email's own
    # schedule (shared/email/models.py BACKOFF_S), each attempt its own named task.
    retry_config=options.RetryConfig(max_attempts=8, min_backoff_seconds=10),
    rate_limits=options.RateLimits(max_concurrent_dispatches=10),
)
def sendemail(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks; payload `SendEmailTask` ({outboxId}).

    Idempotent: the email is claimed in a transaction, so a duplicate delivery of one
    sent, failed or dropped does nothing, and one claimed under a live lease raises (the
    task is retried after the lease). A transient SMTP failure queues the next attempt
    at its backoff and returns; a permanent one marks the email failed. A payload that can
    never succeed is logged and acknowledged.
    """
    try:
        task = SendEmailTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable email task dropped", errors=str(exc)[:500])
        return
    config = _clients.smtp_config()
    with logs.context(outboxId=task.outbox_id):
        outcome = service.send(
            db=clients.get_db(),
            enqueuer=_clients.workflow_runtime().enqueuer,
            transport=SmtpTransport(config),
            sender=config.sender,
            outbox_id=task.outbox_id,
            limit_for=_limits.email_limit,
            now=datetime.now(UTC),
        )
        logs.info(f"email {outcome}")

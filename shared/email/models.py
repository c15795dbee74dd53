"""Email's stored and queued shapes, its statuses and its numbers (docs/platform.md
"Email", limits in docs/security.md).

    _outbox/{id}   one email: who, what (rendered), and where it is in its life
        queued -> sending -> sent
                         -> retrying -> sending ...   (a transient SMTP failure)
                         -> failed                    (permanent, or MAX_ATTEMPTS spent)
        queued -> dropped                             (over the rate limit, no address)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.accounts.models import Settings

OutboxStatus = Literal["queued", "sending", "retrying", "sent", "failed", "dropped"]
FINAL_STATUSES: Final = ("sent", "failed", "dropped")

# Which notification kinds go by email, and under which preference (an unsubscribe link
# names the preference). Kinds not listed here never go by email.
PREFERENCE_OF: Final[dict[str, str]] = {
    "reminder": "reminders",
    "briefing": "briefing",
    "export": "exports",
    "workflow": "workflows",
}

MAX_SUBJECT_CHARS: Final = 150  # after control characters are folded into spaces
MAX_TEXT_CHARS: Final = 4_000  # the notification body is at most 2,000 already
# A notification older than this when its trigger runs is not emailed (a trigger retried
# for hours must not mail yesterday's reminder).
MAX_NOTIFICATION_AGE: Final = timedelta(hours=1)
# Sending: an SMTP exchange takes seconds; a claim older than this is a dead instance's.
LEASE: Final = timedelta(seconds=90)
SMTP_TIMEOUT_S: Final = 20.0
# A retry's task that arrives this much before its time still runs (clocks differ a
# little); one earlier is a stale task of an earlier attempt, and is acknowledged.
EARLY_SLACK: Final = timedelta(seconds=5)
# Waits before each retry after a transient failure (4xx, connection lost): attempt n
# (1-based) that failed is followed by BACKOFF_S[n - 1] seconds. Greylisting relays ask
# for minutes, so the tail reaches half an hour; MAX_ATTEMPTS in all.
BACKOFF_S: Final[tuple[int, ...]] = (5, 30, 120, 600, 1_800)
MAX_ATTEMPTS: Final = len(BACKOFF_S) + 1
# Outbox documents are removed this long after they were queued (cleanup_retention).
OUTBOX_RETENTION: Final = timedelta(days=30)
SEND_QUEUE: Final = "sendemail"
# `sweep` queues again the task of an email still `queued` this long after it was
# created, or `retrying` this long past its time (its task was lost), SWEEP_LIMIT of each.
LOST_AFTER: Final = timedelta(minutes=5)
SWEEP_LIMIT: Final = 200


def backoff(attempt: int) -> timedelta | None:
    """The wait after failed attempt `attempt` (1-based), or None when none is left."""
    if attempt < 1:
        msg = "attempts are counted from 1"
        raise ValueError(msg)
    if attempt > len(BACKOFF_S):
        return None
    return timedelta(seconds=BACKOFF_S[attempt - 1])


def preference_for(settings: Settings, notification_kind: str) -> str | None:
    """The preference under which a notification of `notification_kind` is emailed to a
    user with `settings`, or None when it is not (email off, that kind off, or a kind
    that never goes by email)."""
    preference = PREFERENCE_OF.get(notification_kind)
    if preference is None or not settings.email.enabled:
        return None
    return preference if getattr(settings.email.kinds, preference) else None


class SendEmailTask(BaseModel):
    """The Cloud Tasks payload of `sendemail`: the outbox id only."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    outbox_id: str = Field(alias="outboxId", pattern=r"^[0-9a-f]{40}$")


class Recipient(BaseModel):
    """The account's address as Firebase Auth knows it."""

    model_config = ConfigDict(frozen=True)

    email: str | None
    verified: bool

"""Retention: how long Firestore keeps what only grows, and the cleanup that enforces it.

One table, `RULES`: each rule names a collection (top-level) or a per-user subcollection
(a collection group), the timestamp field that dates a document, and the age past which
the document goes. A rule whose age is zero deletes what is past its own expiry (the
field holds the instant it expires: `expiresAt`).

    rule              where                                 field      kept for
    events            events/{id}                           time       90 days
    execution-logs    users/{uid}/executions/{eid}/logs     time       30 days
    notifications     users/{uid}/notifications/{nid}       readAt     90 days after read
    ai-cache          _aiCache/{sha256}                     expiresAt  until it expires
    rate-limits       _rateLimits/{id}                      expiresAt  until it expires
    active-markers    _analytics/active-{day}-{h}           expiresAt  until it expires
    audit             audit/{id}                            time       AUDIT_RETENTION_DAYS
    exports           users/{uid}/exports/{exportId}        expiresAt  until the link expires
                      (not deleted: the archive object is deleted and the export marked
                      `expired`, by `shared.platform.export.expire`)
    stripe-events     _stripeEvents/{eventId}               receivedAt STRIPE_EVENTS_DAYS

Unread notifications are kept however old (they have no `readAt`, so the range query on
it never matches them): the inbox is where a user learns of something, and deleting what
they never saw would lose it silently. Marking read (one, or all) starts their 90 days.
The AI cache holds both gateway responses and embedding vectors; both carry `expiresAt`.

`cleanup(db, now=..., budget=...)` deletes, per rule, the oldest documents past the age
(`field < now - age`, ordered by `field`, ids only), at most PER_RULE a rule and `budget`
(PER_RUN) a run, in batches of at most BATCH. What is left stays for the next run; the
report says which rules have more. It is idempotent by construction: it only ever
deletes what is past its age when it runs, and a delete of a document already gone is a
no-op, so a second (or an overlapping) run deletes nothing the first did not leave.

In production Firestore's TTL policies (infra/provision.sh) also delete the `expiresAt`
collections; TTL needs a field holding the expiry instant, which events, logs,
notifications and audit entries do not have, so for those the cleanup is the mechanism.
The emulator runs no TTL at all: there the cleanup is all there is, and all tests see.

Indexes: top-level rules use the automatic single-field index. The collection-group rules
need a collection-group-scope ascending index on their field (`logs.time`,
`notifications.readAt`): `fieldOverrides` in firestore.indexes.json. The emulator needs
none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared import audit, registry
from shared.ai import repository as ai_repository
from shared.billing import repository as billing_repository
from shared.email import repository as email_repository
from shared.events import repository as events_repository
from shared.notifications import repository as notifications_repository
from shared.platform import analytics, export, logs, ratelimit

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, Query

EVENTS_DAYS = 90
EXECUTION_LOGS_DAYS = 30
READ_NOTIFICATIONS_DAYS = 90
AUDIT_RETENTION_DAYS = audit.AUDIT_RETENTION_DAYS  # the audit log's own setting
# Stripe webhook event records (dedupe and a trail of what each event did). Stripe retries
# a delivery for at most 3 days and keeps events (so can resend one) for 30; a record
# outlives both threefold. Past that, a redelivered event is still harmless: the state is
# read from Stripe's API and an older event is `stale` against `_billing.eventCreated`.
STRIPE_EVENTS_DAYS = 90

PER_RULE = 500  # documents one rule deletes in one run, at most
PER_RUN = 2_000  # documents one run deletes in all, at most (the default budget)
BATCH = 400  # deletes per batch commit (Firestore allows 500 writes)


@dataclass(frozen=True)
class Rule:
    """Delete documents of `path` whose `field` is older than `max_age`.

    `path` is a top-level collection (`events`) or a registered user collection
    (`executions/*/logs`), which is queried as a collection group and held to
    `users/{uid}/<path>` (see `matches`). A zero `max_age` means `field` is an expiry.
    With `expire`, the documents found are handed to it instead of deleted (it must
    clear `field`, or the rule would find them again).
    """

    name: str
    path: str
    field: str
    max_age: timedelta
    expire: Callable[..., None] | None = None

    @property
    def per_user(self) -> bool:
        return self.path in _USER_PATHS

    @property
    def group(self) -> str:
        """The collection id the query runs on."""
        return self.path.rsplit("/", 1)[-1]

    def cutoff(self, now: datetime) -> datetime:
        """Documents whose `field` is before this instant are past their age."""
        if now.tzinfo is None:
            msg = "now must be timezone-aware"
            raise ValueError(msg)
        return now - self.max_age

    def matches(self, doc_path: str) -> bool:
        """Whether a document found by the query lives where this rule means (a
        collection-group query finds every collection with that id, anywhere)."""
        parts = doc_path.split("/")
        pattern = ([registry.USERS, "*"] if self.per_user else []) + self.path.split("/")
        if len(parts) != len(pattern) + 1:
            return False
        return all(want in ("*", got) for want, got in zip(pattern, parts[:-1], strict=True))


_USER_PATHS = frozenset(c.path for c in registry.USER_COLLECTIONS)

RULES: tuple[Rule, ...] = (
    Rule("events", events_repository.EVENTS, "time", timedelta(days=EVENTS_DAYS)),
    Rule("execution-logs", "executions/*/logs", "time", timedelta(days=EXECUTION_LOGS_DAYS)),
    Rule(
        "notifications",
        notifications_repository.NOTIFICATIONS,
        "readAt",
        timedelta(days=READ_NOTIFICATIONS_DAYS),
    ),
    Rule("ai-cache", ai_repository.CACHE, "expiresAt", timedelta(0)),
    Rule("rate-limits", ratelimit.COLLECTION, "expiresAt", timedelta(0)),
    # Only the active-user markers carry `expiresAt`; the day's counters are kept.
    Rule("active-markers", analytics.COLLECTION, "expiresAt", timedelta(0)),
    Rule("audit", audit.AUDIT, "time", timedelta(days=AUDIT_RETENTION_DAYS)),
    Rule("exports", export.EXPORTS, "expiresAt", timedelta(0), expire=export.expire),
    # Emails, sent or not, 30 days after they were queued (shared/email/models.py).
    Rule("email-outbox", email_repository.OUTBOX, "expiresAt", timedelta(0)),
    Rule(
        "stripe-events",
        billing_repository.STRIPE_EVENTS,
        "receivedAt",
        timedelta(days=STRIPE_EVENTS_DAYS),
    ),
)


@dataclass
class Report:
    """What one run did: documents deleted per rule, the rules with more left, and the
    rules that failed (logged; the others still ran)."""

    deleted: dict[str, int] = field(default_factory=dict)
    more: dict[str, bool] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    @property
    def any_more(self) -> bool:
        return any(self.more.values())

    def as_log(self) -> dict[str, Any]:
        return {
            "deleted": dict(self.deleted),
            "total": self.total,
            "more": sorted(name for name, more in self.more.items() if more),
            "failed": list(self.failed),
        }


def _query(db: Client, rule: Rule, now: datetime) -> Query:
    """The rule's documents past their age, oldest first, ids only."""
    from google.cloud.firestore import FieldFilter

    source = db.collection_group(rule.group) if rule.per_user else db.collection(rule.path)
    query: Query = (
        source.where(filter=FieldFilter(rule.field, "<", rule.cutoff(now)))
        .order_by(rule.field)
        .select(["__name__"])  # ids only
    )
    return query


def _delete(db: Client, refs: list[DocumentReference]) -> None:
    for start in range(0, len(refs), BATCH):
        batch = db.batch()
        for ref in refs[start : start + BATCH]:
            batch.delete(ref)
        batch.commit()


def apply(db: Client, rule: Rule, *, now: datetime, limit: int) -> tuple[int, bool]:
    """Delete up to `limit` of `rule`'s documents past their age, oldest first.

    Returns:
        (deleted, more): how many were deleted and whether more past the age remain
        (with `limit` 0, only whether any are there: one read).
    """
    found = list(_query(db, rule, now).limit(limit + 1).stream())
    more = len(found) > limit
    refs = [
        snapshot.reference for snapshot in found[:limit] if rule.matches(snapshot.reference.path)
    ]
    if rule.expire is not None:
        rule.expire(db, refs, now=now)
    else:
        _delete(db, refs)
    return len(refs), more


def cleanup(
    db: Client,
    *,
    now: datetime,
    budget: int = PER_RUN,
    rules: tuple[Rule, ...] = RULES,
) -> Report:
    """One retention run: every rule in turn, each up to PER_RULE, all within `budget`.

    A rule that fails (a missing index in production, a transient error) is logged and
    reported, and the next rule still runs; its documents wait for the next run.
    """
    report = Report()
    left = budget
    for rule in rules:
        try:
            deleted, more = apply(db, rule, now=now, limit=min(PER_RULE, left))
        except Exception as exc:  # one rule must not stop the others
            logs.error("retention rule failed", rule=rule.name, error=repr(exc)[:500])
            report.failed.append(rule.name)
            continue
        report.deleted[rule.name] = deleted
        report.more[rule.name] = more
        left -= deleted
    return report

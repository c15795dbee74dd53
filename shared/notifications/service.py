"""The inbox: putting a notification in it once, and marking notifications read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.notifications import repository
from shared.notifications.models import (
    BATCH_WRITES,
    MAX_MARKED_PER_CALL,
    MarkNotificationsRead,
    MarkNotificationsReadResult,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, Transaction

NOTIFICATIONS = repository.NOTIFICATIONS
MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 2_000


def notify_once(
    *,
    db: Client,
    uid: str,
    notification_id: str,
    title: str,
    body: str,
    kind: str,
    link: str | None,
    now: datetime,
    origin: dict[str, Any] | None = None,
    transaction: Transaction | None = None,
) -> str:
    """Create the notification under `notification_id` unless it exists (a retried step
    or a redelivered event derives the same id, so the user sees it once).

    `origin` is the workflow run that caused it, if any (see `shared.events.changes`).
    With `transaction`, the create is part of it (it commits with the caller's other
    writes; an existing notification then fails the commit with `AlreadyExists`, for the
    caller to handle). Returns the notification id.
    """
    from google.api_core.exceptions import AlreadyExists

    ref = repository.notification_ref(db, uid, notification_id)
    data = {
        "title": title[:MAX_TITLE_CHARS],
        "body": body[:MAX_BODY_CHARS],
        "kind": kind,
        "link": link,
        "read": False,
        "createdAt": now,
        "origin": origin,
    }
    if transaction is not None:
        transaction.create(ref, data)
        return notification_id
    with contextlib.suppress(AlreadyExists):  # created before: once is enough
        ref.create(data)
    return notification_id


def mark_read(
    *, db: Client, uid: str, command: MarkNotificationsRead, now: datetime
) -> MarkNotificationsReadResult:
    """Mark the caller's notifications read: the ones `command.ids` names, or with
    `command.all` every unread one (at most MAX_MARKED_PER_CALL per call).

    Ids of notifications that do not exist (or are someone else's: they are not under
    this user) are skipped, never created. Writes go in batches of BATCH_WRITES.
    Idempotent: a notification already read is not written again, so a repeated call
    changes nothing and answers `updated: 0`.

    Returns:
        How many notifications this call turned read, and whether unread ones remain
        beyond this call's bound (`more`, with `all` only).
    """
    if command.ids is not None:
        refs = [repository.notification_ref(db, uid, i) for i in dict.fromkeys(command.ids)]
        unread = [
            snapshot.reference
            for snapshot in db.get_all(refs, field_paths=["read"])
            if snapshot.exists and (snapshot.to_dict() or {}).get("read") is not True
        ]
        return MarkNotificationsReadResult(updated=_mark(db, unread, now))
    updated, after = 0, None
    while updated < MAX_MARKED_PER_CALL:
        limit = min(BATCH_WRITES, MAX_MARKED_PER_CALL - updated)
        page = repository.unread_page(db, uid, limit=limit, after=after)
        updated += _mark(db, [snapshot.reference for snapshot in page], now)
        if len(page) < limit:
            return MarkNotificationsReadResult(updated=updated)
        after = page[-1]
    more = bool(repository.unread_page(db, uid, limit=1, after=after))
    return MarkNotificationsReadResult(updated=updated, more=more)


def _mark(db: Client, refs: Iterable[DocumentReference], now: datetime) -> int:
    """Set `read` on `refs` in batches of BATCH_WRITES; returns how many were written.
    `update` requires the document to exist, so nothing is ever created here."""
    pending = list(refs)
    for start in range(0, len(pending), BATCH_WRITES):
        batch = db.batch()
        for ref in pending[start : start + BATCH_WRITES]:
            batch.update(ref, {"read": True, "readAt": now})
        batch.commit()
    return len(pending)

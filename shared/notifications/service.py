"""Putting a notification in a user's inbox, once."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import registry

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

NOTIFICATIONS = "notifications"
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
) -> str:
    """Create the notification under `notification_id` unless it exists (a retried step
    or a redelivered event derives the same id, so the user sees it once).

    `origin` is the workflow run that caused it, if any (see `shared.events.changes`).
    Returns the notification id.
    """
    from google.api_core.exceptions import AlreadyExists

    ref = registry.user_collection(db, uid, NOTIFICATIONS).document(notification_id)
    data = {
        "title": title[:MAX_TITLE_CHARS],
        "body": body[:MAX_BODY_CHARS],
        "kind": kind,
        "link": link,
        "read": False,
        "createdAt": now,
        "origin": origin,
    }
    with contextlib.suppress(AlreadyExists):  # created before: once is enough
        ref.create(data)
    return notification_id

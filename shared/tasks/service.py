"""Creating a to-do for a user, once (the full task feature builds on this)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import registry

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

TASKS = "tasks"
MAX_TITLE_CHARS = 200
MAX_NOTES_CHARS = 5_000


def create_once(
    *,
    db: Client,
    uid: str,
    task_id: str,
    title: str,
    notes: str | None,
    priority: int,
    due_at: datetime | None,
    tags: list[str],
    now: datetime,
    origin: dict[str, Any] | None = None,
) -> str:
    """Create the to-do under `task_id` unless it exists (a retried workflow step derives
    the same id). `origin` is the workflow run that created it, if any: the change event
    continues that run's causation chain. Returns the task id."""
    from google.api_core.exceptions import AlreadyExists

    ref = registry.user_collection(db, uid, TASKS).document(task_id)
    data = {
        "title": title[:MAX_TITLE_CHARS],
        "notes": notes[:MAX_NOTES_CHARS] if notes else None,
        "status": "todo",
        "priority": priority,
        "dueAt": due_at,
        "remindAt": None,
        "tags": tags,
        "createdAt": now,
        "completedAt": None,
        "origin": origin,
    }
    with contextlib.suppress(AlreadyExists):  # created before: once is enough
        ref.create(data)
    return task_id

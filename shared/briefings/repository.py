"""Where briefings live, and the bounded queries a briefing reads (the only module that
spells these paths and queries).

    users/{uid}/briefings/{YYYY-MM-DD}   one briefing per local day (owner reads)
    _briefingSlots/{uid}                 {uid, nextAt, timezone, time, enabled}: when the
                                         next one is due (server-only)

Queries, each bounded and each served by an index in `firestore.indexes.json` or a
single-field one:

    _briefingSlots       nextAt <= now, ordered by nextAt            (single-field)
    tasks                status in [todo, doing], dueAt < day end    (status, dueAt)
    tasks                status in [todo, doing], remindAt in day    (status, remindAt)
    calendar             endAt > day start, ordered by endAt         (single-field)
    calendar             recurrence != null                          (single-field)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import registry
from shared.calendar import repository as calendar
from shared.tasks import repository as tasks

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        DocumentSnapshot,
    )

BRIEFINGS = "briefings"
BRIEFING_SLOTS = "_briefingSlots"
OPEN_STATUSES = ["todo", "doing"]


def slots(db: Client) -> CollectionReference:
    """`_briefingSlots`."""
    collection: CollectionReference = db.collection(BRIEFING_SLOTS)
    return collection


def slot_ref(db: Client, uid: str) -> DocumentReference:
    ref: DocumentReference = slots(db).document(uid)
    return ref


def due_slots(
    db: Client, *, now: datetime, limit: int, after: DocumentSnapshot[Any] | None = None
) -> list[DocumentSnapshot[Any]]:
    """Up to `limit` slots due at `now` (`nextAt <= now`), earliest first, after `after`
    (the last slot of the previous page)."""
    from google.cloud.firestore import FieldFilter

    query = slots(db).where(filter=FieldFilter("nextAt", "<=", now)).order_by("nextAt").limit(limit)
    if after is not None:
        query = query.start_after(after)
    return list(query.stream())


def briefings_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/briefings`."""
    return registry.user_collection(db, uid, BRIEFINGS)


def briefing_ref(db: Client, uid: str, day: str) -> DocumentReference:
    ref: DocumentReference = briefings_of(db, uid).document(day)
    return ref


def _rows(snapshots: Any) -> list[dict[str, Any]]:
    return [{"id": s.id, **(s.to_dict() or {})} for s in snapshots]


def open_tasks_due_before(
    db: Client, uid: str, *, end: datetime, limit: int
) -> list[dict[str, Any]]:
    """Open tasks (todo or doing) due before `end` (today's and overdue), earliest first."""
    from google.cloud.firestore import FieldFilter

    query = (
        tasks.tasks_of(db, uid)
        .where(filter=FieldFilter("status", "in", OPEN_STATUSES))
        .where(filter=FieldFilter("dueAt", "<", end))
        .order_by("dueAt")
        .limit(limit)
    )
    return _rows(query.stream())


def open_tasks_reminding_between(
    db: Client, uid: str, *, start: datetime, end: datetime, limit: int
) -> list[dict[str, Any]]:
    """Open tasks whose reminder (`remindAt`) falls in [start, end), earliest first."""
    from google.cloud.firestore import FieldFilter

    query = (
        tasks.tasks_of(db, uid)
        .where(filter=FieldFilter("status", "in", OPEN_STATUSES))
        .where(filter=FieldFilter("remindAt", ">=", start))
        .where(filter=FieldFilter("remindAt", "<", end))
        .order_by("remindAt")
        .limit(limit)
    )
    return _rows(query.stream())


def events_ending_after(
    db: Client, uid: str, *, start: datetime, limit: int
) -> list[dict[str, Any]]:
    """Events whose first occurrence ends after `start`, soonest first (one-off events
    of the day and later; a series whose first occurrence is still ahead)."""
    from google.cloud.firestore import FieldFilter

    query = (
        calendar.events_of(db, uid)
        .where(filter=FieldFilter("endAt", ">", start))
        .order_by("endAt")
        .limit(limit)
    )
    return _rows(query.stream())


def recurring_events(db: Client, uid: str, *, limit: int) -> list[dict[str, Any]]:
    """Events with a recurrence (their occurrences are computed, not stored)."""
    from google.cloud.firestore import FieldFilter

    query = (
        calendar.events_of(db, uid).where(filter=FieldFilter("recurrence", "!=", None)).limit(limit)
    )
    return _rows(query.stream())

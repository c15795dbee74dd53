"""Where the inbox lives (the only module that spells its path).

users/{uid}/notifications/{nid}   title, body, kind, link, read, createdAt, origin,
                                  readAt (once read); the owner reads, the server writes
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared import registry

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        DocumentSnapshot,
    )

NOTIFICATIONS = "notifications"


def notifications_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/notifications`."""
    return registry.user_collection(db, uid, NOTIFICATIONS)


def notification_ref(db: Client, uid: str, notification_id: str) -> DocumentReference:
    ref: DocumentReference = notifications_of(db, uid).document(notification_id)
    return ref


def unread_page(
    db: Client, uid: str, *, limit: int, after: DocumentSnapshot[Any] | None = None
) -> list[DocumentSnapshot[Any]]:
    """Up to `limit` unread notifications (ids only, no fields), in id order, after
    `after`. An equality filter ordered by document id: single-field indexes serve it
    (no composite index)."""
    from google.cloud.firestore import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    query = (
        notifications_of(db, uid)
        .where(filter=FieldFilter("read", "==", False))
        .order_by(FieldPath.document_id())
        .select([FieldPath.document_id()])  # the name alone: no field is needed
        .limit(limit)
    )
    if after is not None:
        query = query.start_after(after)
    return list(query.stream())

"""Where email lives (the only module that spells its paths).

_outbox/{id}   server-only; `id` = server_key("email", uid, notificationId), so the
               same notification always names the same email
    uid, kind (preference), notificationId, to, subject, text, html, unsubscribeUrl,
    plan, status, attempts, reason, lastError, leaseUntil, nextAttemptAt, createdAt,
    sentAt, expiresAt (cleanup_retention removes it after OUTBOX_RETENTION)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

OUTBOX = "_outbox"


def outbox_id(uid: str, notification_id: str) -> str:
    return server_key("email", uid, notification_id)


def outbox_ref(db: Client, outbox_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(OUTBOX).document(outbox_id)
    return ref

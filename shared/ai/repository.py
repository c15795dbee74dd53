"""Every Firestore path of the AI gateway: the usage ledger and the response cache.

users/{uid}/usage/{YYYY-MM-DD}   the day's ledger (UTC): requests, tokens, cost and the
                                 reservations still held (server-written, owner reads)
_aiCache/{sha256}                exact-match response cache (server-only)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shared import registry

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

USAGE = "usage"
CACHE = "_aiCache"


def usage_day(now: datetime) -> str:
    """The ledger's day: UTC, so a user's quota resets at one instant worldwide."""
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def usage_ref(db: Client, uid: str, now: datetime) -> DocumentReference:
    ref: DocumentReference = registry.user_collection(db, uid, USAGE).document(usage_day(now))
    return ref


def cache_ref(db: Client, key: str) -> DocumentReference:
    ref: DocumentReference = db.collection(CACHE).document(key)
    return ref

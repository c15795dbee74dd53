"""Every Firestore path of the event bus: the event history and its daily counters.

events/{eventId}                         one recorded event (server-written; the owner
                                         reads their own: `uid` names them)
_analytics/events-{day}-{shard}          the day's counters, sharded (server-only)
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

EVENTS = "events"
ANALYTICS = "_analytics"
# One document per day would take every event's write: a hot spot at scale.
COUNTER_SHARDS = 10


def event_ref(db: Client, event_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(EVENTS).document(event_id)
    return ref


def day_counter_ref(db: Client, day: str, event_id: str) -> DocumentReference:
    """The counter shard of `day` an event is counted in (picked by its id's hash)."""
    shard = zlib.crc32(event_id.encode()) % COUNTER_SHARDS
    ref: DocumentReference = db.collection(ANALYTICS).document(f"events-{day}-{shard}")
    return ref


def events_counted(db: Client, day: str) -> int:
    """Events recorded on `day` (UTC), summed over the counter shards."""
    from google.cloud.firestore import FieldFilter

    docs = db.collection(ANALYTICS).where(filter=FieldFilter("day", "==", day)).stream()
    return sum(int((doc.to_dict() or {}).get("total", 0)) for doc in docs)

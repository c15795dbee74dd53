"""Where the decision engine keeps its data: every Firestore path it uses, and nothing else.

users/{uid}/decisions/{did}              a decision (owner reads; only the server writes)
users/{uid}/decisionStats/current        the user's calibration and its figures (same)
_rateLimits/...                          the daily decision count (`shared.platform.ratelimit`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared import registry
from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, CollectionReference, DocumentReference

DECISIONS = "decisions"
DECISION_STATS = "decisionStats"
CURRENT = "current"
EMBEDDING_FIELD = "embedding"


def decisions_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/decisions`."""
    return registry.user_collection(db, uid, DECISIONS)


def decision_ref(db: Client, uid: str, decision_id: str) -> DocumentReference:
    ref: DocumentReference = decisions_of(db, uid).document(decision_id)
    return ref


def stats_ref(db: Client, uid: str) -> DocumentReference:
    """`users/{uid}/decisionStats/current`."""
    ref: DocumentReference = registry.user_collection(db, uid, DECISION_STATS).document(CURRENT)
    return ref


def decision_id_for(uid: str, request_id: str) -> str:
    """The id of the decision a request with `request_id` makes (the same on every retry)."""
    return "d-" + server_key("decision", uid, request_id)[:24]


def nearest_with_outcome(
    db: Client, uid: str, vector: list[float], *, limit: int
) -> list[tuple[str, dict[str, Any]]]:
    """The `limit` past decisions with a recorded outcome nearest to `vector` (cosine),
    nearest first: (id, stored fields without the embedding, plus `distance`)."""
    from google.cloud.firestore import FieldFilter
    from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
    from google.cloud.firestore_v1.vector import Vector

    query: Any = (
        decisions_of(db, uid)
        .where(filter=FieldFilter("hasOutcome", "==", True))
        .find_nearest(
            vector_field=EMBEDDING_FIELD,
            query_vector=Vector(vector),
            distance_measure=DistanceMeasure.COSINE,
            limit=limit,
            distance_result_field="distance",
        )
    )
    found = []
    for snapshot in query.get():
        data = snapshot.to_dict() or {}
        data.pop(EMBEDDING_FIELD, None)
        found.append((snapshot.id, data))
    return found

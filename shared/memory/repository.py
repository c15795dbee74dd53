"""Where memories live: every Firestore path and query the memory feature uses.

users/{uid}/memories/{id}     a memory (owner reads; only the server writes); `embedding`
                              is a top-level Vector(256) searched by `find_nearest` with
                              the vector index [active ASC, embedding] (firestore.indexes.json)

Ids: `memory_id(text_key, n)` = server_key("memory", textKey, n) for the smallest n not
taken by a stored memory with that textKey. The id is a function of the text and of what
is stored, so a redelivered `remember` or `update_memory` computes the id its first
delivery used, and `create` lets only one of them write it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared import registry
from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        DocumentSnapshot,
        Transaction,
    )

MEMORIES = "memories"
EMBEDDING = "embedding"
DISTANCE = "distance"
MAX_NEAREST = 1_000  # find_nearest's largest limit


def memories_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/memories`."""
    return registry.user_collection(db, uid, MEMORIES)


def memory_ref(db: Client, uid: str, memory_id: str) -> DocumentReference:
    ref: DocumentReference = memories_of(db, uid).document(memory_id)
    return ref


def memory_id(key: str, n: int) -> str:
    return server_key("memory", key, str(n))


def with_text_key(
    db: Client, uid: str, key: str, transaction: Transaction | None = None
) -> list[DocumentSnapshot[Any]]:
    """Every stored memory (active or not) whose textKey is `key`."""
    from google.cloud.firestore import FieldFilter

    query = memories_of(db, uid).where(filter=FieldFilter("textKey", "==", key))
    return list(query.get(transaction=transaction))


def free_id(key: str, taken: set[str]) -> str:
    """The first `memory_id(key, n)` not in `taken`."""
    n = 0
    while memory_id(key, n) in taken:
        n += 1
    return memory_id(key, n)


def count(db: Client, uid: str, *, active_only: bool, transaction: Transaction | None) -> int:
    """How many memories the user keeps (active ones, or every stored version)."""
    from google.cloud.firestore import FieldFilter

    query: Any = memories_of(db, uid)
    if active_only:
        query = query.where(filter=FieldFilter("active", "==", True))
    result = query.count().get(transaction=transaction)
    return int(result[0][0].value)


def any_active(db: Client, uid: str) -> bool:
    """Whether the user keeps at least one active memory (one read, of at most one
    document, no embedding: a chat turn asks before it pays for an embedding)."""
    from google.cloud.firestore import FieldFilter

    query = memories_of(db, uid).where(filter=FieldFilter("active", "==", True))
    return bool(query.select(["active"]).limit(1).get())


def superseding(db: Client, uid: str, memory_id: str) -> list[DocumentSnapshot[Any]]:
    """The memories that name `memory_id` as what superseded them."""
    from google.cloud.firestore import FieldFilter

    query = memories_of(db, uid).where(filter=FieldFilter("supersededBy", "==", memory_id))
    return list(query.get())


def nearest(
    db: Client, uid: str, vector: list[float], *, limit: int, threshold: float
) -> list[DocumentSnapshot[Any]]:
    """Active memories by cosine distance to `vector`, nearest first, each with the
    distance in its `distance` field (the embedding itself is not read back)."""
    from google.cloud.firestore import FieldFilter
    from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
    from google.cloud.firestore_v1.vector import Vector

    query = memories_of(db, uid).where(filter=FieldFilter("active", "==", True))
    found: Any = query.find_nearest(
        vector_field=EMBEDDING,
        query_vector=Vector(vector),
        distance_measure=DistanceMeasure.COSINE,
        limit=limit,
        distance_result_field=DISTANCE,
        distance_threshold=threshold,
    )
    return list(found.get())

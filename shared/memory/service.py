"""Memories: remember, recall (by meaning), correct, forget.

A memory is one short text the user wants Aura to keep, with its embedding (a top-level
Vector searched by Firestore's `find_nearest`, cosine distance). Corrections never
overwrite: `update_memory` writes the new text as a new active memory that `supersedes`
the old one, and the old one turns inactive with `supersededBy`, so the chain is the
memory's history. `forget` deletes a memory with its whole chain (a text the user asked
to forget goes entirely). Expired memories (`expiresAt` passed) stay stored but are
never recalled.

Idempotency: `remember` returns the active memory with the same normalised text
(`textKey`) instead of writing another one or replacing it; ids derive from the textKey
(`shared.memory.repository`), so a double delivery creates one document. An update whose
old memory is already superseded by the same text returns that one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import registry
from shared.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    stale_version,
)
from shared.memory import repository
from shared.memory.models import (
    DEFAULT_DISTANCE_THRESHOLD,
    DEFAULT_RECALL_LIMIT,
    MAX_MEMORIES,
    MAX_QUERY_CHARS,
    MAX_STORED_MEMORIES,
    MAX_TEXT_CHARS,
    Forget,
    ForgetResult,
    Kind,
    MemoryDoc,
    Provenance,
    Recalled,
    Remember,
    RememberResult,
    Source,
    UpdateMemory,
    UpdateMemoryResult,
    text_key,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentSnapshot, Transaction

    from shared.ai.gateway import Gateway

# find_nearest is asked for this many more than wanted: expired memories are dropped after
# the search (the expiry cannot be a pre-filter of a vector query on an equality index).
EXPIRED_SLACK = 5
DELETE_BATCH = 400  # deletes per batch when forgetting everything (Firestore allows 500)
MAX_CHAIN = 200  # versions followed when forgetting one memory's chain


def plan_of(db: Client, uid: str) -> str:
    """The user's plan (the profile's `plan`; "free" without a profile), for AI quotas."""
    snapshot = registry.profile_ref(db, uid).get()
    plan = (snapshot.to_dict() or {}).get("plan") if snapshot.exists else None
    return plan if isinstance(plan, str) else "free"


def _embed(gateway: Gateway, text: str, *, uid: str, plan: str) -> tuple[list[float], str]:
    result = gateway.embed([text], uid=uid, plan=plan)
    return result.vectors[0], result.model


def _too_many(limit: int, what: str) -> ResourceExhausted:
    return ResourceExhausted(
        f"You keep {limit:,} {what}, the most one account can keep; forget some first.",
        details={"limit": "memories", "max": limit},
    )


def _check_text(text: str, field: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise InvalidArgument(f"{field}: a memory cannot be empty", field=field)
    if len(stripped) > MAX_TEXT_CHARS:
        raise InvalidArgument(
            f"{field}: a memory can be at most {MAX_TEXT_CHARS} characters", field=field
        )
    return stripped


def _doc(snapshot: DocumentSnapshot[Any]) -> MemoryDoc:
    return MemoryDoc.model_validate(snapshot.to_dict())


# --- remember ---------------------------------------------------------------------------


def remember(
    *,
    db: Client,
    gateway: Gateway,
    uid: str,
    plan: str,
    command: Remember,
    now: datetime,
    source: Source = "explicit",
    provenance: dict[str, Any] | None = None,
) -> RememberResult:
    """Keep `command.text` as an active memory (embedded once, through the gateway).

    One transaction reads the memories with the same textKey and the count of active
    ones, then creates the memory with the first free id for its textKey.

    Returns:
        The memory's id; `created` False when an active memory with the same normalised
        text was already kept (it is returned, never replaced; if it had expired, it is
        kept again with this command's `expiresAt`).

    Raises:
        InvalidArgument: `expiresAt` is not in the future, or `provenance` is malformed.
        ResourceExhausted: the user keeps MAX_MEMORIES active memories (nothing written).
        FailedPrecondition, ResourceExhausted, Unavailable: from the gateway's `embed`
            (no OpenAI key, over the AI quota, the provider down).
    """
    from google.api_core import exceptions
    from google.cloud import firestore
    from google.cloud.firestore_v1.vector import Vector

    text = _check_text(command.text, "text")
    if command.expires_at is not None and command.expires_at <= now:
        raise InvalidArgument("expiresAt: must be in the future", field="expiresAt")
    origin = _provenance(provenance)
    key = text_key(text)
    found = _active_with_key(db, uid, key)
    if found is not None and not _doc(found).expired(now):  # the usual repeat: no new call
        return RememberResult(id=found.id, created=False)
    embedded: list[tuple[list[float], str]] = []

    def embedding() -> tuple[list[float], str]:
        if not embedded:
            embedded.append(_embed(gateway, text, uid=uid, plan=plan))
        return embedded[0]

    if found is None:
        if repository.count(db, uid, active_only=True, transaction=None) >= MAX_MEMORIES:
            raise _too_many(MAX_MEMORIES, "memories")
        embedding()  # before the transaction, so a retried transaction calls nothing

    @firestore.transactional
    def apply(transaction: Transaction) -> RememberResult:
        same = repository.with_text_key(db, uid, key, transaction)
        active = next((s for s in same if _doc(s).active), None)
        if active is not None:
            kept = _doc(active)
            if kept.expired(now):  # the same text again brings an expired memory back
                revived = {"expiresAt": command.expires_at, "updatedAt": now}
                transaction.update(active.reference, {**revived, "version": kept.version + 1})
            return RememberResult(id=active.id, created=False)
        if repository.count(db, uid, active_only=True, transaction=transaction) >= MAX_MEMORIES:
            raise _too_many(MAX_MEMORIES, "memories")
        vector, model = embedding()
        memory_id = repository.free_id(key, {s.id for s in same})
        doc = MemoryDoc(
            text=text,
            text_key=key,
            embedding_model=model,
            kind=command.kind,
            source=source,
            provenance=origin,
            expires_at=command.expires_at,
            created_at=now,
            updated_at=now,
        )
        ref = repository.memory_ref(db, uid, memory_id)
        transaction.create(ref, {**doc.to_firestore(), repository.EMBEDDING: Vector(vector)})
        return RememberResult(id=memory_id, created=True)

    try:
        result: RememberResult = apply(db.transaction())
    except exceptions.AlreadyExists:  # a concurrent delivery created it first
        result = apply(db.transaction())
    return result


def _active_with_key(db: Client, uid: str, key: str) -> DocumentSnapshot[Any] | None:
    return next((s for s in repository.with_text_key(db, uid, key) if _doc(s).active), None)


def _provenance(provenance: dict[str, Any] | None) -> Provenance | None:
    if provenance is None:
        return None
    from pydantic import ValidationError

    try:
        return Provenance.model_validate(provenance)
    except ValidationError as exc:
        raise InvalidArgument(f"provenance: {exc.errors()[0]['msg']}", field="provenance") from None


# --- recall -----------------------------------------------------------------------------


def recall(
    *,
    db: Client,
    gateway: Gateway,
    uid: str,
    plan: str,
    query: str,
    limit: int = DEFAULT_RECALL_LIMIT,
    threshold: float = DEFAULT_DISTANCE_THRESHOLD,
    now: datetime,
) -> list[Recalled]:
    """The user's active, unexpired memories nearest in meaning to `query`.

    Returns:
        At most `limit` memories whose cosine distance to the query is at most
        `threshold`, nearest first (none: nothing is close enough).

    Raises:
        InvalidArgument: an empty or too long query (`query`).
        FailedPrecondition, ResourceExhausted, Unavailable: from the gateway's `embed`.
    """
    query = query.strip()
    if not query or len(query) > MAX_QUERY_CHARS:
        raise InvalidArgument(
            f"query: give 1 to {MAX_QUERY_CHARS} characters to search for", field="query"
        )
    vector, _ = _embed(gateway, query, uid=uid, plan=plan)
    return nearest(db=db, uid=uid, vector=vector, limit=limit, threshold=threshold, now=now)


def nearest(
    *,
    db: Client,
    uid: str,
    vector: list[float],
    limit: int = DEFAULT_RECALL_LIMIT,
    threshold: float = DEFAULT_DISTANCE_THRESHOLD,
    now: datetime,
) -> list[Recalled]:
    """`recall` for a vector already computed (chat and decisions embed a message once
    and reuse it). Expired memories are dropped after the search."""
    wanted = min(limit + EXPIRED_SLACK, repository.MAX_NEAREST)
    found = repository.nearest(db, uid, vector, limit=wanted, threshold=threshold)
    recalled: list[Recalled] = []
    for snapshot in found:
        data = snapshot.to_dict() or {}
        distance = float(data.get(repository.DISTANCE, 2.0))
        doc = MemoryDoc.model_validate(data)
        # The threshold is also checked here: the search's own check is the index's.
        if not doc.active or doc.expired(now) or distance > threshold:
            continue
        recalled.append(doc.recalled(snapshot.id, distance))
    recalled.sort(key=lambda memory: memory.distance)
    return recalled[:limit]


# --- update -----------------------------------------------------------------------------


def update_memory(
    *, db: Client, gateway: Gateway, uid: str, plan: str, command: UpdateMemory, now: datetime
) -> UpdateMemoryResult:
    """Correct a memory: the new text becomes a new active memory that supersedes it.

    Raises:
        NotFound: no such memory (or it is someone else's).
        FailedPrecondition: `expectedVersion` is stale, or the memory was already
            superseded by another text (reason "superseded"; correct the newest one).
        ResourceExhausted: MAX_STORED_MEMORIES versions are stored.
    """
    return supersede(
        db=db,
        gateway=gateway,
        uid=uid,
        plan=plan,
        old_id=command.id,
        text=command.text,
        kind=command.kind,
        expected_version=command.expected_version,
        now=now,
        source="explicit",
        provenance=None,
    )


def supersede(
    *,
    db: Client,
    gateway: Gateway,
    uid: str,
    plan: str,
    old_id: str,
    text: str,
    now: datetime,
    source: Source = "explicit",
    provenance: dict[str, Any] | None = None,
    kind: Kind | None = None,
    expected_version: int | None = None,
) -> UpdateMemoryResult:
    """Replace memory `old_id` by `text` (see `update_memory`; chat extraction passes
    `source="chat"` and the provenance of the message that corrected it).

    The new memory keeps the old one's `expiresAt` and, unless `kind` is given, its kind.
    If an active memory with the new text already exists, the old one is superseded by
    it (no duplicate is written). The same text as the old one only updates `kind`.
    """
    from google.api_core import exceptions
    from google.cloud import firestore
    from google.cloud.firestore_v1.vector import Vector

    text = _check_text(text, "text")
    origin = _provenance(provenance)
    key = text_key(text)
    old_ref = repository.memory_ref(db, uid, old_id)
    first = old_ref.get()
    if not first.exists:
        raise NotFound(f"There is no memory '{old_id}'.")
    if _doc(first).active and _doc(first).text_key != key:
        vector, model = _embed(gateway, text, uid=uid, plan=plan)
    else:
        vector, model = [], ""  # nothing new to write (a repeat, or only the kind changes)

    @firestore.transactional
    def apply(transaction: Transaction) -> UpdateMemoryResult:
        snapshot = old_ref.get(transaction=transaction)
        if not snapshot.exists:
            raise NotFound(f"There is no memory '{old_id}'.")
        old = _doc(snapshot)
        same = repository.with_text_key(db, uid, key, transaction)
        if not old.active:
            if old.superseded_by and any(s.id == old.superseded_by for s in same):
                return UpdateMemoryResult(id=old.superseded_by, supersedes=old_id)
            raise FailedPrecondition(
                f"Memory '{old_id}' was already corrected; correct its newest version.",
                details={"reason": "superseded", "supersededBy": old.superseded_by},
            )
        if expected_version is not None and expected_version != old.version:
            raise stale_version("Memory", old_id, expected=expected_version, current=old.version)
        if old.text_key == key:  # the same text: at most the kind changes
            if kind is not None and kind != old.kind:
                transaction.update(
                    old_ref, {"kind": kind, "updatedAt": now, "version": old.version + 1}
                )
            return UpdateMemoryResult(id=old_id, supersedes=old.supersedes)
        retire = {"active": False, "updatedAt": now, "version": old.version + 1}
        existing = next((s for s in same if _doc(s).active), None)
        if existing is not None:  # the corrected text is already a memory: point at it
            transaction.update(old_ref, {**retire, "supersededBy": existing.id})
            return UpdateMemoryResult(id=existing.id, supersedes=old_id)
        stored = repository.count(db, uid, active_only=False, transaction=transaction)
        if stored >= MAX_STORED_MEMORIES:
            raise _too_many(MAX_STORED_MEMORIES, "stored memory versions")
        new_id = repository.free_id(key, {s.id for s in same})
        doc = MemoryDoc(
            text=text,
            text_key=key,
            embedding_model=model,
            kind=kind or old.kind,
            source=source,
            provenance=origin,
            supersedes=old_id,
            expires_at=old.expires_at,
            created_at=now,
            updated_at=now,
        )
        new_ref = repository.memory_ref(db, uid, new_id)
        transaction.create(new_ref, {**doc.to_firestore(), repository.EMBEDDING: Vector(vector)})
        transaction.update(old_ref, {**retire, "supersededBy": new_id})
        return UpdateMemoryResult(id=new_id, supersedes=old_id)

    try:
        updated: UpdateMemoryResult = apply(db.transaction())
    except exceptions.AlreadyExists:  # a concurrent delivery wrote the new version first
        updated = apply(db.transaction())
    return updated


# --- forget -----------------------------------------------------------------------------


def forget(*, db: Client, uid: str, command: Forget) -> ForgetResult:
    """Delete a memory and every older version in its chain (the texts it corrected).

    Returns:
        How many documents were deleted (0: no such memory, or someone else's).
    """
    return ForgetResult(deleted=delete_one(db, uid, command.id))


def delete_one(db: Client, uid: str, memory_id: str) -> int:
    """Delete memory `memory_id` with every older version; how many documents went."""
    chain = _chain_ids(db, uid, memory_id)
    if not chain:
        return 0
    batch = db.batch()
    for each in chain:
        batch.delete(repository.memory_ref(db, uid, each))
    batch.commit()
    return len(chain)


def _chain_ids(db: Client, uid: str, memory_id: str, *, newer: bool = False) -> list[str]:
    """`memory_id` and every stored memory it replaced, directly or not (its `supersedes`
    and the memories whose `supersededBy` names it); with `newer`, its successors too."""
    seen: dict[str, MemoryDoc] = {}
    frontier = [memory_id]
    while frontier and len(seen) < MAX_CHAIN:
        current = frontier.pop()
        if current in seen:
            continue
        snapshot = repository.memory_ref(db, uid, current).get()
        if not snapshot.exists:
            continue
        doc = seen[current] = _doc(snapshot)
        links = (doc.supersedes, doc.superseded_by) if newer else (doc.supersedes,)
        frontier.extend(link for link in links if link)
        frontier.extend(s.id for s in repository.superseding(db, uid, current))
    return list(seen)


def forget_all(*, db: Client, uid: str) -> ForgetResult:
    """Delete every memory of the user (in batches); how many documents went."""
    deleted = 0
    collection = repository.memories_of(db, uid)
    while True:
        refs = [s.reference for s in collection.select([]).limit(DELETE_BATCH).get()]
        if not refs:
            return ForgetResult(deleted=deleted)
        batch = db.batch()
        for ref in refs:
            batch.delete(ref)
        batch.commit()
        deleted += len(refs)


def history(db: Client, uid: str, memory_id: str) -> list[dict[str, Any]]:
    """The chain `memory_id` belongs to, oldest first (each {id, text, kind, active,
    createdAt, ...} as stored, without the embedding); [] when there is no such memory."""
    docs: list[tuple[str, MemoryDoc]] = []
    for each in _chain_ids(db, uid, memory_id, newer=True):
        snapshot = repository.memory_ref(db, uid, each).get()
        if snapshot.exists:
            docs.append((each, _doc(snapshot)))
    by_id = dict(docs)

    def depth(memory_id: str) -> int:  # how many older versions precede it
        hops, doc = 0, by_id[memory_id]
        while doc.supersedes in by_id and hops < len(by_id):
            hops, doc = hops + 1, by_id[doc.supersedes]
        return hops

    docs.sort(key=lambda pair: (depth(pair[0]), pair[1].created_at))
    return [
        {"id": each, **doc.model_dump(mode="json", by_alias=True, exclude={"text_key"})}
        for each, doc in docs
    ]

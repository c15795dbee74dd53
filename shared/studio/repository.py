"""Where generations live, and the running task's writes to one of them.

    users/{uid}/generations/{gid}              the generation (server-written, owner reads)
    users/{uid}/generations/{gid}/files/{fid}  one file each: {path, language, content,
                                               order, size}; `fid` is `f00`, `f01`, ...

File contents live in the subcollection, not in the generation: each file may be up to
200 KB and an artefact up to 20 files, which would pass Firestore's 1 MiB per document;
one document per file stays far below it, listeners and rules work as for every other
user collection, and delete is one recursive delete. Cloud Storage is not needed.

`FirestoreGeneration` is the running task's view of one generation (`GenerationStore`):
it claims it, and every later write is conditional on the generation being as its own
previous write left it (`last_update_time`). A write that finds it changed looks at why:
a cancel (`cancelRequested`), another task's claim (`attempt`), or a delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from shared import registry
from shared.ids import server_key
from shared.studio.models import FINAL_STATUSES, RUNNING_STATUSES, File

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, CollectionReference, DocumentReference

GENERATIONS = "generations"
FILES = "files"
CLAIM_TRIES = 5

# What a conditional write found: "ok" (written), "cancel" (the owner asked to cancel),
# "lost" (another task claimed the generation), "gone" (it was deleted).
Seen = Literal["ok", "cancel", "lost", "gone"]
ClaimOutcome = Literal["claimed", "finished", "running", "cancelled", "gone"]


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    doc: dict[str, Any]
    attempt: int = 0


class GenerationStore(Protocol):
    """The running task's view of one generation (Firestore here; a fake in unit tests)."""

    @property
    def uid(self) -> str: ...

    def claim(self, *, now: datetime, lease_s: float) -> Claim:
        """Take the generation for this task, unless it is finished, cancelled, gone or
        held by a live lease. A claim of a stale lease starts it again from the start
        (its stored files are deleted with the claim)."""
        ...

    def write(self, fields: dict[str, Any]) -> Seen:
        """Update the generation if nobody else wrote it since our last write."""
        ...

    def store(self, files: Sequence[File], fields: dict[str, Any]) -> Seen:
        """One batch: `files` replace the stored ones, and `fields` (with their index)
        update the generation, on the same condition as `write`."""
        ...


def generations_of(db: Client, uid: str) -> CollectionReference:
    return registry.user_collection(db, uid, GENERATIONS)


def generation_ref(db: Client, uid: str, gid: str) -> DocumentReference:
    ref: DocumentReference = generations_of(db, uid).document(gid)
    return ref


def files_of(ref: DocumentReference) -> CollectionReference:
    collection: CollectionReference = ref.collection(FILES)
    return collection


def generation_id_for(uid: str, request_id: str) -> str:
    """The generation a `requestId` names (so a retried `generate` finds it)."""
    return "r" + server_key("generation", uid, request_id)[:27]


def file_id(order: int) -> str:
    return f"f{order:02d}"


def file_index(files: Sequence[File]) -> list[dict[str, Any]]:
    """The generation's `files` field: an index of what the subcollection holds."""
    return [
        {"id": file_id(i), "path": f.path, "language": f.language, "size": len(f.content.encode())}
        for i, f in enumerate(files)
    ]


def plan_of(db: Client, uid: str) -> str:
    """The user's plan (the profile's `plan`; "free" without one)."""
    snapshot = registry.profile_ref(db, uid).get(field_paths=["plan"])
    plan = (snapshot.to_dict() or {}).get("plan") if snapshot.exists else None
    return plan if isinstance(plan, str) else "free"


def lease_is_live(doc: dict[str, Any], now: datetime) -> bool:
    until = doc.get("leaseUntil")
    return isinstance(until, datetime) and until > now


class FirestoreGeneration:
    """GenerationStore over Firestore."""

    def __init__(self, db: Client, uid: str, gid: str) -> None:
        self._db = db
        self._uid = uid
        self._ref = generation_ref(db, uid, gid)
        self._version: Any = None  # the update time our last write left
        self._attempt = 0
        self._stored: list[str] = []  # file ids the subcollection holds
        self._lease_s = 0.0
        self._clock: Any = None

    @property
    def uid(self) -> str:
        return self._uid

    @property
    def gid(self) -> str:
        return str(self._ref.id)

    def claim(self, *, now: datetime, lease_s: float) -> Claim:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        self._lease_s = lease_s
        for _ in range(CLAIM_TRIES):
            snapshot = self._ref.get()
            if not snapshot.exists:
                return Claim("gone", {})
            doc = snapshot.to_dict() or {}
            status = doc.get("status")
            if status in FINAL_STATUSES:
                return Claim("finished", doc)
            if status in RUNNING_STATUSES and lease_is_live(doc, now):
                return Claim("running", doc)
            option = self._db.write_option(last_update_time=snapshot.update_time)
            batch = self._db.batch()
            if doc.get("cancelRequested"):
                batch.update(self._ref, cancelled_fields(now), option=option)
                outcome: ClaimOutcome = "cancelled"
            else:
                attempt = int(doc.get("attempt") or 0) + 1
                batch.update(self._ref, claim_fields(attempt, now, lease_s), option=option)
                for entry in doc.get("files") or []:  # a stale run's files: start afresh
                    batch.delete(files_of(self._ref).document(str(entry.get("id"))))
                outcome = "claimed"
            try:
                results = batch.commit()
            except (FailedPrecondition, NotFound):
                continue  # changed since read (a cancel, another claim): look again
            if outcome == "cancelled":
                return Claim("cancelled", doc)
            self._version = results[0].update_time
            self._attempt = attempt
            self._stored = []
            return Claim("claimed", doc, attempt)
        return Claim("running", {})  # contended: let Cloud Tasks try again later

    def write(self, fields: dict[str, Any]) -> Seen:
        def send(option: Any) -> Any:
            return self._ref.update(fields, option=option).update_time

        return self._conditional(send)

    def store(self, files: Sequence[File], fields: dict[str, Any]) -> Seen:
        ids = [file_id(i) for i in range(len(files))]

        def send(option: Any) -> Any:
            batch = self._db.batch()
            batch.update(self._ref, fields, option=option)
            collection = files_of(self._ref)
            for i, f in enumerate(files):
                batch.set(
                    collection.document(ids[i]),
                    {
                        "path": f.path,
                        "language": f.language,
                        "content": f.content,
                        "order": i,
                        "size": len(f.content.encode()),
                    },
                )
            for stale in set(self._stored) - set(ids):
                batch.delete(collection.document(stale))
            return batch.commit()[0].update_time

        seen = self._conditional(send)
        if seen == "ok":
            self._stored = ids
        return seen

    def _conditional(self, send: Any) -> Seen:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        for _ in range(CLAIM_TRIES):
            try:
                self._version = send(self._db.write_option(last_update_time=self._version))
            except NotFound:
                return "gone"
            except FailedPrecondition:
                seen = self._look()
                if seen != "ok":
                    return seen
                continue  # written by nobody who matters: write on what is there now
            return "ok"
        return "lost"

    def _look(self) -> Seen:
        """Why the generation changed since our last write."""
        snapshot = self._ref.get(field_paths=["attempt", "cancelRequested"])
        if not snapshot.exists:
            return "gone"
        doc = snapshot.to_dict() or {}
        if int(doc.get("attempt") or 0) != self._attempt:
            return "lost"
        self._version = snapshot.update_time
        if doc.get("cancelRequested"):
            return "cancel"
        return "ok"


def claim_fields(attempt: int, now: datetime, lease_s: float) -> dict[str, Any]:
    """A run starts (again) from the start."""
    return {
        "status": "planning",
        "progress": {"stage": "planning", "percent": 2},
        "attempt": attempt,
        "leaseUntil": now + timedelta(seconds=lease_s),
        "startedAt": now,
        "updatedAt": now,
        "draft": "",
        "explanation": "",
        "files": [],
        "validation": None,
        "repair": None,
        "usage": None,
        "error": None,
    }


def cancelled_fields(now: datetime) -> dict[str, Any]:
    return {
        "status": "cancelled",
        "progress": {"stage": "cancelled", "percent": 100},
        "cancelRequested": True,
        "leaseUntil": None,
        "updatedAt": now,
        "finishedAt": now,
    }

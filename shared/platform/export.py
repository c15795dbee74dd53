"""Data export: everything a user owns, as one gzipped JSON archive in Cloud Storage.

`export_my_data` (callable) creates `users/{uid}/exports/{exportId}` `queued` and queues
the Cloud Task `runexport` {uid, exportId} under a name derived from the export. At most
one export is queued or running per user: a call while one is live answers that one (one
that has not moved for STUCK_AFTER is marked failed and a new one starts).

run (the task), one export per id:

    claim      in a transaction: done, failed or expired -> nothing (a duplicate
               delivery); running under a live lease -> "running" (Cloud Tasks retries
               later); otherwise `running`, `attempt` + 1, a lease of LEASE_S. After
               MAX_ATTEMPTS claims the export is marked failed instead.
    stream     the archive is written while it is read: pages of at most PAGE_SIZE
               documents, each collection ordered by document id with a cursor (the last
               snapshot of the page), JSON-encoded into gzip into a resumable upload to
               `users/{uid}/exports/{exportId}.json.gz` (UPLOAD_CHUNK_BYTES at a time).
               Only one page is held at once. Progress (and the lease) is written at most
               every PROGRESS_INTERVAL_S, each write conditional on our previous one, so a
               delivery that lost its lease to another stops (its upload is cancelled,
               never finalised).
    finish     the upload is finalised (it replaces any object a crashed attempt left),
               then one transaction: the export `done` with counts, size, the download
               URL and `expiresAt` (LINK_TTL), the audit entry `data.exported`, and the
               inbox notification (kind "export", id `export-{exportId}`). A transient
               error releases the lease and raises (Cloud Tasks retries from the start).

The archive, one JSON object (docs/platform.md "Data export")::

    {"schema": "aura.export/1", "subject": uid, "exportedAt": iso,
     "documents": [{"path": "users/u/tasks/t1", "collection": "tasks", "data": {...}}, ...],
     "counts": {"users": 1, "tasks": 12, "conversations/*/messages": 40, ...}}

Contents, in this order: the profile `users/{uid}` (collection "users"), every
USER_COLLECTIONS path (a nested one walked under each of its parents, listed with
missing parents too), `events` with `uid` == uid, and `audit` entries whose `actor` or
`targetUid` is the uid (an entry that is both is written once). Server-only `_`
collections are not exported: they are operational copies of what the user collections
hold, or secrets (webhook secrets, feed tokens) that an archive must not carry.

Firestore values become JSON: timestamps ISO-8601 strings, vectors lists of floats, bytes
base64, references their path, geopoints {latitude, longitude}, non-finite floats the
strings "NaN", "Infinity", "-Infinity".
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import json
import math
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from shared import audit, registry
from shared.errors import Unavailable
from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer, task_name
from shared.platform.export_models import (
    FINAL_STATUSES,
    LIVE_STATUSES,
    ExportMyDataResult,
    ExportTask,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        DocumentSnapshot,
        Query,
        Transaction,
    )

EXPORTS: Final = "exports"
EXPORT_QUEUE: Final = "runexport"
SCHEMA: Final = "aura.export/1"
PAGE_SIZE: Final = 300  # documents read (and held) at once
MAX_DOCUMENTS: Final = 200_000  # an account with more fails "too-large" (task time bound)
LINK_TTL: Final = timedelta(hours=24)  # the download link's life; then retention expires it
LEASE_S: Final = 120.0
PROGRESS_INTERVAL_S: Final = 1.0  # at most one progress write a second (one document)
MAX_ATTEMPTS: Final = 5  # = runexport's retry_config max_attempts
STUCK_AFTER: Final = timedelta(hours=1)  # a live export untouched this long is failed
CONTENT_TYPE: Final = "application/gzip"
UPLOAD_CHUNK_BYTES: Final = 1_048_576  # resumable upload chunk (a multiple of 256 KiB)
TOKEN_METADATA: Final = "firebaseStorageDownloadTokens"  # noqa: S105 - a key name
PROFILE_COLLECTION: Final = registry.USERS
EVENTS: Final = "events"
AUDIT_COLLECTION: Final = "audit"  # the archive's label for audit entries
NOTIFICATION_KIND: Final = "export"
ACTION: Final = "data.exported"


def exports_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/exports`."""
    return registry.user_collection(db, uid, EXPORTS)


def export_ref(db: Client, uid: str, export_id: str) -> DocumentReference:
    ref: DocumentReference = exports_of(db, uid).document(export_id)
    return ref


def object_path(uid: str, export_id: str) -> str:
    """Where the archive lives in the bucket (everything of a user under `users/{uid}/`)."""
    return f"users/{uid}/exports/{export_id}.json.gz"


def notification_id(export_id: str) -> str:
    return f"export-{export_id}"


# --- encoding Firestore values as JSON ----------------------------------------------------


@functools.cache
def _firestore_types() -> tuple[Any, Any, Any]:
    from google.cloud.firestore_v1._helpers import GeoPoint
    from google.cloud.firestore_v1.base_document import BaseDocumentReference
    from google.cloud.firestore_v1.vector import Vector

    return Vector, BaseDocumentReference, GeoPoint


def encode(value: Any) -> Any:  # noqa: PLR0911 - one branch per Firestore type
    """A Firestore value as JSON: timestamps ISO-8601 (UTC), vectors lists of floats,
    bytes base64, references their path, geopoints {latitude, longitude}, non-finite
    floats "NaN" / "Infinity" / "-Infinity"; maps and arrays element by element."""
    vector, reference, geopoint = _firestore_types()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, vector):
        return [float(x) for x in value]
    if isinstance(value, reference):
        return str(value.path)
    if isinstance(value, geopoint):
        return {"latitude": value.latitude, "longitude": value.longitude}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return str(value)  # no other type comes out of Firestore; never fail an export on one


# --- the archive ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedDoc:
    """One document of the archive: its full path, its registry collection, its data."""

    path: str
    collection: str
    data: dict[str, Any]


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _dumps(value: Any) -> bytes:
    # A lone surrogate (only ever inside a string) becomes its JSON escape (\ud800), so
    # the bytes stay valid UTF-8 and the text parses back to the same string.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", errors="backslashreplace")


class ArchiveWriter:
    """Writes the archive's one JSON object to `sink` as documents arrive: the header
    (`begin`), each document (`write`), then `counts` and the closing brace (`end`).
    Holds only the counts."""

    def __init__(self, sink: Sink, *, subject: str, exported_at: datetime) -> None:
        self._sink = sink
        self._subject = subject
        self._exported_at = exported_at
        self.counts: dict[str, int] = {}
        self.documents = 0
        self._state: Literal["new", "open", "closed"] = "new"

    def begin(self) -> None:
        if self._state != "new":
            raise RuntimeError("the archive was begun already")
        header = _dumps(
            {"schema": SCHEMA, "subject": self._subject, "exportedAt": encode(self._exported_at)}
        )
        self._sink.write(header[:-1] + b',"documents":[')
        self._state = "open"

    def write(self, doc: ExportedDoc) -> None:
        if self._state != "open":
            raise RuntimeError("write between begin and end")
        item = _dumps({"path": doc.path, "collection": doc.collection, "data": doc.data})
        self._sink.write(item if self.documents == 0 else b"," + item)
        self.documents += 1
        self.counts[doc.collection] = self.counts.get(doc.collection, 0) + 1

    def end(self) -> None:
        if self._state != "open":
            raise RuntimeError("end after begin, once")
        self._sink.write(b'],"counts":' + _dumps(self.counts) + b"}")
        self._state = "closed"


class TooLarge(Exception):
    """The account holds more than MAX_DOCUMENTS documents."""


def _write_page(writer: ArchiveWriter, page: Sequence[ExportedDoc]) -> str:
    """Write one page; returns its collection. (A function, so no loop variable keeps
    the page's last document alive while the next page is read.)"""
    for doc in page:
        writer.write(doc)
    return page[-1].collection if page else ""


def write_archive(
    pages: Iterable[Sequence[ExportedDoc]],
    writer: ArchiveWriter,
    *,
    on_page: Callable[[ArchiveWriter, str], None] = lambda _w, _c: None,
    max_documents: int = MAX_DOCUMENTS,
) -> None:
    """Stream `pages` into `writer`, one page at a time: the page written is released
    before the next one is read, so memory holds one page whatever the account's size.

    Raises:
        TooLarge: more than `max_documents` documents.
    """
    writer.begin()
    source = iter(pages)
    while True:
        page = next(source, None)
        if page is None:
            break
        collection = _write_page(writer, page)
        del page  # before the next page is read
        if writer.documents > max_documents:
            raise TooLarge(f"more than {max_documents} documents")
        on_page(writer, collection)
    writer.end()


# --- reading an account, page by page -------------------------------------------------------


def _encoded(
    snapshots: list[DocumentSnapshot[Any]],
    collection: str,
    skip: Callable[[dict[str, Any]], bool] | None,
) -> list[ExportedDoc]:
    page = []
    for snapshot in snapshots:
        data = snapshot.to_dict() or {}
        if skip is None or not skip(data):
            page.append(ExportedDoc(snapshot.reference.path, collection, encode(data)))
    return page


def _paged(
    query: Query | CollectionReference,
    collection: str,
    *,
    page_size: int,
    skip: Callable[[dict[str, Any]], bool] | None = None,
) -> Iterator[list[ExportedDoc]]:
    """`query` in document-id order, `page_size` at a time, after a cursor."""
    after: DocumentSnapshot[Any] | None = None
    while True:
        ordered = query.order_by("__name__").limit(page_size)
        if after is not None:
            ordered = ordered.start_after(after)
        snapshots = list(ordered.stream())
        read = len(snapshots)
        after = snapshots[-1] if snapshots else None  # the cursor: one snapshot
        page = _encoded(snapshots, collection, skip)
        del snapshots
        if page:
            yield page
        del page
        if read < page_size:
            return


def _collections(
    parent: DocumentReference, parts: list[str], *, page_size: int
) -> Iterator[CollectionReference]:
    """The collections `parts` (`conversations`, `*`, `messages`) names under `parent`;
    a `*` walks every document listed, including missing parents of subcollections."""
    collection = parent.collection(parts[0])
    if len(parts) == 1:
        yield collection
        return
    for child in collection.list_documents(page_size=page_size):
        yield from _collections(child, parts[2:], page_size=page_size)


def firestore_pages(
    db: Client, uid: str, *, page_size: int = PAGE_SIZE
) -> Iterator[list[ExportedDoc]]:
    """Every document the user owns (see the module docstring), in pages."""
    from google.cloud.firestore import FieldFilter

    profile = registry.profile_ref(db, uid).get()
    if profile.exists:
        yield [ExportedDoc(profile.reference.path, PROFILE_COLLECTION, encode(profile.to_dict()))]
    root = registry.profile_ref(db, uid)
    for place in registry.USER_COLLECTIONS:
        for collection in _collections(root, place.path.split("/"), page_size=page_size):
            yield from _paged(collection, place.path, page_size=page_size)
    events: Query = db.collection(EVENTS).where(filter=FieldFilter("uid", "==", uid))
    yield from _paged(events, EVENTS, page_size=page_size)
    as_actor = audit.entries_naming(db, field="actor", uid=uid)
    yield from _paged(as_actor, AUDIT_COLLECTION, page_size=page_size)
    as_target = audit.entries_naming(db, field="targetUid", uid=uid)
    yield from _paged(  # an entry naming the user as both was written above
        as_target, AUDIT_COLLECTION, page_size=page_size, skip=lambda d: d.get("actor") == uid
    )


# --- where the archive goes -----------------------------------------------------------------


class Upload(Protocol):
    """A streaming object upload: `write` parts, then `commit` (the object appears,
    replacing any before it) or `abort` (nothing changes; later writes are dropped)."""

    def write(self, data: bytes, /) -> int: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class Objects(Protocol):
    def open(self, path: str, *, token: str) -> Upload: ...

    def download_url(self, path: str, token: str) -> str: ...

    def delete(self, path: str) -> None: ...


class _BlobUpload:
    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.size = 0
        self._dropped = False

    def write(self, data: bytes, /) -> int:
        if self._dropped:
            return len(data)
        self._writer.write(data)
        self.size += len(data)
        return len(data)

    def commit(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        self._dropped = True
        try:
            self._writer.terminate()
        except Exception as exc:  # an abandoned resumable upload expires by itself
            logs.warning("export upload not cancelled", error=repr(exc)[:300])


class StorageObjects:
    """Objects in the app's bucket (`clients.get_bucket()`)."""

    def __init__(self, bucket: Any = None) -> None:
        self._bucket = bucket

    @property
    def bucket(self) -> Any:
        if self._bucket is None:
            from shared.platform import clients

            self._bucket = clients.get_bucket()
        return self._bucket

    def open(self, path: str, *, token: str) -> Upload:
        blob = self.bucket.blob(path)
        blob.metadata = {TOKEN_METADATA: token}
        from shared.platform import clients

        writer = blob.open(
            "wb",
            # One request under the emulator, which cannot take a resumable upload in
            # several chunks (clients.upload_chunk_size).
            chunk_size=clients.upload_chunk_size(UPLOAD_CHUNK_BYTES),
            ignore_flush=True,
            content_type=CONTENT_TYPE,
        )
        return _BlobUpload(writer)

    def download_url(self, path: str, token: str) -> str:
        from shared.platform import clients

        url: str = clients.storage_download_url(self.bucket.name, path, token)
        return url

    def delete(self, path: str) -> None:
        from google.api_core.exceptions import NotFound

        with contextlib.suppress(NotFound):
            self.bucket.blob(path).delete()


# --- the export document --------------------------------------------------------------------

ClaimOutcome = Literal["claimed", "finished", "running", "gone", "exhausted"]


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    attempt: int = 0


@dataclass(frozen=True)
class Finished:
    """What a done export records."""

    counts: dict[str, int]
    documents: int
    size_bytes: int
    download_url: str
    finished_at: datetime


class ExportStore(Protocol):
    """The running task's view of one export document (Firestore; a fake in unit tests)."""

    def claim(self, *, now: datetime, lease_s: float) -> Claim: ...

    def progress(self, fields: dict[str, Any]) -> bool:
        """Update the export if nobody else wrote it since our last write."""
        ...

    def finish(self, finished: Finished) -> bool:
        """Done, audited and notified in one transaction, if this attempt still owns it."""
        ...

    def fail(self, code: str, message: str, *, now: datetime) -> None: ...

    def release(self) -> None:
        """Drop the lease (a retry claims it at once), if still ours."""
        ...


def new_doc(now: datetime) -> dict[str, Any]:
    return {
        "status": "queued",
        "createdAt": now,
        "updatedAt": now,
        "startedAt": None,
        "finishedAt": None,
        "progress": {"documents": 0, "collections": 0, "currentCollection": None},
        "counts": {},
        "sizeBytes": None,
        "downloadUrl": None,
        "expiresAt": None,
        "error": None,
        "attempt": 0,
        "leaseUntil": None,
    }


def _failed_fields(code: str, message: str, now: datetime) -> dict[str, Any]:
    return {
        "status": "failed",
        "finishedAt": now,
        "updatedAt": now,
        "leaseUntil": None,
        "error": {"code": code, "message": message},
    }


def _lease_live(doc: dict[str, Any], now: datetime) -> bool:
    until = doc.get("leaseUntil")
    return isinstance(until, datetime) and until > now


class FirestoreExport:
    """ExportStore over `users/{uid}/exports/{exportId}`."""

    def __init__(self, db: Client, uid: str, export_id: str) -> None:
        self._db = db
        self._uid = uid
        self._id = export_id
        self._ref = export_ref(db, uid, export_id)
        self._version: Any = None  # the update time our last write left
        self._attempt = 0

    def claim(self, *, now: datetime, lease_s: float) -> Claim:
        from google.cloud import firestore

        @firestore.transactional  # type: ignore[untyped-decorator,unused-ignore]
        def take(transaction: Transaction) -> Claim:
            snapshot = self._ref.get(transaction=transaction)
            if not snapshot.exists:
                return Claim("gone")
            doc = snapshot.to_dict() or {}
            if doc.get("status") in FINAL_STATUSES:
                return Claim("finished")
            if doc.get("status") == "running" and _lease_live(doc, now):
                return Claim("running")
            attempt = int(doc.get("attempt") or 0) + 1
            if attempt > MAX_ATTEMPTS:
                message = f"The export failed {MAX_ATTEMPTS} times; try again later."
                transaction.update(self._ref, _failed_fields("attempts", message, now))
                return Claim("exhausted")
            transaction.update(
                self._ref,
                {
                    "status": "running",
                    "attempt": attempt,
                    "startedAt": now,
                    "updatedAt": now,
                    "leaseUntil": now + timedelta(seconds=lease_s),
                    "progress": {"documents": 0, "collections": 0, "currentCollection": None},
                    "error": None,
                },
            )
            return Claim("claimed", attempt)

        claim: Claim = take(self._db.transaction())
        if claim.outcome == "claimed":
            self._attempt = claim.attempt
            self._version = self._ref.get(field_paths=["attempt"]).update_time
        return claim

    def progress(self, fields: dict[str, Any]) -> bool:
        from google.api_core.exceptions import FailedPrecondition, NotFound

        option = self._db.write_option(last_update_time=self._version)
        try:
            self._version = self._ref.update(fields, option=option).update_time
        except (FailedPrecondition, NotFound):
            return False
        return True

    def finish(self, finished: Finished) -> bool:
        from google.cloud import firestore

        from shared.notifications.service import notify_once

        at = finished.finished_at

        @firestore.transactional  # type: ignore[untyped-decorator,unused-ignore]
        def commit(transaction: Transaction) -> bool:
            snapshot = self._ref.get(transaction=transaction)
            doc = (snapshot.to_dict() or {}) if snapshot.exists else {}
            if doc.get("status") != "running" or doc.get("attempt") != self._attempt:
                return False
            transaction.update(
                self._ref,
                {
                    "status": "done",
                    "finishedAt": at,
                    "updatedAt": at,
                    "leaseUntil": None,
                    "progress": {
                        "documents": finished.documents,
                        "collections": len(finished.counts),
                        "currentCollection": None,
                    },
                    "counts": finished.counts,
                    "sizeBytes": finished.size_bytes,
                    "downloadUrl": finished.download_url,
                    "expiresAt": at + LINK_TTL,
                },
            )
            audit.append(
                db=self._db,
                transaction=transaction,
                entry=audit.AuditEntry(
                    actor=self._uid,
                    action=ACTION,
                    target=self._ref.path,
                    target_uid=self._uid,
                    time=at,
                    details={
                        "exportId": self._id,
                        "documents": finished.documents,
                        "sizeBytes": finished.size_bytes,
                    },
                ),
            )
            notify_once(
                db=self._db,
                uid=self._uid,
                notification_id=notification_id(self._id),
                title="Your data export is ready",
                body=(
                    f"{finished.documents} documents. The download link works for "
                    f"{int(LINK_TTL.total_seconds() // 3600)} hours."
                ),
                kind=NOTIFICATION_KIND,
                link=finished.download_url,
                now=at,
                transaction=transaction,
            )
            return True

        done: bool = commit(self._db.transaction())
        return done

    def fail(self, code: str, message: str, *, now: datetime) -> None:
        self.progress(_failed_fields(code, message, now))

    def release(self) -> None:
        self.progress({"leaseUntil": None})


# --- the task -------------------------------------------------------------------------------

RunOutcome = Literal["done", "failed", "finished", "running", "gone", "superseded", "exhausted"]


class _Lost(Exception):
    """A conditional write found the export written by someone else."""


def run(
    *,
    store: ExportStore,
    objects: Objects,
    pages: Callable[[], Iterable[Sequence[ExportedDoc]]],
    uid: str,
    export_id: str,
    now: Callable[[], datetime],
    lease_s: float = LEASE_S,
    interval_s: float = PROGRESS_INTERVAL_S,
    max_documents: int = MAX_DOCUMENTS,
    token: Callable[[], str] = lambda: secrets.token_urlsafe(32),
) -> RunOutcome:
    """Run one export (the `runexport` task).

    Returns:
        "done" or "failed" (too large); "finished" (it had ended: a duplicate delivery),
        "running" (a live lease elsewhere: retry later), "gone" (no such export),
        "superseded" (another delivery took it meanwhile), "exhausted" (MAX_ATTEMPTS).

    Raises:
        Whatever reading or uploading raised (transient): the lease is released first,
        so the retry claims it again at once and starts from the start.
    """
    claim = store.claim(now=now(), lease_s=lease_s)
    if claim.outcome != "claimed":
        return claim.outcome
    path = object_path(uid, export_id)
    secret = token()
    upload = objects.open(path, token=secret)
    size = _Counter(upload)
    archive = gzip.GzipFile(fileobj=size, mode="wb", mtime=0)
    writer = ArchiveWriter(archive, subject=uid, exported_at=now())
    last = [now()]
    seen: set[str] = set()

    def on_page(w: ArchiveWriter, collection: str) -> None:
        seen.add(collection)
        at = now()
        if (at - last[0]).total_seconds() < interval_s:
            return
        last[0] = at
        fields = {
            "progress": {
                "documents": w.documents,
                "collections": len(seen),
                "currentCollection": collection,
            },
            "updatedAt": at,
            "leaseUntil": at + timedelta(seconds=lease_s),
        }
        if not store.progress(fields):
            raise _Lost

    committed = False
    try:
        write_archive(pages(), writer, on_page=on_page, max_documents=max_documents)
        archive.close()
        at = now()
        if not store.progress({"updatedAt": at, "leaseUntil": at + timedelta(seconds=lease_s)}):
            raise _Lost  # checked last thing before the object is replaced
        upload.commit()
        committed = True
    except _Lost:
        return "superseded"
    except TooLarge:
        store.fail(
            "too-large",
            f"Your account holds more than {max_documents} documents, more than one export "
            "can carry; contact support.",
            now=now(),
        )
        return "failed"
    except BaseException:
        store.release()
        raise
    finally:
        if not committed:
            upload.abort()
            with contextlib.suppress(Exception):
                archive.close()
    finished = Finished(
        counts=dict(writer.counts),
        documents=writer.documents,
        size_bytes=size.size,
        download_url=objects.download_url(path, secret),
        finished_at=now(),
    )
    return "done" if store.finish(finished) else "superseded"


class _Counter:
    """Counts the bytes written through to the upload (the archive's stored size)."""

    def __init__(self, upload: Upload) -> None:
        self._upload = upload
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._upload.write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        return None


def run_task(*, db: Client, task: ExportTask, now: Callable[[], datetime]) -> RunOutcome:
    """The task's whole work over Firestore and Storage (the adapter's one call)."""
    return run(
        store=FirestoreExport(db, task.uid, task.export_id),
        objects=StorageObjects(),
        pages=lambda: firestore_pages(db, task.uid),
        uid=task.uid,
        export_id=task.export_id,
        now=now,
    )


# --- the callable ---------------------------------------------------------------------------


def _stuck(doc: dict[str, Any], now: datetime) -> bool:
    touched = doc.get("updatedAt") or doc.get("createdAt")
    return isinstance(touched, datetime) and touched < now - STUCK_AFTER


def request_export(
    *, db: Client, enqueuer: Enqueuer, uid: str, now: datetime
) -> ExportMyDataResult:
    """Start an export, or answer the one already queued or running.

    In one transaction: the user's live exports are read; one untouched for STUCK_AFTER
    is marked failed; a live one is answered; otherwise a new export is created
    `queued`. A queued export's task is (re)queued under its one name (a duplicate is
    refused by Cloud Tasks), so a repeated call never runs two.

    Raises:
        Unavailable: the task could not be queued (the export stays queued; calling
            again queues it).
    """
    from google.cloud import firestore
    from google.cloud.firestore import FieldFilter

    exports = exports_of(db, uid)

    @firestore.transactional  # type: ignore[untyped-decorator,unused-ignore]
    def pick(transaction: Transaction) -> tuple[str, str]:
        live = exports.where(filter=FieldFilter("status", "in", list(LIVE_STATUSES)))
        for snapshot in live.limit(len(LIVE_STATUSES) + 3).get(transaction=transaction):
            doc = snapshot.to_dict() or {}
            if _stuck(doc, now):
                message = "The export stopped without finishing; a new one was started."
                transaction.update(snapshot.reference, _failed_fields("stuck", message, now))
                continue
            return str(snapshot.id), str(doc["status"])
        ref = exports.document()
        transaction.create(ref, new_doc(now))
        return str(ref.id), "queued"

    export_id, status = pick(db.transaction())
    if status == "queued":
        payload = ExportTask(uid=uid, export_id=export_id).model_dump(by_alias=True)
        try:
            enqueuer.enqueue(EXPORT_QUEUE, payload, name=task_name("export", uid, export_id))
        except Exception as exc:
            logs.error("export task not queued", error=repr(exc)[:500])
            raise Unavailable("The export could not be started; try again.") from exc
    return ExportMyDataResult(export_id=export_id, status=status)


# --- retention: expired links ---------------------------------------------------------------


def expire(db: Client, refs: Sequence[DocumentReference], *, now: datetime) -> None:
    """Expire done exports past `expiresAt` (the retention rule `exports`): the object
    is deleted, then the export marked `expired` with `downloadUrl` and `expiresAt`
    cleared (so the rule's query no longer finds it) and `expiredAt` set. Idempotent:
    a deleted object or an export already expired is left as it is."""
    from google.api_core.exceptions import NotFound

    objects = StorageObjects()
    for ref in refs:
        uid = ref.parent.parent.id if ref.parent.parent is not None else ""
        objects.delete(object_path(uid, ref.id))
        with contextlib.suppress(NotFound):  # gone meanwhile: nothing to mark
            ref.update(
                {
                    "status": "expired",
                    "downloadUrl": None,
                    "expiresAt": None,
                    "expiredAt": now,
                    "updatedAt": now,
                }
            )

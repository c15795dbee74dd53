"""Data export without an emulator: the JSON encoding of Firestore values, the streamed
archive (one page held at a time, one JSON object out), and the task's protocol against
a fake export document and a fake object store. On the emulators:
tests/integration/test_export.py."""

from __future__ import annotations

import gc
import gzip
import io
import json
import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from google.cloud.firestore_v1._helpers import GeoPoint
from google.cloud.firestore_v1.vector import Vector

from shared.errors import InvalidArgument
from shared.platform import export
from shared.platform.export import ArchiveWriter, Claim, ExportedDoc, Finished
from shared.platform.export_models import ExportMyData, ExportTask
from shared.validation import parse

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# --- encoding ---------------------------------------------------------------------------


def test_firestore_values_become_json() -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    db = firestore.Client(project="demo-x", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    value = {
        "at": datetime(2026, 12, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))),
        "naive": datetime(2026, 12, 1, 12, 0),
        "embedding": Vector([0.5, -1.0, 2.0]),
        "blob": b"\x00\xffaura",
        "ref": db.document("users/u1/tasks/t1"),
        "where": GeoPoint(51.5, -0.12),
        "nested": {"list": [1, "two", None, True, {"deep": datetime(2026, 1, 1, tzinfo=UTC)}]},
        "nan": math.nan,
        "inf": math.inf,
        "minus": -math.inf,
        "plain": 1.5,
    }
    encoded = export.encode(value)
    assert encoded == {
        "at": "2026-12-01T12:00:00+00:00",
        "naive": "2026-12-01T12:00:00+00:00",
        "embedding": [0.5, -1.0, 2.0],
        "blob": "AP9hdXJh",
        "ref": "users/u1/tasks/t1",
        "where": {"latitude": 51.5, "longitude": -0.12},
        "nested": {"list": [1, "two", None, True, {"deep": "2026-01-01T00:00:00+00:00"}]},
        "nan": "NaN",
        "inf": "Infinity",
        "minus": "-Infinity",
        "plain": 1.5,
    }
    json.dumps(encoded, allow_nan=False)  # plain JSON


# --- the archive ------------------------------------------------------------------------


class Sink:
    """An in-memory sink that records every write."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.writes = 0

    def write(self, data: bytes, /) -> int:
        self.writes += 1
        return self.buffer.write(data)

    def text(self) -> str:
        return self.buffer.getvalue().decode("utf-8")


def doc(i: int, collection: str = "tasks", **data: Any) -> ExportedDoc:
    return ExportedDoc(f"users/u1/{collection}/d{i:04d}", collection, {"n": i, **data})


def archive_of(pages: list[list[ExportedDoc]]) -> dict[str, Any]:
    sink = Sink()
    export.write_archive(pages, ArchiveWriter(sink, subject="u1", exported_at=NOW))
    parsed: dict[str, Any] = json.loads(sink.text())
    return parsed


def test_the_archive_is_one_json_object_with_the_documented_keys() -> None:
    parsed = archive_of(
        [[doc(1), doc(2)], [doc(3, "conversations/*/messages")], [doc(4, "events")]]
    )
    assert list(parsed) == ["schema", "subject", "exportedAt", "documents", "counts"]
    assert parsed["schema"] == "aura.export/1"
    assert parsed["subject"] == "u1"
    assert parsed["exportedAt"] == "2026-12-01T12:00:00+00:00"
    assert [d["path"] for d in parsed["documents"]] == [
        "users/u1/tasks/d0001",
        "users/u1/tasks/d0002",
        "users/u1/conversations/*/messages/d0003",
        "users/u1/events/d0004",
    ]
    assert parsed["documents"][0] == {
        "path": "users/u1/tasks/d0001",
        "collection": "tasks",
        "data": {"n": 1},
    }
    assert parsed["counts"] == {"tasks": 2, "conversations/*/messages": 1, "events": 1}


def test_an_empty_account_is_still_one_object() -> None:
    assert archive_of([]) == {
        "schema": "aura.export/1",
        "subject": "u1",
        "exportedAt": "2026-12-01T12:00:00+00:00",
        "documents": [],
        "counts": {},
    }


def test_text_survives_unicode_edges_and_stays_valid_utf8() -> None:
    texts = ["é", "😀", "\u202e", "\x00", '"quoted"\\', "\ud800 lone"]
    sink = Sink()
    writer = ArchiveWriter(sink, subject="u1", exported_at=NOW)
    export.write_archive([[doc(i, text=t) for i, t in enumerate(texts)]], writer)
    raw = sink.buffer.getvalue()
    raw.decode("utf-8")  # strict: no invalid bytes
    parsed = json.loads(raw)
    assert [d["data"]["text"] for d in parsed["documents"]] == texts


def test_the_writer_refuses_to_be_used_out_of_order() -> None:
    writer = ArchiveWriter(Sink(), subject="u1", exported_at=NOW)
    with pytest.raises(RuntimeError):
        writer.write(doc(1))
    writer.begin()
    with pytest.raises(RuntimeError):
        writer.begin()
    writer.end()
    with pytest.raises(RuntimeError):
        writer.end()


@dataclass
class Pages:
    """A source of `count` pages of `size` documents that checks, each time it is asked
    for the next page, that every document of the pages before is no longer held by
    anyone (the writer, the loop) and is already in the sink."""

    sink: Sink
    count: int
    size: int
    alive: list[weakref.ref[ExportedDoc]] = field(default_factory=list)
    served: int = 0
    peak_alive: int = 0

    def __iter__(self) -> Iterator[list[ExportedDoc]]:
        for p in range(self.count):
            gc.collect()
            held = sum(1 for ref in self.alive if ref() is not None)
            self.peak_alive = max(self.peak_alive, held)
            assert held == 0, f"{held} documents of earlier pages still held at page {p}"
            assert self.sink.text().count('"path":') == self.served
            page = [doc(p * self.size + i) for i in range(self.size)]
            self.alive = [weakref.ref(d) for d in page]
            self.served += len(page)
            yield page
            del page


def test_the_writer_holds_one_page_at_a_time_and_streams_each_before_the_next() -> None:
    sink = Sink()
    pages = Pages(sink, count=25, size=export.PAGE_SIZE)
    writer = ArchiveWriter(sink, subject="u1", exported_at=NOW)
    export.write_archive(pages, writer)
    assert pages.served == 25 * export.PAGE_SIZE
    assert pages.peak_alive == 0
    parsed = json.loads(sink.text())
    assert len(parsed["documents"]) == 25 * export.PAGE_SIZE
    assert parsed["counts"] == {"tasks": 25 * export.PAGE_SIZE}
    assert writer.counts == {"tasks": 25 * export.PAGE_SIZE}


def test_a_writer_that_kept_pages_would_be_caught() -> None:
    """The check above can fail: a consumer that keeps the pages trips it."""
    sink = Sink()
    kept: list[list[ExportedDoc]] = []
    writer = ArchiveWriter(sink, subject="u1", exported_at=NOW)
    writer.begin()

    def keep_every_page() -> None:
        for page in Pages(sink, count=3, size=5):
            kept.append(page)
            for d in page:
                writer.write(d)

    with pytest.raises(AssertionError, match="still held"):
        keep_every_page()


def test_more_than_the_maximum_stops_the_export() -> None:
    with pytest.raises(export.TooLarge):
        export.write_archive(
            [[doc(i) for i in range(5)], [doc(i) for i in range(5, 10)]],
            ArchiveWriter(Sink(), subject="u1", exported_at=NOW),
            max_documents=7,
        )


# --- models -----------------------------------------------------------------------------


def test_the_command_takes_nothing() -> None:
    assert parse(ExportMyData, {}) == ExportMyData()
    assert parse(ExportMyData, None) == ExportMyData()
    with pytest.raises(InvalidArgument) as caught:
        parse(ExportMyData, {"format": "zip"})
    assert caught.value.field == "format"


def test_the_task_payload_is_ids_only() -> None:
    task = ExportTask.model_validate({"uid": "u1", "exportId": "e1"})
    assert task.model_dump(by_alias=True) == {"uid": "u1", "exportId": "e1"}
    with pytest.raises(ValueError, match="exportId"):
        ExportTask.model_validate({"uid": "u1", "exportId": "../x"})


# --- the task against fakes -------------------------------------------------------------


class FakeUpload:
    def __init__(self, objects: FakeObjects, path: str, token: str) -> None:
        self.objects, self.path, self.token = objects, path, token
        self.buffer = io.BytesIO()
        self.state = "open"

    def write(self, data: bytes, /) -> int:
        if self.state == "aborted":
            return len(data)
        assert self.state == "open"
        return self.buffer.write(data)

    def commit(self) -> None:
        assert self.state == "open"
        self.state = "committed"
        self.objects.stored[self.path] = (self.buffer.getvalue(), self.token)

    def abort(self) -> None:
        self.state = "aborted"


class FakeObjects:
    def __init__(self) -> None:
        self.stored: dict[str, tuple[bytes, str]] = {}
        self.uploads: list[FakeUpload] = []

    def open(self, path: str, *, token: str) -> FakeUpload:
        upload = FakeUpload(self, path, token)
        self.uploads.append(upload)
        return upload

    def download_url(self, path: str, token: str) -> str:
        return f"https://files.test/{path}?token={token}"

    def delete(self, path: str) -> None:
        self.stored.pop(path, None)


class FakeStore:
    def __init__(self, claim: str = "claimed", *, lose_after: int | None = None) -> None:
        self.outcome = claim
        self.lose_after = lose_after  # progress writes that succeed before one fails
        self.progress_writes: list[dict[str, Any]] = []
        self.finished: list[Finished] = []
        self.failed: list[str] = []
        self.released = 0

    def claim(self, *, now: datetime, lease_s: float) -> Claim:
        return Claim(self.outcome, 1)  # type: ignore[arg-type]

    def progress(self, fields: dict[str, Any]) -> bool:
        if self.lose_after is not None and len(self.progress_writes) >= self.lose_after:
            return False
        self.progress_writes.append(fields)
        return True

    def finish(self, finished: Finished) -> bool:
        self.finished.append(finished)
        return True

    def fail(self, code: str, message: str, *, now: datetime) -> None:
        self.failed.append(code)

    def release(self) -> None:
        self.released += 1


class Clock:
    def __init__(self, step_s: float) -> None:
        self.at, self.step = NOW, timedelta(seconds=step_s)

    def __call__(self) -> datetime:
        self.at += self.step
        return self.at


def pages_of(n: int, size: int = 3) -> list[list[ExportedDoc]]:
    return [[doc(p * size + i) for i in range(size)] for p in range(n)]


def run(store: FakeStore, objects: FakeObjects, pages: Any, **kw: Any) -> str:
    options: dict[str, Any] = {"now": Clock(0.4), "token": lambda: "tok", **kw}
    return export.run(
        store=store, objects=objects, pages=lambda: pages, uid="u1", export_id="e1", **options
    )


def test_a_run_uploads_the_gzipped_archive_then_finishes_with_counts_size_and_link() -> None:
    store, objects = FakeStore(), FakeObjects()
    assert run(store, objects, pages_of(4)) == "done"
    data, token = objects.stored["users/u1/exports/e1.json.gz"]
    assert token == "tok"
    parsed = json.loads(gzip.decompress(data))
    assert parsed["counts"] == {"tasks": 12}
    (finished,) = store.finished
    assert finished.counts == {"tasks": 12}
    assert finished.documents == 12
    assert finished.size_bytes == len(data)
    assert finished.download_url == "https://files.test/users/u1/exports/e1.json.gz?token=tok"
    # Progress at most once per interval (clock steps 0.4 s, interval 1 s), the lease
    # renewed each time, and once more just before the object is replaced.
    assert 1 <= len(store.progress_writes) <= 3
    assert all("leaseUntil" in w for w in store.progress_writes)
    assert store.progress_writes[0]["progress"]["documents"] >= 3


@pytest.mark.parametrize("outcome", ["finished", "running", "gone", "exhausted"])
def test_a_run_that_does_not_claim_touches_nothing(outcome: str) -> None:
    store, objects = FakeStore(outcome), FakeObjects()
    assert run(store, objects, pages_of(2)) == outcome
    assert objects.uploads == []
    assert store.progress_writes == []
    assert store.finished == []


def test_a_run_that_lost_its_lease_cancels_the_upload_and_writes_nothing_more() -> None:
    store, objects = FakeStore(lose_after=1), FakeObjects()
    assert run(store, objects, pages_of(10), now=Clock(2.0)) == "superseded"
    assert objects.stored == {}
    assert objects.uploads[0].state == "aborted"
    assert store.finished == []


def test_a_lease_lost_at_the_very_end_never_replaces_the_object() -> None:
    store, objects = FakeStore(lose_after=0), FakeObjects()
    assert run(store, objects, pages_of(1), now=Clock(0.0)) == "superseded"
    assert objects.stored == {}


def test_a_read_error_releases_the_lease_cancels_the_upload_and_is_raised() -> None:
    def broken() -> Iterator[list[ExportedDoc]]:
        yield [doc(1)]
        raise ConnectionError("firestore went away")

    store, objects = FakeStore(), FakeObjects()
    with pytest.raises(ConnectionError):
        run(store, objects, broken())
    assert store.released == 1
    assert objects.uploads[0].state == "aborted"
    assert objects.stored == {}


def test_too_large_fails_the_export_without_an_object() -> None:
    store, objects = FakeStore(), FakeObjects()
    assert run(store, objects, pages_of(3), max_documents=5) == "failed"
    assert store.failed == ["too-large"]
    assert objects.stored == {}

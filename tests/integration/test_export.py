"""Data export on the emulators: export_my_data -> runexport (Cloud Task) -> a gzipped JSON
archive in the Storage emulator, downloaded by its link and compared, collection by
collection, with what Firestore holds; idempotency, bad input, who may read, expiry."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud.firestore_v1.vector import Vector

from shared import registry
from shared.platform import clients, retention
from tests.support import emulators as emu

FINAL = {"done", "failed"}
BOOKKEEPING = ("_rateLimits", "_analytics")


def exports(uid: str) -> Any:
    return clients.get_db().collection("users").document(uid).collection("exports")


def finished(uid: str, export_id: str, timeout: float = 60.0) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        doc = exports(uid).document(export_id).get().to_dict() or {}
        return doc if doc.get("status") in FINAL else None

    result: dict[str, Any] = emu.wait_for(final, timeout=timeout, interval=0.2)
    return result


def start(user: emu.User) -> str:
    result = emu.call("export_my_data", {}, user.id_token)
    assert result.status == "OK", result.error
    assert result.result["status"] in ("queued", "running")
    assert set(result.result) == {"exportId", "status"}
    return str(result.result["exportId"])


def download(url: str) -> dict[str, Any]:
    response = emu.session.get(url, timeout=30)
    assert response.status_code == 200, response.text[:300]
    archive: dict[str, Any] = json.loads(gzip.decompress(response.content))
    return archive


def _under(uid: str, path: str) -> bool:
    return path.startswith(f"users/{uid}/")


def firestore_counts(uid: str) -> Counter[str]:
    """What Firestore holds for `uid`, per archive collection, counted independently of
    the export's code: collection-group queries held to `users/{uid}/<path>`."""
    from google.cloud.firestore import FieldFilter

    db = clients.get_db()
    counts: Counter[str] = Counter()
    if db.document(f"users/{uid}").get().exists:
        counts["users"] = 1
    for place in registry.USER_COLLECTIONS:
        parts = place.path.split("/")
        for snapshot in db.collection_group(parts[-1]).select([]).stream():
            path = snapshot.reference.path.split("/")
            shape = path[2:-1]
            if (
                path[:2] == ["users", uid]
                and len(shape) == len(parts)
                and all(want in ("*", got) for want, got in zip(parts, shape, strict=True))
            ):
                counts[place.path] += 1
    events = db.collection("events").where(filter=FieldFilter("uid", "==", uid))
    counts["events"] = len(list(events.select([]).stream()))
    audit = {
        s.id
        for field in ("actor", "targetUid")
        for s in db.collection("audit").where(filter=FieldFilter(field, "==", uid)).stream()
    }
    counts["audit"] = len(audit)
    return +counts  # drop zeros


def stable_counts(uid: str, settle_s: float = 1.5, timeout: float = 30.0) -> Counter[str]:
    """The counts once the background work of the seeding (triggers, events) is over."""
    deadline = time.monotonic() + timeout
    last = firestore_counts(uid)
    while time.monotonic() < deadline:
        time.sleep(settle_s)
        now = firestore_counts(uid)
        if now == last:
            return now
        last = now
    raise AssertionError(f"Firestore did not settle: {last}")


def seed(user: emu.User, other: emu.User) -> None:
    """Data in many features: real callables where simplest, direct writes elsewhere."""
    token, uid = user.id_token, user.uid
    assert emu.call("save_task", {"title": "call the bank"}, token).status == "OK"
    saved = emu.call(
        "save_workflow",
        {"name": "w", "nodes": [{"id": "t", "type": "transform", "config": {"template": "x"}}]},
        token,
    )
    assert saved.status == "OK", saved.error
    event = {
        "title": "dentist",
        "start": {"date": "2030-03-18", "time": "09:00"},
        "end": {"date": "2030-03-18", "time": "09:30"},
        "timezone": "Europe/Berlin",
    }
    calendar = emu.call("save_calendar_event", event, token)
    assert calendar.status == "OK", calendar.error
    feed = emu.call("rotate_calendar_feed", {"action": "create"}, token)
    assert feed.status == "OK", feed.error  # a server-only _calendarFeeds doc + an audit entry
    db = clients.get_db()
    now = datetime.now(UTC)
    batch = db.batch()
    root = db.document(f"users/{uid}")
    for i in range(305):  # more than one page
        batch.set(root.collection("tasks").document(f"bulk{i:03d}"), {"title": f"t{i}"})
    batch.commit()
    batch = db.batch()
    conversation = root.collection("conversations").document("c1")
    batch.set(conversation, {"title": "hello", "createdAt": now})
    for i in range(3):
        batch.set(
            conversation.collection("messages").document(f"m{i}"),
            # Assistant messages: a user message would start a reply (more messages).
            {"role": "assistant", "text": f"message {i} é😀", "createdAt": now},
        )
    # A message whose conversation document is gone: still the user's, still exported.
    batch.set(
        root.collection("conversations").document("gone").collection("messages").document("m"),
        {"role": "assistant", "text": "orphan", "createdAt": now},
    )
    batch.set(
        root.collection("memories").document("mem1"),
        {"text": "likes tea", "embedding": Vector([0.25, -0.5]), "createdAt": now},
    )
    batch.set(root.collection("notifications").document("n1"), {"title": "hi", "read": False})
    execution = root.collection("executions").document("e1")
    batch.set(execution, {"status": "succeeded"})
    batch.set(execution.collection("logs").document("l1"), {"time": now, "message": "ok"})
    batch.set(db.collection("events").document("ev-mine"), {"uid": uid, "type": "x", "time": now})
    batch.set(
        db.collection("audit").document("a-target"),
        {
            "actor": "system",
            "action": "role.set",
            "targetUid": uid,
            "target": "users/x",
            "time": now,
        },
    )
    batch.set(
        db.collection("audit").document("a-both"),
        {
            "actor": uid,
            "action": "calendar.feed.revoked",
            "targetUid": uid,
            "target": "x",
            "time": now,
        },
    )
    # Someone else's data, which must not appear.
    other_root = db.document(f"users/{other.uid}")
    batch.set(other_root.collection("tasks").document("theirs"), {"title": "secret"})
    batch.set(db.collection("events").document("ev-theirs"), {"uid": other.uid, "time": now})
    batch.set(
        db.collection("audit").document("a-theirs"),
        {
            "actor": other.uid,
            "action": "role.set",
            "targetUid": other.uid,
            "target": "y",
            "time": now,
        },
    )
    batch.commit()


def test_an_export_round_trips_every_collection_of_a_seeded_account(
    user: emu.User, other_user: emu.User
) -> None:
    seed(user, other_user)
    expected = stable_counts(user.uid)
    export_id = start(user)
    doc = finished(user.uid, export_id)
    assert doc["status"] == "done", doc.get("error")
    expected["exports"] += 1  # the export itself, running while it was read
    archive = download(doc["downloadUrl"])

    assert archive["schema"] == "aura.export/1"
    assert archive["subject"] == user.uid
    datetime.fromisoformat(archive["exportedAt"])
    documents = archive["documents"]
    read = Counter(d["collection"] for d in documents)
    assert read == expected
    assert archive["counts"] == dict(expected)
    assert doc["counts"] == dict(expected)
    assert doc["progress"]["documents"] == len(documents) == sum(expected.values())
    assert expected["tasks"] >= 306
    assert expected["conversations/*/messages"] == 4
    assert expected["audit"] >= 3  # the feed entry, a-target, a-both (once)

    paths = [d["path"] for d in documents]
    assert len(paths) == len(set(paths)), "a document was written twice"
    for d in documents:
        path = d["path"]
        assert (
            _under(user.uid, path)
            or path == f"users/{user.uid}"
            or path.split("/")[0] in ("events", "audit")
        ), path
        assert not path.split("/")[0].startswith("_")
    assert other_user.uid not in json.dumps(documents)
    assert f"users/{user.uid}/conversations/gone/messages/m" in paths
    by_path = {d["path"]: d["data"] for d in documents}
    memory = by_path[f"users/{user.uid}/memories/mem1"]
    assert memory["embedding"] == [0.25, -0.5]
    assert datetime.fromisoformat(memory["createdAt"]).tzinfo is not None
    assert by_path[f"users/{user.uid}/conversations/c1/messages/m1"]["text"] == "message 1 é😀"

    # Done: link, size, expiry; the object carries its token; the inbox and the log.
    assert doc["sizeBytes"] > 0
    assert doc["expiresAt"] - doc["finishedAt"] == timedelta(hours=24)
    blob = clients.get_bucket().get_blob(f"users/{user.uid}/exports/{export_id}.json.gz")
    assert blob is not None
    assert blob.size == doc["sizeBytes"]
    assert blob.content_type == "application/gzip"
    assert blob.metadata["firebaseStorageDownloadTokens"] in doc["downloadUrl"]
    note = emu_doc(f"users/{user.uid}/notifications/export-{export_id}")
    assert note["kind"] == "export"
    assert note["link"] == doc["downloadUrl"]
    (entry,) = audit_entries(user.uid)
    assert entry["actor"] == entry["targetUid"] == user.uid
    assert entry["target"] == f"users/{user.uid}/exports/{export_id}"
    assert entry["details"] == {
        "exportId": export_id,
        "documents": len(documents),
        "sizeBytes": doc["sizeBytes"],
    }
    # What the export wrote besides the object: its notification and its audit entry.
    after = firestore_counts(user.uid)
    assert after - expected == Counter({"notifications": 1, "audit": 1})


def emu_doc(path: str) -> dict[str, Any]:
    snapshot = clients.get_db().document(path).get()
    assert snapshot.exists, path
    return snapshot.to_dict() or {}


def audit_entries(uid: str) -> list[dict[str, Any]]:
    from google.cloud.firestore import FieldFilter

    query = clients.get_db().collection("audit").where(filter=FieldFilter("actor", "==", uid))
    return [
        d.to_dict() or {}
        for d in query.stream()
        if (d.to_dict() or {}).get("action") == "data.exported"
    ]


def objects_of(uid: str) -> list[str]:
    return [b.name for b in clients.get_bucket().list_blobs(prefix=f"users/{uid}/exports/")]


def deliver(uid: str, export_id: str) -> None:
    response = emu.session.post(
        f"{emu.FUNCTIONS}/runexport",
        json={"data": {"uid": uid, "exportId": export_id}},
        headers={"Connection": "close", "X-CloudTasks-TaskName": "t-dup"},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def notifications_of_kind(uid: str) -> list[str]:
    notes = clients.get_db().collection(f"users/{uid}/notifications").stream()
    return [n.id for n in notes if (n.to_dict() or {}).get("kind") == "export"]


def test_a_duplicate_delivery_does_nothing(user: emu.User) -> None:
    export_id = start(user)
    before = finished(user.uid, export_id)
    assert before["status"] == "done"
    for _ in range(2):  # Cloud Tasks delivers at least once: here, twice more
        deliver(user.uid, export_id)
    after = emu_doc(f"users/{user.uid}/exports/{export_id}")
    assert after == before
    assert objects_of(user.uid) == [f"users/{user.uid}/exports/{export_id}.json.gz"]
    assert notifications_of_kind(user.uid) == [f"export-{export_id}"]
    assert len(audit_entries(user.uid)) == 1


def test_a_delivery_after_a_crash_restarts_cleanly(user: emu.User) -> None:
    """A delivery that died mid-export (running, lease gone stale) is run again from the
    start: one object, one notification, one audit entry."""
    ref = exports(user.uid).document("crashed")
    now = datetime.now(UTC)
    ref.set(
        {
            "status": "running",
            "attempt": 1,
            "createdAt": now,
            "updatedAt": now,
            "startedAt": now,
            "leaseUntil": now - timedelta(seconds=1),
            "progress": {"documents": 7, "collections": 1, "currentCollection": "tasks"},
        }
    )
    deliver(user.uid, "crashed")
    deliver(user.uid, "crashed")
    doc = emu_doc(ref.path)
    assert doc["status"] == "done"
    assert doc["attempt"] == 2
    assert objects_of(user.uid) == [f"users/{user.uid}/exports/crashed.json.gz"]
    assert notifications_of_kind(user.uid) == ["export-crashed"]
    assert len(audit_entries(user.uid)) == 1
    assert download(doc["downloadUrl"])["counts"]["exports"] == 1


def test_a_call_while_an_export_runs_answers_that_export(user: emu.User) -> None:
    now = datetime.now(UTC)
    exports(user.uid).document("live").set(
        {
            "status": "running",
            "attempt": 1,
            "createdAt": now,
            "updatedAt": now,
            "leaseUntil": now + timedelta(minutes=2),
        }
    )
    for _ in range(2):
        result = emu.call("export_my_data", {}, user.id_token)
        assert result.status == "OK", result.error
        assert result.result == {"exportId": "live", "status": "running"}
    assert [d.id for d in exports(user.uid).stream()] == ["live"]


def test_a_repeated_call_never_starts_a_second_export_while_one_is_live(user: emu.User) -> None:
    first = emu.call("export_my_data", {}, user.id_token)
    second = emu.call("export_my_data", {}, user.id_token)
    assert first.status == second.status == "OK"
    if second.result["exportId"] != first.result["exportId"]:
        # Only once the first was over may a second start.
        assert emu_doc(f"users/{user.uid}/exports/{first.result['exportId']}")["status"] == "done"
    finished(user.uid, second.result["exportId"])


def _paths() -> set[str]:
    db = clients.get_db()
    found: set[str] = set()

    def walk(ref: Any) -> None:
        for collection in ref.collections():
            for doc in collection.list_documents():
                found.add(doc.path)
                walk(doc)

    for collection in db.collections():
        if collection.id in BOOKKEEPING:
            continue
        for doc in collection.list_documents():
            found.add(doc.path)
            walk(doc)
    return found


@pytest.mark.parametrize("data", [{"extra": 1}, {"format": "zip"}, {"exportId": "x"}])
def test_bad_input_is_refused_with_the_field_and_nothing_written(
    user: emu.User, data: dict[str, Any]
) -> None:
    before = _paths()
    result = emu.call("export_my_data", data, user.id_token)
    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == next(iter(data))
    time.sleep(0.5)
    assert _paths() == before
    assert objects_of(user.uid) == []


def test_only_the_owner_reads_the_export_and_nobody_writes_it(
    user: emu.User, other_user: emu.User
) -> None:
    export_id = start(user)
    doc = finished(user.uid, export_id)
    path = f"{emu.DOCS}/users/{user.uid}/exports/{export_id}"
    assert emu.session.get(path, headers=emu.auth_header(user.id_token)).status_code == 200
    assert emu.session.get(path, headers=emu.auth_header(other_user.id_token)).status_code == 403
    listing = f"{emu.DOCS}/users/{user.uid}/exports"
    assert emu.session.get(listing, headers=emu.auth_header(other_user.id_token)).status_code == 403
    patch = emu.session.patch(
        f"{path}?updateMask.fieldPaths=status",
        json={"fields": emu.fields({"status": "queued"})},
        headers=emu.auth_header(user.id_token),
    )
    assert patch.status_code == 403
    # The object: only through its token; not by path with a signed-in user's token.
    without_token = doc["downloadUrl"].split("&token=")[0].split("?token=")[0]
    if "alt=media" not in without_token:
        without_token += "?alt=media"
    denied = emu.session.get(without_token, headers=emu.auth_header(other_user.id_token))
    assert denied.status_code in (401, 403), denied.status_code


def test_retention_deletes_the_object_after_a_day_and_marks_the_export_expired(
    user: emu.User,
) -> None:
    export_id = start(user)
    doc = finished(user.uid, export_id)
    url = doc["downloadUrl"]
    db = clients.get_db()
    rule = next(r for r in retention.RULES if r.name == "exports")
    assert retention.apply(db, rule, now=datetime.now(UTC), limit=10) == (0, False)
    assert objects_of(user.uid)
    later = doc["expiresAt"] + timedelta(seconds=1)
    report = retention.cleanup(db, now=later)
    assert report.deleted["exports"] == 1
    expired = emu_doc(f"users/{user.uid}/exports/{export_id}")
    assert expired["status"] == "expired"
    assert expired["downloadUrl"] is None
    assert expired["expiresAt"] is None
    assert expired["expiredAt"] == later
    assert objects_of(user.uid) == []
    # The link is dead: the object is gone (the emulator answers 403 where production
    # answers 404: no object, so no token to match).
    assert emu.session.get(url, timeout=30).status_code in {403, 404}
    again = retention.cleanup(db, now=later)  # idempotent: nothing left to expire
    assert again.deleted["exports"] == 0

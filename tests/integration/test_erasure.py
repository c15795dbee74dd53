"""Account erasure on the emulators: an account with data in every feature is erased to the
last document, object and Auth record, proven by the task's own re-scan and by an
independent walk of the whole database here; the receipt names no uid."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from firebase_admin import auth as firebase_auth
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.vector import Vector

from shared import registry
from shared.platform import analytics, clients, erasure, ratelimit
from shared.platform.cloud_tasks import task_name
from tests.support import emulators as emu
from tests.support import erasure as erasure_support
from tools.stack import LOCAL_AUDIT_SUBJECT_KEY

CONFIRM = {"confirm": "delete my account"}


def subject(uid: str) -> str:
    return hmac.new(LOCAL_AUDIT_SUBJECT_KEY.encode(), uid.encode(), hashlib.sha256).hexdigest()


# --- seeding ------------------------------------------------------------------------------


def seed(uid: str) -> None:
    """Data in every place the product keeps about a user (direct Admin writes, shaped as
    each feature writes them), plus an unregistered subcollection and a Storage object."""
    db = clients.get_db()
    now = datetime.now(UTC)
    user = db.collection("users").document(uid)
    user.set({"email": f"{uid}@example.com", "role": "user", "plan": "free"}, merge=True)
    conv = user.collection("conversations").document("c1")
    conv.set({"title": "Hello", "createdAt": now})
    for i in range(3):  # assistant messages: the reply trigger ignores them
        conv.collection("messages").document(f"a_m{i}").set(
            {"role": "assistant", "text": f"answer {i}", "createdAt": now}
        )
    workflow = user.collection("workflows").document("w1")
    workflow.set({"name": "Nightly", "version": 2, "status": "active"})
    for version in ("1", "2"):
        workflow.collection("versions").document(version).set({"nodes": [], "edges": []})
    execution = user.collection("executions").document("e1")
    execution.set({"workflowId": "w1", "status": "succeeded", "startedAt": now})
    execution.collection("logs").document("l1").set({"time": now, "message": "ran"})
    execution.collection("claims").document("n1").set({"at": now})
    generation = user.collection("generations").document("g1")
    generation.set({"type": "code", "prompt": "hi", "status": "done", "createdAt": now})
    generation.collection("files").document("f1").set({"path": "main.py", "content": "x=1"})
    user.collection("tasks").document("t1").set(
        {"title": "Call Bob", "status": "todo", "remindAt": now + timedelta(days=1)}
    )
    user.collection("calendar").document("ev1").set(
        {"title": "Dentist", "start": now + timedelta(days=2), "reminders": [{"minutes": 30}]}
    )
    user.collection("notifications").document("n1").set(
        {"title": "Hi", "kind": "reminder", "read": False, "createdAt": now}
    )
    user.collection("briefings").document(now.date().isoformat()).set({"text": "Morning"})
    user.collection("decisions").document("d1").set({"question": "Go?", "createdAt": now})
    user.collection("decisionStats").document("current").set({"brier": 0.2})
    user.collection("memories").document("m1").set(
        {"text": "likes tea", "embedding": Vector([0.1] * 256), "createdAt": now}
    )
    user.collection("usage").document(now.date().isoformat()).set({"requests": 3})
    user.collection("mystery").document("x").collection("deeper").document("y").set({"a": 1})
    at = now + timedelta(days=1)
    for collection, doc_id in (
        ("_schedules", f"{uid}_w1"),
        ("_taskReminders", f"{uid}_t1"),
        ("_eventReminders", f"{uid}_ev1"),
    ):
        db.collection(collection).document(doc_id).set({"uid": uid, "nextFireAt": at})
    db.collection("_webhookSecrets").document(f"{uid}_w1").set({"uid": uid, "secret": "s"})
    db.collection("_calendarFeeds").document(uuid.uuid4().hex).set({"uid": uid})
    db.collection("_briefingSlots").document(uid).set({"uid": uid, "slot": "07:00"})
    db.collection("_outbox").document(uuid.uuid4().hex).set(
        {"uid": uid, "status": "sent", "to": f"{uid}@example.com", "subject": "Call Bob"}
    )
    db.collection("events").document(uuid.uuid4().hex).set(
        {"uid": uid, "type": "aura.task.created", "subject": f"users/{uid}/tasks/t1", "time": now}
    )
    db.collection("audit").document().set(
        {
            "actor": uid,
            "action": "webhook.secret.created",
            "target": f"users/{uid}/workflows/w1",
            "targetUid": uid,
            "time": now,
            "details": {"workflowId": "w1"},
        }
    )
    db.collection("audit").document().set(
        {
            "actor": "some-admin",
            "action": "role.set",
            "target": f"users/{uid}",
            "targetUid": uid,
            "time": now,
            "details": {"from": "user", "to": "admin"},
        }
    )
    ratelimit.hit(db, key=f"chat:{uid}", limit=20, window_s=60, now=now, subject=uid)
    db.collection("_aiCache").document(uuid.uuid4().hex).set(
        {"uid": uid, "result": {"text": "cached"}, "expiresAt": now + timedelta(hours=1)}
    )
    db.collection("_analytics").document(analytics.marker_doc_id(analytics.day_of(now), uid)).set(
        {"expiresAt": now + timedelta(days=2)}
    )
    blob = clients.get_bucket().blob(f"users/{uid}/exports/e1.json.gz")
    blob.upload_from_string(b"archive", content_type="application/gzip")


def seeded_places(uid: str) -> dict[str, int]:
    """Documents per place right after seeding: each must be there, or the test proves
    nothing."""
    db = clients.get_db()
    eraser = erasure_support.in_process_eraser()
    counts: dict[str, int] = {}
    profile = db.document(f"users/{uid}")
    counts["users"] = int(profile.get().exists)
    for collection in profile.collections():
        for snapshot in collection.recursive().stream():
            key = erasure.pattern_of(uid, snapshot.reference.path)
            counts[key] = counts.get(key, 0) + 1
    for place in registry.SERVER_COLLECTIONS:
        if place.uid_field is not None:
            owned = FieldFilter(place.uid_field, "==", uid)
            found = db.collection(place.name).where(filter=owned).get()
            counts[place.name] = len(found)
    named = FieldFilter("targetUid", "==", uid)
    counts["audit.targetUid"] = len(db.collection("audit").where(filter=named).get())
    counts["_analytics"] = sum(1 for s in db.get_all(erasure._marker_refs(eraser, uid)) if s.exists)
    counts["storage"] = len(list(clients.get_bucket().list_blobs(prefix=f"users/{uid}/")))
    return counts


EXPECTED_SEED = {
    "users",
    "conversations",
    "conversations/*/messages",
    "workflows",
    "workflows/*/versions",
    "executions",
    "executions/*/logs",
    "executions/*/claims",
    "generations",
    "generations/*/files",
    "tasks",
    "calendar",
    "notifications",
    "briefings",
    "decisions",
    "decisionStats",
    "memories",
    "usage",
    "mystery/*/deeper",
    "events",
    "audit",
    "audit.targetUid",
    "_webhookSecrets",
    "_schedules",
    "_eventReminders",
    "_calendarFeeds",
    "_taskReminders",
    "_briefingSlots",
    "_outbox",
    "_rateLimits",
    "_aiCache",
    "_analytics",
    "storage",
}


def assert_seeded(uid: str) -> None:
    """Every place holds data, and the events the seed's task and calendar writes publish
    (through the triggers and Pub/Sub) have landed, so none arrives after the erasure."""
    db = clients.get_db()
    emu.wait_for(
        lambda: len(db.collection("events").where(filter=FieldFilter("uid", "==", uid)).get()) >= 3,
        timeout=60,
        interval=0.5,
    )
    counts = seeded_places(uid)
    empty = sorted(place for place in EXPECTED_SEED if counts.get(place, 0) < 1)
    assert not empty, f"the seed left these places empty: {empty}"


# --- the independent proof ----------------------------------------------------------------


def _mentions(value: Any, uid: str) -> bool:
    if isinstance(value, str):
        return uid in value
    if isinstance(value, dict):
        return any(_mentions(k, uid) or _mentions(v, uid) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_mentions(v, uid) for v in value)
    return False


def everything_about(uid: str) -> list[str]:
    """Walk every collection of the database, at every depth (missing parents included),
    and list each document whose path or any value mentions the uid, or that is one of its
    analytics markers. Shares no code with the erasure."""
    db = clients.get_db()
    markers = {
        analytics.marker_doc_id((datetime.now(UTC) + timedelta(days=d)).date().isoformat(), uid)
        for d in range(-5, 3)
    }
    found: list[str] = []

    def walk(collections: Any) -> None:
        for collection in collections:
            for ref in collection.list_documents():
                snapshot = ref.get()
                data = snapshot.to_dict() if snapshot.exists else {}
                if uid in ref.path or ref.id in markers or _mentions(data, uid):
                    found.append(ref.path)
                walk(ref.collections())

    walk(db.collections())
    return found


def assert_nothing_left(uid: str) -> None:
    assert everything_about(uid) == []
    assert list(clients.get_db().document(f"users/{uid}").collections()) == []
    assert list(clients.get_bucket().list_blobs(prefix=f"users/{uid}/")) == []
    with pytest.raises(firebase_auth.UserNotFoundError):
        firebase_auth.get_user(uid, app=clients.get_app())


# --- helpers ------------------------------------------------------------------------------


def receipts_of(uid: str) -> list[dict[str, Any]]:
    found = (
        clients.get_db()
        .collection("audit")
        .where(filter=FieldFilter("action", "==", "account.erased"))
        .where(filter=FieldFilter("details.subject", "==", subject(uid)))
        .get()
    )
    return [s.to_dict() or {} for s in found]


def wait_for_receipt(uid: str, timeout: float = 120.0) -> dict[str, Any]:
    db = clients.get_db()
    emu.wait_for(
        lambda: receipts_of(uid) and not db.document(f"_erasures/{uid}").get().exists,
        timeout=timeout,
        interval=0.5,
    )
    (receipt,) = receipts_of(uid)
    return receipt


def fresh_token(user: emu.User) -> str:
    return emu.sign_in(user.email, user.password).id_token


def nothing_written(uid: str) -> None:
    assert not clients.get_db().document(f"_erasures/{uid}").get().exists
    assert not firebase_auth.get_user(uid, app=clients.get_app()).disabled


# --- tests --------------------------------------------------------------------------------


def test_an_account_with_data_everywhere_is_erased_to_nothing_with_a_receipt(
    user: emu.User, other_user: emu.User
) -> None:
    seed(user.uid)
    seed(other_user.uid)
    assert_seeded(user.uid)
    before_other = seeded_places(other_user.uid)

    first = emu.call("delete_my_account", CONFIRM, fresh_token(user))
    assert first.status == "OK", first.error
    assert first.result["status"] == "queued"
    again = emu.call("delete_my_account", CONFIRM, user.id_token)  # a repeat: same request
    assert again.status == "OK", again.error
    assert again.result["requestId"] == first.result["requestId"]
    assert firebase_auth.get_user(user.uid, app=clients.get_app()).disabled

    receipt = wait_for_receipt(user.uid)
    assert_nothing_left(user.uid)

    assert receipt["actor"] == "system"
    assert receipt["target"] == f"erased:{subject(user.uid)}"
    details = receipt["details"]
    assert details["subject"] == subject(user.uid) != user.uid
    assert details["requestId"] == first.result["requestId"]
    assert details["requestedAt"] <= details["startedAt"] <= details["finishedAt"]
    counts = details["counts"]
    for place in EXPECTED_SEED - {"audit.targetUid"}:
        assert counts.get(place, 0) >= 1, (place, counts)
    assert counts["conversations/*/messages"] == 3
    assert counts["workflows/*/versions"] == 2
    assert counts["auth"] == 1
    assert counts["audit"] == 2  # pseudonymised, not deleted
    assert user.uid not in str(receipt)

    pseudonym = f"erased:{subject(user.uid)}"
    kept = (
        clients.get_db()
        .collection("audit")
        .where(filter=FieldFilter("targetUid", "==", pseudonym))
        .get()
    )
    assert len(kept) == 2
    assert {s.get("target") for s in kept} == {
        f"users/{pseudonym}/workflows/w1",
        f"users/{pseudonym}",
    }

    # Another user's data is untouched (windows and events may move on by themselves).
    volatile = {"_rateLimits", "events", "_analytics"}
    after_other = seeded_places(other_user.uid)
    assert {k: v for k, v in after_other.items() if k not in volatile} == {
        k: v for k, v in before_other.items() if k not in volatile
    }
    assert after_other["storage"] == 1
    assert firebase_auth.get_user(other_user.uid, app=clients.get_app()).disabled is False

    # Double delivery: the request is gone, so a second run does nothing new.
    task = erasure.EraseAccountTask(uid=user.uid, request_id=first.result["requestId"])
    assert erasure.run(erasure_support.in_process_eraser(), task) == "nothing-to-do"
    assert len(receipts_of(user.uid)) == 1


def test_a_write_with_a_token_from_before_the_request_is_swept_an_hour_later(
    user: emu.User,
) -> None:
    requested = emu.call("delete_my_account", CONFIRM, fresh_token(user))
    assert requested.status == "OK", requested.error
    request_id = requested.result["requestId"]
    receipt = wait_for_receipt(user.uid)

    # The sweep waits in the local clock (as in Cloud Tasks) until every ID token minted
    # before the request has expired.
    name = task_name(erasure.QUEUE, user.uid, request_id, "sweep")
    held = emu.wait_for(
        lambda: next((t for t in emu.clock_state()["held"] if t["task"] == name), None)
    )
    due = receipt["details"]["requestedAt"] + timedelta(seconds=erasure.SWEEP_AFTER_S)
    assert abs((datetime.fromisoformat(held["eta"]) - due).total_seconds()) < 1

    # Meanwhile a tab still signed in writes (its token is valid until it expires): here,
    # what a callable would write for it.
    db = clients.get_db()
    db.document(f"users/{user.uid}/memories/late").set({"text": "written after the receipt"})
    db.document(f"users/{user.uid}").set({"plan": "free"})
    task = erasure.EraseAccountTask(uid=user.uid, request_id=request_id, sweep=True)
    eraser = erasure_support.in_process_eraser()
    found = erasure.scan(eraser, user.uid)
    assert (found["users"], found["memories"]) == (1, 1), found

    assert erasure.run(eraser, task) == "swept"
    assert erasure.scan(eraser, user.uid) == {}
    assert not db.document(f"_erasures/{user.uid}").get().exists
    swept = [
        s.to_dict() or {}
        for s in db.collection("audit")
        .where(filter=FieldFilter("action", "==", erasure.SWEEP_ACTION))
        .where(filter=FieldFilter("details.requestId", "==", request_id))
        .get()
    ]
    assert len(swept) == 1
    counts = swept[0]["details"]["counts"]
    assert (counts["users"], counts["memories"]) == (1, 1), counts
    assert user.uid not in str(swept[0])
    assert len(receipts_of(user.uid)) == 1  # the receipt stays the only account.erased

    # Delivered again: nothing left, nothing written.
    assert erasure.run(eraser, task) == "clean"
    assert erasure.scan(eraser, user.uid) == {}


def test_the_sweep_waits_for_an_erasure_still_running(user: emu.User) -> None:
    task = erasure_support.request(user.uid)
    sweep = erasure.EraseAccountTask(uid=user.uid, request_id=task.request_id, sweep=True)
    eraser = erasure_support.in_process_eraser()
    with pytest.raises(erasure.ErasurePending):
        erasure.run(eraser, sweep)
    assert erasure.run(eraser, task) == "erased"
    assert erasure.run(eraser, sweep) == "clean"


def test_a_stale_sign_in_is_refused_and_nothing_is_written(user: emu.User) -> None:
    stale = emu.unsigned_token(
        user.uid, auth_time=int(time.time()) - erasure.RECENT_SIGN_IN_S - 60, email=user.email
    )
    refused = emu.call("delete_my_account", CONFIRM, stale)
    assert refused.status == "FAILED_PRECONDITION", refused.error
    assert refused.details["reason"] == "requires-recent-login"
    nothing_written(user.uid)
    assert clients.get_db().document(f"users/{user.uid}").get().exists


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"confirm": "delete"}, "confirm"),
        ({"confirm": "DELETE MY ACCOUNT"}, "confirm"),
        ({}, "confirm"),
        ({"confirm": "delete my account", "now": True}, "now"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    user: emu.User, data: dict[str, Any], field: str
) -> None:
    refused = emu.call("delete_my_account", data, fresh_token(user))
    assert refused.status == "INVALID_ARGUMENT", refused.error
    assert refused.details["field"] == field
    nothing_written(user.uid)


def test_a_crash_half_way_is_finished_by_the_next_delivery(user: emu.User) -> None:
    seed(user.uid)
    assert_seeded(user.uid)
    db = clients.get_db()
    task = erasure_support.request(user.uid)  # not queued: this test delivers it
    assert erasure.run(erasure_support.in_process_eraser(), task, stop_after="server") == "stopped"

    state = db.document(f"_erasures/{user.uid}").get().to_dict() or {}
    assert state["stepsDone"] == ["user-tree", "timers", "billing", "server"]
    assert not db.document(f"users/{user.uid}").get().exists
    assert list(clients.get_bucket().list_blobs(prefix=f"users/{user.uid}/"))  # not yet
    assert firebase_auth.get_user(user.uid, app=clients.get_app())  # not yet

    # The user asks again (a fresh sign-in is impossible now: the account is disabled,
    # but the ID token they hold is recent): the same request, and its task is queued.
    # This call's own rate-limit window lands after the `server` step: the proof finds it
    # and the task fails once and is retried, as it should.
    token = emu.unsigned_token(user.uid, auth_time=int(time.time()), email=user.email)
    again = emu.call("delete_my_account", CONFIRM, token)
    assert again.status == "OK", again.error
    assert again.result["requestId"] == task.request_id

    receipt = wait_for_receipt(user.uid)
    assert_nothing_left(user.uid)
    counts = receipt["details"]["counts"]
    assert counts["conversations/*/messages"] == 3  # counted once, by the first delivery
    assert counts["storage"] == 1
    assert counts["auth"] == 1

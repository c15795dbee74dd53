"""Email against the emulators and the stack's real SMTP capture server: a notification
becomes one email (however often its reminder fires or its trigger and task arrive), only
for users who turned that kind on and have a verified address; the one-click unsubscribe
link works without signing in and a forged one is refused; the per-user rate limit drops
the excess; a transient SMTP failure is retried after its backoff and a permanent one is
not."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.email import links, repository, service
from shared.localtime import WallTime
from shared.notifications.service import notify_once
from shared.platform import clients, timers
from shared.platform.timers import TimerTask
from shared.tasks import reminders
from shared.tasks import repository as task_repository
from shared.tasks import service as task_service
from shared.tasks.models import SaveTask
from tests.support import emulators as emu
from tests.support.workflows import RecordingEnqueuer
from tools.stack import LOCAL_EMAIL_LINK_KEY, PROJECT_ID

MAIL = f"{emu.STANDIN}/_standin/mail"
LIMIT = 3  # the test stack's `sendemail` override (tests/conftest.py)


def db() -> Any:
    return clients.get_db()


@pytest.fixture(autouse=True)
def mailbox() -> Iterator[None]:
    emu.session.delete(MAIL, timeout=10).raise_for_status()
    yield
    emu.session.delete(MAIL, timeout=10).raise_for_status()


def received(to: str | None = None) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = emu.session.get(MAIL, timeout=10).json()
    return [m for m in messages if to is None or to in m["rcptTos"]]


def fault(code: int, count: int = 1) -> None:
    emu.session.post(
        f"{MAIL}/faults", json={"code": code, "count": count}, timeout=10
    ).raise_for_status()


def verify_email(uid: str) -> None:
    resp = emu.session.post(
        f"{emu.AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:update",
        json={"localId": uid, "emailVerified": True},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()


def email_on(user: emu.User, **kinds: bool) -> None:
    settings: dict[str, Any] = {"enabled": True, **({"kinds": kinds} if kinds else {})}
    answer = emu.call("update_settings", {"email": settings}, user.id_token)
    assert answer.status == "OK", answer.error
    assert answer.result["settings"]["email"]["enabled"] is True


def outbox_of(uid: str) -> list[dict[str, Any]]:
    from google.cloud.firestore import FieldFilter

    query = db().collection(repository.OUTBOX).where(filter=FieldFilter("uid", "==", uid))
    return [{"id": d.id, **(d.to_dict() or {})} for d in query.stream()]


def outbox(uid: str, notification_id: str) -> dict[str, Any]:
    ref = repository.outbox_ref(db(), repository.outbox_id(uid, notification_id))
    return ref.get().to_dict() or {}


def settled(uid: str, notification_id: str, timeout: float = 30) -> dict[str, Any]:
    """The email of a notification once it is sent, failed or dropped."""

    def final() -> dict[str, Any] | None:
        doc = outbox(uid, notification_id)
        return doc if doc.get("status") in ("sent", "failed", "dropped") else None

    found: dict[str, Any] = emu.wait_for(final, timeout=timeout, interval=0.2)
    return found


def notify(uid: str, notification_id: str, *, kind: str = "reminder", title: str = "Hi") -> None:
    notify_once(
        db=db(),
        uid=uid,
        notification_id=notification_id,
        title=title,
        body="Something you asked to hear about.",
        kind=kind,
        link="/inbox",
        now=datetime.now(UTC),
    )


@pytest.fixture
def reader(user: emu.User) -> emu.User:
    """A user with a verified address and email on (the default kinds)."""
    verify_email(user.uid)
    email_on(user)
    return user


def test_a_reminder_is_emailed_once_however_often_it_is_delivered(reader: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    now = datetime.now(UTC)
    remind = WallTime.at(now + timedelta(minutes=5), timezone="UTC").stored()
    title = 'Call <Bob> & "Alice"'
    saved = task_service.save_task(
        db=db(),
        enqueuer=enqueuer,
        uid=reader.uid,
        command=SaveTask.model_validate({"title": title, "remind": remind}),
        now=now,
    )
    assert saved.remind_at is not None
    task = TimerTask(
        kind=reminders.KIND,
        id=task_repository.reminder_id(reader.uid, saved.id),
        at=saved.remind_at,
    )
    kinds = {reminders.KIND: reminders.timer_kind(db(), enqueuer)}
    assert timers.fire(db(), enqueuer, kinds, task, now=saved.remind_at) == "fired"
    timers.fire(db(), enqueuer, kinds, task, now=saved.remind_at)  # the timer, twice
    [note] = list(db().collection(f"users/{reader.uid}/notifications").stream())

    email = settled(reader.uid, note.id)
    assert (email["status"], email["attempts"], email["kind"]) == ("sent", 1, "reminders")
    [message] = emu.wait_for(lambda: received(reader.email), timeout=10)
    assert message["subject"] == title
    assert title in message["text"]
    assert "Call &lt;Bob&gt; &amp; &#34;Alice&#34;" in message["html"]
    assert "<Bob>" not in message["html"]
    headers = message["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"] == f"<{repository.outbox_id(reader.uid, note.id)}@example.com>"
    assert f"/tasks?task={saved.id}" in message["text"]

    # The trigger delivered again (what production's at-least-once delivery may do) ...
    again = service.queue_notification(
        db=db(),
        enqueuer=enqueuer,
        recipient=lambda uid: pytest.fail("an email queued before looks up no address"),
        link_key=LOCAL_EMAIL_LINK_KEY.encode(),
        origin=emu.HOSTING,
        uid=reader.uid,
        notification_id=note.id,
        notification=note.to_dict() or {},
        now=datetime.now(UTC),
    )
    assert again == "already"
    assert [t.queue for t in enqueuer.tasks if t.queue == "sendemail"] == []
    # ... and the send task delivered twice more.
    for _ in range(2):
        response = emu.session.post(
            f"{emu.FUNCTIONS}/sendemail",
            json={"data": {"outboxId": repository.outbox_id(reader.uid, note.id)}},
            headers={"Connection": "close", "X-CloudTasks-TaskName": "t-dup"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
    time.sleep(1.0)
    assert len(received(reader.email)) == 1
    assert outbox(reader.uid, note.id)["attempts"] == 1


def test_only_users_who_turned_email_on_get_it(reader: emu.User, other_user: emu.User) -> None:
    verify_email(other_user.uid)  # verified, but email left off (the default)
    notify(other_user.uid, "n-off")
    notify(reader.uid, "n-workflow", kind="workflow")  # automations: off until asked for
    notify(reader.uid, "n-chat", kind="chat")  # a kind never emailed
    notify(reader.uid, "n-on", kind="briefing")
    assert settled(reader.uid, "n-on")["status"] == "sent"
    emu.wait_for(lambda: received(reader.email), timeout=10)
    time.sleep(1.0)  # the other triggers ran beside the one that sent
    assert received(other_user.email) == []
    assert outbox_of(other_user.uid) == []
    assert [m["subject"] for m in received()] == ["Hi"]
    assert [e["notificationId"] for e in outbox_of(reader.uid)] == ["n-on"]


def test_an_unverified_address_gets_nothing(user: emu.User) -> None:
    email_on(user)
    notify(user.uid, "n1")
    email = settled(user.uid, "n1")
    assert (email["status"], email["reason"]) == ("dropped", "no-verified-address")
    assert "to" not in email
    assert received() == []


def unsubscribe_link(message: dict[str, Any]) -> str:
    link = message["headers"]["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{emu.HOSTING}/email/unsubscribe?")
    assert link in message["text"]
    assert link.replace("&", "&amp;") in message["html"]
    return str(link)


def email_settings(uid: str) -> dict[str, Any]:
    profile = db().document(f"users/{uid}").get().to_dict() or {}
    settings: dict[str, Any] = profile["settings"]["email"]
    return settings


def test_the_unsubscribe_link_works_without_signing_in(reader: emu.User) -> None:
    notify(reader.uid, "n1")
    assert settled(reader.uid, "n1")["status"] == "sent"
    [message] = emu.wait_for(lambda: received(reader.email), timeout=10)
    link = unsubscribe_link(message)
    before = email_settings(reader.uid)

    page = emu.session.get(link, timeout=30)  # what a link scanner does: nothing changes
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    assert email_settings(reader.uid) == before

    # A mail client's RFC 8058 one-click POST: no cookie, no token, just the link.
    for _ in range(2):  # and again: the same answer, nothing more changes
        done = emu.session.post(
            link,
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=30,
        )
        assert done.status_code == 200
        assert "You are unsubscribed" in done.text
    after = email_settings(reader.uid)
    assert after == {**before, "kinds": {**before["kinds"], "reminders": False}}

    # Reminders stop; the briefing (another kind) still comes.
    notify(reader.uid, "n2", kind="reminder")
    notify(reader.uid, "n3", kind="briefing", title="Briefing")
    assert settled(reader.uid, "n3")["status"] == "sent"
    emu.wait_for(lambda: len(received(reader.email)) == 2, timeout=10)
    time.sleep(1.0)
    assert [m["subject"] for m in received(reader.email)] == ["Hi", "Briefing"]
    assert outbox(reader.uid, "n2") == {}


def test_a_forged_unsubscribe_link_is_refused(reader: emu.User, other_user: emu.User) -> None:
    before = email_settings(reader.uid)
    good = links.sign(LOCAL_EMAIL_LINK_KEY.encode(), reader.uid, "reminders")
    forged = [
        {"u": reader.uid, "k": "reminders", "t": links.sign(b"guessed", reader.uid, "reminders")},
        {"u": reader.uid, "k": "briefing", "t": good},  # another kind with this token
        {"u": other_user.uid, "k": "reminders", "t": good},  # another user with this token
        {"u": reader.uid, "k": "reminders", "t": good[:-2]},
        {"u": reader.uid, "k": "reminders"},
    ]
    for base in (f"{emu.HOSTING}/email/unsubscribe", f"{emu.FUNCTIONS}/unsubscribe"):
        for query in forged:
            url = f"{base}?{urllib.parse.urlencode(query)}"
            refused = emu.session.post(url, data="List-Unsubscribe=One-Click", timeout=30)
            assert refused.status_code == 403, url
            assert "does not work" in refused.text
    assert emu.session.put(f"{emu.FUNCTIONS}/unsubscribe", timeout=30).status_code == 405
    assert email_settings(reader.uid) == before


def test_the_rate_limit_drops_the_excess(reader: emu.User) -> None:
    ids = [f"n{i}" for i in range(LIMIT + 2)]
    for notification_id in ids:
        notify(reader.uid, notification_id, title=notification_id)
    emails = [settled(reader.uid, i) for i in ids]
    statuses = sorted(e["status"] for e in emails)
    assert statuses == ["dropped"] * 2 + ["sent"] * LIMIT
    assert {e.get("reason") for e in emails if e["status"] == "dropped"} == {"rate-limit"}
    time.sleep(0.5)
    assert len(received(reader.email)) == LIMIT


def test_a_transient_smtp_failure_is_retried_after_its_backoff(reader: emu.User) -> None:
    fault(451)
    notify(reader.uid, "n1")

    def retrying() -> dict[str, Any] | None:
        doc = outbox(reader.uid, "n1")
        return doc if doc.get("status") == "retrying" else None

    waiting = emu.wait_for(retrying, timeout=30, interval=0.1)
    assert waiting["attempts"] == 1
    assert waiting["lastError"].startswith("451")
    assert received() == []
    email = settled(reader.uid, "n1", timeout=60)
    assert (email["status"], email["attempts"], email["lastError"]) == ("sent", 2, None)
    assert email["sentAt"] >= waiting["nextAttemptAt"]  # the clock held it for its backoff
    assert len(received(reader.email)) == 1


def test_a_permanent_smtp_failure_is_not_retried(reader: emu.User) -> None:
    fault(550)
    notify(reader.uid, "n1")
    email = settled(reader.uid, "n1")
    assert (email["status"], email["attempts"]) == ("failed", 1)
    assert email["lastError"].startswith("550")
    time.sleep(1.0)
    assert received() == []
    assert outbox(reader.uid, "n1")["status"] == "failed"


def test_the_sweep_sends_an_email_whose_task_was_lost(reader: emu.User) -> None:
    """A trigger that died between the outbox write and the task: the email waits
    `queued` until the sweep queues its task (under the name it had)."""
    created = datetime.now(UTC) - timedelta(minutes=10)
    lost = repository.outbox_ref(db(), repository.outbox_id(reader.uid, "lost"))
    lost.create(
        {
            "uid": reader.uid,
            "kind": "reminders",
            "notificationId": "lost",
            "plan": "free",
            "attempts": 0,
            "status": "queued",
            "to": reader.email,
            "subject": "Found again",
            "text": "text",
            "html": "<p>html</p>",
            "unsubscribeUrl": f"{emu.HOSTING}/email/unsubscribe?u=x&k=reminders&t=y",
            "createdAt": created,
            "expiresAt": created + timedelta(days=30),
        }
    )
    fresh = RecordingEnqueuer()
    assert service.requeue_lost(db=db(), enqueuer=fresh, now=created + timedelta(minutes=4)) == 0

    emu.clock_fire("sweep")

    assert settled(reader.uid, "lost")["status"] == "sent"
    [message] = emu.wait_for(lambda: received(reader.email), timeout=10)
    assert message["subject"] == "Found again"
    emu.clock_fire("sweep")  # a second sweep: nothing left to repair
    time.sleep(1.0)
    assert len(received(reader.email)) == 1

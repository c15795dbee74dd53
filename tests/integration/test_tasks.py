"""Tasks against the emulators: `save_task` / `delete_task` through the callable protocol,
the service with a held enqueuer for times of our choosing (recurrence across DST,
reminders fired by `timers.fire` with the task reminder kind), and one reminder end to
end through the Tasks emulator, the local clock and `firetimer`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.cloud.firestore import FieldFilter

from shared.errors import ResourceExhausted
from shared.localtime import WallTime
from shared.platform import clients, timers
from shared.platform.timers import TIMER_QUEUE, TimerTask
from shared.tasks import reminders, repository, service
from shared.tasks.models import DeleteTask, SaveTask
from tests.support import emulators as emu
from tests.support.workflows import RecordingEnqueuer

BERLIN = "Europe/Berlin"
# A fixed "now" for service-level tests: before the reminders they arm.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def db() -> Any:
    return clients.get_db()


def tasks(uid: str) -> dict[str, dict[str, Any]]:
    return {d.id: d.to_dict() or {} for d in repository.tasks_of(db(), uid).stream()}


def record(uid: str, task_id: str) -> dict[str, Any] | None:
    data: dict[str, Any] | None = repository.reminder_ref(db(), uid, task_id).get().to_dict()
    return data


def all_reminders() -> list[str]:
    return [d.id for d in repository.reminder_records(db()).stream()]


def inbox(uid: str) -> list[dict[str, Any]]:
    docs = db().collection(f"users/{uid}/notifications").stream()
    return [{"id": d.id, **(d.to_dict() or {})} for d in docs]


def call(function: str, data: Any, user: emu.User) -> emu.CallResult:
    return emu.call(function, data, user.id_token)


def save(
    uid: str, enqueuer: RecordingEnqueuer, now: datetime = NOW, **fields: Any
) -> service.SaveTaskResult:
    command = SaveTask.model_validate({"title": "Call Bob", **fields})
    return service.save_task(db=db(), enqueuer=enqueuer, uid=uid, command=command, now=now)


def fire(enqueuer: RecordingEnqueuer, uid: str, task_id: str, at: datetime) -> str:
    """Deliver a task reminder's timer task for `at`, as `firetimer` would."""
    task = TimerTask(kind=reminders.KIND, id=repository.reminder_id(uid, task_id), at=at)
    kinds = {reminders.KIND: reminders.timer_kind(db(), enqueuer)}
    return timers.fire(db(), enqueuer, kinds, task, now=at)


def set_zone(user: emu.User, zone: str) -> None:
    assert call("update_settings", {"timezone": zone}, user).status == "OK"


WEEKLY = {
    "title": "Team sync",
    "due": {"date": "2026-03-23", "time": "09:00"},  # a Monday, before Berlin's DST change
    "remind": {"date": "2026-03-23", "time": "08:45"},
    "recurrence": "FREQ=WEEKLY;BYDAY=MO",
    "tags": ["work"],
}


@pytest.fixture
def enqueuer() -> RecordingEnqueuer:
    return RecordingEnqueuer()


# --- save: create, update, versions, limits ---------------------------------------------


def test_create_update_and_a_stale_version(user: emu.User) -> None:
    created = call("save_task", {"title": "Call Bob", "priority": 2, "tags": ["phone"]}, user)
    assert created.status == "OK", created.error
    task_id = created.result["id"]
    assert created.result["version"] == 1
    assert created.result["nextId"] is None
    stored = tasks(user.uid)[task_id]
    assert (stored["title"], stored["status"], stored["priority"]) == ("Call Bob", "todo", 2)
    assert (stored["due"], stored["dueAt"], stored["completedAt"]) == (None, None, None)

    edit = {"id": task_id, "expectedVersion": 1, "title": "Call Bob back", "status": "done"}
    updated = call("save_task", edit, user)
    assert updated.status == "OK", updated.error
    assert updated.result["version"] == 2
    done = tasks(user.uid)[task_id]
    assert done["completedAt"] is not None
    assert done["createdAt"] == stored["createdAt"]

    stale = call("save_task", {**edit, "title": "lost edit"}, user)
    assert stale.status == "FAILED_PRECONDITION"
    assert stale.details["expectedVersion"] == 1
    assert stale.details["version"] == 2
    assert tasks(user.uid)[task_id]["title"] == "Call Bob back"

    reopened = call("save_task", {"id": task_id, "expectedVersion": 2, "title": "again"}, user)
    assert reopened.status == "OK"
    assert tasks(user.uid)[task_id]["completedAt"] is None


def test_a_retried_create_with_a_client_id_changes_nothing(user: emu.User) -> None:
    payload = {"id": "client-chosen-1", "title": "Buy milk", "due": {"date": "2026-12-24"}}
    first = call("save_task", payload, user)
    stored = tasks(user.uid)["client-chosen-1"]
    second = call("save_task", payload, user)

    assert first.result == second.result
    assert second.result["version"] == 1
    assert tasks(user.uid)["client-chosen-1"] == stored  # not even updatedAt moved
    must_be_new = call("save_task", {**payload, "expectedVersion": 0}, user)
    assert must_be_new.status == "FAILED_PRECONDITION"


BAD = [
    ({"title": "x" * 201}, "title"),
    ({"title": "a", "due": {"date": "2026-12-24"}, "recurrence": "FREQ=SECONDLY"}, "recurrence"),
    ({"title": "a", "due": {"date": "2026-12-24"}, "recurrence": "not a rule"}, "recurrence"),
    ({"title": "a", "recurrence": "FREQ=DAILY"}, "recurrence"),
    ({"title": "a", "remind": {"date": "2026-12-24"}}, "remind.time"),
    ({"title": "a", "remind": {"date": "2040-12-24", "time": "09:00"}}, "remind"),
    ({"title": "a", "priority": 5}, "priority"),
    ({"title": "a", "colour": "red"}, "colour"),
    ({"title": "a", "id": "__reserved__"}, "id"),
    ({"title": "a", "tags": ["x" * 41]}, "tags[0]"),
]


@pytest.mark.parametrize(("payload", "field"), BAD)
def test_bad_input_names_the_field_and_writes_nothing(
    user: emu.User, payload: dict[str, Any], field: str
) -> None:
    answer = call("save_task", payload, user)

    assert answer.status == "INVALID_ARGUMENT", answer
    assert answer.details["field"] == field
    assert tasks(user.uid) == {}
    assert all_reminders() == []


def test_someone_elses_id_reaches_only_the_callers_own_tasks(
    user: emu.User, other_user: emu.User
) -> None:
    theirs = call("save_task", {"id": "shared-id", "title": "theirs"}, other_user)
    assert theirs.status == "OK"
    before = tasks(other_user.uid)

    update = call("save_task", {"id": "shared-id", "expectedVersion": 1, "title": "x"}, user)
    assert update.status == "FAILED_PRECONDITION"
    assert update.details["version"] == 0
    mine = call("save_task", {"id": "shared-id", "title": "mine"}, user)
    assert (mine.status, mine.result["version"]) == ("OK", 1)
    gone = call("delete_task", {"id": "shared-id", "expectedVersion": 1}, other_user)
    assert gone.status == "OK"
    deleted = call("delete_task", {"id": "shared-id"}, user)
    assert deleted.result == {"deleted": True}

    assert before["shared-id"]["title"] == "theirs"
    assert tasks(user.uid) == {}
    assert tasks(other_user.uid) == {}


def test_the_per_user_limit_counts_every_task(
    user: emu.User, enqueuer: RecordingEnqueuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit (5,000) lowered in-process: the same count query and check."""
    monkeypatch.setattr(service, "MAX_TASKS_PER_USER", 3)
    kept = [save(user.uid, enqueuer, title=f"t{i}") for i in range(2)]
    series = save(user.uid, enqueuer, **WEEKLY)  # the third

    with pytest.raises(ResourceExhausted) as refused:
        save(user.uid, enqueuer, title="one too many")
    assert refused.value.details == {"limit": "tasks", "max": 3}
    # Completing the series would add its next task: refused too, nothing written.
    with pytest.raises(ResourceExhausted):
        save(user.uid, enqueuer, **{**WEEKLY, "id": series.id, "status": "done"})
    edited = save(user.uid, enqueuer, id=kept[0].id, title="an edit still fits")
    assert edited.version == 2
    assert len(tasks(user.uid)) == 3
    assert tasks(user.uid)[series.id]["status"] == "todo"


# --- recurrence -----------------------------------------------------------------------


def test_completing_a_recurring_task_twice_creates_one_next(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    first = save(user.uid, enqueuer, **WEEKLY)
    done = {**WEEKLY, "id": first.id, "status": "done"}

    with ThreadPoolExecutor(2) as pool:  # two devices completing it at once
        results = list(pool.map(lambda _: save(user.uid, enqueuer, **done), range(2)))
    again = save(user.uid, enqueuer, **done)

    next_ids = {r.next_id for r in [*results, again]}
    assert len(next_ids) == 1
    assert None not in next_ids
    stored = tasks(user.uid)
    assert set(stored) == {first.id, *next_ids}
    following = stored[next_ids.pop()]  # type: ignore[arg-type]
    assert (following["seriesId"], following["previousId"]) == (first.id, first.id)
    assert (following["status"], following["version"]) == ("todo", 1)
    assert stored[first.id]["seriesId"] == first.id


def test_a_weekly_0900_berlin_task_recurs_at_0900_across_the_march_change(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    set_zone(user, BERLIN)
    first = save(user.uid, enqueuer, **WEEKLY)
    assert (first.due_at, first.remind_at) == (utc(2026, 3, 23, 8), utc(2026, 3, 23, 7, 45))

    completed = save(user.uid, enqueuer, **{**WEEKLY, "id": first.id, "status": "done"})

    assert completed.next_id is not None
    following = tasks(user.uid)[completed.next_id]
    assert following["due"] == {"date": "2026-03-30", "time": "09:00", "timezone": None}
    assert following["remind"] == {"date": "2026-03-30", "time": "08:45", "timezone": None}
    assert following["dueAt"] == utc(2026, 3, 30, 7)  # 09:00 CEST
    assert following["remindAt"] == utc(2026, 3, 30, 6, 45)
    assert following["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    # The completed task's reminder is disarmed; the next one's is armed.
    assert record(user.uid, first.id) is None
    assert (record(user.uid, completed.next_id) or {})["nextFireAt"] == utc(2026, 3, 30, 6, 45)
    armed = [(t.queue, t.at) for t in enqueuer.tasks]
    assert (TIMER_QUEUE, utc(2026, 3, 30, 6, 45)) in armed


def test_a_series_with_no_further_occurrence_creates_nothing(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    last = save(user.uid, enqueuer, **{**WEEKLY, "recurrence": "FREQ=WEEKLY;COUNT=1"})
    done = save(
        user.uid,
        enqueuer,
        **{**WEEKLY, "recurrence": "FREQ=WEEKLY;COUNT=1", "id": last.id, "status": "done"},
    )
    assert done.next_id is None
    assert set(tasks(user.uid)) == {last.id}


# --- reminders ------------------------------------------------------------------------


def test_a_reminder_fires_once(user: emu.User, enqueuer: RecordingEnqueuer) -> None:
    saved = save(user.uid, enqueuer, **WEEKLY)
    at = saved.remind_at
    assert at == utc(2026, 3, 23, 8, 45)  # the profile's zone is UTC
    assert (record(user.uid, saved.id) or {})["nextFireAt"] == at
    assert [t.at for t in enqueuer.tasks] == [at]

    outcomes = [fire(enqueuer, user.uid, saved.id, at) for _ in range(2)]  # delivered twice

    assert outcomes == ["fired", "stale"]
    [note] = inbox(user.uid)
    assert note["id"] == reminders.notification_id(saved.id, at)
    assert (note["kind"], note["title"], note["read"]) == ("reminder", "Team sync", False)
    assert note["body"] == "Due Mon 23 Mar 2026, 09:00 UTC"
    assert note["link"] == f"/tasks?task={saved.id}"
    assert record(user.uid, saved.id) is None  # one shot: nothing more is armed
    assert len(enqueuer.tasks) == 1


def test_a_moved_reminder_does_not_fire_at_its_old_time(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    saved = save(user.uid, enqueuer, **WEEKLY)
    moved = save(
        user.uid,
        enqueuer,
        **{**WEEKLY, "id": saved.id, "remind": {"date": "2026-03-23", "time": "08:30"}},
    )

    assert fire(enqueuer, user.uid, saved.id, saved.remind_at) == "stale"  # type: ignore[arg-type]
    assert inbox(user.uid) == []
    assert (record(user.uid, saved.id) or {})["nextFireAt"] == moved.remind_at
    assert fire(enqueuer, user.uid, saved.id, moved.remind_at) == "fired"  # type: ignore[arg-type]
    assert len(inbox(user.uid)) == 1


def test_a_done_task_gets_no_reminder(user: emu.User, enqueuer: RecordingEnqueuer) -> None:
    saved = save(user.uid, enqueuer, **{**WEEKLY, "recurrence": None})
    save(user.uid, enqueuer, **{**WEEKLY, "recurrence": None, "id": saved.id, "status": "done"})
    at: datetime = saved.remind_at  # type: ignore[assignment]

    assert record(user.uid, saved.id) is None
    assert fire(enqueuer, user.uid, saved.id, at) == "stale"
    # Even with a record left behind (a race), the fire reads the task and sends nothing.
    left = {"uid": user.uid, "taskId": saved.id}
    assert reminders.fire(db(), record=left, at=at, now=at).outcome == "stale"
    assert inbox(user.uid) == []


def test_a_reminder_without_a_due_says_when_it_is(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    saved = save(user.uid, enqueuer, remind={"date": "2026-03-23", "time": "10:00"})
    assert fire(enqueuer, user.uid, saved.id, utc(2026, 3, 23, 10)) == "fired"
    assert inbox(user.uid)[0]["body"] == "Reminder for Mon 23 Mar 2026, 10:00 UTC"


def test_deleting_disarms_and_is_idempotent(user: emu.User, enqueuer: RecordingEnqueuer) -> None:
    saved = save(user.uid, enqueuer, **WEEKLY)
    delete = DeleteTask(id=saved.id, expected_version=1)

    first = service.delete_task(db=db(), uid=user.uid, command=delete)
    second = service.delete_task(db=db(), uid=user.uid, command=delete)

    assert (first.deleted, second.deleted) == (True, False)
    assert record(user.uid, saved.id) is None
    assert fire(enqueuer, user.uid, saved.id, saved.remind_at) == "stale"  # type: ignore[arg-type]
    assert inbox(user.uid) == []
    kept = save(user.uid, enqueuer, title="kept")
    stale = call("delete_task", {"id": kept.id, "expectedVersion": 3}, user)
    assert stale.status == "FAILED_PRECONDITION"
    assert kept.id in tasks(user.uid)
    bad = call("delete_task", {"id": "a/b"}, user)
    assert (bad.status, bad.details["field"]) == ("INVALID_ARGUMENT", "id")


def test_a_zone_change_moves_floating_tasks_and_their_reminders(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    floating = save(user.uid, enqueuer, **WEEKLY)
    fixed = save(
        user.uid,
        enqueuer,
        title="Flight",
        due={"date": "2026-03-23", "time": "14:05", "timezone": BERLIN},
        remind={"date": "2026-03-23", "time": "12:00", "timezone": BERLIN},
    )
    fixed_before = tasks(user.uid)[fixed.id]
    # The zone written as update_settings does, without its own call to rearm_floating
    # (which runs with the real clock).
    db().collection("users").document(user.uid).update({"settings.timezone": BERLIN})

    armed = reminders.rearm_floating(
        db=db(), enqueuer=enqueuer, uid=user.uid, user_zone=BERLIN, now=NOW
    )

    assert armed == 1
    moved = tasks(user.uid)[floating.id]
    assert (moved["dueAt"], moved["remindAt"]) == (utc(2026, 3, 23, 8), utc(2026, 3, 23, 7, 45))
    assert (record(user.uid, floating.id) or {})["nextFireAt"] == utc(2026, 3, 23, 7, 45)
    assert tasks(user.uid)[fixed.id] == fixed_before
    assert fire(enqueuer, user.uid, floating.id, utc(2026, 3, 23, 8, 45)) == "stale"
    assert fire(enqueuer, user.uid, floating.id, utc(2026, 3, 23, 7, 45)) == "fired"
    again = reminders.rearm_floating(
        db=db(), enqueuer=enqueuer, uid=user.uid, user_zone=BERLIN, now=NOW
    )
    assert again == 0

    set_zone(user, "America/New_York")  # update_settings moves floating tasks itself
    assert tasks(user.uid)[floating.id]["dueAt"] == utc(2026, 3, 23, 13)  # 09:00 EDT
    assert tasks(user.uid)[fixed.id] == fixed_before


def test_the_sweeper_delivers_a_lost_reminder_late_or_rearms_it(
    user: emu.User, enqueuer: RecordingEnqueuer
) -> None:
    kind = reminders.timer_kind(db(), enqueuer)
    lost = save(user.uid, enqueuer, **WEEKLY)  # its task "lost": held here, never run
    ahead = save(
        user.uid, enqueuer, **{**WEEKLY, "remind": {"date": "2026-04-01", "time": "09:00"}}
    )
    repository.reminder_ref(db(), user.uid, ahead.id).update(
        {"nextFireAt": NOW - timedelta(hours=1)}
    )

    report = timers.repair_all(db(), [kind], now=utc(2026, 3, 23, 9))

    assert report == {"taskreminders": 2, "taskreminderErrors": 0}
    [note] = inbox(user.uid)
    assert note["id"] == reminders.notification_id(lost.id, lost.remind_at)  # type: ignore[arg-type]
    assert record(user.uid, lost.id) is None
    assert (record(user.uid, ahead.id) or {})["nextFireAt"] == ahead.remind_at


# --- end to end -----------------------------------------------------------------------


def test_a_reminder_arrives_in_the_inbox_on_time(user: emu.User) -> None:
    """Through the callable, the Tasks emulator, the local clock and `firetimer`."""
    soon = (datetime.now(UTC) + timedelta(seconds=70)).replace(second=0, microsecond=0)
    soon += timedelta(minutes=1)  # 70-130 s ahead, on a whole minute
    remind = WallTime.at(soon, timezone="UTC").stored()
    saved = call("save_task", {"title": "Stretch", "remind": remind}, user)
    assert saved.status == "OK", saved.error
    assert datetime.fromisoformat(saved.result["remindAt"]) == soon

    [note] = emu.wait_for(lambda: inbox(user.uid), timeout=150, interval=1.0)

    assert note["createdAt"] >= soon  # the clock held the task until its time
    assert (note["kind"], note["title"]) == ("reminder", "Stretch")
    assert note["link"] == f"/tasks?task={saved.result['id']}"
    emu.wait_for(lambda: record(user.uid, saved.result["id"]) is None, timeout=10)

    done = call("save_task", {"id": saved.result["id"], "title": "Stretch", "status": "done"}, user)
    assert done.status == "OK"

    def types() -> list[str]:
        found = db().collection("events").where(filter=FieldFilter("uid", "==", user.uid)).stream()
        return sorted(e.to_dict()["type"] for e in found)

    emu.wait_for(lambda: "aura.task.completed" in types(), timeout=30)
    assert types() == ["aura.task.completed", "aura.task.created"]

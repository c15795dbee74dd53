"""The daily briefing against the emulators: slots, the tick (once, even twice or
overlapping), who is due when, what a briefing holds, its cost in reads and writes, and
the deployed schedule."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.accounts import service as accounts
from shared.accounts.models import Caller, UpdateBriefing, UpdateSettings
from shared.briefings import repository, service
from shared.briefings.slots import next_slot
from shared.calendar import service as calendar
from shared.calendar.models import SaveCalendarEvent
from shared.localtime import WallTime
from shared.platform import clients
from shared.tasks import service as tasks
from shared.tasks.models import SaveTask
from tests.integration.test_chat_ops import Traced
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

# Far ahead of the real clock, so the schedule the local clock fires for real never
# finds these slots due while a test runs.
DAY = date(2030, 6, 3)
EVE = datetime(2030, 6, 2, 12, 0, tzinfo=UTC)  # settings saved here
KOLKATA_7AM = datetime(2030, 6, 3, 1, 30, tzinfo=UTC)  # 07:00 IST (+05:30)
KATHMANDU_7AM = datetime(2030, 6, 3, 1, 15, tzinfo=UTC)  # 07:00 NPT (+05:45)
NEW_YORK_7AM = datetime(2030, 6, 3, 11, 0, tzinfo=UTC)  # 07:00 EDT (-04:00)


def utc(hour: int, minute: int = 0, *, day: int = 3) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC)


class Enqueued:
    """An Enqueuer that records what it is asked to queue."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, dict[str, Any], str, datetime | None]] = []

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        self.tasks.append((queue, payload, name, at))
        return True


def settle(
    user: emu.User, timezone: str, *, time: str = "07:00", now: datetime = EVE, **extra: Any
) -> None:
    """Save the user's zone and briefing time at `now` (the slot follows)."""
    accounts.update_settings(
        db=clients.get_db(),
        caller=Caller(uid=user.uid),
        command=UpdateSettings(timezone=timezone, briefing=UpdateBriefing(time=time), **extra),
        now=now,
    )


def slot(uid: str) -> dict[str, Any] | None:
    return repository.slot_ref(clients.get_db(), uid).get().to_dict()


def briefing(uid: str, day: date = DAY) -> dict[str, Any] | None:
    return repository.briefing_ref(clients.get_db(), uid, day.isoformat()).get().to_dict()


def briefings(uid: str) -> list[str]:
    return [d.id for d in repository.briefings_of(clients.get_db(), uid).stream()]


def notifications(uid: str) -> dict[str, dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/notifications").stream()
    return {d.id: d.to_dict() or {} for d in docs}


def tick(now: datetime, **kwargs: Any) -> dict[str, Any]:
    return service.send_due(db=clients.get_db(), gateway=None, now=now, **kwargs)


# --- slots -----------------------------------------------------------------------------


def test_a_new_profile_gets_its_slot_and_settings_move_it(user: emu.User) -> None:
    before = datetime.now(UTC)
    created = slot(user.uid)
    assert created is not None  # written by ensure_profile with the profile
    assert created["timezone"] == "UTC"
    assert created["time"] == "07:00"
    assert created["nextAt"] == next_slot(time="07:00", timezone="UTC", after=before)

    changed = emu.call(
        "update_settings",
        {"timezone": "Asia/Kathmandu", "briefing": {"time": "06:45"}},
        user.id_token,
    )

    assert changed.status == "OK", changed.error
    assert changed.result["settings"]["briefing"] == {"enabled": True, "time": "06:45"}
    moved = slot(user.uid) or {}
    assert (moved["timezone"], moved["time"]) == ("Asia/Kathmandu", "06:45")
    assert moved["nextAt"] == next_slot(time="06:45", timezone="Asia/Kathmandu", after=before)
    assert moved["nextAt"].minute in (0, 15, 30, 45)  # Kathmandu's 06:45 is 01:00 UTC


def test_turning_the_briefing_off_removes_the_slot_and_on_brings_it_back(user: emu.User) -> None:
    off = emu.call("update_settings", {"briefing": {"enabled": False}}, user.id_token)
    assert off.status == "OK", off.error
    assert slot(user.uid) is None
    stored = clients.get_db().document(f"users/{user.uid}").get().to_dict() or {}
    assert stored["settings"]["briefing"] == {"enabled": False, "time": "07:00"}

    emu.call("update_settings", {"briefing": {"enabled": True}}, user.id_token)
    assert (slot(user.uid) or {}).get("time") == "07:00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"briefing": {"time": "7am"}}, "briefing.time"),
        ({"briefing": {}}, "briefing"),
        ({"briefing": {"enabled": "no"}}, "briefing.enabled"),
        ({"timezone": "Asia/Kolkata", "briefing": {"time": "25:00"}}, "briefing.time"),
    ],
)
def test_bad_briefing_settings_name_the_field_and_write_nothing(
    user: emu.User, payload: dict[str, Any], field: str
) -> None:
    db = clients.get_db()
    profile_before = db.document(f"users/{user.uid}").get().to_dict()
    slot_before = slot(user.uid)

    result = emu.call("update_settings", payload, user.id_token)

    assert result.status == "INVALID_ARGUMENT", result
    assert result.details.get("field") == field
    assert db.document(f"users/{user.uid}").get().to_dict() == profile_before
    assert slot(user.uid) == slot_before


def test_a_zone_change_moves_floating_reminders_and_the_slot(user: emu.User) -> None:
    db, enqueued = clients.get_db(), Enqueued()
    now = datetime.now(UTC)
    ahead = (now + timedelta(days=3)).date()
    saved = tasks.save_task(
        db=db,
        enqueuer=enqueued,
        uid=user.uid,
        command=SaveTask(
            title="Floating",
            due=WallTime(date=ahead, time="10:00"),
            remind=WallTime(date=ahead, time="09:00"),
        ),
        now=now,
    )
    task_ref = db.document(f"users/{user.uid}/tasks/{saved.id}")
    before = task_ref.get().to_dict() or {}

    accounts.update_settings(
        db=db,
        caller=Caller(uid=user.uid),
        command=UpdateSettings(timezone="Asia/Kolkata"),
        now=now,
        enqueuer=enqueued,
    )

    after = task_ref.get().to_dict() or {}
    assert after["remindAt"] - before["remindAt"] == timedelta(hours=-5, minutes=-30)
    assert (slot(user.uid) or {})["timezone"] == "Asia/Kolkata"


# --- the tick --------------------------------------------------------------------------


def test_due_users_are_briefed_once_even_when_the_tick_runs_twice(
    user: emu.User, other_user: emu.User
) -> None:
    settle(user, "Asia/Kolkata")
    settle(other_user, "America/New_York")
    ny_slot = slot(other_user.uid)

    first = tick(KOLKATA_7AM)
    second = tick(KOLKATA_7AM)

    assert first == {"due": 1, "briefed": 1, "more": False}
    assert second == {"due": 0, "more": False}
    assert briefings(user.uid) == [DAY.isoformat()]
    note = notifications(user.uid)["briefing-2030-06-03"]
    assert note["kind"] == "briefing"
    assert note["link"] == "/inbox?briefing=2030-06-03"
    assert note["body"] == (briefing(user.uid) or {})["summary"]
    assert (slot(user.uid) or {})["nextAt"] == KOLKATA_7AM + timedelta(days=1)
    # Not due (07:00 in New York is 11:00 UTC): untouched.
    assert briefings(other_user.uid) == []
    assert notifications(other_user.uid) == {}
    assert slot(other_user.uid) == ny_slot


def test_overlapping_ticks_brief_once(user: emu.User, other_user: emu.User) -> None:
    settle(user, "Asia/Kolkata")
    settle(other_user, "Asia/Kolkata", time="06:30")
    # Both ticks read the slot before either moved it.
    due = repository.due_slots(clients.get_db(), now=KOLKATA_7AM, limit=10)
    assert len(due) == 2
    outcomes = [
        service.brief_user(db=clients.get_db(), gateway=None, slot=s, now=KOLKATA_7AM)
        for s in due + due
    ]
    assert outcomes == ["briefed", "briefed", "already", "already"]

    # And two whole ticks at once, on fresh slots the next day.
    reports: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        reports.append(tick(KOLKATA_7AM + timedelta(days=1)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = Counter[str]()
    for report in reports:
        total.update({k: v for k, v in report.items() if k not in ("due", "more")})
    assert total["briefed"] == 2
    assert total["errors"] == 0
    for uid in (user.uid, other_user.uid):
        assert briefings(uid) == ["2030-06-03", "2030-06-04"]
        assert set(notifications(uid)) == {"briefing-2030-06-03", "briefing-2030-06-04"}


def test_each_zone_is_picked_by_the_tick_that_covers_its_local_seven(
    user: emu.User, other_user: emu.User
) -> None:
    settle(user, "Asia/Kolkata")  # 01:30 UTC
    settle(other_user, "Asia/Kathmandu")  # 01:15 UTC

    assert tick(utc(1, 0)) == {"due": 0, "more": False}
    assert tick(utc(1, 15))["briefed"] == 1
    assert briefings(other_user.uid) == [DAY.isoformat()]
    assert briefings(user.uid) == []
    assert tick(utc(1, 30))["briefed"] == 1
    assert briefings(user.uid) == [DAY.isoformat()]


def test_a_tick_takes_at_most_its_limit_and_leaves_the_rest(
    user: emu.User, other_user: emu.User
) -> None:
    settle(user, "Asia/Kolkata")
    settle(other_user, "Asia/Kolkata")

    first = tick(KOLKATA_7AM, limit=1)
    second = tick(KOLKATA_7AM, limit=1)

    assert (first["briefed"], first["more"]) == (1, True)
    assert (second["briefed"], second["more"]) == (1, False)
    assert briefings(user.uid) == briefings(other_user.uid) == [DAY.isoformat()]


def test_a_later_time_the_same_day_does_not_brief_twice(user: emu.User) -> None:
    settle(user, "Asia/Kolkata")
    tick(KOLKATA_7AM)
    settle(user, "Asia/Kolkata", time="09:00", now=utc(2, 0))  # after today's briefing

    report = tick(utc(3, 30))  # 09:00 IST

    assert report == {"due": 1, "already": 1, "more": False}
    assert briefings(user.uid) == [DAY.isoformat()]
    assert (slot(user.uid) or {})["nextAt"] == utc(3, 30, day=4)


def test_a_slot_long_overdue_moves_on_without_a_briefing(user: emu.User) -> None:
    settle(user, "Asia/Kolkata")

    report = tick(KOLKATA_7AM + timedelta(hours=7))

    assert report == {"due": 1, "stale": 1, "more": False}
    assert briefings(user.uid) == []
    assert (slot(user.uid) or {})["nextAt"] == KOLKATA_7AM + timedelta(days=1)


def test_a_turned_off_briefing_is_not_sent(user: emu.User) -> None:
    accounts.update_settings(
        db=clients.get_db(),
        caller=Caller(uid=user.uid),
        command=UpdateSettings(briefing=UpdateBriefing(enabled=False)),
        now=EVE,
    )
    assert tick(KOLKATA_7AM + timedelta(days=400)) == {"due": 0, "more": False}
    assert briefings(user.uid) == []


# --- what a briefing holds, and what it costs -------------------------------------------


def seed_day(user: emu.User) -> dict[str, str]:
    """A Kolkata user's 2030-06-03: an overdue task, one due today with a reminder, one
    done, one for tomorrow; a one-off event today, a daily series from May, an event
    tomorrow."""
    db, enqueued = clients.get_db(), Enqueued()
    ids: dict[str, str] = {}

    def task(key: str, title: str, due: str, **more: Any) -> None:
        command = SaveTask(title=title, due=WallTime.model_validate({**_wall(due)}), **more)
        ids[key] = tasks.save_task(
            db=db, enqueuer=enqueued, uid=user.uid, command=command, now=EVE
        ).id

    task("overdue", "Pay rent", "2030-06-01T10:00", priority=3)
    task(
        "today",
        "Call Bob",
        "2030-06-03T15:00",
        remind=WallTime.model_validate(_wall("2030-06-03T14:30")),
    )
    task("done", "Already done", "2030-06-03T09:00", status="done")
    task("tomorrow", "Later", "2030-06-04T09:00")

    def event(key: str, title: str, start: str, end: str, **more: Any) -> None:
        command = SaveCalendarEvent(
            title=title,
            start=WallTime.model_validate(_wall(start)),
            end=WallTime.model_validate(_wall(end)),
            **more,
        )
        ids[key] = calendar.save_event(
            db=db, enqueuer=enqueued, uid=user.uid, command=command, now=EVE
        ).id

    event("standup", "Standup", "2030-06-03T09:00", "2030-06-03T09:30")
    event("yoga", "Yoga", "2030-05-01T18:00", "2030-05-01T19:00", recurrence="FREQ=DAILY")
    event("next", "Tomorrow's lunch", "2030-06-04T12:00", "2030-06-04T13:00")
    return ids


def _wall(text: str) -> dict[str, Any]:
    day, time = text.split("T")
    return {"date": day, "time": time}


def test_the_briefing_holds_the_days_tasks_reminders_and_events(user: emu.User) -> None:
    settle(user, "Asia/Kolkata")
    ids = seed_day(user)

    assert tick(KOLKATA_7AM)["briefed"] == 1

    stored = briefing(user.uid) or {}
    assert stored["date"] == "2030-06-03"
    assert stored["timezone"] == "Asia/Kolkata"
    assert [(t["id"], t["overdue"]) for t in stored["tasks"]] == [
        (ids["overdue"], True),
        (ids["today"], False),
    ]
    assert [r["id"] for r in stored["reminders"]] == [ids["today"]]
    assert [(e["id"], e["title"], e["start"]) for e in stored["events"]] == [
        (ids["standup"], "Standup", utc(3, 30)),  # 09:00 IST
        (ids["yoga"], "Yoga", utc(12, 30)),  # 18:00 IST, an occurrence of the series
    ]
    assert stored["counts"] == {"events": 2, "tasks": 2, "overdue": 1, "reminders": 1}
    assert stored["summarySource"] == "fallback"  # no gateway in this test
    assert "Pay rent (overdue)" in stored["summary"]
    assert "09:00 Standup" in stored["summary"]


@pytest.mark.usefixtures("standin")
def test_reads_and_writes_per_user_briefed_and_for_an_empty_tick(user: emu.User) -> None:
    settle(user, "Asia/Kolkata")
    seed_day(user)
    db = clients.get_db()

    idle = Traced(db)
    try:
        assert service.send_due(db=db, gateway=None, now=utc(0, 0)) == {"due": 0, "more": False}
    finally:
        idle.close()

    traced = Traced(db)
    try:
        report = service.send_due(db=db, gateway=local_gateway(), now=KOLKATA_7AM, workers=1)
    finally:
        traced.close()

    for op in traced.ops:
        print("briefed", op)  # noqa: T201 (shown with -s: what each operation is for)
    reads, writes = traced.total("read"), traced.total("write")
    print("empty tick reads", idle.total("read"), "writes", idle.total("write"))  # noqa: T201
    print("one user briefed (AI) reads", reads, "writes", writes)  # noqa: T201
    assert report["briefed"] == 1
    assert (briefing(user.uid) or {})["summarySource"] == "ai"
    # Nobody due: one query that finds nothing, no write.
    assert (idle.total("read"), idle.total("write")) == (1, 0)
    # Four fixed (the slot from the due query, the profile, the quota ledger, the slot
    # again in the transaction) plus what the day's four queries return: 2 tasks due,
    # 1 reminder, 2 events ending after the day starts (today's, tomorrow's), 1 series.
    assert reads == 4 + 6, traced.ops
    # Quota reserve and settle, the AI call's usage-analytics counter (one sharded
    # increment), then one commit of briefing + notification + slot.
    assert writes == 6, traced.ops


@pytest.mark.usefixtures("standin")
def test_the_deployed_schedule_briefs_a_due_user(user: emu.User) -> None:
    now = datetime.now(UTC)
    ref = repository.slot_ref(clients.get_db(), user.uid)
    ref.update({"nextAt": now - timedelta(minutes=1)})
    today = (now - timedelta(minutes=1)).date()  # the user's zone is UTC

    emu.clock_fire("send_briefings")  # as Cloud Scheduler would, every 15 minutes

    stored = emu.wait_for(lambda: briefing(user.uid, today), timeout=60)
    assert stored["date"] == today.isoformat()
    assert f"briefing-{today.isoformat()}" in notifications(user.uid)
    assert (slot(user.uid) or {})["nextAt"] > now

"""The tasks feature's pure rules, in memory: what a save accepts, the instants it
derives, `completedAt`, a recurring task's next occurrence (across DST), the reminder's
wants and wording, and the change event of a completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.errors import InvalidArgument
from shared.events.changes import change_event, event_type
from shared.localtime import WallTime, zone
from shared.tasks import reminders
from shared.tasks.models import SaveTask, TaskDoc, floats, instants
from shared.tasks.service import completed_at, next_occurrence, next_task_id
from shared.validation import parse

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def wall(day: str, time: str | None = None, timezone: str | None = None) -> WallTime:
    return WallTime(date=date.fromisoformat(day), time=time, timezone=timezone)


# --- what a save accepts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"title": "   "}, "title"),
        ({}, "title"),
        ({"title": "a", "notes": "n" * 5_001}, "notes"),
        ({"title": "a", "priority": 5}, "priority"),
        ({"title": "a", "priority": -1}, "priority"),
        ({"title": "a", "priority": True}, "priority"),
        ({"title": "a", "priority": "2"}, "priority"),
        ({"title": "a", "status": "finished"}, "status"),
        ({"title": "a", "tags": ["t"] * 21}, "tags"),
        ({"title": "a", "tags": ["x" * 41]}, "tags[0]"),
        ({"title": "a", "tags": ["x", "x"]}, "tags"),
        ({"title": "a", "tags": [""]}, "tags[0]"),
        ({"title": "a", "zzUnknown": 1}, "zzUnknown"),
        ({"title": "a", "id": "__x__"}, "id"),
        ({"title": "a", "id": "a/b"}, "id"),
        ({"title": "a", "expectedVersion": -1}, "expectedVersion"),
        ({"title": "a", "remind": {"date": "2026-04-01"}}, "remind.time"),
        ({"title": "a", "remind": {"date": "2026-04-01", "time": "25:00"}}, "remind.time"),
        ({"title": "a", "due": {"date": "2026-02-30"}}, "due.date"),
        ({"title": "a", "due": {"date": "2026-04-01", "timezone": "Mars/Base"}}, "due.timezone"),
        ({"title": "a", "due": {"date": "2026-04-01", "zone": "UTC"}}, "due.zone"),
        ({"title": "a", "recurrence": "FREQ=WEEKLY"}, "recurrence"),
        ({"title": "a", "due": {"date": "2026-04-01"}, "recurrence": "FREQ=HOURLY"}, "recurrence"),
        ({"title": "a", "due": {"date": "2026-04-01"}, "recurrence": "every monday"}, "recurrence"),
        (
            {
                "title": "a",
                "due": {"date": "2026-04-01"},
                "recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            },
            "recurrence",
        ),
        (
            {
                "title": "a",
                "due": {"date": "2026-04-01"},
                "recurrence": "FREQ=DAILY;UNTIL=20250101",
            },
            "recurrence",
        ),
    ],
)
def test_a_bad_save_names_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(SaveTask, payload)
    assert caught.value.field == field, caught.value.message


def test_a_good_save_is_normalised() -> None:
    command = parse(
        SaveTask,
        {
            "title": "  Water the plants ",
            "priority": 2,
            "due": {"date": "2026-03-23", "time": "09:00"},
            "remind": {"date": "2026-03-23", "time": "08:45", "timezone": BERLIN},
            "tags": ["home"],
            "recurrence": "rrule:freq=weekly;byday=mo",
        },
    )
    assert command.title == "Water the plants"
    assert command.recurrence == "FREQ=WEEKLY;BYDAY=MO"
    assert command.status == "todo"


def test_a_task_created_by_a_workflow_node_still_loads() -> None:
    old = {
        "title": "Call Bob",
        "notes": None,
        "status": "todo",
        "priority": 1,
        "dueAt": utc(2026, 3, 21, 9),
        "remindAt": None,
        "tags": ["workflow"],
        "createdAt": NOW,
        "completedAt": None,
        "origin": {"executionId": "e1"},
    }
    doc = TaskDoc.model_validate(old)
    assert (doc.due, doc.due_at, doc.version) == (None, utc(2026, 3, 21, 9), 0)
    assert doc.origin == {"executionId": "e1"}


# --- derived instants ----------------------------------------------------------------


def test_instants_follow_the_users_zone_unless_fixed() -> None:
    due = wall("2026-07-01", "09:00")  # floating
    remind = wall("2026-07-01", "08:00", BERLIN)  # fixed
    assert instants(due, remind, NEW_YORK) == (utc(2026, 7, 1, 13), utc(2026, 7, 1, 6))
    assert instants(due, remind, BERLIN) == (utc(2026, 7, 1, 7), utc(2026, 7, 1, 6))
    assert instants(None, None, BERLIN) == (None, None)
    assert floats(due, remind)
    assert not floats(None, remind)
    assert not floats(None, None)


def test_a_whole_day_is_due_at_local_midnight() -> None:
    due_at, _ = instants(wall("2026-12-05"), None, BERLIN)
    assert due_at == utc(2026, 12, 4, 23)


# --- completedAt ----------------------------------------------------------------------


def test_completed_at_is_set_kept_and_cleared() -> None:
    earlier = NOW - timedelta(days=2)
    becomes = completed_at(stored_status="todo", stored_completed_at=None, status="done", now=NOW)
    stays = completed_at(stored_status="done", stored_completed_at=earlier, status="done", now=NOW)
    leaves = completed_at(
        stored_status="done", stored_completed_at=earlier, status="doing", now=NOW
    )
    created_done = completed_at(
        stored_status=None, stored_completed_at=None, status="done", now=NOW
    )
    assert (becomes, stays, leaves, created_done) == (NOW, earlier, None, NOW)
    assert (
        completed_at(stored_status=None, stored_completed_at=None, status="todo", now=NOW) is None
    )


# --- the next occurrence -------------------------------------------------------------


def test_a_weekly_0900_stays_0900_local_across_the_march_change() -> None:
    due = wall("2026-03-23", "09:00")  # Monday, CET (UTC+1); Berlin springs forward on the 29th
    remind = wall("2026-03-23", "08:45")
    following = next_occurrence(
        due=due, remind=remind, recurrence="FREQ=WEEKLY;BYDAY=MO", user_zone=BERLIN
    )
    assert following is not None
    assert following.due == wall("2026-03-30", "09:00")
    assert following.remind == wall("2026-03-30", "08:45")
    assert following.due.instant(BERLIN) == utc(2026, 3, 30, 7)  # CEST (UTC+2)
    assert due.instant(BERLIN) == utc(2026, 3, 23, 8)


def test_a_fixed_zone_due_recurs_in_its_own_zone() -> None:
    due = wall("2026-03-06", "09:00", NEW_YORK)  # New York springs forward on 8 March
    following = next_occurrence(due=due, remind=None, recurrence="FREQ=WEEKLY", user_zone=BERLIN)
    assert following is not None
    assert following.due == wall("2026-03-13", "09:00", NEW_YORK)
    assert following.due.instant(BERLIN) == utc(2026, 3, 13, 13)
    assert following.remind is None


def test_a_whole_day_task_recurs_as_a_whole_day() -> None:
    following = next_occurrence(
        due=wall("2026-01-31"),
        remind=None,
        recurrence="FREQ=MONTHLY;BYMONTHDAY=-1",
        user_zone=BERLIN,
    )
    assert following is not None
    assert following.due == wall("2026-02-28")


def test_the_reminder_moves_by_the_same_wall_clock_step() -> None:
    following = next_occurrence(
        due=wall("2026-03-27", "09:00"),
        remind=wall("2026-03-26", "20:00"),  # the evening before
        recurrence="FREQ=DAILY",
        user_zone=BERLIN,
    )
    assert following is not None
    assert following.due == wall("2026-03-28", "09:00")
    assert following.remind == wall("2026-03-27", "20:00")


def test_count_is_carried_on_and_the_series_ends() -> None:
    due = wall("2026-04-01", "10:00")
    seen = [due]
    rule = "FREQ=DAILY;COUNT=3"
    while True:
        following = next_occurrence(due=seen[-1], remind=None, recurrence=rule, user_zone=BERLIN)
        if following is None:
            break
        seen.append(following.due)
        rule = following.recurrence
        assert len(seen) < 10
    assert [w.date.day for w in seen] == [1, 2, 3]
    assert rule == "FREQ=DAILY;COUNT=1"


def test_until_ends_the_series() -> None:
    rule = "FREQ=WEEKLY;UNTIL=20260410T235959"
    first = next_occurrence(due=wall("2026-04-03"), remind=None, recurrence=rule, user_zone=BERLIN)
    assert first is not None
    assert first.due == wall("2026-04-10")
    assert next_occurrence(due=first.due, remind=None, recurrence=rule, user_zone=BERLIN) is None


def test_the_next_tasks_id_is_derived_from_series_and_due() -> None:
    a = next_task_id("s1", wall("2026-03-30", "09:00"))
    assert a == next_task_id("s1", wall("2026-03-30", "09:00"))
    assert a != next_task_id("s1", wall("2026-04-06", "09:00"))
    assert a != next_task_id("s2", wall("2026-03-30", "09:00"))
    assert len(a) == 40


# --- reminders -------------------------------------------------------------------------


def task(**fields: Any) -> TaskDoc:
    return TaskDoc.model_validate({"title": "Call Bob", **fields})


def test_a_reminder_is_wanted_ahead_and_not_when_done() -> None:
    ahead = NOW + timedelta(hours=1)
    assert reminders.wanted_at(task(remindAt=ahead), NOW) == ahead
    assert reminders.wanted_at(task(remindAt=ahead, status="done"), NOW) is None
    assert reminders.wanted_at(task(remindAt=NOW - timedelta(seconds=1)), NOW) is None
    assert reminders.wanted_at(task(), NOW) is None


def test_the_reminder_says_when_the_task_is_due_in_the_users_zone() -> None:
    due = wall("2026-12-05", "15:00")
    at = utc(2026, 12, 5, 13)
    with_due = task(due=due.stored(), dueAt=due.instant(BERLIN))
    assert reminders.body_of(with_due, at, BERLIN) == "Due Sat 5 Dec 2026, 15:00 Europe/Berlin"
    day = wall("2026-12-05")
    whole_day = task(due=day.stored(), dueAt=day.instant(BERLIN))
    assert reminders.body_of(whole_day, at, BERLIN) == "Due Sat 5 Dec 2026"
    assert (
        reminders.body_of(task(), at, BERLIN) == "Reminder for Sat 5 Dec 2026, 14:00 Europe/Berlin"
    )


def test_a_reminders_notification_id_is_per_task_and_instant() -> None:
    at = utc(2026, 12, 5, 13)
    same = reminders.notification_id("t1", at.astimezone(zone(BERLIN)))
    assert reminders.notification_id("t1", at) == same
    assert reminders.notification_id("t1", at + timedelta(minutes=1)) != same
    assert reminders.notification_id("t2", at) != same


# --- the change event of a completion -------------------------------------------------


@pytest.mark.parametrize(
    ("op", "before", "after", "expected"),
    [
        ("update", {"status": "todo"}, {"status": "done"}, "aura.task.completed"),
        ("update", {"status": "doing"}, {"status": "done"}, "aura.task.completed"),
        ("update", {"status": "done"}, {"status": "done", "title": "x"}, "aura.task.updated"),
        ("update", {"status": "done"}, {"status": "todo"}, "aura.task.updated"),
        ("update", {"status": "todo"}, {"status": "doing"}, "aura.task.updated"),
        ("create", None, {"status": "done"}, "aura.task.created"),
        ("delete", {"status": "todo"}, None, "aura.task.deleted"),
    ],
)
def test_a_task_turning_done_is_completed(
    op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, expected: str
) -> None:
    assert event_type("tasks", op, before, after) == expected


def test_the_completed_event_still_reads_as_an_update_to_firestore_triggers() -> None:
    envelope = change_event(
        uid="u1",
        collection="tasks",
        doc_id="t1",
        op="update",
        before={"status": "todo"},
        after={"status": "done", "title": "Call Bob"},
        trigger_id="trigger-1",
        now=NOW,
    )
    assert envelope.type == "aura.task.completed"
    assert envelope.data["operation"] == "update"
    assert event_type("calendar", "update", {"status": "x"}, {"status": "done"}) == (
        "aura.calendar_event.updated"
    )

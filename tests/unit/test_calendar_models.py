"""Calendar commands and the event a save stores (`shared.calendar.service.build_event`),
and the next reminder of an event (`shared.calendar.reminders.next_reminder`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.calendar.models import MAX_REMINDER_MINUTES, SaveCalendarEvent
from shared.calendar.reminders import next_reminder, notification_id
from shared.calendar.service import build_event
from shared.errors import InvalidArgument
from shared.validation import parse

BERLIN = ZoneInfo("Europe/Berlin")


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Standup",
        "start": {"date": "2026-03-16", "time": "09:00"},
        "end": {"date": "2026-03-16", "time": "09:30"},
        "timezone": "Europe/Berlin",
    }
    return {**base, **changes}


def built(**changes: Any) -> dict[str, Any]:
    return build_event(parse(SaveCalendarEvent, payload(**changes)), user_zone="UTC")


def field_of(**changes: Any) -> str | None:
    with pytest.raises(InvalidArgument) as caught:
        built(**changes)
    return caught.value.field


def test_a_timed_event_stores_wall_times_in_its_zone_and_derived_instants() -> None:
    doc = built(recurrence="FREQ=WEEKLY", reminders=[10, 0])
    assert doc["start"] == {"date": "2026-03-16", "time": "09:00", "timezone": "Europe/Berlin"}
    assert doc["startAt"] == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    assert doc["endAt"] - doc["startAt"] == timedelta(minutes=30)
    assert doc["reminders"] == [0, 10]
    assert doc["allDay"] is False


def test_a_floating_event_reads_in_the_user_zone() -> None:
    command = parse(SaveCalendarEvent, payload(timezone=None))
    doc = build_event(command, user_zone="Asia/Tokyo")
    assert doc["timezone"] is None
    assert doc["startAt"] == datetime(2026, 3, 16, 0, 0, tzinfo=UTC)


def test_start_at_is_the_first_real_occurrence() -> None:
    # 16 March 2026 is a Monday; the first Wednesday is the 18th
    doc = built(recurrence="FREQ=WEEKLY;BYDAY=WE")
    assert doc["startAt"] == datetime(2026, 3, 18, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"end": {"date": "2026-03-16"}}, "end.time"),
        ({"end": {"date": "2026-03-16", "time": "08:00"}}, "end"),
        ({"start": {"date": "2026-03-16"}, "end": {"date": "2026-03-16"}}, "end"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"start": {"date": "2026-03-16", "time": "9am"}}, "start.time"),
        ({"start": {"date": "2026-03-16", "time": "09:00", "timezone": "UTC"}}, "start.timezone"),
        ({"recurrence": "FREQ=SECONDLY"}, "recurrence"),
        ({"recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;UNTIL=20200101"}, "recurrence"),
        ({"reminders": [10, 10]}, "reminders"),
        ({"reminders": [1, 2, 3, 4, 5, 6]}, "reminders"),
        ({"reminders": [MAX_REMINDER_MINUTES + 1]}, "reminders[0]"),
        ({"reminders": [-1]}, "reminders[0]"),
        ({"attendees": ["not an email"]}, "attendees[0]"),
        ({"attendees": [f"a{i}@example.com" for i in range(51)]}, "attendees"),
        ({"id": "__x__"}, "id"),
        ({"id": "a/b"}, "id"),
        ({"colour": "red"}, "colour"),
        (
            {"recurrence": "FREQ=DAILY", "exceptions": {"2026-03-17T10:00": {"cancelled": True}}},
            "exceptions.2026-03-17T10:00",
        ),
        (
            {"recurrence": "FREQ=DAILY", "exceptions": {"2026-02-30T09:00": {"cancelled": True}}},
            "exceptions",
        ),
        (
            {"recurrence": "FREQ=DAILY", "exceptions": {"2026-03-17T09:00": {"start": None}}},
            "exceptions.2026-03-17T09:00",
        ),
        (
            {
                "recurrence": "FREQ=DAILY",
                "exceptions": {
                    f"{datetime(2026, 3, 17) + timedelta(days=i):%Y-%m-%dT09:00}": {
                        "cancelled": True
                    }
                    for i in range(101)
                },
            },
            "exceptions",
        ),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert field_of(**changes) == field


def test_exceptions_of_real_occurrences_are_stored_normalised() -> None:
    doc = built(
        recurrence="FREQ=DAILY;COUNT=10",
        exceptions={
            "2026-03-17T09:00": {"cancelled": True},
            "2026-03-18T09:00": {
                "start": {"date": "2026-03-18", "time": "11:00"},
                "end": {"date": "2026-03-18", "time": "11:30"},
            },
        },
    )
    assert doc["exceptions"] == {
        "2026-03-17T09:00": {"cancelled": True},
        "2026-03-18T09:00": {
            "start": {"date": "2026-03-18", "time": "11:00", "timezone": "Europe/Berlin"},
            "end": {"date": "2026-03-18", "time": "11:30", "timezone": "Europe/Berlin"},
        },
    }


def test_all_day_exception_keys_accept_a_bare_date() -> None:
    doc = built(
        start={"date": "2026-03-16"},
        end={"date": "2026-03-17"},
        timezone=None,
        recurrence="FREQ=DAILY;COUNT=3",
        exceptions={"2026-03-17": {"cancelled": True}},
    )
    assert doc["exceptions"] == {"2026-03-17T00:00": {"cancelled": True}}


# --- the next reminder -------------------------------------------------------------------


def test_the_next_reminder_is_the_earliest_pair_over_occurrences_and_offsets() -> None:
    doc = built(recurrence="FREQ=DAILY", reminders=[10, 1440])
    after = datetime(2026, 3, 16, 7, 55, tzinfo=UTC)  # 08:55 Berlin, the 09:00 was 5 min ago
    due = next_reminder(doc, user_zone="UTC", after=after)
    assert due is not None
    # the 16th 09:00 local is 5 minutes ahead, its 10-minute reminder has passed: next is
    # the 17th's one-day reminder, at the 16th 09:00 local
    assert [(o.key, m) for o, m in due.pairs] == [("2026-03-17T09:00", 1440)]
    assert due.at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def test_pairs_due_at_the_same_instant_fire_together() -> None:
    doc = built(recurrence="FREQ=DAILY", reminders=[0, 1440])
    due = next_reminder(doc, user_zone="UTC", after=datetime(2026, 3, 16, 7, 0, tzinfo=UTC))
    assert due is not None
    assert sorted((o.key, m) for o, m in due.pairs) == [
        ("2026-03-16T09:00", 0),
        ("2026-03-17T09:00", 1440),
    ]


def test_a_weekly_reminder_stays_at_its_local_time_across_dst() -> None:
    doc = built(recurrence="FREQ=WEEKLY", reminders=[10])
    after = datetime(2026, 3, 16, tzinfo=UTC)
    seen = []
    for _ in range(4):
        due = next_reminder(doc, user_zone="UTC", after=after)
        assert due is not None
        seen.append(due.at.astimezone(BERLIN).strftime("%m-%d %H:%M"))
        after = due.at
    assert seen == ["03-16 08:50", "03-23 08:50", "03-30 08:50", "04-06 08:50"]


def test_no_reminders_or_a_finished_series_have_no_next_reminder() -> None:
    assert next_reminder(built(), user_zone="UTC", after=datetime(2026, 1, 1, tzinfo=UTC)) is None
    once = built(reminders=[5])
    assert next_reminder(once, user_zone="UTC", after=datetime(2026, 3, 17, tzinfo=UTC)) is None


def test_notification_ids_derive_from_event_occurrence_and_offset() -> None:
    first = notification_id("ev1", "2026-03-16T09:00", 10)
    assert first == notification_id("ev1", "2026-03-16T09:00", 10)
    assert first != notification_id("ev1", "2026-03-16T09:00", 5)
    assert first != notification_id("ev1", "2026-03-23T09:00", 10)

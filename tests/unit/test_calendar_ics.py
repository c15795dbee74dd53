"""The iCalendar feed built from stored events, and `.ics` import mapping (incl. hostile
files), without Firestore."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar

from shared.calendar import feed
from shared.calendar.ics_import import MAX_ICS_EVENTS, event_id_for, parse_calendar, to_events
from shared.calendar.models import MAX_ICS_BYTES, SaveCalendarEvent
from shared.calendar.service import build_event
from shared.errors import InvalidArgument
from shared.validation import parse

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def stored(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Standup",
        "start": {"date": "2026-03-16", "time": "09:00"},
        "end": {"date": "2026-03-16", "time": "09:30"},
        "timezone": "Europe/Berlin",
        "recurrence": "FREQ=WEEKLY;UNTIL=20260601T090000",
        "exceptions": {
            "2026-03-23T09:00": {"cancelled": True},
            "2026-03-30T09:00": {
                "start": {"date": "2026-03-30", "time": "11:00"},
                "end": {"date": "2026-03-30", "time": "11:30"},
            },
        },
        "reminders": [10, 60],
        "location": "Room 1",
        "attendees": ["ann@example.com"],
        "notes": "Bring notes",
    }
    doc = build_event(parse(SaveCalendarEvent, {**base, **changes}), user_zone="UTC")
    return {**doc, "version": 1, "createdAt": NOW, "updatedAt": NOW}


def test_the_feed_is_rfc5545_with_rrule_exdate_overrides_alarms_and_tzid() -> None:
    text = feed.build_calendar(
        [
            ("ev1", stored()),
            (
                "ev2",
                stored(
                    title="Holiday",
                    start={"date": "2026-12-24"},
                    end={"date": "2026-12-26"},
                    timezone=None,
                    recurrence=None,
                    exceptions={},
                    reminders=[],
                ),
            ),
        ],
        now=NOW,
    ).decode()

    assert "DTSTART;TZID=Europe/Berlin:20260316T090000" in text
    assert "BEGIN:VTIMEZONE" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260601T070000Z" in text  # UTC, as RFC 5545 asks
    assert "EXDATE;TZID=Europe/Berlin:20260323T090000" in text
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000" in text
    assert text.count("BEGIN:VALARM") == 2
    assert "TRIGGER:-PT10M" in text
    assert "DTSTART;VALUE=DATE:20261224" in text
    assert "DTEND;VALUE=DATE:20261226" in text
    assert "UID:ev1@aura" in text
    calendar = Calendar.from_ical(text)
    assert len(list(calendar.walk("VEVENT"))) == 3


def test_export_then_import_gives_the_same_events() -> None:
    originals = {
        "ev1": stored(),
        "ev2": stored(
            title="Floating lunch",
            timezone=None,
            recurrence="FREQ=DAILY;COUNT=5",
            exceptions={"2026-03-17T09:00": {"cancelled": True}},
            reminders=[0],
        ),
        "ev3": stored(
            title="Holiday",
            start={"date": "2026-12-24"},
            end={"date": "2026-12-26"},
            timezone=None,
            recurrence="FREQ=YEARLY",
            exceptions={},
            reminders=[],
            location=None,
            attendees=[],
            notes=None,
        ),
    }
    text = feed.build_calendar(list(originals.items()), now=NOW).decode()

    prepared, skipped = to_events(parse_calendar(text), user_zone="UTC")

    assert skipped == []
    back = {fields["uid"].removesuffix("@aura"): fields for _, fields in prepared}
    kept = ("title", "start", "end", "allDay", "timezone", "startAt", "endAt", "location")
    more = ("attendees", "notes", "recurrence", "exceptions", "reminders")
    for evid, original in originals.items():
        assert {k: back[evid][k] for k in kept + more} == {k: original[k] for k in kept + more}
    assert {event_id for event_id, _ in prepared} == {event_id_for(f"{e}@aura") for e in originals}


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//
{body}END:VCALENDAR
"""


def vevent(uid: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\nSUMMARY:E {uid}\n"
        f"DTSTART:20260316T090000\nDTEND:20260316T100000\n{extra}END:VEVENT\n"
    )


def mapped(body: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    prepared, skipped = to_events(parse_calendar(ICS.format(body=body)), user_zone="UTC")
    return {f["uid"]: f for _, f in prepared}, {s.uid: s.reason for s in skipped}


def test_import_maps_zones_floating_all_day_utc_and_alarms() -> None:
    events, skipped = mapped(
        vevent("float")
        + vevent("utc").replace("DTSTART:20260316T090000", "DTSTART:20260316T090000Z")
        + "BEGIN:VEVENT\nUID:day\nSUMMARY:Day\nDTSTART;VALUE=DATE:20260316\nEND:VEVENT\n"
        + "BEGIN:VEVENT\nUID:ny\nSUMMARY:NY\nDTSTART;TZID=America/New_York:20260316T090000\n"
        "DURATION:PT45M\nRRULE:FREQ=DAILY;UNTIL=20260320T130000Z\n"
        "EXDATE;TZID=America/New_York:20260317T090000\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:PT5M\nEND:VALARM\nEND:VEVENT\n"
    )
    assert skipped == {}
    assert events["float"]["timezone"] is None
    assert events["utc"]["timezone"] == "UTC"
    assert events["day"]["allDay"] is True
    assert events["day"]["end"]["date"] == "2026-03-17"  # one day when DTEND is absent
    ny = events["ny"]
    assert ny["timezone"] == "America/New_York"
    assert ny["end"]["time"] == "09:45"
    assert ny["recurrence"] == "FREQ=DAILY;UNTIL=20260320T090000"
    assert ny["exceptions"] == {"2026-03-17T09:00": {"cancelled": True}}
    assert ny["reminders"] == [15]  # an alarm after the start is not a reminder


def test_import_skips_what_it_cannot_represent_with_a_reason() -> None:
    events, skipped = mapped(
        vevent("fast", "RRULE:FREQ=SECONDLY\n")
        + vevent("never", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\n")
        + vevent("ok")
        + vevent("ok")
        + "BEGIN:VEVENT\nUID:nostart\nSUMMARY:x\nEND:VEVENT\n"
        + vevent("gone", "STATUS:CANCELLED\n")
    )
    assert set(events) == {"ok"}
    assert "FREQ" in skipped["fast"]
    assert "never occurs" in skipped["never"]
    assert skipped["ok"] == "a second VEVENT with this UID"
    assert skipped["nostart"] == "no DTSTART"
    assert skipped["gone"] == "the event is cancelled"


@pytest.mark.parametrize(
    "text",
    [
        "not a calendar at all",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\n",
        ICS.format(body="".join(vevent(f"u{i}") for i in range(2_000))),
        "X" * (MAX_ICS_BYTES + 1),
        "BEGIN:VCALENDAR\n" + "BEGIN:VEVENT\n" * 1_001,
    ],
    ids=["text", "malformed", "2000-events", "huge", "1001-begins"],
)
def test_hostile_files_are_refused_as_a_whole(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        to_events(parse_calendar(text), user_zone="UTC")
    assert caught.value.field == "ics"


def test_exactly_the_maximum_number_of_events_is_accepted() -> None:
    body = "".join(vevent(f"u{i}") for i in range(MAX_ICS_EVENTS))
    prepared, skipped = to_events(parse_calendar(ICS.format(body=body)), user_zone="UTC")
    assert (len(prepared), skipped) == (MAX_ICS_EVENTS, [])


@pytest.mark.parametrize(
    "path",
    [
        "/ical/uid1/" + "a" * 43 + ".ics",
        "/uid1/" + "a" * 43 + ".ics",
    ],
)
def test_feed_paths_parse(path: str) -> None:
    assert feed.parse_path(path) == ("uid1", "a" * 43)


@pytest.mark.parametrize(
    "path",
    [
        "/ical/uid1/" + "a" * 43,
        "/ical/uid1/" + "a" * 43 + ".ics/x",
        "/ical/../" + "a" * 43 + ".ics",
        "/ical/uid1/short.ics",
        "/other/uid1/" + "a" * 43 + ".ics",
        "/ical/uid 1/" + "a" * 43 + ".ics",
        "",
    ],
)
def test_other_paths_do_not(path: str) -> None:
    assert feed.parse_path(path) is None

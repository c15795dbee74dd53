"""Calendar events against the emulators: saving (versions, limits, bad input), reminders
(once per occurrence and offset, stale after a move, local time across DST, one through
the real Tasks emulator and the local clock), the private iCalendar feed served by the
`ical` function, and `.ics` import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from shared.calendar import reminders, repository, service
from shared.calendar.models import MAX_EVENTS_PER_USER, SaveCalendarEvent
from shared.errors import ResourceExhausted
from shared.platform import clients, timers
from shared.platform.timers import TimerTask
from shared.validation import parse
from tests.support import emulators as emu
from tests.support.workflows import RecordingEnqueuer

BERLIN = ZoneInfo("Europe/Berlin")


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Standup",
        "start": {"date": "2030-03-18", "time": "09:00"},
        "end": {"date": "2030-03-18", "time": "09:30"},
        "timezone": "Europe/Berlin",
    }
    return {**base, **changes}


def save(user: emu.User, **changes: Any) -> emu.CallResult:
    return emu.call("save_calendar_event", event(**changes), user.id_token)


def events_of(uid: str) -> dict[str, dict[str, Any]]:
    docs = repository.events_of(clients.get_db(), uid).stream()
    return {d.id: d.to_dict() or {} for d in docs}


def notifications_of(uid: str) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/notifications").stream()
    return [{"id": d.id, **(d.to_dict() or {})} for d in docs]


def record(uid: str, evid: str) -> dict[str, Any] | None:
    return repository.reminder_ref(clients.get_db(), uid, evid).get().to_dict()


# --- save and delete ----------------------------------------------------------------------


def test_save_creates_updates_with_the_version_and_refuses_a_stale_one(user: emu.User) -> None:
    created = save(user, recurrence="FREQ=WEEKLY", reminders=[10])
    assert created.status == "OK", created.error
    evid = created.result["id"]
    assert created.result["version"] == 1
    assert created.result["startAt"].startswith("2030-03-18T08:00:00")

    updated = save(user, id=evid, expectedVersion=1, title="Standup (moved)")
    assert (updated.status, updated.result["version"]) == ("OK", 2)
    stale = save(user, id=evid, expectedVersion=1, title="lost update")
    assert stale.status == "FAILED_PRECONDITION"
    assert stale.details["version"] == 2
    missing = save(user, id="nope", expectedVersion=3)
    assert missing.status == "FAILED_PRECONDITION"

    stored = events_of(user.uid)
    assert set(stored) == {evid}
    assert stored[evid]["title"] == "Standup (moved)"
    assert stored[evid]["start"] == {
        "date": "2030-03-18",
        "time": "09:00",
        "timezone": "Europe/Berlin",
    }
    assert stored[evid]["version"] == 2


def test_a_client_chosen_id_is_used(user: emu.User) -> None:
    saved = save(user, id="my-event_1")
    assert saved.result["id"] == "my-event_1"
    assert set(events_of(user.uid)) == {"my-event_1"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"end": {"date": "2030-03-18", "time": "08:00"}}, "end"),
        ({"end": {"date": "2030-03-18"}}, "end.time"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"recurrence": "FREQ=SECONDLY"}, "recurrence"),
        ({"recurrence": "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2"}, "recurrence"),
        ({"reminders": [10, 10]}, "reminders"),
        ({"reminders": [40_321]}, "reminders[0]"),
        ({"attendees": ["bob"]}, "attendees[0]"),
        ({"id": "__bad__"}, "id"),
        (
            {"recurrence": "FREQ=DAILY", "exceptions": {"2030-03-19T10:00": {"cancelled": True}}},
            "exceptions.2030-03-19T10:00",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    user: emu.User, changes: dict[str, Any], field: str
) -> None:
    result = save(user, **{"reminders": [10], **changes})
    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == field
    assert events_of(user.uid) == {}
    assert list(clients.get_db().collection(repository.EVENT_REMINDERS).stream()) == []


def test_the_per_user_limit_is_enforced(user: emu.User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit (MAX_EVENTS_PER_USER) lowered in-process: the same count query and
    check. (Seeding 5,000 events would queue 5,000 change triggers in the emulator and
    hold up every test after this one.)"""
    monkeypatch.setattr(service, "MAX_EVENTS_PER_USER", 3)
    db, enqueuer, now = clients.get_db(), RecordingEnqueuer(), datetime.now(UTC)

    def save_in_process(**changes: Any) -> Any:
        command = parse(SaveCalendarEvent, event(**changes))
        return service.save_event(db=db, enqueuer=enqueuer, uid=user.uid, command=command, now=now)

    kept = [save_in_process(title=f"e{i}") for i in range(3)]
    with pytest.raises(ResourceExhausted) as refused:
        save_in_process(title="one too many")
    assert refused.value.details == {"limit": "calendarEvents", "max": 3}
    edited = save_in_process(id=kept[0].id, expectedVersion=1, title="an edit still fits")
    assert edited.version == 2  # updates still work
    assert len(events_of(user.uid)) == 3
    assert MAX_EVENTS_PER_USER == 5_000


def test_delete_is_idempotent_and_removes_the_reminder(user: emu.User) -> None:
    evid = save(user, reminders=[10]).result["id"]
    assert record(user.uid, evid) is not None
    first = emu.call("delete_calendar_event", {"id": evid}, user.id_token)
    again = emu.call("delete_calendar_event", {"id": evid}, user.id_token)
    assert (first.result, again.result) == ({"deleted": True}, {"deleted": False})
    assert events_of(user.uid) == {}
    assert record(user.uid, evid) is None


def test_someone_elses_event_is_not_reached(user: emu.User, other_user: emu.User) -> None:
    evid = save(user).result["id"]
    result = emu.call("delete_calendar_event", {"id": evid}, other_user.id_token)
    assert result.result == {"deleted": False}
    assert set(events_of(user.uid)) == {evid}


# --- reminders ------------------------------------------------------------------------------


def saved_in_process(uid: str, enqueuer: RecordingEnqueuer, now: datetime, **changes: Any) -> str:
    command = parse(SaveCalendarEvent, event(**changes))
    result = service.save_event(
        db=clients.get_db(), enqueuer=enqueuer, uid=uid, command=command, now=now
    )
    return result.id


def fire(uid: str, evid: str, enqueuer: RecordingEnqueuer, at: datetime) -> str:
    db = clients.get_db()
    task = TimerTask(kind=reminders.KIND, id=repository.reminder_id(uid, evid), at=at)
    kinds = {reminders.KIND: reminders.timer_kind(db, enqueuer)}
    return timers.fire(db, enqueuer, kinds, task, now=at)


def test_a_reminder_fires_once_and_a_second_delivery_is_stale(user: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    now = datetime(2030, 3, 1, tzinfo=UTC)
    evid = saved_in_process(user.uid, enqueuer, now, reminders=[10])
    at = datetime(2030, 3, 18, 7, 50, tzinfo=UTC)  # 08:50 Berlin (CET)
    assert (record(user.uid, evid) or {})["nextFireAt"] == at
    assert [t.at for t in enqueuer.tasks] == [at]

    assert [fire(user.uid, evid, enqueuer, at) for _ in range(2)] == ["fired", "stale"]

    [note] = notifications_of(user.uid)
    assert note["id"] == reminders.notification_id(evid, "2030-03-18T09:00", 10)
    assert (note["kind"], note["title"], note["link"]) == (
        "reminder",
        "Standup",
        f"/calendar?event={evid}",
    )
    assert note["body"] == "Mon 18 Mar 2030, 08:00 UTC (in 10 min)"  # the user's zone: UTC
    assert record(user.uid, evid) is None  # a one-off event: nothing follows


def test_a_moved_event_makes_the_old_reminder_stale(user: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    now = datetime(2030, 3, 1, tzinfo=UTC)
    evid = saved_in_process(user.uid, enqueuer, now, reminders=[10])
    old = datetime(2030, 3, 18, 7, 50, tzinfo=UTC)
    saved_in_process(
        user.uid,
        enqueuer,
        now,
        id=evid,
        start={"date": "2030-03-19", "time": "09:00"},
        end={"date": "2030-03-19", "time": "10:00"},
        reminders=[10],
    )

    assert fire(user.uid, evid, enqueuer, old) == "stale"
    assert notifications_of(user.uid) == []
    assert (record(user.uid, evid) or {})["nextFireAt"] == old + timedelta(days=1)

    # changed behind the timer's back (no re-arm): the kind itself finds the time stale
    # and arms the correct one
    repository.event_ref(clients.get_db(), user.uid, evid).update(
        {
            "start": {"date": "2030-03-20", "time": "09:00", "timezone": "Europe/Berlin"},
            "end": {"date": "2030-03-20", "time": "10:00", "timezone": "Europe/Berlin"},
        }
    )
    assert fire(user.uid, evid, enqueuer, old + timedelta(days=1)) == "stale"
    assert notifications_of(user.uid) == []
    assert (record(user.uid, evid) or {})["nextFireAt"] == old + timedelta(days=2)


def test_a_weekly_berlin_reminder_stays_at_0850_local_across_dst(user: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    evid = saved_in_process(
        user.uid,
        enqueuer,
        datetime(2030, 3, 1, tzinfo=UTC),
        recurrence="FREQ=WEEKLY",
        reminders=[10],
    )
    local: list[str] = []
    for _ in range(4):  # 18 and 25 March (CET), 1 and 8 April (CEST; DST began 31 March)
        at = (record(user.uid, evid) or {})["nextFireAt"]
        assert fire(user.uid, evid, enqueuer, at) == "fired"
        local.append(at.astimezone(BERLIN).strftime("%d %b %H:%M"))
    assert local == ["18 Mar 08:50", "25 Mar 08:50", "01 Apr 08:50", "08 Apr 08:50"]
    assert len(notifications_of(user.uid)) == 4


def test_a_reminder_arrives_through_the_tasks_emulator_and_the_clock(user: emu.User) -> None:
    now = datetime.now(UTC)
    start = (now + timedelta(seconds=130)).replace(second=0, microsecond=0)  # 70-130 s ahead
    saved = save(
        user,
        title="Call Bob",
        start={"date": start.date().isoformat(), "time": f"{start:%H:%M}"},
        end={"date": start.date().isoformat(), "time": f"{start:%H:%M}"},
        timezone="UTC",
        reminders=[0],
    )
    assert saved.status == "OK", saved.error
    notes = emu.wait_for(lambda: notifications_of(user.uid), timeout=150, interval=1)
    assert [n["title"] for n in notes] == ["Call Bob"]
    assert notes[0]["createdAt"] >= start - timedelta(seconds=1)  # held until its time


# --- the iCalendar feed ----------------------------------------------------------------------


def get_feed(url: str) -> Any:
    return emu.session.get(f"{emu.FUNCTIONS}/ical{url}", timeout=30)


def test_the_feed_serves_the_events_until_revoked(user: emu.User) -> None:
    save(
        user,
        recurrence="FREQ=WEEKLY;COUNT=5",
        exceptions={"2030-03-25T09:00": {"cancelled": True}},
        reminders=[10],
    )
    created = emu.call("rotate_calendar_feed", {"action": "create"}, user.id_token)
    assert created.status == "OK", created.error
    url = created.result["url"]
    assert url.startswith(f"/ical/{user.uid}/")
    assert url.endswith(".ics")

    response = get_feed(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    [vevent] = Calendar.from_ical(response.text).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Standup"
    assert "EXDATE;TZID=Europe/Berlin:20300325T090000" in response.text

    wrong = get_feed(url.replace(url[-10:-4], "AAAAAA"))
    unknown = get_feed(url.replace(user.uid, "someone-else"))
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert wrong.text == unknown.text
    assert emu.session.post(f"{emu.FUNCTIONS}/ical{url}", timeout=30).status_code == 405

    rotated = emu.call("rotate_calendar_feed", {"action": "create"}, user.id_token).result["url"]
    assert get_feed(url).status_code == 404  # the old URL stops with a new one
    assert get_feed(rotated).status_code == 200
    revoked = emu.call("rotate_calendar_feed", {"action": "revoke"}, user.id_token)
    assert revoked.result == {"url": None, "revoked": True}
    gone = get_feed(rotated)
    assert (gone.status_code, gone.text) == (404, wrong.text)
    stored = clients.get_db().collection(repository.CALENDAR_FEEDS).document(user.uid).get()
    assert not stored.exists


# --- import --------------------------------------------------------------------------------


def test_export_then_import_into_another_user_gives_the_same_events(
    user: emu.User, other_user: emu.User
) -> None:
    save(
        user,
        recurrence="FREQ=WEEKLY;UNTIL=20300601T090000",
        exceptions={
            "2030-03-25T09:00": {"cancelled": True},
            "2030-04-01T09:00": {
                "start": {"date": "2030-04-01", "time": "11:00"},
                "end": {"date": "2030-04-01", "time": "11:30"},
            },
        },
        reminders=[10, 60],
        location="Room 1",
        attendees=["ann@example.com"],
        notes="Agenda",
    )
    save(
        user,
        title="Holiday",
        start={"date": "2030-12-24"},
        end={"date": "2030-12-26"},
        timezone=None,
    )
    url = emu.call("rotate_calendar_feed", {"action": "create"}, user.id_token).result["url"]
    ics = get_feed(url).text

    imported = emu.call("import_calendar", {"ics": ics}, other_user.id_token)
    again = emu.call("import_calendar", {"ics": ics}, other_user.id_token)

    assert imported.result == {"imported": 2, "updated": 0, "skipped": []}
    assert again.result == {"imported": 0, "updated": 2, "skipped": []}
    same = (
        "title",
        "start",
        "end",
        "allDay",
        "timezone",
        "startAt",
        "endAt",
        "location",
        "attendees",
        "notes",
        "recurrence",
        "exceptions",
        "reminders",
    )
    mine = sorted(({k: e[k] for k in same} for e in events_of(user.uid).values()), key=str)
    theirs = sorted(({k: e[k] for k in same} for e in events_of(other_user.uid).values()), key=str)
    assert mine == theirs
    assert {e["version"] for e in events_of(other_user.uid).values()} == {2}
    armed = clients.get_db().collection(repository.EVENT_REMINDERS).stream()
    assert sum(1 for r in armed if (r.to_dict() or {})["uid"] == other_user.uid) == 1


@pytest.mark.parametrize(
    "ics",
    [
        "garbage",
        "BEGIN:VCALENDAR\n"
        + "BEGIN:VEVENT\nUID:x\nDTSTART:20300101T090000\nEND:VEVENT\n" * 2000
        + "END:VCALENDAR\n",
    ],
    ids=["garbage", "2000-events"],
)
def test_a_hostile_import_is_refused_and_writes_nothing(user: emu.User, ics: str) -> None:
    result = emu.call("import_calendar", {"ics": ics}, user.id_token)
    assert (result.status, result.details.get("field")) == ("INVALID_ARGUMENT", "ics")
    assert events_of(user.uid) == {}


def test_an_import_skips_events_it_cannot_represent(user: emu.User) -> None:
    ics = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//\n"
        "BEGIN:VEVENT\nUID:fast\nSUMMARY:x\nDTSTART:20300101T090000\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:ok\nSUMMARY:fine\nDTSTART:20300101T090000\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )
    result = emu.call("import_calendar", {"ics": ics}, user.id_token)
    assert result.result["imported"] == 1
    assert [s["uid"] for s in result.result["skipped"]] == ["fast"]
    [stored] = events_of(user.uid).values()
    assert (stored["title"], stored["timezone"], stored["uid"]) == ("fine", None, "ok")


def test_a_zone_change_moves_floating_reminders_and_fixed_ones_stay(user: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    now = datetime(2030, 3, 1, tzinfo=UTC)
    floating = saved_in_process(user.uid, enqueuer, now, timezone=None, reminders=[10])
    fixed = saved_in_process(user.uid, enqueuer, now, reminders=[10])
    assert (record(user.uid, floating) or {})["nextFireAt"] == datetime(
        2030, 3, 18, 8, 50, tzinfo=UTC
    )  # the user's zone is UTC

    count = reminders.rearm_floating(
        db=clients.get_db(), enqueuer=enqueuer, uid=user.uid, user_zone="Asia/Tokyo", now=now
    )

    assert count == 1
    assert (record(user.uid, floating) or {})["nextFireAt"] == datetime(
        2030, 3, 17, 23, 50, tzinfo=UTC
    )
    assert events_of(user.uid)[floating]["startAt"] == datetime(2030, 3, 18, 0, 0, tzinfo=UTC)
    assert (record(user.uid, fixed) or {})["nextFireAt"] == datetime(2030, 3, 18, 7, 50, tzinfo=UTC)


def test_the_sweeper_repairs_a_lost_reminder_from_the_stored_event(user: emu.User) -> None:
    enqueuer = RecordingEnqueuer()
    evid = saved_in_process(
        user.uid, enqueuer, datetime(2030, 3, 1, tzinfo=UTC), recurrence="FREQ=DAILY", reminders=[0]
    )
    db = clients.get_db()
    lost = datetime(2030, 3, 18, 8, 0, tzinfo=UTC)
    now = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)  # the timer's task never came

    report = timers.repair_all(db, [reminders.timer_kind(db, enqueuer)], now=now)

    assert report == {"eventreminders": 1, "eventreminderErrors": 0}
    assert (record(user.uid, evid) or {})["nextFireAt"] == datetime(2030, 3, 21, 8, 0, tzinfo=UTC)
    assert enqueuer.tasks[-1].at == datetime(2030, 3, 21, 8, 0, tzinfo=UTC)
    assert lost < now

"""`quick_add` through the Functions emulator, the real AI gateway and the AI stand-in:
the AI path's pass rate over a table, the parser winning over a wrong model, the parser
answering when the model fails, saving once per request id, and bad input refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.platform import clients
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")
ZONE = "Europe/Berlin"


def today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def quick_add(user: emu.User, text: str, **extra: Any) -> emu.CallResult:
    data = {"text": text, "save": False, "timezone": ZONE, **extra}
    return emu.call("quick_add", data, user.id_token)


def stored(uid: str, collection: str) -> list[dict[str, Any]]:
    docs = clients.get_db().collection("users").document(uid).collection(collection).stream()
    return [d.to_dict() or {} for d in docs]


def table() -> list[tuple[str, dict[str, Any]]]:
    """Phrases and what they mean, computed here from the calendar (not by the parser)."""
    d = today()
    monday = d - timedelta(days=d.weekday())
    friday = d + timedelta(days=(4 - d.weekday()) % 7 or 7)
    iso = date.isoformat
    return [
        ("remind me to call Bob tomorrow at 3pm",
         {"kind": "reminder", "title": "call Bob", "date": iso(d + timedelta(1)), "time": "15:00"}),
        ("buy milk day after tomorrow", {"title": "buy milk", "date": iso(d + timedelta(2))}),
        ("in 3 days renew passport", {"title": "renew passport", "date": iso(d + timedelta(3))}),
        ("pay rent next tuesday", {"title": "pay rent", "date": iso(monday + timedelta(8))}),
        ("send report on friday", {"title": "send report", "date": iso(friday)}),
        ("party 25 Dec 2027", {"kind": "event", "title": "party", "date": "2027-12-25"}),
        ("taxes 2027-04-15", {"title": "taxes", "date": "2027-04-15"}),
        ("meeting tomorrow 10:30-11:30",
         {"kind": "event", "title": "meeting", "date": iso(d + timedelta(1)), "time": "10:30",
          "end": "11:30"}),
        ("yoga tomorrow at 6pm for an hour",
         {"kind": "event", "title": "yoga", "time": "18:00", "end": "19:00"}),
        ("dentist day after tomorrow at 10am",
         {"kind": "event", "title": "dentist", "date": iso(d + timedelta(2)), "time": "10:00"}),
        ("call mom tomorrow evening", {"title": "call mom", "time": "18:00"}),
        ("gym every Monday and Wednesday at 7pm",
         {"title": "gym", "time": "19:00", "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE"}),
        ("standup every weekday at 9am",
         {"kind": "event", "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}),
        ("pay rent every month on the 1st", {"recurrence": "FREQ=MONTHLY;BYMONTHDAY=1"}),
        ("review budget every first Monday of the month",
         {"recurrence": "FREQ=MONTHLY;BYDAY=1MO"}),
        ("take pills every day at 8am until 2027-12-31",
         {"title": "take pills", "recurrence": "FREQ=DAILY;UNTIL=20271231T235959"}),
        ("water plants every day for 5 times", {"recurrence": "FREQ=DAILY;COUNT=5"}),
        ("write report p1 #work", {"title": "write report", "priority": 3, "tags": ["work"]}),
        ("flight tomorrow 15:00 America/New_York",
         {"kind": "event", "time": "15:00", "zone": "America/New_York"}),
        ("dinner 12/5", {"question": True}),
        ("remind me to stretch", {"kind": "reminder", "question": True}),
    ]  # fmt: skip


def problems(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    i = got["interpretation"]
    wrong = []
    if i["source"] != "ai":
        wrong.append(f"source {i['source']}")
    if want.get("question"):
        return wrong if got["question"] else [*wrong, "no question"]
    if got["question"]:
        wrong.append(f"question {got['question']!r}")
    when = i["start"] if i["kind"] == "event" else i["due"]
    actual = {
        "kind": i["kind"],
        "title": i["title"],
        "date": when and when["date"],
        "time": when and when["time"],
        "end": i["end"] and i["end"]["time"],
        "zone": when and when["timezone"],
        "recurrence": i["recurrence"],
        "priority": i["priority"],
        "tags": i["tags"],
    }
    expected = {"kind": "task", **want}
    wrong += [f"{k}: {actual[k]!r} != {v!r}" for k, v in expected.items() if actual[k] != v]
    return wrong


def test_ai_path_pass_rate_over_the_table(
    user: emu.User, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = table()
    failed = {}
    for text, want in rows:
        got = quick_add(user, text)
        assert got.status == "OK", (text, got.error)
        assert got.result["saved"] is None
        if wrong := problems(got.result, want):
            failed[text] = wrong
    rate = 1 - len(failed) / len(rows)
    with capsys.disabled():
        print(f"\nquick add AI path (stand-in): {len(rows) - len(failed)}/{len(rows)} = {rate:.1%}")  # noqa: T201
    assert rate >= 0.95, failed
    assert stored(user.uid, "tasks") == []
    assert stored(user.uid, "calendar") == []


def test_a_wrong_date_from_the_model_loses_to_the_parser(user: emu.User) -> None:
    d = today()
    expected = d - timedelta(days=d.weekday()) + timedelta(days=8)
    got = quick_add(user, "pay rent next tuesday [[standin quickadd=wrong-date]]")
    assert got.status == "OK", got.error
    i = got.result["interpretation"]
    assert i["source"] == "ai"
    assert i["title"] == "pay rent"
    assert i["due"]["date"] == expected.isoformat()
    assert i["confidence"] == 0.6
    assert (expected + timedelta(days=1)).isoformat() in i["notes"][0]


def test_the_parser_answers_when_the_model_fails(user: emu.User) -> None:
    emu.standin_fault(provider="*", status=500, count=20)
    got = quick_add(user, "call Bob tomorrow at 3pm")
    assert got.status == "OK", got.error
    i = got.result["interpretation"]
    assert i["source"] == "parser"
    assert i["title"] == "call Bob"
    assert i["due"]["date"] == (today() + timedelta(days=1)).isoformat()
    assert i["due"]["time"] == "15:00"
    assert "unavailable" in i["notes"][0]


def test_the_profile_zone_is_the_default(user: emu.User) -> None:
    assert (
        emu.call("update_settings", {"timezone": "America/New_York"}, user.id_token).status == "OK"
    )
    got = emu.call("quick_add", {"text": "call Bob tomorrow at 3pm", "save": False}, user.id_token)
    assert got.status == "OK", got.error
    assert got.result["interpretation"]["summary"].endswith("15:00 America/New_York")


def test_saving_a_reminder_once_per_request_id(user: emu.User) -> None:
    data = {"text": "remind me to call Bob tomorrow at 3pm p2 #home", "save": True,
            "requestId": "req-1"}  # fmt: skip
    first = quick_add(user, **data)
    again = quick_add(user, **data)
    assert first.status == again.status == "OK", (first.error, again.error)
    assert first.result["saved"]["kind"] == "task"
    assert first.result["saved"] == again.result["saved"]
    [task] = stored(user.uid, "tasks")
    assert task["title"] == "call Bob"
    assert task["priority"] == 2
    assert task["tags"] == ["home"]
    assert task["remind"]["time"] == "15:00"
    assert task["remind"]["timezone"] is None  # floating: follows the user's zone


def test_saving_an_event(user: emu.User) -> None:
    got = quick_add(user, "meeting tomorrow 10:30-11:30", save=True, requestId="ev-1")
    assert got.status == "OK", got.error
    assert got.result["saved"]["kind"] == "event"
    [event] = stored(user.uid, "calendar")
    assert event["title"] == "meeting"
    assert (event["start"]["time"], event["end"]["time"]) == ("10:30", "11:30")
    assert (
        quick_add(user, "meeting tomorrow 10:30-11:30", save=True, requestId="ev-1").result["saved"]
        == got.result["saved"]
    )
    assert len(stored(user.uid, "calendar")) == 1


def test_a_question_saves_nothing(user: emu.User) -> None:
    got = quick_add(user, "dinner 12/5", save=True)
    assert got.status == "OK", got.error
    assert got.result["saved"] is None
    assert "Write the month as a word" in got.result["question"]
    assert stored(user.uid, "tasks") == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "call Bob", "colour": "red"}, "colour"),
        ({"text": "call Bob", "timezone": "Mars/Olympus"}, "timezone"),
        ({"text": "call Bob", "requestId": "__x__"}, "requestId"),
    ],
)
def test_bad_input_names_the_field(user: emu.User, data: dict[str, Any], field: str) -> None:
    got = emu.call("quick_add", {**data, "save": True}, user.id_token)
    assert got.status == "INVALID_ARGUMENT"
    assert got.details["field"] == field
    assert stored(user.uid, "tasks") == []
    assert emu.standin_requests() == []  # refused before any model call


def test_signed_out_callers_are_refused() -> None:
    assert emu.call("quick_add", {"text": "call Bob"}).status == "UNAUTHENTICATED"

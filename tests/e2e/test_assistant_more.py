"""More of the assistant's pages in a real browser, against the emulators through Hosting.

- Profile: the calendar feed (created, its address shown once and served as
  text/calendar through Hosting's `/ical/**` rewrite with an event saved by
  `save_calendar_event`; revoked, then 404) and the daily briefing form (time, off, on:
  each save read back from `users/{uid}.settings.briefing`); axe-core and a screenshot.
- Calendar: an `.ics` file imported through the file input (a weekly series with a
  cancelled occurrence, and a one-off event) seen in its weeks; the one-off edited in the
  dialog (its stored `version` goes up) and dragged to another day and time.
- Tasks: a title edited in place from the keyboard (F2 saves with Enter; Enter then
  Escape cancels), the tag and "Overdue" filters, and delete with its confirm step.
- Inbox: a notification's link opens the task in the app (and marks it read);
  `?briefing=<day>` shows that day's briefing, not the latest one.

Helpers come from `test_assistant_pages`; fixtures `page`, `web_url` and `artifacts_dir`
from the e2e conftest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Locator, Page, expect

from shared.briefings import repository as briefings
from shared.briefings.models import DayContent, EventItem, TaskItem, briefing_document
from shared.calendar import repository as calendar
from shared.notifications.service import notify_once
from shared.platform import clients
from shared.tasks import repository as tasks
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in
from tests.support import emulators as emu

pytestmark = pytest.mark.e2e

T = TypeVar("T")


# --- helpers ------------------------------------------------------------------------------


def eventually(read: Callable[[], T], ok: Callable[[T], bool], what: str) -> T:
    """Poll `read` (a server-side read) until `ok` holds; fail naming `what` and the last
    value after CALLABLE_MS."""
    deadline = time.monotonic() + CALLABLE_MS / 1000
    while True:
        value = read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: still {value!r}")
        time.sleep(0.2)


def profile(uid: str) -> dict[str, Any]:
    return clients.get_db().document(f"users/{uid}").get().to_dict() or {}


def user_today(uid: str) -> tuple[ZoneInfo, date]:
    """The user's zone (as the app set it from the browser) and their today."""
    zone = ZoneInfo(str(profile(uid)["settings"]["timezone"]))
    return zone, datetime.now(zone).date()


def events_titled(uid: str, title: str) -> list[dict[str, Any]]:
    docs = calendar.events_of(clients.get_db(), uid).stream()
    return [
        {"id": d.id, **(d.to_dict() or {})}
        for d in docs
        if (d.to_dict() or {}).get("title") == title
    ]


def task_doc(uid: str, task_id: str) -> dict[str, Any] | None:
    snapshot = tasks.task_ref(clients.get_db(), uid, task_id).get()
    return snapshot.to_dict() if snapshot.exists else None


def called(function: str, data: dict[str, Any], user: emu.User) -> dict[str, Any]:
    answer = emu.call(function, data, user.id_token)
    assert answer.status == "OK", answer.error
    return dict(answer.result)


def day_column(page: Page, day: date) -> Locator:
    return page.locator(f'.fc-timegrid-col[data-date="{day.isoformat()}"]')


def events_in(page: Page, day: date, title: str) -> Locator:
    return day_column(page, day).locator(".fc-timegrid-event").filter(has_text=title)


def slot(page: Page, hhmm: str) -> dict[str, float]:
    lane = page.locator(f'td.fc-timegrid-slot-lane[data-time="{hhmm}:00"]')
    lane.scroll_into_view_if_needed()
    box = lane.bounding_box()
    assert box, f"the week view shows the {hhmm} slot"
    return box


def ics_text(monday: date, tag: str) -> str:
    """Two VEVENTs (floating times: shown at these wall times in any zone): "Weekly sync"
    on Tuesdays and Thursdays from the Tuesday after `monday`, six times, with the second
    Tuesday cancelled by EXDATE; "Design review", once, that Wednesday 14:00-15:00."""

    def at(day: date, hhmm: str) -> str:
        return f"{day:%Y%m%d}T{hhmm}00"

    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Aura e2e//EN",
        "BEGIN:VEVENT",
        f"UID:weekly-{tag}@e2e.example.com",
        "DTSTAMP:20260101T000000Z",
        "SUMMARY:Weekly sync",
        f"DTSTART:{at(tuesday, '1000')}",
        f"DTEND:{at(tuesday, '1030')}",
        "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6",
        f"EXDATE:{at(tuesday + timedelta(days=7), '1000')}",
        "END:VEVENT",
        "BEGIN:VEVENT",
        f"UID:review-{tag}@e2e.example.com",
        "DTSTAMP:20260101T000000Z",
        "SUMMARY:Design review",
        f"DTSTART:{at(wednesday, '1400')}",
        f"DTEND:{at(wednesday, '1500')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


# --- Profile: calendar feed and daily briefing ------------------------------------------------


def test_profile_calendar_feed_and_briefing(page: Page, web_url: str, artifacts_dir: Path) -> None:
    user = sign_in(page, web_url)
    _, today = user_today(user.uid)
    title = f"Feed check {uuid4().hex[:6]}"
    tomorrow = (today + timedelta(days=1)).isoformat()
    called(
        "save_calendar_event",
        {
            "title": title,
            "start": {"date": tomorrow, "time": "09:00"},
            "end": {"date": tomorrow, "time": "10:00"},
        },
        user,
    )

    # --- Calendar feed: Create shows the address, which serves the calendar ------------
    feed_card = page.locator(".card").filter(
        has=page.get_by_role("heading", name="Calendar feed", exact=True)
    )
    briefing_card = page.locator(".card").filter(
        has=page.get_by_role("heading", name="Daily briefing", exact=True)
    )
    address = feed_card.get_by_test_id("calendar-feed-url")
    expect(address).to_have_count(0)
    feed_card.get_by_role("button", name="Create new link").click()
    expect(address).to_have_value(re.compile(rf"^{re.escape(web_url)}/ical/"), timeout=CALLABLE_MS)
    url = address.input_value()
    assert url.startswith(f"{web_url}/ical/{user.uid}/"), url
    assert url.endswith(".ics"), url
    expect(briefing_card.get_by_label("Briefing time")).to_be_visible()
    audit(page, "profile (briefing and calendar feed)")
    page.screenshot(path=str(artifacts_dir / "profile.png"), full_page=True)

    served = emu.session.get(url, timeout=30)  # through Hosting's /ical/** rewrite
    assert served.status_code == 200, served.text
    assert served.headers["Content-Type"].startswith("text/calendar"), served.headers
    summaries = [str(v.get("SUMMARY")) for v in Calendar.from_ical(served.text).walk("VEVENT")]
    assert title in summaries, summaries

    # Shown once: a fresh load of the page does not show it again.
    page.reload()
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)
    expect(feed_card.get_by_role("button", name="Create new link")).to_be_visible()
    expect(address).to_have_count(0)

    # --- Revoke: the same address answers 404 ----------------------------------------
    feed_card.get_by_role("button", name="Revoke link").click()
    expect(feed_card.get_by_role("status")).to_contain_text("revoked", timeout=CALLABLE_MS)
    assert emu.session.get(url, timeout=30).status_code == 404

    # --- Daily briefing: time, off, on (each read back from the profile) --------------
    def briefing() -> dict[str, Any]:
        return dict(profile(user.uid)["settings"]["briefing"])

    enabled = briefing_card.get_by_label("Send me a daily briefing")
    when = briefing_card.get_by_label("Briefing time")
    save = briefing_card.get_by_role("button", name="Save briefing")
    saved = briefing_card.get_by_role("status")
    assert briefing() == {"enabled": True, "time": "07:00"}
    expect(enabled).to_be_checked()
    expect(when).to_have_value("07:00")

    when.fill("06:30")
    save.click()
    expect(saved).to_have_text("Briefing saved", timeout=CALLABLE_MS)
    eventually(briefing, lambda b: b == {"enabled": True, "time": "06:30"}, "briefing at 06:30")

    enabled.uncheck()
    expect(when).to_be_disabled()
    expect(saved).to_have_text("")
    save.click()
    expect(saved).to_have_text("Briefing saved", timeout=CALLABLE_MS)
    eventually(briefing, lambda b: b == {"enabled": False, "time": "06:30"}, "briefing off")

    enabled.check()
    expect(when).to_be_enabled()
    save.click()
    expect(saved).to_have_text("Briefing saved", timeout=CALLABLE_MS)
    eventually(briefing, lambda b: b == {"enabled": True, "time": "06:30"}, "briefing on again")
    # The live profile feeds the form: a fresh load shows what is stored.
    page.reload()
    expect(briefing_card.get_by_label("Briefing time")).to_have_value("06:30", timeout=TIMEOUT_MS)
    expect(briefing_card.get_by_label("Send me a daily briefing")).to_be_checked()


# --- Calendar: import, edit in the dialog, drag ---------------------------------------------


def test_calendar_import_edit_and_drag(page: Page, web_url: str, artifacts_dir: Path) -> None:
    user = sign_in(page, web_url)
    _, today = user_today(user.uid)
    monday = today + timedelta(days=7 - today.weekday())  # next week's (weeks start Monday)
    tuesday, wednesday, thursday = (monday + timedelta(days=n) for n in (1, 2, 3))

    open_page(page, "Calendar", "/calendar")
    expect(page.locator(".fc-timegrid-col.fc-day-today")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label("Import an .ics file").set_input_files(
        files={
            "name": "team.ics",
            "mimeType": "text/calendar",
            "buffer": ics_text(monday, uuid4().hex[:8]).encode(),
        }
    )
    imported = page.locator(".import-ics").get_by_role("status")
    expect(imported).to_have_text("Imported: 2 added, 0 updated.", timeout=CALLABLE_MS)

    # --- Next week: both events, on their days ---------------------------------------
    next_week = page.locator(".fc-next-button")
    next_week.click()
    expect(day_column(page, monday)).to_be_visible()
    expect(events_in(page, tuesday, "Weekly sync")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(events_in(page, tuesday, "Weekly sync")).to_contain_text("10:00")
    expect(events_in(page, thursday, "Weekly sync")).to_have_count(1)
    review = events_in(page, wednesday, "Design review")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("14:00")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / "calendar-import.png"), full_page=True)

    # --- The week after: Tuesday's occurrence is cancelled, Thursday's is there -------
    next_week.click()
    cancelled, kept = tuesday + timedelta(days=7), thursday + timedelta(days=7)
    expect(events_in(page, kept, "Weekly sync")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(events_in(page, cancelled, "Weekly sync")).to_have_count(0)
    expect(page.locator(".fc-timegrid-event").filter(has_text="Weekly sync")).to_have_count(1)
    # ...and the series goes on the week after that.
    next_week.click()
    expect(events_in(page, tuesday + timedelta(days=14), "Weekly sync")).to_have_count(1)
    page.locator(".fc-prev-button").click()
    page.locator(".fc-prev-button").click()
    expect(review).to_have_count(1, timeout=TIMEOUT_MS)

    # --- Click the one-off: edit its title in the dialog ------------------------------
    [before] = events_titled(user.uid, "Design review")
    review.click()
    dialog = page.get_by_role("dialog", name="Edit event")
    expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
    expect(dialog.get_by_label("Title")).to_have_value("Design review")
    expect(dialog.get_by_label("Start time")).to_have_value("14:00")
    dialog.get_by_label("Title").fill("Design review (v2)")
    dialog.get_by_role("button", name="Save event").click()
    expect(dialog).to_have_count(0, timeout=CALLABLE_MS)
    renamed = events_in(page, wednesday, "Design review (v2)")
    expect(renamed).to_have_count(1, timeout=TIMEOUT_MS)
    [after] = eventually(
        lambda: events_titled(user.uid, "Design review (v2)"),
        lambda found: len(found) == 1,
        "renamed",
    )
    assert after["id"] == before["id"]
    assert after["version"] == before["version"] + 1, (before["version"], after["version"])

    # --- Drag it to Thursday 16:00 ----------------------------------------------------
    target = day_column(page, thursday).bounding_box()
    assert target, "the week view shows Thursday's column"
    to = slot(page, "16:00")
    grabbed = renamed.bounding_box()
    assert grabbed, "the renamed event is on screen"
    # Grab it inside its first half hour (14:00), drop it in Thursday's 16:00 slot.
    page.mouse.move(grabbed["x"] + grabbed["width"] / 2, grabbed["y"] + 6)
    page.mouse.down()
    page.mouse.move(grabbed["x"] + grabbed["width"] / 2, grabbed["y"] + 30, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, to["y"] + to["height"] / 2, steps=15)
    page.mouse.up()
    moved = events_in(page, thursday, "Design review (v2)")
    expect(moved).to_have_count(1, timeout=CALLABLE_MS)
    expect(moved).to_contain_text("16:00")
    expect(events_in(page, wednesday, "Design review (v2)")).to_have_count(0)
    expect(page.get_by_test_id("move-error")).to_have_count(0)
    [stored] = eventually(
        lambda: events_titled(user.uid, "Design review (v2)"),
        lambda found: len(found) == 1 and found[0]["version"] == after["version"] + 1,
        "the moved event",
    )
    assert stored["start"]["date"] == thursday.isoformat(), stored["start"]
    assert stored["start"]["time"] == "16:00", stored["start"]
    assert (stored["end"]["date"], stored["end"]["time"]) == (thursday.isoformat(), "17:00")
    audit(page, "calendar after import")


# --- Tasks: inline edit, filters, delete ----------------------------------------------------


def test_tasks_inline_edit_filters_and_delete(page: Page, web_url: str) -> None:
    user = sign_in(page, web_url)
    _, today = user_today(user.uid)

    def seed(title: str, tags: list[str], due: date | None) -> str:
        data: dict[str, Any] = {"title": title, "tags": tags}
        if due is not None:
            data["due"] = {"date": due.isoformat(), "time": None}
        return str(called("save_task", data, user)["id"])

    overdue = seed("Pay rent", ["home"], today - timedelta(days=2))
    report = seed("Write report", ["work"], today + timedelta(days=3))
    plumber = seed("Call plumber", ["home"], None)

    open_page(page, "Tasks", "/tasks")
    rows = page.get_by_test_id("task-item")

    def row(task_id: str) -> Locator:
        return page.locator(f'[data-task-id="{task_id}"]')

    def shown() -> Locator:
        return rows.get_by_test_id("task-title")

    expect(shown()).to_have_text(["Pay rent", "Write report", "Call plumber"], timeout=TIMEOUT_MS)
    expect(row(overdue).get_by_test_id("task-due")).to_contain_text("Overdue")

    # --- Filters: by tag, then by "Overdue" --------------------------------------------
    tag = page.get_by_label("Tag")
    due = page.get_by_label("Due")
    tag.select_option("work")
    expect(shown()).to_have_text(["Write report"])
    tag.select_option("home")
    expect(shown()).to_have_text(["Pay rent", "Call plumber"])
    tag.select_option("")
    due.select_option("overdue")
    expect(shown()).to_have_text(["Pay rent"])
    due.select_option("all")
    expect(shown()).to_have_text(["Pay rent", "Write report", "Call plumber"])

    # --- Inline edit from the keyboard: F2, type, Enter saves --------------------------
    row(report).focus()
    page.keyboard.press("F2")
    title_box = row(report).get_by_role("textbox", name="Task title")
    expect(title_box).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Write the report")
    page.keyboard.press("Enter")
    expect(row(report).get_by_test_id("task-title")).to_have_text(
        "Write the report", timeout=CALLABLE_MS
    )
    expect(row(report)).to_be_focused()
    stored = eventually(
        lambda: task_doc(user.uid, report),
        lambda doc: bool(doc) and doc["title"] == "Write the report",
        "the renamed task",
    )
    assert stored, "the renamed task is stored"
    assert stored["version"] == 2, stored
    expect(page.get_by_test_id("task-notice")).to_have_count(0)

    # Enter on a row edits too; Escape leaves the title as it was.
    row(plumber).focus()
    page.keyboard.press("Enter")
    expect(row(plumber).get_by_role("textbox", name="Task title")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" tomorrow")
    expect(row(plumber).get_by_role("textbox")).to_have_value("Call plumber tomorrow")
    page.keyboard.press("Escape")
    expect(row(plumber).get_by_role("textbox")).to_have_count(0)
    expect(row(plumber).get_by_test_id("task-title")).to_have_text("Call plumber")
    expect(row(plumber)).to_be_focused()
    # A save would have made the row busy at once: once it is not, nothing was sent.
    expect(row(plumber).get_by_role("checkbox")).to_be_enabled(timeout=CALLABLE_MS)
    kept = task_doc(user.uid, plumber)
    assert kept, "the task is still stored"
    assert (kept["title"], kept["version"]) == ("Call plumber", 1), kept

    # --- Delete: the confirm step (Cancel keeps it; Delete removes it) ------------------
    row(overdue).get_by_role("button", name="Delete task “Pay rent”").focus()
    page.keyboard.press("Enter")
    confirm = row(overdue).get_by_role("group", name="Delete “Pay rent”?")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(confirm).to_have_count(0)
    expect(row(overdue)).to_have_count(1)
    assert task_doc(user.uid, overdue) is not None

    row(overdue).get_by_role("button", name="Delete task “Pay rent”").focus()
    page.keyboard.press("Enter")
    confirm.get_by_role("button", name="Delete", exact=True).focus()
    page.keyboard.press("Enter")
    expect(row(overdue)).to_have_count(0, timeout=CALLABLE_MS)
    expect(shown()).to_have_text(["Write the report", "Call plumber"])
    eventually(lambda: task_doc(user.uid, overdue), lambda doc: doc is None, "the deleted task")
    due.select_option("overdue")
    expect(page.get_by_test_id("no-tasks")).to_have_text("No tasks match these filters.")


# --- Inbox: a link into the app, and ?briefing=<day> ----------------------------------------


def test_inbox_link_and_briefing_by_day(page: Page, web_url: str) -> None:
    user = sign_in(page, web_url)
    zone, today = user_today(user.uid)
    task_id = str(called("save_task", {"title": "Renew passport"}, user)["id"])
    db = clients.get_db()
    now = datetime.now(UTC)
    notification_id = f"e2e-{uuid4().hex[:8]}"
    notify_once(
        db=db,
        uid=user.uid,
        notification_id=notification_id,
        title="Passport",
        body="Reminder: renew your passport.",
        kind="reminder",
        link=f"/tasks?task={task_id}",
        now=now,
    )

    # Two briefings: the latest (shown by default) and an older one (asked for by day).
    older, latest = today - timedelta(days=3), today - timedelta(days=1)
    nine = datetime.combine(older, datetime.min.time(), zone).replace(hour=9, minute=15)
    for day, summary, content in (
        (
            older,
            "Older day: one event, one overdue task.",
            DayContent(
                day=older,
                timezone=zone.key,
                events=[
                    EventItem(
                        id="ev1",
                        key=f"{older.isoformat()}T09:15",
                        title="Dentist",
                        start=nine,
                        end=nine + timedelta(hours=1),
                        all_day=False,
                    )
                ],
                tasks=[
                    TaskItem(
                        id=task_id,
                        title="Renew passport",
                        due_at=nine - timedelta(days=1),
                        priority=0,
                        overdue=True,
                    )
                ],
            ),
        ),
        (latest, "Latest day: nothing planned.", DayContent(day=latest, timezone=zone.key)),
    ):
        briefings.briefing_ref(db, user.uid, day.isoformat()).set(
            briefing_document(content, summary=summary, source="fallback", time="07:00", now=now)
        )

    open_page(page, "Inbox", "/inbox")
    card = page.get_by_test_id("briefing")
    expect(card).to_contain_text("Latest day: nothing planned.", timeout=TIMEOUT_MS)

    page.goto(f"{web_url}/inbox?briefing={older.isoformat()}")
    expect(card).to_contain_text("Older day: one event, one overdue task.", timeout=TIMEOUT_MS)
    expect(card).not_to_contain_text("Latest day")
    expect(card.get_by_role("heading", name="Events")).to_be_visible()
    expect(card.get_by_role("listitem").filter(has_text="Dentist")).to_contain_text("09:15")
    expect(card.get_by_role("listitem").filter(has_text="Renew passport")).to_contain_text(
        "overdue"
    )
    audit(page, "inbox with a briefing")

    # --- The notification's link opens the task in the app ---------------------------
    item = page.get_by_test_id("notification-item").filter(has_text="Passport")
    expect(item).to_have_attribute("data-read", "false", timeout=TIMEOUT_MS)
    item.get_by_role("link", name=re.compile(r"^Open task\b.*Passport$")).click()
    expect(page).to_have_url(f"{web_url}/tasks?task={task_id}")
    expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()
    linked = page.locator(f'[data-task-id="{task_id}"]')
    expect(linked).to_have_class(re.compile(r"\bhighlighted\b"), timeout=TIMEOUT_MS)
    expect(linked.get_by_test_id("task-title")).to_have_text("Renew passport")
    eventually(
        lambda: (
            db.document(f"users/{user.uid}/notifications/{notification_id}").get().to_dict() or {}
        ).get("read"),
        lambda read: read is True,
        "the clicked notification marked read",
    )
    expect(page.get_by_role("navigation").get_by_test_id("unread-badge")).to_have_count(0)

"""The assistant's pages in a real browser, against the emulators through Firebase Hosting.

One journey: a task added in words through quick add and completed; the inbox badge in
the navigation counting a notification written by the server (the Admin SDK, as a
reminder would be), and cleared by "Mark all read"; an event created in the calendar's
week view by selecting a slot. Each page is audited with axe-core (no serious or critical
violation) and screenshotted. Fixtures `page`, `web_url` and `artifacts_dir` come from
the e2e conftest.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from shared.notifications.service import notify_once
from shared.platform import clients
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in

pytestmark = pytest.mark.e2e


def test_quick_add_complete_inbox_badge_and_calendar_slot(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)

    # --- Tasks: added in words (Enter sends it), then completed ----------------------
    open_page(page, "Tasks", "/tasks")
    quick_add = page.get_by_label("Quick add")
    quick_add.fill("Buy milk tomorrow at 9am")
    quick_add.press("Enter")
    expect(page.get_by_test_id("quick-add-answer")).to_contain_text("Added", timeout=CALLABLE_MS)
    expect(quick_add).to_have_value("")
    row = page.get_by_test_id("task-item").filter(has_text="Buy milk")
    expect(row).to_be_visible(timeout=TIMEOUT_MS)
    expect(row).to_have_attribute("data-status", "todo")
    expect(row.get_by_test_id("task-due")).to_contain_text("09:00")
    audit(page, "tasks")
    page.screenshot(path=str(artifacts_dir / "tasks.png"), full_page=True)

    task_id = row.get_attribute("data-task-id")
    row.get_by_role("checkbox", name="Done: Buy milk").check()
    # The default filter shows what is not done: the completed task leaves the list...
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_have_count(0, timeout=CALLABLE_MS)
    # ...and is listed as done.
    page.get_by_label("Status").select_option("done")
    done = page.locator(f'[data-task-id="{task_id}"]')
    expect(done).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
    expect(done.get_by_role("checkbox")).to_be_checked()

    # --- Inbox: the badge counts a notification the server writes -------------------
    badge = page.get_by_role("navigation").get_by_test_id("unread-badge")
    expect(badge).to_have_count(0)
    notify_once(
        db=clients.get_db(),
        uid=user.uid,
        notification_id=f"e2e-{uuid4().hex[:8]}",
        title="Call Bob",
        body="Reminder: call Bob about the offer.",
        kind="reminder",
        link=f"/tasks?task={task_id}",
        now=datetime.now(UTC),
    )
    expect(badge).to_contain_text("1", timeout=TIMEOUT_MS)

    open_page(page, "Inbox", "/inbox")
    item = page.get_by_test_id("notification-item").filter(has_text="Call Bob")
    expect(item).to_have_attribute("data-read", "false", timeout=TIMEOUT_MS)
    expect(item.get_by_role("link", name=re.compile("^Open task"))).to_have_attribute(
        "href", f"/tasks?task={task_id}"
    )
    audit(page, "inbox")
    page.screenshot(path=str(artifacts_dir / "inbox.png"), full_page=True)
    page.get_by_role("button", name="Mark all read").click()
    expect(item).to_have_attribute("data-read", "true", timeout=CALLABLE_MS)
    expect(badge).to_have_count(0, timeout=TIMEOUT_MS)

    # --- Calendar: the week view, an event made by selecting a slot -----------------
    open_page(page, "Calendar", "/calendar")
    expect(page.get_by_test_id("calendar-zone")).to_contain_text("Times shown in")
    today = page.locator(".fc-timegrid-col.fc-day-today")
    expect(today).to_be_visible(timeout=TIMEOUT_MS)
    audit(page, "calendar")
    ten = page.locator('td.fc-timegrid-slot-lane[data-time="10:00:00"]')
    ten.scroll_into_view_if_needed()
    column = today.bounding_box()
    start = ten.bounding_box()
    end = page.locator('td.fc-timegrid-slot-lane[data-time="10:30:00"]').bounding_box()
    assert column, "the week view shows today's column"
    assert start, "the week view shows the 10:00 slot"
    assert end, "the week view shows the 10:30 slot"
    x = column["x"] + column["width"] / 2
    page.mouse.move(x, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()

    dialog = page.get_by_role("dialog", name="New event")
    expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
    expect(dialog.get_by_label("Start time")).to_have_value("10:00")
    expect(dialog.get_by_label("End time")).to_have_value("11:00")
    dialog.get_by_label("Title").fill("Planning")
    audit(page, "calendar event dialog")
    dialog.get_by_role("button", name="Save event").click()
    expect(dialog).to_have_count(0, timeout=CALLABLE_MS)
    event = page.locator(".fc-timegrid-event").filter(has_text="Planning")
    expect(event).to_be_visible(timeout=TIMEOUT_MS)
    expect(event).to_contain_text("10:00")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / "calendar.png"), full_page=True)

"""The audit-log viewer (`/admin/audit`) in a real browser against the emulators through
Firebase Hosting.

- An admin (made the operator way, `tools.make_admin`) sees "Audit" in the nav, the log
  newest first, filters it by target user (60 seeded entries: 50, then "Load more" for
  the last 10, in order, none repeated), by actor with a date range, and by action; a
  filter without a value is refused next to its field with nothing asked of the server.
- A user who is not an admin has no "Audit" entry, and the page typed in by hand answers
  with the server's refusal.

axe-core (no serious or critical violation) on each state, and screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from shared import audit
from shared.platform import clients
from tests.e2e.helpers import CALLABLE_MS, open_page, sign_in
from tests.e2e.helpers import audit as axe_check
from tests.e2e.test_flags import sign_in_as_admin

pytestmark = pytest.mark.e2e

SEEDED = 60
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def append(entry: audit.AuditEntry) -> str:
    from google.cloud import firestore

    db = clients.get_db()

    @firestore.transactional
    def apply(transaction: Any) -> str:
        return audit.append(db=db, transaction=transaction, entry=entry)

    return str(apply(db.transaction()))


@pytest.fixture
def seeded() -> Iterator[dict[str, Any]]:
    """SEEDED entries about one user by one actor, a minute apart (the e2e tier shares
    one Firestore, so the names are unique and the entries go afterwards)."""
    suffix = uuid4().hex[:8]
    target, actor = f"e2e-target-{suffix}", f"e2e-actor-{suffix}"
    ids = [
        append(
            audit.AuditEntry(
                actor=actor,
                action="calendar.feed.rotated" if i % 2 else "webhook.secret.created",
                target=f"users/{target}/workflows/w{i}",
                target_uid=target,
                time=BASE + timedelta(minutes=i),
                details={"workflowId": f"w{i}", "version": i},
            )
        )
        for i in range(SEEDED)
    ]
    yield {"target": target, "actor": actor, "ids": ids}
    db = clients.get_db()
    for entry_id in ids:
        db.collection(audit.AUDIT).document(entry_id).delete()


def rows(page: Page) -> list[str]:
    return [
        str(row.get_attribute("data-entry-id")) for row in page.get_by_test_id("audit-row").all()
    ]


def test_admin_filters_and_pages_through_the_log(
    page: Page, web_url: str, artifacts_dir: Path, seeded: dict[str, Any]
) -> None:
    admin = sign_in_as_admin(page, web_url)
    page.get_by_role("navigation").get_by_role("link", name="Audit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.get_by_role("heading", name="Audit log", exact=True)).to_be_visible()
    # Unfiltered, newest first: making this admin is the newest entry.
    first = page.get_by_test_id("audit-row").first
    expect(first).to_contain_text("Role changed", timeout=CALLABLE_MS)
    expect(first).to_contain_text(f"users/{admin.uid}")
    axe_check(page, "audit log")
    page.screenshot(path=str(artifacts_dir / "admin-audit.png"), full_page=True)

    # --- By target user: 50, then "Load more" for the rest, newest first -----------------
    page.get_by_label("Filter by").select_option("targetUid")
    page.get_by_label("Target user uid").fill(seeded["target"])
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("audit-count")).to_have_text(
        "Showing 50 entries, newest first; there are more.", timeout=CALLABLE_MS
    )
    newest_first = list(reversed(seeded["ids"]))
    assert rows(page) == newest_first[:50]
    expect(page.get_by_test_id("audit-row").first).to_contain_text("version: 59")
    page.get_by_role("button", name="Load more").click()
    expect(page.get_by_test_id("audit-count")).to_have_text(
        f"Showing {SEEDED} entries, newest first.", timeout=CALLABLE_MS
    )
    assert rows(page) == newest_first
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    axe_check(page, "audit log, all pages")
    page.screenshot(path=str(artifacts_dir / "admin-audit-paged.png"), full_page=True)

    # --- By actor within a date range: the seeded day only --------------------------------
    page.get_by_label("Filter by").select_option("actor")
    page.get_by_label("Actor uid").fill(seeded["actor"])
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("audit-count")).to_have_text(
        "Showing 50 entries, newest first; there are more.", timeout=CALLABLE_MS
    )
    page.get_by_label("From", exact=True).fill("2026-03-02")
    page.get_by_label("To", exact=True).fill("2026-03-09")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("audit-count")).to_have_text(
        "No entries match.", timeout=CALLABLE_MS
    )

    # --- By action ----------------------------------------------------------------------
    page.get_by_role("button", name="Clear", exact=True).click()
    page.get_by_label("Filter by").select_option("action")
    page.get_by_label("Action", exact=True).select_option("calendar.feed.rotated")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("audit-row").first).to_contain_text(
        "Calendar feed rotated", timeout=CALLABLE_MS
    )
    for row in page.get_by_test_id("audit-row").all():
        expect(row).to_contain_text("calendar.feed.rotated")

    # --- A filter without a value is refused in the form ----------------------------------
    page.get_by_label("Filter by").select_option("actor")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("audit-form-error")).to_have_text("Enter a value to filter by.")
    expect(page.get_by_label("Actor uid")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "audit log, refused filter")
    page.screenshot(path=str(artifacts_dir / "admin-audit-filter-error.png"), full_page=True)


def test_a_user_who_is_not_an_admin_has_no_audit_page(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_in(page, web_url)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Profile", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Audit", exact=True)).to_have_count(0)
    open_page(page, "Tasks", "/tasks")

    page.goto(f"{web_url}/admin/audit")
    expect(page.get_by_test_id("audit-error")).to_contain_text(
        "Only an admin can read the audit log.", timeout=CALLABLE_MS
    )
    expect(page.get_by_test_id("audit-row")).to_have_count(0)
    axe_check(page, "audit log refused")
    page.screenshot(path=str(artifacts_dir / "admin-audit-refused.png"), full_page=True)

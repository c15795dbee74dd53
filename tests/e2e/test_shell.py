"""The web app shell in a real browser, against the emulators through Firebase Hosting.

One journey: sign up, see the profile the backend created, change the time zone (saved,
then refused with the server's message next to the field), check Status, sign out.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-9"
# The first callable of a session may wait for a cold function worker.
TIMEOUT_MS = 15_000


def test_sign_up_edit_settings_check_status_and_sign_out(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    email = f"e2e-{uuid4().hex[:8]}@example.com"

    # Sign up; the app creates the profile through ensure_profile and opens /profile.
    page.goto(f"{web_url}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Display name").fill("E2E Tester")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Profile", exact=True)).to_be_visible()
    expect(page.get_by_test_id("profile-email")).to_have_text(email, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-role")).to_have_text("user")
    expect(page.get_by_test_id("profile-plan")).to_have_text("free")
    # The display name was set before the profile was created, so the profile has it.
    expect(page.get_by_test_id("profile-display-name")).to_have_text("E2E Tester")

    # A valid time zone is saved, and the live profile document shows it.
    timezone = page.get_by_label("Time zone")
    save = page.get_by_role("button", name="Save settings")
    timezone.fill("Asia/Tokyo")
    save.click()
    expect(page.get_by_role("status").filter(has_text="Settings saved")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_test_id("profile-timezone")).to_have_text("Asia/Tokyo", timeout=TIMEOUT_MS)

    # An unknown zone is refused: the server's message shows at the field, nothing changes.
    timezone.fill("Mars/Olympus")
    save.click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("timezone", timeout=TIMEOUT_MS)
    expect(alert).to_contain_text("IANA")
    expect(timezone).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("profile-timezone")).to_have_text("Asia/Tokyo")
    page.screenshot(path=str(artifacts_dir / "profile.png"), full_page=True)

    # Status, reached from the nav, reports the backend's health through /api/health.
    page.get_by_role("navigation").get_by_role("link", name="Status", exact=True).click()
    expect(page).to_have_url(re.compile(r"/status$"))
    expect(page.get_by_role("heading", name="Status", exact=True)).to_be_visible()
    expect(page.get_by_test_id("health-status")).to_contain_text("ok", timeout=TIMEOUT_MS)

    # Signing out lands on /signin, and protected pages send visitors there.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"), timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{web_url}/profile")
    expect(page).to_have_url(re.compile(r"/signin$"), timeout=TIMEOUT_MS)

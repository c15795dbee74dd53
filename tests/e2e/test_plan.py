"""The Plan page and email settings in a real browser, against the emulators (with the
Stripe stand-in serving checkout and the customer portal, and sending signed events).

One journey: a new account is on Free, with today's AI usage against Free's quota;
"Upgrade to Pro" goes to the checkout page, paying there comes back to the Plan page,
which turns Pro when the signed webhook has been applied (the plan on the profile, the
quota shown with it); "Manage billing" opens the portal, cancelling there keeps Pro
until the end of the period, as the page says. Then the email settings on the profile
page: turned on with one kind off, saved, the address verified from the form (Aura mails
only verified addresses), and the settings still so after a reload. axe-core on each
page, and screenshots. Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e
conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ROOT, TIMEOUT_MS, audit, sign_up
from tests.support import emulators as emu
from tools.stack import PROJECT_ID

pytestmark = pytest.mark.e2e

# A callable may wait for a cold worker; the plan changes when the webhook has run.
CALLABLE_MS = 30_000
QUOTAS = json.loads((ROOT / "hosting/src/wire/plans.json").read_text(encoding="utf-8"))


def open_plan(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Plan", exact=True).click()
    expect(page).to_have_url(re.compile(r"/plan$"))
    expect(page.get_by_role("heading", name="Plan", exact=True)).to_be_visible()


def test_upgrade_manage_and_email_settings(page: Page, web_url: str, artifacts_dir: Path) -> None:
    address = sign_up(page, web_url, "plan")
    open_plan(page)
    plan = page.get_by_test_id("plan-name")
    expect(plan).to_have_text("Free", timeout=TIMEOUT_MS)
    free = QUOTAS["free"]
    expect(page.get_by_test_id("usage-requests")).to_have_text(f"0 of {free['requests']}")
    expect(page.get_by_role("button", name="Manage billing")).to_have_count(0)
    audit(page, "the Plan page on Free")
    page.screenshot(path=str(artifacts_dir / "plan-free.png"), full_page=True)

    # Checkout: the stand-in's page, paid, and back on the Plan page.
    page.get_by_role("button", name="Upgrade to Pro", exact=True).click()
    expect(page).to_have_url(re.compile(r"/stripe/pay/"), timeout=CALLABLE_MS)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page).to_have_url(re.compile(r"/plan\?checkout=success$"), timeout=TIMEOUT_MS)
    expect(plan).to_have_text("Pro", timeout=CALLABLE_MS)
    pro = QUOTAS["pro"]
    expect(page.get_by_test_id("usage-requests")).to_have_text(
        re.compile(rf"^0 of {pro['requests']:,}$")
    )
    expect(page.get_by_test_id("plan-status")).to_contain_text("Renews on")
    expect(page.get_by_role("button", name="Upgrade to Pro")).to_have_count(0)
    audit(page, "the Plan page on Pro")
    page.screenshot(path=str(artifacts_dir / "plan-pro.png"), full_page=True)

    # The portal: cancelled at period end, still Pro until then.
    page.get_by_role("button", name="Manage billing", exact=True).click()
    expect(page).to_have_url(re.compile(r"/stripe/portal/"), timeout=CALLABLE_MS)
    page.get_by_role("button", name="Cancel plan", exact=True).click()
    expect(page).to_have_url(re.compile(r"/plan$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("plan-status")).to_contain_text("then Free", timeout=CALLABLE_MS)
    expect(plan).to_have_text("Pro")
    page.screenshot(path=str(artifacts_dir / "plan-canceling.png"), full_page=True)

    # Email settings: on, workflows off by default, reminders turned off; kept on reload.
    page.get_by_role("navigation").get_by_role("link", name="Profile", exact=True).click()
    form = page.get_by_test_id("email-form")
    on = form.get_by_label("Also send my notifications by email")
    expect(on).not_to_be_checked()
    expect(form.get_by_label("Task and event reminders")).to_be_disabled()
    on.check()
    form.get_by_label("Task and event reminders").uncheck()
    expect(form.get_by_label("Notifications from my workflows")).not_to_be_checked()
    form.get_by_role("button", name="Save email settings").click()
    expect(form.get_by_test_id("email-saved")).to_have_text(
        "Email settings saved", timeout=CALLABLE_MS
    )
    # A password sign-up's address is not verified, and Aura mails only verified ones:
    # the form sends the link (through the Auth emulator), which is opened, and checked.
    verify = form.get_by_test_id("verify-address")
    expect(verify).to_be_visible()
    audit(page, "the profile with email settings")
    page.screenshot(path=str(artifacts_dir / "email-settings.png"), full_page=True)
    verify.get_by_role("button", name="Send me a verification link").click()
    expect(verify.get_by_role("status")).to_contain_text("Sent", timeout=TIMEOUT_MS)
    codes = emu.session.get(
        f"{emu.AUTH}/emulator/v1/projects/{PROJECT_ID}/oobCodes", timeout=10
    ).json()["oobCodes"]
    (link,) = [
        c["oobLink"] for c in codes if c["email"] == address and c["requestType"] == "VERIFY_EMAIL"
    ]
    opened = page.context.new_page()
    opened.goto(link)
    opened.close()
    verify.get_by_role("button", name="I have opened the link").click()
    expect(verify).to_have_count(0, timeout=TIMEOUT_MS)
    page.reload()
    form = page.get_by_test_id("email-form")
    expect(form.get_by_label("Also send my notifications by email")).to_be_checked(
        timeout=TIMEOUT_MS
    )
    expect(form.get_by_label("Task and event reminders")).not_to_be_checked()
    expect(form.get_by_label("The daily briefing")).to_be_checked()
    expect(form.get_by_test_id("verify-address")).to_have_count(0)

"""The Privacy page (`/privacy`) in a real browser, against the emulators through
Firebase Hosting.

- Export: "Export my data" calls `export_my_data`; the page follows the user's latest
  export live (a polite status region): queued/running with progress, then done with a
  Download link and its expiry. The link is fetched over HTTP: a gzip of the
  `aura.export/1` JSON with the user's profile and a notification seeded beforehand.
- Delete: the danger zone's button works only once "delete my account" is typed exactly;
  the fresh sign-in counts as recent, so `delete_my_account` accepts at once; the app
  signs out and lands on /goodbye; signing in with the old password then fails.
- Re-authentication: the server's `failed-precondition` / `requires-recent-login` answer
  (an ID token older than RECENT_SIGN_IN_S cannot be made in a test without waiting
  five minutes, so the first `delete_my_account` request is answered by the test in the
  server's wire shape) makes the page ask for the password; a wrong one is refused by
  Auth, the right one re-authenticates and the retry reaches the real server.

axe-core (no serious or critical violation) on each state, and screenshots.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from shared.notifications.service import notify_once
from shared.platform import clients
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in
from tests.support import emulators as emu

pytestmark = pytest.mark.e2e

PHRASE = "delete my account"
# An export runs as a Cloud Task after the callable: allow for a cold worker.
EXPORT_MS = 90_000

# Records every state the export's status region shows (it may pass quickly).
WATCH_STATUS = """() => {
  const region = document.querySelector('[data-testid="export-status"]');
  window.__exportStates = [];
  const record = () => window.__exportStates.push(
    region.getAttribute('data-status') + ': ' + region.textContent);
  new MutationObserver(record).observe(region, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""


def seed_notification(uid: str) -> str:
    notification_id = f"e2e-privacy-{uuid4().hex[:8]}"
    notify_once(
        db=clients.get_db(),
        uid=uid,
        notification_id=notification_id,
        title="Call Bob",
        body="Reminder: call Bob about the offer.",
        kind="reminder",
        link=None,
        now=datetime.now(UTC),
    )
    return notification_id


def auth_user(uid: str) -> Any:
    from firebase_admin import auth

    return auth.get_user(uid, app=clients.get_app())


def sign_in_fails(page: Page, web_url: str, user: emu.User) -> None:
    """The old email and password no longer sign in, in the browser and over REST."""
    page.goto(f"{web_url}/signin")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile("disabled|do not match an account"), timeout=TIMEOUT_MS
    )
    expect(page).to_have_url(re.compile(r"/signin$"))
    with pytest.raises(requests.HTTPError):
        emu.sign_in(user.email, user.password)


def test_export_download_then_delete_the_account(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    notification_id = seed_notification(user.uid)
    open_page(page, "Privacy", "/privacy")
    status = page.get_by_test_id("export-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("data-status", "none", timeout=TIMEOUT_MS)
    audit(page, "privacy page")
    page.screenshot(path=str(artifacts_dir / "privacy.png"), full_page=True)

    # --- Export: queued/running with progress, then the download link -----------------
    page.evaluate(WATCH_STATUS)
    export_button = page.get_by_role("button", name="Export my data")
    export_button.click()
    expect(status).to_have_attribute(
        "data-status", re.compile("^(queued|running|done)$"), timeout=CALLABLE_MS
    )
    link = page.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=EXPORT_MS)
    expect(status).to_have_attribute("data-status", "done")
    states: list[str] = page.evaluate("() => window.__exportStates")
    live = [i for i, state in enumerate(states) if state.startswith(("queued:", "running:"))]
    done = [i for i, state in enumerate(states) if state.startswith("done:")]
    assert live, states
    assert done, states
    assert live[0] < done[0], states
    assert any(re.search(r"Export queued|Exporting your data", s) for s in states), states
    assert any(re.search(r"Waiting to start|documents? from \d+ collections?", s) for s in states)
    expect(status).to_contain_text("Your export is ready")
    expect(page.get_by_test_id("export-expires")).to_contain_text("Link expires")
    expect(page.locator("progress")).to_have_count(0)
    # Done, the button starts a new export again.
    expect(export_button).to_be_enabled()
    audit(page, "privacy page, export ready")
    page.screenshot(path=str(artifacts_dir / "privacy-export-ready.png"), full_page=True)

    # The link is the export document's, and the archive is gzip of aura.export/1.
    href = link.get_attribute("href")
    assert href
    exports = list(clients.get_db().collection(f"users/{user.uid}/exports").stream())
    assert len(exports) == 1
    stored = exports[0].to_dict() or {}
    assert stored["status"] == "done"
    assert stored["downloadUrl"] == href
    assert stored["expiresAt"] > stored["finishedAt"]
    response = requests.get(href, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.content[:2] == b"\x1f\x8b", response.content[:20]
    archive = json.loads(gzip.decompress(response.content))
    assert archive["schema"] == "aura.export/1"
    assert archive["subject"] == user.uid
    paths = {document["path"] for document in archive["documents"]}
    assert f"users/{user.uid}" in paths
    assert f"users/{user.uid}/notifications/{notification_id}" in paths

    # --- Delete: the typed confirmation must be exact ---------------------------------
    danger = page.get_by_role("region", name="Delete my account")
    delete = danger.get_by_role("button", name="Delete my account")
    confirm = danger.get_by_label(re.compile("to confirm$"))
    expect(delete).to_be_disabled()
    for near_miss in ("delete my", "Delete my account", "delete my account ", "delete  my account"):
        confirm.fill(near_miss)
        expect(delete).to_be_disabled()
    confirm.fill(PHRASE)
    expect(delete).to_be_enabled()
    audit(page, "privacy page, deletion confirmed")
    page.screenshot(path=str(artifacts_dir / "privacy-delete-confirm.png"), full_page=True)

    # A fresh sign-in is recent: the server accepts at once, the app signs out.
    delete.click()
    expect(page).to_have_url(re.compile(r"/goodbye$"), timeout=CALLABLE_MS)
    expect(page.get_by_role("heading", name="Goodbye", exact=True)).to_be_visible()
    expect(page.get_by_test_id("goodbye")).to_contain_text("Your account is deleted")
    expect(page.get_by_test_id("goodbye-status")).to_have_text(
        "You are signed out.", timeout=TIMEOUT_MS
    )
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    audit(page, "goodbye page")
    page.screenshot(path=str(artifacts_dir / "privacy-goodbye.png"), full_page=True)

    # The account cannot be used any more, and protected pages send visitors to sign in.
    sign_in_fails(page, web_url, user)
    audit(page, "sign in refused after deletion")
    page.screenshot(path=str(artifacts_dir / "privacy-signin-refused.png"), full_page=True)
    page.goto(f"{web_url}/privacy")
    expect(page).to_have_url(re.compile(r"/signin$"), timeout=TIMEOUT_MS)


def test_a_stale_sign_in_asks_for_the_password_then_deletes(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Privacy", "/privacy")

    # The server's answer to a stale sign-in, in the callable protocol's shape, once.
    answered: list[str] = []
    cors = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
    }

    def stale_once(route: Route) -> None:
        if route.request.method == "OPTIONS":
            # "*" does not cover Authorization: allow what the preflight asks for.
            asked = route.request.headers.get("access-control-request-headers", "")
            route.fulfill(status=204, headers={**cors, "Access-Control-Allow-Headers": asked})
            return
        if answered:
            route.continue_()
            return
        answered.append(route.request.post_data or "")
        route.fulfill(
            status=400,
            headers={**cors, "Content-Type": "application/json"},
            body=json.dumps(
                {
                    "error": {
                        "status": "FAILED_PRECONDITION",
                        "message": "Sign in again to delete your account.",
                        "details": {"reason": "requires-recent-login"},
                    }
                }
            ),
        )

    page.route(re.compile(r"/delete_my_account$"), stale_once)

    danger = page.get_by_role("region", name="Delete my account")
    danger.get_by_label(re.compile("to confirm$")).fill(PHRASE)
    danger.get_by_role("button", name="Delete my account").click()
    expect(danger.get_by_test_id("reauth-needed")).to_be_visible(timeout=CALLABLE_MS)
    assert answered
    assert json.loads(answered[0]) == {"data": {"confirm": PHRASE}}
    password = danger.get_by_label("Password")
    # Focus moves to the password field (the button that was pressed is gone).
    expect(password).to_be_focused()
    audit(page, "privacy page, password asked")
    page.screenshot(path=str(artifacts_dir / "privacy-reauth.png"), full_page=True)

    # A wrong password is refused by Auth, next to the field; nothing is deleted.
    password.fill("not-the-password")
    danger.get_by_role("button", name="Confirm and delete my account").click()
    expect(danger.get_by_test_id("reauth-error")).to_have_text(
        "That email and password do not match an account.", timeout=TIMEOUT_MS
    )
    expect(password).to_have_attribute("aria-invalid", "true")
    audit(page, "privacy page, wrong password")
    assert auth_user(user.uid).disabled is False

    # The right one re-authenticates; the retry reaches the real server and succeeds.
    password.fill(user.password)
    danger.get_by_role("button", name="Confirm and delete my account").click()
    expect(page).to_have_url(re.compile(r"/goodbye$"), timeout=CALLABLE_MS)
    expect(page.get_by_role("heading", name="Goodbye", exact=True)).to_be_visible()
    assert len(answered) == 1
    sign_in_fails(page, web_url, user)

"""The feature-flags admin page and the flag it gates, in a real browser against the
emulators through Firebase Hosting.

- An admin (made the operator way, `tools.make_admin`) sees "Flags" in the nav, the
  flags with their reach over the seeded profiles, creates a flag at 100 % (reach: every
  user), turns `quickadd-ai` off (reach 0, stored and audited), and sees a bad
  percentage refused next to its field; the quick-add bar then says AI reading is off.
- A user who is not an admin has no "Flags" entry, the page answers with the server's
  refusal, and their quick-add bar says AI reading is on (the default).

axe-core (no serious or critical violation) on the page and its editor, and screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from shared.platform import clients
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in
from tests.support import emulators as emu
from tools.make_admin import make_admin

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _no_flags_left() -> Iterator[None]:
    """The e2e tier shares one Firestore: leave no flag behind for the next test."""
    yield
    db = clients.get_db()
    for snapshot in db.collection("flags").stream():
        snapshot.reference.delete()


def sign_in_as_admin(page: Page, web_url: str) -> emu.User:
    user = emu.sign_up(f"e2e-admin-{uuid4().hex[:8]}@example.com")
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    make_admin(user.email)
    page.goto(f"{web_url}/signin")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-role")).to_have_text("admin", timeout=TIMEOUT_MS)
    return user.refresh()


def profiles() -> int:
    return sum(1 for _ in clients.get_db().collection("users").select([]).stream())


def test_admin_edits_flags_and_sees_their_reach(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    db, now = clients.get_db(), datetime.now(UTC)
    for i in range(3):
        db.collection("users").document(f"e2e-seed-{uuid4().hex[:6]}-{i}").set(
            {"plan": "free", "createdAt": now}
        )
    admin = sign_in_as_admin(page, web_url)

    nav = page.get_by_role("navigation")
    nav.get_by_role("link", name="Flags", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/flags$"))
    expect(page.get_by_role("heading", name="Feature flags", exact=True)).to_be_visible()
    total = profiles()
    users = f"{total} of {total} users"
    # A known flag with no document: its default (on), so it reaches everyone.
    expect(page.get_by_test_id("reach-quickadd-ai")).to_have_text(users, timeout=CALLABLE_MS)
    expect(page.get_by_test_id("flag-quickadd-ai")).to_contain_text("default: on for everyone")
    audit(page, "flags")
    page.screenshot(path=str(artifacts_dir / "admin-flags.png"), full_page=True)

    # --- A new flag at 100 % ------------------------------------------------------------
    page.get_by_role("button", name="New flag").click()
    editor = page.get_by_role("form", name="New flag")
    editor.get_by_label("Key").fill("e2e-beta")
    editor.get_by_label("Enabled").check()
    editor.get_by_label(re.compile(r"^Rollout")).fill("100")
    editor.get_by_label("Description").fill("A flag made by the browser test")
    audit(page, "flags editor")
    page.screenshot(path=str(artifacts_dir / "admin-flags-editor.png"), full_page=True)
    editor.get_by_role("button", name="Save flag").click()
    expect(page.get_by_test_id("flag-saved")).to_have_text(
        "Saved e2e-beta (version 1).", timeout=CALLABLE_MS
    )
    expect(page.get_by_test_id("reach-e2e-beta")).to_have_text(users, timeout=CALLABLE_MS)

    # --- A bad percentage is refused next to its field, nothing saved ---------------------
    page.get_by_role("button", name="Edit e2e-beta").click()
    editor = page.get_by_role("form", name="Edit flag e2e-beta")
    editor.get_by_label(re.compile(r"^Rollout")).fill("150")
    editor.get_by_role("button", name="Save flag").click()
    expect(editor.get_by_role("alert")).to_have_text("Enter a whole number from 0 to 100.")
    expect(editor.get_by_label(re.compile(r"^Rollout"))).to_have_attribute("aria-invalid", "true")
    assert (db.document("flags/e2e-beta").get().to_dict() or {})["rolloutPercent"] == 100
    editor.get_by_role("button", name="Cancel").click()

    # --- quickadd-ai off: reach 0, stored and audited -------------------------------------
    page.get_by_role("button", name="Edit quickadd-ai").click()
    editor = page.get_by_role("form", name="Edit flag quickadd-ai")
    editor.get_by_label("Enabled").uncheck()
    editor.get_by_role("button", name="Save flag").click()
    expect(page.get_by_test_id("flag-saved")).to_have_text(
        "Saved quickadd-ai (version 1).", timeout=CALLABLE_MS
    )
    expect(page.get_by_test_id("reach-quickadd-ai")).to_have_text(
        f"0 of {total} users", timeout=CALLABLE_MS
    )
    expect(page.get_by_test_id("flag-quickadd-ai")).to_contain_text("off for everyone")
    stored = db.document("flags/quickadd-ai").get().to_dict() or {}
    assert stored["enabled"] is False
    assert stored["updatedBy"] == admin.uid
    audited = [e.to_dict() or {} for e in db.collection("audit").stream()]
    mine = [e for e in audited if e["action"] == "flag.set" and e["actor"] == admin.uid]
    assert {e["target"] for e in mine} == {
        "flags/e2e-beta",
        "flags/quickadd-ai",
    }
    page.screenshot(path=str(artifacts_dir / "admin-flags-saved.png"), full_page=True)

    # --- The quick-add bar follows the flag -------------------------------------------------
    open_page(page, "Tasks", "/tasks")
    expect(page.get_by_test_id("quick-add-ai")).to_have_text(
        "AI reading: off (the built-in parser reads your line)", timeout=CALLABLE_MS
    )


def test_a_user_who_is_not_an_admin_has_no_flags_page(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_in(page, web_url)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Profile", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Flags", exact=True)).to_have_count(0)

    open_page(page, "Tasks", "/tasks")
    expect(page.get_by_test_id("quick-add-ai")).to_have_text("AI reading: on", timeout=CALLABLE_MS)

    # Typed in by hand, the page loads, and the server refuses the listing.
    page.goto(f"{web_url}/admin/flags")
    expect(page.get_by_test_id("flags-error")).to_contain_text(
        "Only an admin can list feature flags.", timeout=CALLABLE_MS
    )
    expect(page.get_by_role("navigation").get_by_role("link", name="Flags")).to_have_count(0)
    audit(page, "flags refused")
    page.screenshot(path=str(artifacts_dir / "admin-flags-refused.png"), full_page=True)

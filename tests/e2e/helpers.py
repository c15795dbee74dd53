"""What browser tests share: a fresh account (signed up in the page, or made through the
Auth emulator and signed in), the navigation, and the axe-core audit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import uuid4

from playwright.sync_api import Page, expect

from tests.support import emulators as emu

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "hosting/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}
PASSWORD = "correct-horse-9"
TIMEOUT_MS = 15_000
# The first call of a session may wait for a cold function worker.
CALLABLE_MS = 30_000


def sign_up(page: Page, web_url: str, prefix: str) -> str:
    """A fresh account (`e2e-<prefix>-…@example.com`): the app lands on /profile once it
    is set up. Returns the email."""
    email = f"e2e-{prefix}-{uuid4().hex[:8]}@example.com"
    page.goto(f"{web_url}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)
    return email


def sign_in(page: Page, web_url: str, prefix: str = "assistant") -> emu.User:
    """A fresh account (made through the Auth emulator, so its uid is known), signed in
    in the browser: the app lands on /profile once the profile is set up."""
    user = emu.sign_up(f"e2e-{prefix}-{uuid4().hex[:8]}@example.com")
    page.goto(f"{web_url}/signin")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)
    return user


def open_page(page: Page, label: str, path: str) -> None:
    """The navigation's link `label` (its name starts with it: a badge may follow), to
    `path`, whose page heading is `label`."""
    page.get_by_role("navigation").get_by_role("link", name=re.compile(rf"^{label}\b")).click()
    expect(page).to_have_url(re.compile(rf"{path}$"))
    expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()


def audit(page: Page, name: str, exclude: list[str] | None = None) -> None:
    """axe-core on the page as it is (but `exclude`, CSS selectors): no serious or
    critical violation. Injected by evaluation (the app's CSP refuses inline scripts)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(
        """async (exclude) => (await axe.run(
            {include: [document], exclude: exclude.map((selector) => [selector])},
            {resultTypes: ['violations']},
        )).violations""",
        exclude or [],
    )
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in violations
        if v.get("impact") in BLOCKING
    ]
    assert not blocking, f"axe-core on {name}:\n" + "\n".join(blocking)

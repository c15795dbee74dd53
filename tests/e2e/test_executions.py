"""Running a workflow in a real browser, against the emulators through Firebase Hosting.

One journey: a new workflow saved from the starter definition (transform "greet" ->
condition "check" -> notify "tell" on the branch "big"), run from its editor with an
input that takes that branch, and followed live on the execution page until it succeeds.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-9"
TIMEOUT_MS = 15_000
# A callable may wait for a cold function worker.
CALLABLE_MS = 30_000
# Every step is a Cloud Task through the emulators.
RUN_MS = 45_000
NAME = "Run me"
EDIT_URL = re.compile(r"/automations/([A-Za-z0-9_-]+)/edit$")
EXECUTION_URL = re.compile(r"/automations/executions/([A-Za-z0-9_-]+)$")
# The starter's transform renders "Hello {{ input.name }}" (an undefined name fails the
# step) and its condition takes the branch "big" when `input.amount > 100`.
RUN_INPUT = {"name": "Ada", "amount": 150}


def sign_up(page: Page, web_url: str) -> None:
    """A fresh account, as in test_automations: the app lands on /profile once set up."""
    page.goto(f"{web_url}/signup")
    page.get_by_label("Email").fill(f"e2e-executions-{uuid4().hex[:8]}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)


def test_run_a_workflow_and_watch_it_succeed(page: Page, web_url: str, artifacts_dir: Path) -> None:
    sign_up(page, web_url)

    # A new workflow from the starter definition, saved as version 1.
    page.get_by_role("navigation").get_by_role("link", name="Automations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations$"))
    page.get_by_role("button", name="New workflow", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations/new$"))
    # The editor opens on the canvas; the JSON view has the plain text under its code editor.
    page.get_by_role("button", name="JSON", exact=True).click()
    page.locator("details.plain-json summary").click()
    starter = json.loads(page.get_by_label("Definition (JSON)", exact=True).input_value())
    node_ids = [node["id"] for node in starter["nodes"]]
    assert node_ids == ["greet", "check", "tell"], "the starter definition changed"
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_role("button", name="Save workflow", exact=True).click()
    saved = page.get_by_role("status").filter(has_text="Saved version")
    expect(saved).to_have_text("Saved version 1", timeout=CALLABLE_MS)
    expect(page).to_have_url(EDIT_URL, timeout=TIMEOUT_MS)

    # Run it from the editor with an input, and land on the execution page.
    page.get_by_role("button", name="Run", exact=True).click()
    run_input = page.get_by_label("Input (JSON)", exact=True)
    expect(run_input).to_have_value("{}")
    run_input.fill(json.dumps(RUN_INPUT))
    page.get_by_role("button", name="Start run", exact=True).click()
    expect(page).to_have_url(EXECUTION_URL, timeout=CALLABLE_MS)
    expect(page.get_by_role("heading", name=NAME, exact=True)).to_be_visible(timeout=TIMEOUT_MS)

    # The listener carries it to the end: succeeded, every step succeeded or skipped.
    expect(page.get_by_test_id("execution-status")).to_contain_text("succeeded", timeout=RUN_MS)
    steps = page.locator('[data-testid^="step-"]')
    expect(steps).to_have_count(len(node_ids))
    for node_id in node_ids:
        expect(page.get_by_test_id(f"step-{node_id}")).to_have_attribute(
            "data-status", re.compile(r"^(succeeded|skipped)$")
        )
    # amount 150 > 100: the condition took "big", so the notify step ran.
    expect(page.get_by_test_id("step-check")).to_contain_text("big")
    expect(page.get_by_test_id("step-tell")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_role("alert")).to_have_count(0)
    # Nothing to pause, resume, cancel or retry once it has succeeded.
    for control in ("Pause", "Resume", "Cancel", "Retry", "Retry from start"):
        expect(page.get_by_role("button", name=control, exact=True)).to_be_disabled()
    expect(page.get_by_test_id("log-entry").first).to_be_visible(timeout=TIMEOUT_MS)

    page.screenshot(path=str(artifacts_dir / "execution.png"), full_page=True)

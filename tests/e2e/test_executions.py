"""Running a workflow in a real browser, against the emulators through Firebase Hosting.

One journey: a new workflow saved from the starter definition (transform "greet" ->
condition "check" -> notify "tell" on the branch "big"), run from its editor with an
input that takes that branch, and followed live on the execution page until it succeeds,
on the steps table and on the graph (the version's canvas, a badge per node; a node opens
its details). Then a run whose first step fails: its error opened from the graph, and the
step retried from the details panel (the same execution, its second attempt). axe-core
(no serious or critical violation) and screenshots on each state.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import audit as axe_check
from tests.e2e.helpers import sign_up

pytestmark = pytest.mark.e2e

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
# Without a name the greeting's template fails: the first step fails, nothing else runs.
FAILING_INPUT = {"amount": 150}


def graph_node(page: Page, node_id: str) -> Locator:
    """A step on the execution page's canvas (the React Flow node, which takes focus)."""
    return page.get_by_test_id("run-graph").locator(f'.react-flow__node[data-id="{node_id}"]')


def run_badge(page: Page, node_id: str) -> Locator:
    return graph_node(page, node_id).get_by_test_id("node-run")


def start_run(page: Page, run_input: object) -> str:
    """From the editor: Run with `run_input`; lands on the execution page, returns its id."""
    page.get_by_role("button", name="Run", exact=True).click()
    field = page.get_by_label("Input (JSON)", exact=True)
    expect(field).to_be_visible()
    field.fill(json.dumps(run_input))
    page.get_by_role("button", name="Start run", exact=True).click()
    expect(page).to_have_url(EXECUTION_URL, timeout=CALLABLE_MS)
    match = EXECUTION_URL.search(page.url)
    assert match
    return match.group(1)


def test_run_a_workflow_and_watch_it_succeed(page: Page, web_url: str, artifacts_dir: Path) -> None:
    sign_up(page, web_url, "executions")

    # A new workflow from the starter definition, saved as version 1.
    page.get_by_role("navigation").get_by_role("link", name="Automations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations$"))
    page.get_by_role("button", name="New workflow", exact=True).click()
    # The gallery: the blank workflow is the starter definition.
    page.get_by_role("button", name="Blank workflow", exact=True).click()
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
    edit_url = page.url

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

    # The same run on the graph of version 1: a badge per node, as the table says.
    expect(page.get_by_role("region", name="Run graph of version 1")).to_be_visible()
    for node_id in ("greet", "check", "tell"):
        expect(run_badge(page, node_id)).to_contain_text("succeeded", timeout=TIMEOUT_MS)
    # A node opens its details: the notification step's output, its log lines.
    graph_node(page, "tell").click()
    details = page.get_by_test_id("run-details")
    expect(details).to_have_attribute("data-node-id", "tell")
    expect(details.get_by_role("heading", name=re.compile("Tell me"))).to_be_focused()
    expect(details.get_by_test_id("run-details-status")).to_have_attribute(
        "data-status", "succeeded"
    )
    expect(details.get_by_test_id("run-details-attempts")).to_have_text("1")
    expect(details.get_by_test_id("run-details-error")).to_have_text("—")
    expect(details.get_by_test_id("run-details-output")).not_to_have_text("—")
    # No retry for a step that did not fail.
    expect(details.get_by_role("button", name="Retry this step")).to_have_count(0)
    axe_check(page, "execution page, succeeded, with a node's details")
    page.screenshot(path=str(artifacts_dir / "execution.png"), full_page=True)
    # Escape closes it and gives the focus back to the node.
    page.keyboard.press("Escape")
    expect(details).to_have_count(0)
    expect(graph_node(page, "tell")).to_be_focused()

    # --- A run whose first step fails, followed on the graph and retried from there ----
    page.goto(edit_url)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    failing_id = start_run(page, FAILING_INPUT)
    expect(page.get_by_test_id("execution-status")).to_contain_text("failed", timeout=RUN_MS)
    expect(run_badge(page, "greet")).to_contain_text("failed", timeout=TIMEOUT_MS)
    # The steps after it never ran: no badge on them.
    expect(run_badge(page, "check")).to_have_count(0)
    expect(run_badge(page, "tell")).to_have_count(0)

    # Open the failed node by keyboard: focus it on the canvas, Enter.
    graph_node(page, "greet").focus()
    page.keyboard.press("Enter")
    details = page.get_by_test_id("run-details")
    expect(details).to_have_attribute("data-node-id", "greet")
    expect(details.get_by_test_id("run-details-status")).to_have_attribute("data-status", "failed")
    expect(details.get_by_test_id("run-details-attempts")).to_have_text("1")
    error = details.get_by_test_id("run-details-error")
    expect(error).not_to_have_text("—")
    expect(error).to_contain_text("name")
    expect(details.get_by_test_id("run-details-log")).to_be_visible(timeout=TIMEOUT_MS)
    axe_check(page, "execution page, failed, with the failed node's error")
    page.screenshot(path=str(artifacts_dir / "execution-failed.png"), full_page=True)

    # Retry it from the panel: the same execution runs the step again (its second attempt),
    # which fails again with the same input.
    details.get_by_role("button", name="Retry this step", exact=True).click()
    expect(page.get_by_test_id("action-error")).to_have_count(0)
    expect(details.get_by_test_id("run-details-attempts")).to_have_text("2", timeout=RUN_MS)
    expect(page.get_by_test_id("execution-status")).to_contain_text("failed", timeout=RUN_MS)
    expect(details.get_by_test_id("run-details-status")).to_have_attribute("data-status", "failed")
    expect(run_badge(page, "greet")).to_contain_text("2 attempts")
    expect(page).to_have_url(re.compile(rf"/automations/executions/{failing_id}$"))
    page.screenshot(path=str(artifacts_dir / "execution-retried.png"), full_page=True)

"""Automations in a real browser, against the emulators through Firebase Hosting.

One journey: a new workflow saved from the starter definition (version 1, then its edit
URL), listed; the same workflow opened again and refused by `save_workflow` with an edge
that closes a cycle (the server's message, the path `edges[N]` and the edge it names);
fixed and saved as version 2; deleted from the list.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import sign_up

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 15_000
# A save or delete goes through a callable; the first of a session may wait for a cold
# function worker.
CALLABLE_MS = 30_000
NAME = "Morning digest"
EDIT_URL = re.compile(r"/automations/([A-Za-z0-9_-]+)/edit$")


def open_automations(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Automations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations$"))
    expect(page.get_by_role("heading", name="Automations", exact=True)).to_be_visible()


def workflow_row(page: Page, workflow_id: str) -> Locator:
    return page.locator(f'[data-testid="workflow-item"][data-workflow-id="{workflow_id}"]')


def definition_field(page: Page) -> Locator:
    """The definition's plain JSON text, in the editor's JSON view (it opens on the
    canvas; the JSON view's code editor has the plain text under it)."""
    json_view = page.get_by_role("button", name="JSON", exact=True)
    if json_view.get_attribute("aria-pressed") != "true":
        json_view.click()
    expect(page.get_by_role("textbox", name="Definition (JSON editor)")).to_be_visible()
    plain = page.locator("details.plain-json")
    if plain.get_attribute("open") is None:
        plain.locator("summary").click()
    return page.get_by_label("Definition (JSON)", exact=True)


def canvas_node(canvas: Locator, node_id: str) -> Locator:
    return canvas.locator(f'.react-flow__node[data-id="{node_id}"]')


def save(page: Page) -> None:
    page.get_by_role("button", name="Save workflow", exact=True).click()


def expect_saved(page: Page, version: int) -> None:
    status = page.get_by_role("status").filter(has_text="Saved version")
    expect(status).to_have_text(f"Saved version {version}", timeout=CALLABLE_MS)


def test_create_refuse_a_cycle_fix_and_delete_a_workflow(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_up(page, web_url, "automations")

    # A new workflow starts from a valid example; saving it makes version 1 and moves
    # to its edit URL.
    open_automations(page)
    page.get_by_role("button", name="New workflow", exact=True).click()
    # The gallery opens on its first card, the blank workflow (the starter example).
    page.get_by_role("button", name="Blank workflow", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations/new$"))

    # It opens on the canvas: the starter's three steps below its manual trigger.
    canvas = page.get_by_test_id("workflow-canvas")
    steps = canvas.get_by_test_id("canvas-node")
    expect(steps).to_have_count(3, timeout=TIMEOUT_MS)
    expect(canvas.get_by_test_id("canvas-trigger")).to_have_count(1)
    check = canvas_node(canvas, "check")
    expect(check).to_have_attribute("aria-label", re.compile(r"^Condition step .*\(check\)$"))
    expect(check.get_by_label("Branch big of check", exact=True)).to_have_count(1)
    expect(check.get_by_label("Branch small (default) of check", exact=True)).to_have_count(1)

    # By keyboard: select "tell", move it down, add a step after it from the palette,
    # duplicate that one, delete the copy, undo and redo.
    tell = canvas_node(canvas, "tell")
    tell.focus()
    page.keyboard.press("Enter")
    expect(tell).to_have_class(re.compile(r"\bselected\b"))
    before = tell.bounding_box()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    undo = page.get_by_role("button", name="Undo", exact=True)
    expect(undo).to_be_enabled()
    page.get_by_role("button", name="Add Delay step", exact=True).click()
    expect(steps).to_have_count(4)
    expect(canvas.get_by_label("Edge tell → delay1", exact=True)).to_have_count(1)
    expect(canvas_node(canvas, "delay1")).to_be_focused()
    page.keyboard.press("Control+d")
    expect(steps).to_have_count(5)
    expect(canvas_node(canvas, "delay2")).to_be_focused()
    page.keyboard.press("Delete")
    expect(steps).to_have_count(4)
    page.keyboard.press("Control+z")
    expect(steps).to_have_count(5)
    page.keyboard.press("Control+Shift+z")
    expect(steps).to_have_count(4)
    page.screenshot(path=str(artifacts_dir / "automations-canvas.png"), full_page=True)
    # Undo the add and the duplicate's removal...; the move stays.
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    undo.click()
    expect(steps).to_have_count(3)
    after = tell.bounding_box()
    assert before
    assert after
    assert after["y"] > before["y"], "the move stays"

    # The JSON view shows the same definition, now with every step's position.
    starter = json.loads(definition_field(page).input_value())
    assert [node["id"] for node in starter["nodes"]] == ["greet", "check", "tell"]
    assert all("position" in node for node in starter["nodes"])
    assert len(starter["edges"]) == 2
    moved = next(node for node in starter["nodes"] if node["id"] == "tell")["position"]
    page.get_by_label("Name", exact=True).fill(NAME)
    save(page)
    expect_saved(page, 1)
    expect(page).to_have_url(EDIT_URL, timeout=TIMEOUT_MS)
    match = EDIT_URL.search(page.url)
    assert match
    workflow_id = match.group(1)

    # The list shows it, live from Firestore.
    open_automations(page)
    row = workflow_row(page, workflow_id)
    expect(row).to_be_visible(timeout=TIMEOUT_MS)
    expect(row.get_by_test_id("workflow-name")).to_have_text(NAME)
    expect(row.get_by_test_id("workflow-version")).to_have_text("v1")
    expect(row.get_by_test_id("workflow-status")).to_have_text("Draft")
    expect(row.get_by_test_id("workflow-triggers")).to_have_text("Manual")

    # Open it again; the form fills from the stored workflow.
    row.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"/automations/{workflow_id}/edit$"))
    expect(page.get_by_label("Name", exact=True)).to_have_value(NAME, timeout=TIMEOUT_MS)
    definition = definition_field(page)
    original = definition.input_value()
    # Positions are saved with the definition.
    stored = json.loads(original)
    assert next(n for n in stored["nodes"] if n["id"] == "tell")["position"] == moved

    # An edge from the last node back to the first closes a cycle: the server refuses
    # it, and the editor shows its message, the path and which edge that is.
    broken = json.loads(original)
    first, last = broken["nodes"][0]["id"], broken["nodes"][-1]["id"]
    broken["edges"].append({"from": last, "to": first})
    cycle_index = len(broken["edges"]) - 1
    definition.fill(json.dumps(broken, indent=2))
    save(page)
    error = page.get_by_test_id("definition-error")
    expect(error).to_contain_text("cycle", timeout=CALLABLE_MS)
    expect(error).to_have_attribute("role", "alert")
    expect(page.get_by_test_id("error-field")).to_have_text(f"edges[{cycle_index}]")
    expect(page.get_by_test_id("error-target")).to_have_text(f"edge {last} → {first}")
    expect(page.get_by_role("status").filter(has_text="Saved version")).to_have_count(0)

    # Without that edge it saves again, as version 2.
    definition.fill(original)
    save(page)
    expect_saved(page, 2)
    expect(error).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "automations.png"), full_page=True)

    # Deleted from the list (after a confirmation), it is gone.
    open_automations(page)
    row = workflow_row(page, workflow_id)
    expect(row.get_by_test_id("workflow-version")).to_have_text("v2", timeout=TIMEOUT_MS)
    row.get_by_role("button", name="Delete workflow").click()
    row.get_by_role("button", name="Delete", exact=True).click()
    expect(row).to_have_count(0, timeout=CALLABLE_MS)
    expect(page.get_by_test_id("workflow-item").filter(has_text=NAME)).to_have_count(0)
    expect(page.get_by_test_id("no-workflows")).to_be_visible()

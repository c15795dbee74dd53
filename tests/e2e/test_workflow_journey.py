"""Building, testing and running a workflow on the canvas, in a real browser.

One journey, by mouse and keyboard only (no JSON typed): a new workflow's starter steps
removed with the keyboard; a Transform and a Condition dragged from the palette onto the
canvas and connected by dragging from one's output handle to the other's input; a Notify
added after the Condition's branch from the keyboard. The Transform's template, written
with a syntax error in its form, is refused by `save_workflow`: the error lands on the
node (a badge on the canvas) and on the field; fixed, it is tested alone with a sample
input ("test step", nothing run). The JSON view shows the same definition, an edit there
shows on the canvas, canvas -> JSON -> canvas keeps it, and so does exporting it as a
file and importing that file. Saved, run with an input that makes the Transform fail: the
run is drawn on the graph, the failed node opened, its error read and the step retried
(its second attempt). axe-core on every state, and screenshots. Fixtures `page`,
`web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import TIMEOUT_MS, audit, sign_up

pytestmark = pytest.mark.e2e

# A callable may wait for a cold function worker; every step is a Cloud Task.
CALLABLE_MS = 30_000
RUN_MS = 45_000
NAME = "Big orders"
EDIT_URL = re.compile(r"/automations/([A-Za-z0-9_-]+)/edit$")
EXECUTION_URL = re.compile(r"/automations/executions/([A-Za-z0-9_-]+)$")
BROKEN_TEMPLATE = "Order from {{ input.name "
TEMPLATE = "Order from {{ input.name }}"
WHEN = "input.amount > 100"


def canvas_node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id("workflow-canvas").locator(f'.react-flow__node[data-id="{node_id}"]')


def definition_edges(canvas: Locator) -> Locator:
    """The definition's edges on the canvas (not the trigger's lines to the first steps)."""
    return canvas.locator('.react-flow__edge[data-id^="@edge-"]')


def drop_from_palette(page: Page, step: str, x: float, y: float) -> None:
    """Drag the palette's `step` button onto the canvas at (x, y) of its pane."""
    pane = page.get_by_role("region", name=re.compile(r"^Canvas of "))
    page.get_by_role("button", name=f"Add {step} step", exact=True).drag_to(
        pane, target_position={"x": x, "y": y}
    )


def drag_between(page: Page, source: Locator, target: Locator) -> None:
    """Press on `source`, move to `target` in small steps, release: a connection drag."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start
    assert end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def plain_definition(page: Page) -> dict[str, Any]:
    """The definition as the JSON view's plain text holds it (the JSON view is open)."""
    plain = page.locator("details.plain-json")
    if plain.get_attribute("open") is None:
        plain.locator("summary").click()
    text = page.get_by_label("Definition (JSON)", exact=True).input_value()
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def graph_node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id("run-graph").locator(f'.react-flow__node[data-id="{node_id}"]')


def test_build_test_and_run_a_workflow_on_the_canvas(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_up(page, web_url, "journey")
    page.get_by_role("navigation").get_by_role("link", name="Automations", exact=True).click()
    page.get_by_role("button", name="New workflow", exact=True).click()
    page.get_by_role("button", name="Blank workflow", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations/new$"))
    canvas = page.get_by_test_id("workflow-canvas")
    steps = canvas.get_by_test_id("canvas-node")
    expect(steps).to_have_count(3, timeout=TIMEOUT_MS)
    page.get_by_label("Name", exact=True).fill(NAME)

    # --- The starter's steps go, by keyboard: focus each, Enter selects it, Delete ------
    for node_id in ("tell", "check", "greet"):
        canvas_node(page, node_id).focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Delete")
        expect(canvas_node(page, node_id)).to_have_count(0)
    expect(steps).to_have_count(0)
    expect(canvas.get_by_test_id("canvas-trigger")).to_have_count(1)

    # --- By mouse: two steps dragged onto the canvas, connected handle to handle --------
    drop_from_palette(page, "Transform", 160, 120)
    expect(canvas_node(page, "transform1")).to_be_visible()
    drop_from_palette(page, "Condition", 160, 300)
    expect(canvas_node(page, "condition1")).to_be_visible()
    # Dropped where they were let go: the Condition below the Transform.
    transform_box = canvas_node(page, "transform1").bounding_box()
    condition_box = canvas_node(page, "condition1").bounding_box()
    assert transform_box
    assert condition_box
    assert condition_box["y"] > transform_box["y"] + transform_box["height"] / 2
    expect(definition_edges(canvas)).to_have_count(0)
    drag_between(
        page,
        canvas_node(page, "transform1").get_by_role("img", name="Output of transform1"),
        canvas_node(page, "condition1").get_by_role("img", name="Input of condition1"),
    )
    expect(definition_edges(canvas)).to_have_count(1)

    # --- By keyboard: select the Condition, add a Notify after its branch ---------------
    canvas_node(page, "condition1").focus()
    page.keyboard.press("Enter")
    inspector = page.get_by_test_id("node-inspector")
    expect(inspector.get_by_role("heading", name="Condition · condition1")).to_be_visible()
    # Its branches are named handles: "yes" (the first case) and the default "no".
    branches = canvas_node(page, "condition1").get_by_role("img", name=re.compile("^Branch"))
    expect(branches).to_have_count(2)
    when = inspector.get_by_role("textbox", name="When")
    when.fill(WHEN)
    add_notify = page.get_by_role("button", name="Add Notify step", exact=True)
    add_notify.focus()
    page.keyboard.press("Enter")
    expect(canvas_node(page, "notify1")).to_be_visible()
    expect(canvas_node(page, "notify1")).to_be_focused()
    expect(definition_edges(canvas)).to_have_count(2)

    # --- The Transform's template, with a syntax error, in its form ---------------------
    canvas_node(page, "transform1").click()
    expect(inspector.get_by_role("heading", name="Transform · transform1")).to_be_visible()
    template = inspector.get_by_role("textbox", name="Template")
    template.fill(BROKEN_TEMPLATE)
    page.get_by_role("button", name="Save workflow", exact=True).click()
    # Refused by the server, at the field it names: on the node and in its form.
    error = page.get_by_test_id("definition-error")
    expect(error).to_be_visible(timeout=CALLABLE_MS)
    expect(error.get_by_test_id("error-field")).to_have_text("nodes[0].config.template")
    expect(canvas_node(page, "transform1").get_by_test_id("node-error")).to_be_visible()
    expect(canvas_node(page, "condition1").get_by_test_id("node-error")).to_have_count(0)
    expect(inspector).to_contain_text("template")
    expect(page).to_have_url(re.compile(r"/automations/new$"))
    audit(page, "the editor with a field error on a node")
    page.screenshot(path=str(artifacts_dir / "journey-field-error.png"), full_page=True)

    # Fixed in the form: the node's mark goes.
    template.fill(TEMPLATE)
    expect(canvas_node(page, "transform1").get_by_test_id("node-error")).to_have_count(0)

    # --- Test step: the Transform alone, with a sample input ----------------------------
    test_step = inspector.get_by_test_id("test-step")
    test_step.get_by_label("Sample input (JSON)").fill('{"name": "Ada"}')
    test_step.get_by_role("button", name="Test step", exact=True).click()
    expect(test_step.get_by_test_id("test-step-output")).to_contain_text(
        "Order from Ada", timeout=CALLABLE_MS
    )
    audit(page, "the editor with a tested step")
    page.screenshot(path=str(artifacts_dir / "journey-test-step.png"), full_page=True)

    # --- The JSON view: the same definition; canvas -> JSON -> canvas keeps it ----------
    page.get_by_role("button", name="JSON", exact=True).click()
    expect(page.get_by_role("textbox", name="Definition (JSON editor)")).to_be_visible()
    built = plain_definition(page)
    by_id = {node["id"]: node for node in built["nodes"]}
    assert list(by_id) == ["transform1", "condition1", "notify1"]
    assert by_id["transform1"]["config"]["template"] == TEMPLATE
    assert by_id["condition1"]["config"]["cases"] == [{"branch": "yes", "when": WHEN}]
    assert [{k: e[k] for k in ("from", "to", "branch") if k in e} for e in built["edges"]] == [
        {"from": "transform1", "to": "condition1"},
        {"from": "condition1", "to": "notify1", "branch": "yes"},
    ]
    assert all("position" in node for node in built["nodes"])
    audit(page, "the JSON view")
    page.screenshot(path=str(artifacts_dir / "journey-json.png"), full_page=True)

    page.get_by_role("button", name="Canvas", exact=True).click()
    expect(steps).to_have_count(3)
    expect(definition_edges(canvas)).to_have_count(2)
    page.get_by_role("button", name="JSON", exact=True).click()
    assert plain_definition(page) == built

    # Exported as a file and imported back (after a deletion on the canvas): the same
    # definition, as the page's own download and file input carry it.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export JSON", exact=True).click()
    exported = artifacts_dir / "journey-export.json"
    download_info.value.save_as(exported)
    assert download_info.value.suggested_filename.endswith(".json")
    assert json.loads(exported.read_text(encoding="utf-8")) == built
    page.get_by_role("button", name="Canvas", exact=True).click()
    canvas_node(page, "notify1").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Delete")
    expect(steps).to_have_count(2)
    page.get_by_label("Import JSON").set_input_files(exported)
    expect(steps).to_have_count(3)
    expect(definition_edges(canvas)).to_have_count(2)
    page.get_by_role("button", name="JSON", exact=True).click()
    assert plain_definition(page) == built

    # An edit in the JSON shows on the canvas: the Notify's name.
    by_id["notify1"]["name"] = "Tell me"
    page.get_by_label("Definition (JSON)", exact=True).fill(json.dumps(built, indent=2))
    page.get_by_role("button", name="Canvas", exact=True).click()
    expect(canvas_node(page, "notify1")).to_contain_text("Tell me")
    audit(page, "the canvas with three steps")
    page.screenshot(path=str(artifacts_dir / "journey-built.png"), full_page=True)

    # --- Saved, then run with an input that fails the Transform -------------------------
    page.get_by_role("button", name="Save workflow", exact=True).click()
    saved = page.get_by_role("status").filter(has_text="Saved version")
    expect(saved).to_have_text("Saved version 1", timeout=CALLABLE_MS)
    expect(page).to_have_url(EDIT_URL, timeout=TIMEOUT_MS)

    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_label("Input (JSON)", exact=True).fill(json.dumps({"amount": 150}))
    page.get_by_role("button", name="Start run", exact=True).click()
    expect(page).to_have_url(EXECUTION_URL, timeout=CALLABLE_MS)
    expect(page.get_by_test_id("execution-status")).to_contain_text("failed", timeout=RUN_MS)
    # On the graph: the Transform failed; the steps after it never ran.
    badge = graph_node(page, "transform1").get_by_test_id("node-run")
    expect(badge).to_contain_text("failed", timeout=TIMEOUT_MS)
    expect(graph_node(page, "condition1").get_by_test_id("node-run")).to_have_count(0)
    expect(graph_node(page, "notify1").get_by_test_id("node-run")).to_have_count(0)

    # The failed node opened by mouse: its error names the missing value.
    graph_node(page, "transform1").click()
    details = page.get_by_test_id("run-details")
    expect(details).to_have_attribute("data-node-id", "transform1")
    expect(details.get_by_test_id("run-details-status")).to_have_attribute("data-status", "failed")
    expect(details.get_by_test_id("run-details-error")).to_contain_text("name")
    audit(page, "the failed run with the node's error")
    page.screenshot(path=str(artifacts_dir / "journey-run-failed.png"), full_page=True)

    # Retried from there: the same execution, the step's second attempt.
    details.get_by_role("button", name="Retry this step", exact=True).click()
    expect(details.get_by_test_id("run-details-attempts")).to_have_text("2", timeout=RUN_MS)
    expect(page.get_by_test_id("execution-status")).to_contain_text("failed", timeout=RUN_MS)
    expect(badge).to_contain_text("2 attempts")
    page.screenshot(path=str(artifacts_dir / "journey-retried.png"), full_page=True)

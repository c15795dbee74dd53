"""The workflow gallery in a real browser, against the emulators through Firebase Hosting.

One journey: "New workflow" opens the gallery (the blank workflow and the six ready ones,
each card with its name, description and the types it uses) on its first card; Escape
closes it and gives the focus back; by keyboard only, the "Webhook → AI summary → notify"
card is picked; the editor opens a new, unsaved draft of it, drawn on the canvas where
the template places its steps; saving it goes through `save_workflow` (the server
validates it) as version 1 and its webhook secret is shown once; reopened from the list,
it is the same workflow. axe-core (no serious or critical violation) on the gallery and
the editor, and screenshots. Fixtures `page`, `web_url` and `artifacts_dir` come from the
e2e conftest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import audit, sign_up

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
GALLERY = json.loads((ROOT / "hosting/src/wire/gallery.json").read_text(encoding="utf-8"))
TIMEOUT_MS = 15_000
# A save goes through a callable; the first of a session may wait for a cold worker.
CALLABLE_MS = 30_000
TEMPLATE_ID = "webhook-ai-summary"
EDIT_URL = re.compile(r"/automations/([A-Za-z0-9_-]+)/edit$")


def template(template_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in GALLERY if t["id"] == template_id)
    return found


def open_automations(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Automations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/automations$"))
    expect(page.get_by_role("heading", name="Automations", exact=True)).to_be_visible()


def whole_card(gallery: Locator, template_id: str) -> Locator:
    """A gallery card (its button is the template's name) with its description and types."""
    return gallery.locator(
        f'[data-testid="gallery-card"]:has(button[data-template-id="{template_id}"])'
    )


def canvas_node(canvas: Locator, node_id: str) -> Locator:
    return canvas.locator(f'.react-flow__node[data-id="{node_id}"]')


def expect_laid_out(canvas: Locator, nodes: list[dict[str, Any]]) -> None:
    """Every step is on the canvas, placed as the template places it: for each pair, the
    one the template puts lower (or further right) is drawn lower (or further right)."""
    boxes = {}
    for node in nodes:
        drawn = canvas_node(canvas, node["id"])
        expect(drawn).to_be_visible(timeout=TIMEOUT_MS)
        box = drawn.bounding_box()
        assert box, node["id"]
        boxes[node["id"]] = box
    for a in nodes:
        for b in nodes:
            for axis in ("x", "y"):
                if a["position"][axis] + 20 < b["position"][axis]:
                    assert boxes[a["id"]][axis] < boxes[b["id"]][axis], (a["id"], b["id"], axis)


def test_start_a_workflow_from_the_gallery_save_and_reopen(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    chosen = template(TEMPLATE_ID)
    nodes = chosen["definition"]["nodes"]
    sign_up(page, web_url, "gallery")
    open_automations(page)

    # "New workflow" opens the gallery on its first card: blank, then the ready ones.
    new = page.get_by_role("button", name="New workflow", exact=True)
    expect(new).to_have_attribute("aria-expanded", "false")
    new.click()
    expect(new).to_have_attribute("aria-expanded", "true")
    gallery = page.get_by_role("region", name="Start a new workflow")
    expect(gallery).to_be_visible()
    cards = gallery.locator("button[data-template-id]")
    expect(cards).to_have_count(1 + len(GALLERY))
    assert len(GALLERY) >= 6
    blank = gallery.get_by_role("button", name="Blank workflow", exact=True)
    expect(blank).to_be_focused()
    ids = [card.get_attribute("data-template-id") for card in cards.all()]
    assert ids == ["blank", *[t["id"] for t in GALLERY]]
    for entry in GALLERY:
        card = gallery.get_by_role("button", name=entry["name"], exact=True)
        expect(card).to_have_attribute("data-template-id", entry["id"])
        expect(card).to_have_accessible_description(re.compile(re.escape(entry["description"])))
        expect(whole_card(gallery, entry["id"])).to_contain_text(entry["description"])
    # The card names the types the workflow uses, for the eye and for screen readers.
    card = gallery.get_by_role("button", name=chosen["name"], exact=True)
    chips = whole_card(gallery, TEMPLATE_ID).locator(".gallery-chip")
    expect(chips).to_have_text(["Webhook", "AI", "Notify"])
    expect(card).to_have_accessible_description(
        re.compile(r"Uses: Webhook trigger; steps: AI, Notify\.$")
    )
    audit(page, "the gallery")
    page.screenshot(path=str(artifacts_dir / "gallery.png"), full_page=True)

    # Escape closes it and gives the focus back to "New workflow"; Enter opens it again.
    page.keyboard.press("Escape")
    expect(gallery).to_have_count(0)
    expect(new).to_be_focused()
    page.keyboard.press("Enter")
    expect(blank).to_be_focused()

    # By keyboard only: arrow to the webhook card, Enter picks it.
    for _ in range(ids.index(TEMPLATE_ID)):
        page.keyboard.press("ArrowRight")
    expect(card).to_be_focused()
    page.keyboard.press("End")
    expect(cards.last).to_be_focused()
    page.keyboard.press("Home")
    expect(blank).to_be_focused()
    for _ in range(ids.index(TEMPLATE_ID)):
        page.keyboard.press("ArrowDown")
    expect(card).to_be_focused()
    page.keyboard.press("Enter")

    # The editor opens a new, unsaved draft of it, drawn where the template puts its steps.
    expect(page).to_have_url(re.compile(rf"/automations/new\?template={TEMPLATE_ID}$"))
    expect(page.get_by_role("heading", name="New workflow", exact=True)).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value(chosen["definition"]["name"])
    expect(page.get_by_label("Description", exact=True)).to_have_value(
        chosen["definition"]["description"]
    )
    canvas = page.get_by_test_id("workflow-canvas")
    expect(canvas.get_by_test_id("canvas-node")).to_have_count(len(nodes), timeout=TIMEOUT_MS)
    expect(canvas.get_by_test_id("canvas-trigger")).to_have_count(1)
    expect_laid_out(canvas, nodes)
    expect(page.get_by_test_id("save-status")).to_have_text("")
    audit(page, "the editor with the template")
    page.screenshot(path=str(artifacts_dir / "gallery-template.png"), full_page=True)

    # Saving goes through save_workflow: version 1, at its own edit URL, and the webhook
    # trigger's secret is shown once.
    page.get_by_role("button", name="Save workflow", exact=True).click()
    status = page.get_by_role("status").filter(has_text="Saved version")
    expect(status).to_have_text("Saved version 1", timeout=CALLABLE_MS)
    expect(page).to_have_url(EDIT_URL, timeout=TIMEOUT_MS)
    match = EDIT_URL.search(page.url)
    assert match
    workflow_id = match.group(1)
    expect(page.get_by_test_id("webhook-secret")).to_be_visible()

    # Listed, and reopened from the list it is the same workflow, laid out the same way.
    open_automations(page)
    row = page.locator(f'[data-testid="workflow-item"][data-workflow-id="{workflow_id}"]')
    expect(row.get_by_test_id("workflow-name")).to_have_text(
        chosen["definition"]["name"], timeout=TIMEOUT_MS
    )
    expect(row.get_by_test_id("workflow-version")).to_have_text("v1")
    expect(row.get_by_test_id("workflow-triggers")).to_have_text("Webhook")
    row.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"/automations/{workflow_id}/edit$"))
    expect(page.get_by_label("Name", exact=True)).to_have_value(
        chosen["definition"]["name"], timeout=TIMEOUT_MS
    )
    canvas = page.get_by_test_id("workflow-canvas")
    expect(canvas.get_by_test_id("canvas-node")).to_have_count(len(nodes), timeout=TIMEOUT_MS)
    expect_laid_out(canvas, nodes)

    # The stored definition is the template's: same steps, configs, retries, positions
    # (the server may fill in config defaults the template leaves out).
    page.get_by_role("button", name="JSON", exact=True).click()
    page.locator("details.plain-json summary").click()
    stored = json.loads(page.get_by_label("Definition (JSON)", exact=True).input_value())
    assert [n["id"] for n in stored["nodes"]] == [n["id"] for n in nodes]
    for saved, written in zip(stored["nodes"], nodes, strict=True):
        assert {k: v for k, v in saved.items() if k != "config"} == {
            k: v for k, v in written.items() if k != "config"
        }
        assert saved["config"] | written["config"] == saved["config"], saved["id"]
    assert stored["edges"] == chosen["definition"]["edges"]
    assert stored["triggers"] == chosen["definition"]["triggers"]
    page.screenshot(path=str(artifacts_dir / "gallery-reopened.png"), full_page=True)

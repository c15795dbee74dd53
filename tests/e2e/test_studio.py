"""The Studio page in a real browser, against the emulators through Firebase Hosting, with
the stand-in model (`tools/standin/studio.py`) writing the artefacts.

- A Python function: live progress (bar and label) and the streamed draft, then the
  files in tabs, highlighted, "Valid"; copy (the clipboard holds the file), download one
  file and all of them as a zip (the zip's entries are the generated files); regenerate
  (a new generation whose parent is the first).
- A broken one (`[[standin studio=syntax]]`): the repair round fixes it, and the page says so.
- One that stays broken (`studio=syntax-always`): failed, each error at file:line:column;
  clicking it opens the file's tab with that line marked.
- A CLI tool (click): its usage lines, extracted statically.
- A slow one (`token_delay_ms=200`) cancelled while it streams.
- The history: seeded generations (Admin SDK), a page of 10 then "Load more", the type
  filter, one opened and deleted through the confirm dialog.

axe-core (no serious or critical violation) on each state, and a screenshot of each.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from shared.platform import clients
from shared.studio.models import Spec
from shared.studio.service import new_doc
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in
from tests.e2e.test_memory_decisions import eventually
from tests.support import emulators as emu

pytestmark = pytest.mark.e2e

# A generation: a task queued, a cold worker, the stand-in streaming, the gate, a repair.
GENERATION_MS = 90_000
PROGRESS = re.compile(r"^(Queued|Planning|Generating|Checking|Repairing)… \d{1,3}%$")


def generation(uid: str, gid: str) -> dict[str, Any]:
    snapshot = clients.get_db().document(f"users/{uid}/generations/{gid}").get()
    return dict(snapshot.to_dict() or {}) if snapshot.exists else {}


def stored_files(uid: str, gid: str) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/generations/{gid}/files").stream()
    return sorted((d.to_dict() or {} for d in docs), key=lambda f: f.get("order", 0))


def current_id(page: Page) -> str:
    match = re.search(r"[?&]g=([^&]+)", page.url)
    assert match, f"no generation in {page.url}"
    return match.group(1)


def start(
    page: Page,
    prompt: str,
    *,
    kind: str = "Code",
    language: str | None = "Python",
    framework: str | None = None,
) -> str:
    """Fill the form, press Generate; the page opens the new generation (`?g=`)."""
    before = page.url
    page.get_by_label("Type").select_option(label=kind)
    if language is not None:
        page.get_by_label("Language").select_option(label=language)
    if framework is not None:
        page.get_by_label("Framework").select_option(label=framework)
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page).not_to_have_url(before, timeout=CALLABLE_MS)
    expect(page).to_have_url(re.compile(r"/studio\?g="))
    return current_id(page)


def shown(page: Page) -> Locator:
    return page.get_by_test_id("generation")


def wait_final(page: Page, status: str) -> None:
    expect(shown(page)).to_have_attribute("data-status", status, timeout=GENERATION_MS)


# --- Generate, progress, files, copy, download, regenerate -------------------------------


def test_generate_python_progress_files_copy_download_and_regenerate(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_url)
    open_page(page, "Studio", "/studio")
    expect(page.get_by_test_id("no-generations")).to_be_visible(timeout=CALLABLE_MS)
    audit(page, "studio: empty")

    gid = start(page, "A function that slugifies titles [[standin token_delay_ms=40]]")

    # --- Live: the progress bar with its label, and the draft as it grows ---------------
    bar = page.get_by_role("progressbar", name="Generation progress")
    expect(bar).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("progress-label")).to_have_text(PROGRESS)
    draft = page.get_by_test_id("studio-draft")
    expect(draft).to_contain_text("<<<FILE", timeout=GENERATION_MS)
    expect(page.get_by_test_id("progress-label")).to_have_text(PROGRESS)
    audit(page, "studio: streaming")
    page.screenshot(path=str(artifacts_dir / "studio-streaming.png"), full_page=True)

    # --- Done: files in tabs, highlighted, valid ----------------------------------------
    wait_final(page, "done")
    expect(bar).to_have_count(0)
    expect(draft).to_have_count(0)
    files = stored_files(user.uid, gid)
    assert files, "the generation stored its files"
    tabs = page.get_by_role("tablist", name="Generated files").get_by_role("tab")
    expect(tabs).to_have_count(len(files), timeout=TIMEOUT_MS)
    expect(tabs.first).to_have_attribute("aria-selected", "true")
    expect(tabs.first).to_have_text(files[0]["path"])
    code = page.get_by_test_id("studio-code")
    expect(code.locator(".hljs-keyword").first).to_be_visible(timeout=TIMEOUT_MS)
    lines = files[0]["content"].split("\n")
    expect(code.locator(".code-line")).to_have_count(len(lines))
    expect(page.get_by_test_id("validation-result")).to_have_text(re.compile(r"^Valid"))
    expect(page.get_by_test_id("repair-note")).to_have_count(0)
    audit(page, "studio: done")
    page.screenshot(path=str(artifacts_dir / "studio-done.png"), full_page=True)

    # --- Copy: the clipboard holds the file -----------------------------------------------
    name = files[0]["path"].rsplit("/", 1)[-1]
    page.get_by_role("button", name=f"Copy {name}").click()
    expect(page.get_by_test_id("studio-message")).to_have_text(f"Copied {files[0]['path']}.")
    assert page.evaluate("() => navigator.clipboard.readText()") == files[0]["content"]

    # --- Download one file, then all as a zip (built in the browser) --------------------
    with page.expect_download() as one:
        page.get_by_role("button", name=f"Download {name}").click()
    assert one.value.suggested_filename == name
    assert Path(one.value.path()).read_text(encoding="utf-8") == files[0]["content"]
    with page.expect_download() as everything:
        page.get_by_role("button", name="Download all (.zip)").click()
    assert everything.value.suggested_filename.endswith(".zip")
    root = everything.value.suggested_filename.removesuffix(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(everything.value.path()).read_bytes())) as archive:
        assert sorted(archive.namelist()) == sorted(f"{root}/{f['path']}" for f in files)
        for f in files:
            assert archive.read(f"{root}/{f['path']}").decode("utf-8") == f["content"]

    # --- The history lists it ---------------------------------------------------------
    item = page.locator(f'[data-testid="history-item"][data-generation-id="{gid}"]')
    expect(item).to_contain_text("slugifies titles", timeout=TIMEOUT_MS)
    expect(item).to_contain_text("Done")

    # --- Regenerate: a new generation, from this one ----------------------------------
    page.get_by_role("button", name="Regenerate").click()
    expect(page).not_to_have_url(re.compile(rf"g={gid}$"), timeout=CALLABLE_MS)
    again = current_id(page)
    assert again != gid
    wait_final(page, "done")
    assert generation(user.uid, again).get("parentId") == gid
    expect(page.get_by_test_id("history-item")).to_have_count(2, timeout=TIMEOUT_MS)


# --- The repair round --------------------------------------------------------------------


def test_broken_generation_repaired_and_said_so(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Studio", "/studio")
    gid = start(page, "A function that adds two numbers [[standin studio=syntax]]")
    wait_final(page, "done")
    stored = generation(user.uid, gid)
    assert stored["repair"]["fixed"] is True
    before = stored["repair"]["errorsBefore"]
    assert before >= 1
    note = page.get_by_test_id("repair-note")
    expect(note).to_have_text(f"1 repair fixed {before} problem{'' if before == 1 else 's'}")
    expect(page.get_by_test_id("validation-result")).to_have_text(re.compile(r"^Valid"))
    audit(page, "studio: repaired")
    page.screenshot(path=str(artifacts_dir / "studio-repaired.png"), full_page=True)


def test_generation_still_broken_shows_each_error_at_its_line(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Studio", "/studio")
    gid = start(page, "A function that reverses words [[standin studio=syntax-always]]")
    wait_final(page, "failed")
    stored = generation(user.uid, gid)
    errors = stored["validation"]["errors"]
    located = [e for e in errors if e.get("file") and e.get("line")]
    assert located, f"the gate located the syntax error: {errors}"
    first = located[0]
    where = f"{first['file']}:{first['line']}" + (f":{first['column']}" if first["column"] else "")

    expect(page.get_by_test_id("validation-result")).to_have_text(re.compile(r"^Not valid"))
    expect(page.get_by_test_id("repair-note")).to_have_text(re.compile(r"problems? remained$"))
    expect(page.get_by_test_id("generation-error")).to_contain_text("still fail the checks")
    problem = page.get_by_test_id("gate-error").filter(has_text=where).first
    expect(problem).to_contain_text(first["code"])

    # Clicking the location opens the file's tab with the line marked.
    problem.get_by_role("button", name=f"Show {where}").click()
    tab = page.get_by_role("tablist", name="Generated files").get_by_role("tab", name=first["file"])
    expect(tab).to_have_attribute("aria-selected", "true")
    marked = page.get_by_test_id("studio-code").locator('[data-highlighted="true"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-line", str(first["line"]))
    expect(marked).to_be_in_viewport()
    audit(page, "studio: still broken")
    page.screenshot(path=str(artifacts_dir / "studio-still-broken.png"), full_page=True)


def test_cli_tool_shows_its_usage_lines(page: Page, web_url: str, artifacts_dir: Path) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Studio", "/studio")
    gid = start(
        page, "A tool that keeps short notes", kind="CLI tool", language=None, framework="click"
    )
    wait_final(page, "done")
    stored = generation(user.uid, gid)
    assert stored["framework"] == "click"
    usage = stored["validation"]["usage"]
    assert usage, "the gate extracted the tool's usage"
    expect(page.get_by_test_id("cli-usage")).to_have_text("\n".join(usage))
    expect(page.get_by_test_id("validation-result")).to_have_text(re.compile(r"^Valid"))
    audit(page, "studio: cli tool")
    page.screenshot(path=str(artifacts_dir / "studio-cli.png"), full_page=True)


# --- Cancel ------------------------------------------------------------------------------


def test_cancel_a_slow_generation_while_it_streams(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Studio", "/studio")
    gid = start(page, "A function that sorts invoices by date [[standin token_delay_ms=200]]")
    draft = page.get_by_test_id("studio-draft")
    expect(draft).to_contain_text("<<<", timeout=GENERATION_MS)
    page.get_by_role("button", name="Cancel", exact=True).click()
    wait_final(page, "cancelled")
    expect(page.get_by_test_id("generation-cancelled")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    stored = eventually(
        lambda: generation(user.uid, gid),
        lambda doc: doc.get("status") == "cancelled",
        "the generation after cancel",
    )
    assert stored.get("files") in ([], None)
    expect(page.get_by_role("button", name="Regenerate")).to_be_visible()
    audit(page, "studio: cancelled")
    page.screenshot(path=str(artifacts_dir / "studio-cancelled.png"), full_page=True)


# --- History: pages, filter, delete ------------------------------------------------------


def seed(uid: str, count: int) -> list[str]:
    """`count` finished generations (newest last), code and API specs alternating by 3."""
    db = clients.get_db()
    now = datetime.now(UTC)
    ids = []
    for index in range(count):
        kind: Literal["api", "code"] = "api" if index % 3 == 0 else "code"
        spec = Spec(
            type=kind,
            prompt=f"Seeded {kind} generation number {index:02d}",
            language="openapi" if kind == "api" else "python",
            framework=None,
            max_repairs=1,
            files=None,
            dependencies=[],
        )
        at = now - timedelta(minutes=count - index)
        doc = new_doc(spec, parent_id=None, request_id=None, now=at)
        path = "openapi.yaml" if kind == "api" else "seeded.py"
        doc |= {
            "status": "done",
            "progress": {"stage": "done", "percent": 100},
            "explanation": "Seeded.",
            "files": [{"id": "f0", "path": path, "language": spec.language, "size": 12}],
            "validation": {"ok": True, "errors": [], "usage": []},
            "finishedAt": at,
        }
        gid = f"seed{index:02d}{uuid4().hex[:6]}"
        ref = db.document(f"users/{uid}/generations/{gid}")
        ref.set(doc)
        ref.collection("files").document("f0").set(
            {"path": path, "language": spec.language, "content": "x = 1\n", "order": 0, "size": 6}
        )
        ids.append(gid)
    return ids


def test_history_pages_filter_open_and_delete(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    ids = seed(user.uid, 12)
    open_page(page, "Studio", "/studio")

    items = page.get_by_test_id("history-item")
    expect(items).to_have_count(10, timeout=CALLABLE_MS)
    # Newest first.
    expect(items.first).to_have_attribute("data-generation-id", ids[-1])
    more = page.get_by_role("button", name="Load more")
    more.click()
    expect(items).to_have_count(12, timeout=CALLABLE_MS)
    expect(items.last).to_have_attribute("data-generation-id", ids[0])
    expect(more).to_have_count(0)
    audit(page, "studio: history")
    page.screenshot(path=str(artifacts_dir / "studio-history.png"), full_page=True)

    # --- The type filter ----------------------------------------------------------------
    page.get_by_label("Show").select_option(label="API spec")
    expect(items).to_have_count(4, timeout=CALLABLE_MS)
    for index in range(4):
        expect(items.nth(index)).to_have_attribute("data-type", "api")
    page.get_by_label("Show").select_option(label="All types")
    expect(items).to_have_count(10, timeout=CALLABLE_MS)

    # --- Open one, then delete it through the confirm dialog ------------------------------
    target = ids[-2]
    items.nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"g={target}$"))
    expect(shown(page)).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("studio-code")).to_contain_text("x = 1")
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete this generation?")
    expect(dialog).to_be_visible()
    audit(page, "studio: delete dialog")
    dialog.get_by_role("button", name="Delete generation").click()
    expect(dialog).to_have_count(0, timeout=CALLABLE_MS)
    expect(page).to_have_url(re.compile(r"/studio$"))
    expect(page.locator(f'[data-generation-id="{target}"]')).to_have_count(0, timeout=TIMEOUT_MS)
    eventually(
        lambda: (generation(user.uid, target), stored_files(user.uid, target)),
        lambda left: left == ({}, []),
        "the deleted generation and its files",
    )
    answer = emu.call("list_generations", {"limit": 50}, user.id_token)
    assert answer.status == "OK", answer.error
    assert target not in [item["id"] for item in answer.result["items"]]

"""The Memory and Decisions pages (and "Used N memories" in chat) in a real browser,
against the emulators through Firebase Hosting.

- Memory: the automatic-extraction switch (read back from `settings.memory.autoExtract`);
  two memories added; a search in other words finds the right one first (the stand-in's
  WordLlama embeddings and the emulator's vector search); one edited (the old text kept
  as an earlier version, in the list and in Firestore), then deleted with its history;
  "Delete all" through its confirm dialog.
- Provenance: memories written as chat extraction writes them (seeded with the Admin SDK)
  show their quote and a link to the message, an expired one is marked, and the chat
  reply that used two of them (one deleted since) shows "Used 2 memories".
- Decisions: a decision asked in the form; the ask threshold saved; an outcome recorded,
  then replaced only after the confirm dialog; more outcomes through the callables; the
  stats (count, Brier, ECE) and the reliability chart with its table.

axe-core (no serious or critical violation) on each page and dialog, and a screenshot of
each. Helpers come from `test_assistant_pages`; fixtures from the e2e conftest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import pytest
from google.cloud.firestore import SERVER_TIMESTAMP
from playwright.sync_api import Locator, Page, expect

from shared.platform import clients
from tests.e2e.helpers import CALLABLE_MS, TIMEOUT_MS, audit, open_page, sign_in
from tests.support import emulators as emu

pytestmark = pytest.mark.e2e

T = TypeVar("T")


def eventually(read: Callable[[], T], ok: Callable[[T], bool], what: str) -> T:
    """Poll a server-side read until `ok` holds; fail naming `what` after CALLABLE_MS."""
    deadline = time.monotonic() + CALLABLE_MS / 1000
    while True:
        value = read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: still {value!r}")
        time.sleep(0.2)


def settings(uid: str) -> dict[str, Any]:
    snapshot = clients.get_db().document(f"users/{uid}").get()
    return dict((snapshot.to_dict() or {}).get("settings") or {})


def memories(uid: str) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/memories").stream()
    return [{"id": d.id, **(d.to_dict() or {})} for d in docs]


def memory_item(page: Page, text: str) -> Locator:
    """The list's row whose memory text is `text` (an edit box holding it does not count)."""
    return page.get_by_test_id("memory-item").filter(
        has=page.get_by_test_id("memory-text").get_by_text(text, exact=True)
    )


def called(function: str, data: dict[str, Any], user: emu.User) -> dict[str, Any]:
    answer = emu.call(function, data, user.id_token)
    assert answer.status == "OK", answer.error
    return dict(answer.result)


# --- Memory ----------------------------------------------------------------------------


def test_memory_switch_add_search_edit_delete_and_delete_all(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Memory", "/memory")

    # --- The switch: on by default, saved at once, read back from the profile --------
    switch = page.get_by_role("switch", name="Learn from my chats automatically")
    expect(switch).to_be_checked(timeout=TIMEOUT_MS)
    switch.uncheck()
    expect(page.get_by_test_id("auto-extract-status")).to_have_text(
        "Automatic memory is off", timeout=CALLABLE_MS
    )
    eventually(
        lambda: settings(user.uid).get("memory", {}).get("autoExtract"),
        lambda value: value is False,
        "settings.memory.autoExtract after switching off",
    )
    expect(switch).not_to_be_checked()
    switch.check()
    expect(page.get_by_test_id("auto-extract-status")).to_have_text(
        "Automatic memory is on", timeout=CALLABLE_MS
    )
    eventually(
        lambda: settings(user.uid).get("memory", {}).get("autoExtract"),
        lambda value: value is True,
        "settings.memory.autoExtract after switching on",
    )

    # --- Add two memories --------------------------------------------------------------
    items = page.get_by_test_id("memory-item")
    expect(page.get_by_test_id("no-memories")).to_be_visible(timeout=TIMEOUT_MS)
    for text in ("My sister Ana lives in Porto", "I am allergic to peanuts"):
        page.get_by_label("New memory").fill(text)
        page.get_by_role("button", name="Remember", exact=True).click()
        expect(page.get_by_test_id("remember-answer")).to_have_text(
            "Remembered.", timeout=CALLABLE_MS
        )
        expect(memory_item(page, text)).to_have_count(1, timeout=TIMEOUT_MS)
    # The same text again is the same memory.
    page.get_by_label("New memory").fill("My sister Ana lives in Porto")
    page.get_by_role("button", name="Remember", exact=True).click()
    expect(page.get_by_test_id("remember-answer")).to_have_text(
        "Aura already remembers this.", timeout=CALLABLE_MS
    )
    expect(items).to_have_count(2)

    # --- Search by meaning: a paraphrase finds the right memory first --------------------
    page.get_by_role("searchbox", name="Search by meaning").fill(
        "In which city is my sister Ana living?"
    )
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_test_id("recall-result")
    expect(results.first).to_contain_text("Ana lives in Porto", timeout=CALLABLE_MS)
    expect(results.first.get_by_test_id("recall-relevance")).to_have_text(
        re.compile(r"^\d{1,3}% relevant$")
    )
    audit(page, "memory")
    page.screenshot(path=str(artifacts_dir / "memory.png"), full_page=True)

    # --- Why: added by the user ----------------------------------------------------------
    porto = memory_item(page, "My sister Ana lives in Porto")
    porto.get_by_text("Why Aura remembers this").click()
    expect(porto.get_by_test_id("memory-why")).to_contain_text("You added this yourself")

    # --- Edit: the new text is the memory; the old one is kept as an earlier version ----
    old_id = porto.get_attribute("data-memory-id")
    porto.get_by_role("button", name="Edit: My sister Ana lives in Porto").click()
    page.get_by_label("Memory text").fill("My sister Ana lives in Lisbon")
    expect(page.get_by_text("Saving keeps the old text as an earlier version")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    lisbon = memory_item(page, "My sister Ana lives in Lisbon")
    expect(lisbon).to_have_count(1, timeout=CALLABLE_MS)
    expect(items).to_have_count(2)
    new_id = lisbon.get_attribute("data-memory-id")
    assert new_id
    assert new_id != old_id
    lisbon.get_by_text("Earlier versions (1)").click()
    expect(lisbon.get_by_test_id("memory-earlier")).to_contain_text("Ana lives in Porto")
    stored = {m["id"]: m for m in memories(user.uid)}
    assert stored[str(old_id)]["active"] is False
    assert stored[str(old_id)]["supersededBy"] == new_id
    assert stored[new_id]["supersedes"] == old_id

    # --- Delete: the memory and its earlier version ------------------------------------
    lisbon.get_by_role("button", name="Delete: My sister Ana lives in Lisbon").click()
    lisbon.get_by_role("button", name="Yes, delete").click()
    expect(lisbon).to_have_count(0, timeout=CALLABLE_MS)
    expect(items).to_have_count(1)
    eventually(
        lambda: sorted(m["text"] for m in memories(user.uid)),
        lambda texts: texts == ["I am allergic to peanuts"],
        "memories after deleting the edited one",
    )

    # --- Delete all, through the confirm dialog -----------------------------------------
    page.get_by_role("button", name="Delete all", exact=True).click()
    dialog = page.get_by_role("dialog", name="Delete all memories?")
    expect(dialog).to_be_visible()
    audit(page, "memory: delete all dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(items).to_have_count(1)
    page.get_by_role("button", name="Delete all", exact=True).click()
    page.get_by_role("dialog", name="Delete all memories?").get_by_role(
        "button", name="Delete all memories"
    ).click()
    expect(page.get_by_test_id("no-memories")).to_be_visible(timeout=CALLABLE_MS)
    eventually(lambda: memories(user.uid), lambda left: left == [], "memories after delete all")


def test_memory_provenance_expiry_and_used_memories_in_chat(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    """Memories as chat extraction writes them (seeded: no model involved) and a reply
    that used two of them, one forgotten since."""
    user = sign_in(page, web_url)
    db = clients.get_db()
    cid, mid = f"c{uuid4().hex[:12]}", f"m{uuid4().hex[:12]}"
    now = datetime.now(UTC)

    def memory(mem_id: str, text: str, **fields: Any) -> None:
        db.document(f"users/{user.uid}/memories/{mem_id}").set(
            {
                "text": text,
                "kind": "fact",
                "source": "chat",
                "provenance": {"conversationId": cid, "messageId": mid, "quote": text},
                "active": True,
                "supersedes": None,
                "supersededBy": None,
                "expiresAt": None,
                "createdAt": now,
                "updatedAt": now,
                "version": 1,
                **fields,
            }
        )

    memory(
        "k-bike",
        "I cycle to work every day",
        kind="preference",
        provenance={
            "conversationId": cid,
            "messageId": mid,
            "quote": "I cycle to work every day, rain or shine",
        },
    )
    memory(
        "k-trip",
        "I am in Rome until Friday",
        kind="plan",
        expiresAt=now - timedelta(days=1),
    )
    conversation = f"users/{user.uid}/conversations/{cid}"
    db.document(conversation).set(
        {"title": "Commute", "createdAt": now, "updatedAt": now, "messageCount": 2}
    )
    # The reply first: the chat trigger then finds it written and leaves it alone.
    db.document(f"{conversation}/messages/a_{mid}").set(
        {
            "role": "assistant",
            "replyTo": mid,
            "text": "Then take the bike.",
            "status": "done",
            "createdAt": SERVER_TIMESTAMP,
            "updatedAt": SERVER_TIMESTAMP,
            "memoryIds": ["k-bike", "k-forgotten"],
        }
    )
    db.document(f"{conversation}/messages/{mid}").set(
        {
            "role": "user",
            "text": "I cycle to work every day, rain or shine. Bike or bus tomorrow?",
            "createdAt": now - timedelta(seconds=5),
        }
    )

    open_page(page, "Memory", "/memory")
    bike = memory_item(page, "I cycle to work every day")
    expect(bike).to_be_visible(timeout=TIMEOUT_MS)
    expect(bike).to_contain_text("From chat")
    expect(bike).to_have_attribute("data-expired", "false")
    bike.get_by_text("Why Aura remembers this").click()
    expect(bike.get_by_test_id("memory-quote")).to_have_text(
        "I cycle to work every day, rain or shine"
    )
    link = bike.get_by_role("link", name="Open the message")
    expect(link).to_have_attribute("href", f"/chat/{cid}#{mid}")

    trip = memory_item(page, "I am in Rome until Friday")
    expect(trip).to_have_attribute("data-expired", "true")
    expect(trip.get_by_test_id("memory-expired")).to_contain_text("Expired")
    audit(page, "memory with provenance")

    # --- The message, and the memories its reply used -----------------------------------
    link.click()
    expect(page).to_have_url(re.compile(rf"/chat/{cid}#{mid}$"))
    asked = page.locator(f'[data-message-id="{mid}"]')
    expect(asked).to_have_class(re.compile(r"\btargeted\b"), timeout=TIMEOUT_MS)
    reply = page.get_by_test_id("reply").filter(has_text="Then take the bike.")
    toggle = reply.get_by_role("button", name="Used 2 memories")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    used = reply.get_by_test_id("used-memory")
    expect(used).to_have_count(2, timeout=TIMEOUT_MS)
    expect(used.filter(has_text="I cycle to work every day")).to_have_count(1)
    expect(used.filter(has_text="deleted")).to_have_attribute("data-deleted", "true")
    audit(page, "chat with used memories")
    page.screenshot(path=str(artifacts_dir / "chat-used-memories.png"), full_page=True)


# --- Decisions -------------------------------------------------------------------------


def test_decisions_ask_threshold_outcome_replace_stats_and_chart(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    user = sign_in(page, web_url)
    open_page(page, "Decisions", "/decisions")
    expect(page.get_by_test_id("no-decisions")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stats-count")).to_have_text("0")
    expect(page.get_by_test_id("reliability-table")).to_contain_text("No outcomes recorded yet")

    # --- The ask threshold ----------------------------------------------------------------
    threshold = page.get_by_label("Ask me first when confidence is below (%)")
    expect(threshold).to_have_value("60", timeout=TIMEOUT_MS)
    threshold.fill("75")
    page.get_by_role("button", name="Save threshold").click()
    expect(page.get_by_test_id("threshold-status")).to_have_text(
        "Threshold saved", timeout=CALLABLE_MS
    )
    eventually(
        lambda: settings(user.uid).get("decisions", {}).get("askThreshold"),
        lambda value: value == pytest.approx(0.75),
        "settings.decisions.askThreshold",
    )
    expect(threshold).to_have_value("75")

    # --- Ask ------------------------------------------------------------------------------
    question = "Should I take the train or drive to Lyon on Friday?"
    page.get_by_label("Question").fill(question)
    page.get_by_label("Context (optional)").fill("Strikes are announced for Friday.")
    page.get_by_label("Options (optional, one a line)").fill("Train\nDrive")
    page.get_by_label("Kind (optional)").fill("Travel")
    page.get_by_role("button", name="Decide", exact=True).click()
    answer = page.get_by_test_id("decide-answer")
    expect(answer).to_contain_text(re.compile(r"Train|Drive"), timeout=CALLABLE_MS)
    item = page.get_by_test_id("decision-item").filter(has_text=question)
    expect(item).to_have_count(1, timeout=TIMEOUT_MS)
    decision_id = str(item.get_attribute("data-decision-id"))
    stored = clients.get_db().document(f"users/{user.uid}/decisions/{decision_id}").get()
    doc = stored.to_dict() or {}
    assert doc["kind"] == "travel"
    assert doc["threshold"] == pytest.approx(0.75)
    expect(item).to_have_attribute("data-ask", "true" if doc["ask"] else "false")
    expect(item.get_by_test_id("decision-action")).to_have_text(doc["action"])
    expect(item.get_by_test_id("decision-confidence")).to_contain_text(
        f"Confidence {round(doc['confidence'] * 100)}%"
    )
    expect(item.get_by_test_id("decision-confidence")).to_contain_text(
        f"model said {round(doc['rawConfidence'] * 100)}%"
    )
    item.get_by_text("Reasoning and alternatives").click()
    expect(item).to_contain_text("Alternatives")
    audit(page, "decisions")

    # --- Record an outcome, then replace it (only through the confirm dialog) -------------
    item.get_by_role("button", name=re.compile("^Record outcome")).click()
    item.get_by_role("radio", name="Success").check()
    item.get_by_label("Notes (optional)").fill("On time")
    item.get_by_role("button", name="Record outcome", exact=True).click()
    expect(item).to_have_attribute("data-outcome", "success", timeout=CALLABLE_MS)
    expect(item.get_by_test_id("decision-outcome")).to_contain_text("Outcome: Success")
    expect(page.get_by_test_id("stats-count")).to_have_text("1", timeout=CALLABLE_MS)

    item.get_by_role("button", name=re.compile("^Change outcome")).click()
    item.get_by_role("radio", name="Failure").check()
    item.get_by_role("button", name="Replace outcome", exact=True).click()
    dialog = page.get_by_role("dialog", name="Replace the recorded outcome?")
    expect(dialog).to_be_visible()
    audit(page, "decisions: replace dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(item).to_have_attribute("data-outcome", "success")
    item.get_by_role("button", name="Replace outcome", exact=True).click()
    page.get_by_role("dialog", name="Replace the recorded outcome?").get_by_role(
        "button", name="Replace outcome"
    ).click()
    expect(item).to_have_attribute("data-outcome", "failure", timeout=CALLABLE_MS)
    expect(item.get_by_test_id("decision-outcome")).to_contain_text("(replaced)")

    # --- More outcomes (through the callables), then the stats and the chart -------------
    for index, outcome in enumerate(["success", "failure", "success", "partial", "success"]):
        made = called(
            "decide",
            {
                "question": f"Order lunch from place {index}?",
                "options": ["Yes", "No"],
                "requestId": f"e2e-{index}",
            },
            user,
        )
        called("record_outcome", {"decisionId": made["decisionId"], "outcome": outcome}, user)
    expect(page.get_by_test_id("decision-item")).to_have_count(6, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stats-count")).to_have_text("6", timeout=CALLABLE_MS)
    expect(page.get_by_test_id("stats-brier")).to_contain_text(re.compile(r"^\d\.\d{3}"))
    expect(page.get_by_test_id("stats-ece")).to_contain_text(re.compile(r"^\d\.\d{3}"))
    chart = page.get_by_test_id("reliability-chart")
    expect(chart.get_by_role("img", name=re.compile("^Reliability chart"))).to_have_count(1)
    expect(chart.locator(".recharts-scatter-symbol").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(chart.locator(".recharts-reference-line")).to_have_count(1)
    rows = page.get_by_test_id("reliability-row")
    expect(rows.first).to_be_visible()
    counted = sum(
        int(rows.nth(i).locator("td").nth(2).inner_text())
        for i in range(rows.count())
        if rows.nth(i).locator("th").inner_text() == "Calibrated"
    )
    assert counted == 6, f"the calibrated bins hold {counted} outcomes, not 6"
    audit(page, "decisions with stats")
    page.screenshot(path=str(artifacts_dir / "decisions.png"), full_page=True)

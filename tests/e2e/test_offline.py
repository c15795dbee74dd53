"""The installable, offline-capable app in Chromium, with the network switched off and on.

One journey: a signed-in user with a task, an inbox notification and a chat
conversation; once the service worker is active (and controls the page after a reload),
the network goes off and the page is reloaded: the app shell comes from the service
worker's precache, the data from Firestore's persistent cache, and the app says it is
offline. A chat message written offline shows as pending, a quick add is queued visibly;
when the network returns the message is sent (the AI stand-in replies), the queued line
is added (stored once), and the app says it has synced; signing out then clears the
device's Firestore cache. The time from the network's return to the message being
acknowledged is printed and written to test-results/offline-sync.txt.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest (its contexts
allow service workers, Playwright's default).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from shared.notifications.service import notify_once
from shared.platform import clients
from tests.e2e.helpers import audit, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.service_workers]

TIMEOUT_MS = 15_000
# The first call of a session may wait for a cold function worker.
CALLABLE_MS = 30_000
# From the network's return: Firestore reconnects, the write lands, the trigger replies.
RECONNECT_MS = 60_000
OFFLINE_TEXT = "You are offline"


def open_page(page: Page, label: str, path: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=re.compile(rf"^{label}\b")).click()
    expect(page).to_have_url(re.compile(rf"{path}$"))


def controlled_by_service_worker(page: Page) -> bool:
    return bool(page.evaluate("() => navigator.serviceWorker.controller !== null"))


def test_manifest_and_service_worker_are_served_fresh(page: Page, web_url: str) -> None:
    """The manifest names the app and its icons; sw.js and the manifest are never cached
    by the browser (a new build is found at once); API rewrites are not the shell."""
    manifest = page.request.get(f"{web_url}/manifest.webmanifest")
    assert manifest.ok
    assert manifest.headers["cache-control"] == "no-cache"
    body = manifest.json()
    assert body["name"] == "Aura"
    assert body["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in body["icons"]}
    for icon in body["icons"]:
        assert page.request.get(f"{web_url}{icon['src']}").ok, icon["src"]

    worker = page.request.get(f"{web_url}/sw.js")
    assert worker.ok
    assert worker.headers["cache-control"] == "no-cache"
    source = worker.text()
    assert "index.html" in source, "the app shell is precached"
    # The navigation fallback leaves every function rewrite to the network.
    for prefix in ("api", "hooks", "ical"):
        assert f"^\\/{prefix}\\/" in source, prefix


def test_offline_read_send_and_sync(page: Page, web_url: str, artifacts_dir: Path) -> None:
    user = sign_in(page, web_url, "offline")

    # --- Online: the service worker installs; data to cache --------------------------
    active = page.evaluate(
        "async () => (await navigator.serviceWorker.ready).active !== null", None
    )
    assert active, "the service worker is active"
    page.reload()
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)
    assert controlled_by_service_worker(page), "the service worker controls the page"

    open_page(page, "Tasks", "/tasks")
    quick_add = page.get_by_label("Quick add")
    quick_add.fill("Buy milk tomorrow at 9am")
    quick_add.press("Enter")
    expect(page.get_by_test_id("quick-add-answer")).to_contain_text("Added", timeout=CALLABLE_MS)
    expect(page.get_by_test_id("task-item").filter(has_text="Buy milk")).to_be_visible(
        timeout=TIMEOUT_MS
    )

    notify_once(
        db=clients.get_db(),
        uid=user.uid,
        notification_id=f"e2e-{uuid4().hex[:8]}",
        title="Call Bob",
        body="Reminder: call Bob about the offer.",
        kind="reminder",
        link="/tasks",
        now=datetime.now(UTC),
    )
    open_page(page, "Inbox", "/inbox")
    expect(page.get_by_test_id("notification-item").filter(has_text="Call Bob")).to_be_visible(
        timeout=TIMEOUT_MS
    )

    open_page(page, "Chat", "/chat")
    page.get_by_role("button", name="New conversation", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chat/[A-Za-z0-9]+$"), timeout=TIMEOUT_MS)
    conversation_url = page.url
    message = page.get_by_label("Message", exact=True)
    message.fill("Hello before the tunnel")
    message.press("Enter")
    replies = page.get_by_test_id("reply")
    expect(replies.first).to_contain_text(
        "Aura stand-in reply to: Hello before the tunnel", timeout=CALLABLE_MS
    )

    # --- Offline: the shell, the cached data, and the app saying so ------------------
    context = page.context
    context.set_offline(True)
    page.reload()
    status = page.get_by_test_id("connection-status")
    expect(status).to_contain_text(OFFLINE_TEXT, timeout=TIMEOUT_MS)
    expect(replies.first).to_contain_text("Hello before the tunnel", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("user-message").first).to_contain_text("Hello before the tunnel")

    open_page(page, "Tasks", "/tasks")
    expect(page.get_by_test_id("task-item").filter(has_text="Buy milk")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    open_page(page, "Inbox", "/inbox")
    expect(page.get_by_test_id("notification-item").filter(has_text="Call Bob")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    audit(page, "inbox offline")
    page.screenshot(path=str(artifacts_dir / "offline-inbox.png"), full_page=True)

    # A quick add is queued visibly (a callable cannot wait in the SDK's queue).
    open_page(page, "Tasks", "/tasks")
    quick_add = page.get_by_label("Quick add")
    quick_add.fill("Call Alice tomorrow at 10am")
    quick_add.press("Enter")
    queued = page.get_by_test_id("quick-add-queue")
    expect(queued).to_contain_text("Call Alice tomorrow at 10am")
    expect(queued).to_contain_text("Queued — will send when online")
    expect(page.get_by_test_id("quick-add-answer")).to_contain_text("Queued")
    expect(quick_add).to_have_value("")
    audit(page, "tasks offline")
    page.screenshot(path=str(artifacts_dir / "offline-tasks.png"), full_page=True)

    # A chat message written offline shows pending, not as an error.
    page.goto(conversation_url)  # answered by the service worker
    expect(status).to_contain_text(OFFLINE_TEXT, timeout=TIMEOUT_MS)
    message = page.get_by_label("Message", exact=True)
    message.fill("Written in the tunnel")
    message.press("Enter")
    sent = page.get_by_test_id("user-message").filter(has_text="Written in the tunnel")
    expect(sent.get_by_test_id("message-pending")).to_contain_text("when you are back online")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(message).to_be_enabled()
    audit(page, "chat offline")
    page.screenshot(path=str(artifacts_dir / "offline-chat.png"), full_page=True)

    # --- Back online: the message is sent and answered, the queue drained, synced ----
    started = time.monotonic()
    context.set_offline(False)
    expect(sent.get_by_test_id("message-pending")).to_have_count(0, timeout=RECONNECT_MS)
    sync_ms = (time.monotonic() - started) * 1000
    # "Synced" once the queue is sent too (shown for a few seconds, then the line hides).
    expect(status).to_contain_text("everything is synced", timeout=RECONNECT_MS)
    synced_ms = (time.monotonic() - started) * 1000
    expect(replies.filter(has_text="Aura stand-in reply to: Written in the tunnel")).to_have_count(
        1, timeout=CALLABLE_MS
    )
    replied_ms = (time.monotonic() - started) * 1000
    summary = (
        f"offline sync: message acknowledged {sync_ms:.0f} ms after the network returned, "
        f"'synced' shown at {synced_ms:.0f} ms, the AI reply at {replied_ms:.0f} ms"
    )
    print(summary)  # noqa: T201 (shown with -s; also in test-results/offline-sync.txt)
    (artifacts_dir / "offline-sync.txt").write_text(summary + "\n", encoding="utf-8")

    open_page(page, "Tasks", "/tasks")
    expect(page.get_by_test_id("task-item").filter(has_text="Call Alice")).to_be_visible(
        timeout=CALLABLE_MS
    )
    expect(page.get_by_test_id("quick-add-queue")).to_have_count(0)
    expect(page.get_by_test_id("quick-add-sent")).to_contain_text("Added")
    # The queued line was stored once (its id is the request id).
    tasks = list(clients.get_db().collection(f"users/{user.uid}/tasks").stream())
    titles = sorted(str((doc.to_dict() or {}).get("title", "")) for doc in tasks)
    assert len([title for title in titles if "Alice" in title]) == 1, titles

    # --- Sign-out clears this device's copy of the account's data --------------------
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"), timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT_MS)
    names = page.evaluate("async () => (await indexedDB.databases()).map((db) => db.name)")
    assert not [name for name in names if str(name).startswith("firestore/")], names


@contextlib.contextmanager
def next_build() -> Iterator[None]:
    """The next deploy, as far as the browser can tell: a changed `sw.js` on Hosting (the
    emulator serves `hosting/dist` from disk; Playwright cannot route the browser's own
    update check of a service worker script). Put back afterwards, whatever happens."""
    worker = Path(__file__).resolve().parents[2] / "hosting" / "dist" / "sw.js"
    current = worker.read_bytes()
    worker.write_bytes(current + b"\n// the next build\n")
    try:
        yield
    finally:
        worker.write_bytes(current)


def test_a_new_build_is_offered_never_forced(page: Page, web_url: str) -> None:
    """The next deploy's sw.js installs in the background and waits: the page says a new
    version is ready; "Later" keeps the running build (the offer returns at the next
    load), "Reload" activates the new worker and loads the page under it."""
    sign_in(page, web_url, "update")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # a page the current build's worker controls: the next one must wait
    expect(page.get_by_test_id("profile-email")).to_be_visible(timeout=TIMEOUT_MS)
    assert controlled_by_service_worker(page)
    prompt = page.get_by_text("A new version of Aura is ready.")
    expect(prompt).to_have_count(0)
    waiting = "async () => (await navigator.serviceWorker.getRegistration()).waiting !== null"

    with next_build():
        # What the app's hourly check does, now.
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        expect(prompt).to_be_visible(timeout=TIMEOUT_MS)
    audit(page, "update prompt")

    page.get_by_role("button", name="Later").click()
    expect(prompt).to_have_count(0)
    assert page.evaluate(waiting), "the new build still waits"

    page.reload()
    expect(prompt).to_be_visible(timeout=TIMEOUT_MS)
    page.evaluate("() => { window.auraBeforeUpdate = true; }")
    page.get_by_role("button", name="Reload").click()
    page.wait_for_function("() => window.auraBeforeUpdate === undefined", timeout=TIMEOUT_MS)
    expect(page.get_by_role("navigation")).to_be_visible(timeout=TIMEOUT_MS)
    assert not page.evaluate(waiting), "the new build is active"
    assert controlled_by_service_worker(page)
    expect(prompt).to_have_count(0)

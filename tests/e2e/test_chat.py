"""Chat in a real browser, against the emulators through Firebase Hosting.

The AI provider is the deterministic local stand-in: a reply reads "Aura stand-in reply
to: <prompt>", and a `[[standin tokens=N token_delay_ms=D]]` directive in the prompt
(removed before the echo) makes it N words streamed one every D ms.

Two journeys: a streamed reply that survives a reload mid-answer and ends with usage and a
titled conversation; and a long reply stopped with the Stop button.
Fixtures `page`, `web_url` and `artifacts_dir` come from the e2e conftest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import sign_up

pytestmark = pytest.mark.e2e

# The first callable or trigger of a session may wait for a cold function worker.
TIMEOUT_MS = 15_000
# From sending until the reply streams: the trigger, the gateway, the first words.
REPLY_START_MS = 30_000
USAGE = re.compile(r"^[\d,]+ tokens? · \$\d+\.\d{6}$")


def open_new_conversation(page: Page) -> str:
    """Chat from the nav, then "New conversation"; returns the new conversation's id."""
    page.get_by_role("navigation").get_by_role("link", name="Chat", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chat$"))
    expect(page.get_by_role("heading", name="Start a conversation")).to_be_visible()
    page.get_by_role("button", name="New conversation", exact=True).click()
    expect(page).to_have_url(re.compile(r"/chat/[A-Za-z0-9]+$"), timeout=TIMEOUT_MS)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def composer(page: Page) -> Locator:
    return page.get_by_label("Message", exact=True)


def sent_message_id(page: Page, text: str) -> str:
    """The id of the user message showing `text` (its reply is `a_<id>`)."""
    message = page.get_by_test_id("user-message").filter(has_text=text)
    expect(message).to_have_count(1, timeout=TIMEOUT_MS)
    message_id = message.get_attribute("data-message-id")
    assert message_id
    return message_id


def reply_selector(message_id: str) -> str:
    return f'[data-testid="reply"][data-message-id="a_{message_id}"]'


def reply_text_length(page: Page, message_id: str) -> int:
    length = page.evaluate(
        """(selector) => {
            const text = document.querySelector(selector);
            return text ? text.textContent.length : 0;
        }""",
        f'{reply_selector(message_id)} [data-testid="reply-text"]',
    )
    assert isinstance(length, int)
    return length


def wait_for_reply_text_longer_than(
    page: Page, message_id: str, length: int, timeout: float = TIMEOUT_MS
) -> None:
    """Poll (no fixed sleep) until the reply's rendered text is longer than `length`."""
    page.wait_for_function(
        """([selector, length]) => {
            const text = document.querySelector(selector);
            return text !== null && text.textContent.length > length;
        }""",
        arg=[f'{reply_selector(message_id)} [data-testid="reply-text"]', length],
        timeout=timeout,
    )


def test_streamed_reply_survives_a_reload_and_ends_with_usage_and_a_title(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_up(page, web_url, "chat")
    conversation_id = open_new_conversation(page)
    # A new conversation has no document yet: the header says so, and Send waits for text.
    expect(page.get_by_role("heading", name="New conversation", exact=True)).to_be_visible()
    send = page.get_by_role("button", name="Send", exact=True)
    expect(send).to_be_disabled()

    prompt = "Tell me a story [[standin tokens=150 token_delay_ms=40]]"
    composer(page).fill(prompt)
    send.click()
    expect(composer(page)).to_have_value("")  # cleared after sending
    message_id = sent_message_id(page, "Tell me a story")
    reply = page.locator(reply_selector(message_id))

    # ~6 s of streaming: the text grows while data-status is "streaming".
    expect(reply).to_have_attribute("data-status", "streaming", timeout=REPLY_START_MS)
    expect(reply.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    expect(reply.get_by_test_id("reply-text")).to_be_visible()
    length = reply_text_length(page, message_id)
    wait_for_reply_text_longer_than(page, message_id, length, timeout=3_000)

    # Reload mid-answer: the reply comes back from Firestore alone, still streaming or
    # already done, with none of the text it had before.
    before_reload = reply_text_length(page, message_id)
    page.reload()
    expect(reply).to_have_attribute(
        "data-status", re.compile(r"^(streaming|done)$"), timeout=TIMEOUT_MS
    )
    wait_for_reply_text_longer_than(page, message_id, before_reload - 1)

    expect(reply).to_have_attribute("data-status", "done", timeout=30_000)
    expect(reply.get_by_test_id("reply-text")).to_contain_text(
        "Aura stand-in reply to: Tell me a story"
    )
    expect(reply.get_by_test_id("reply-text")).not_to_contain_text("[[standin")
    expect(reply.get_by_test_id("reply-usage")).to_have_text(USAGE)
    expect(reply.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
    expect(reply.get_by_text("stopped", exact=True)).to_have_count(0)

    # The server created the conversation: it is listed, and gets a title of its own.
    item = page.locator(
        f'[data-testid="conversation-item"][data-conversation-id="{conversation_id}"]'
    )
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    title = item.get_by_test_id("conversation-title")
    expect(title).to_have_text(re.compile(r"^(?!New conversation$).+"), timeout=20_000)
    expect(page.get_by_test_id("conversation-usage")).to_have_text(USAGE, timeout=TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "chat.png"))


def test_stop_ends_a_long_reply_early(page: Page, web_url: str) -> None:
    sign_up(page, web_url, "chat")
    open_new_conversation(page)

    # 400 words at 50 ms each would take 20 s; Enter sends.
    composer(page).fill("Long one [[standin tokens=400 token_delay_ms=50]]")
    composer(page).press("Enter")
    expect(composer(page)).to_have_value("")
    message_id = sent_message_id(page, "Long one")
    reply = page.locator(reply_selector(message_id))

    expect(reply).to_have_attribute("data-status", "streaming", timeout=REPLY_START_MS)
    reply.get_by_role("button", name="Stop", exact=True).click()

    # The server ends the reply within about a second, keeping the partial text.
    expect(reply).to_have_attribute("data-status", "done", timeout=5_000)
    expect(reply.get_by_text("stopped", exact=True)).to_be_visible()
    expect(reply.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
    reply_text = reply.get_by_test_id("reply-text")
    expect(reply_text).to_contain_text("Aura stand-in reply to: Long one")
    text = reply_text.inner_text()
    # A full reply has the echoed prompt plus 400 words.
    assert len(text.split()) < 400, f"the reply was not cut short ({len(text.split())} words)"

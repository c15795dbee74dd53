"""Voice in a real browser (docs/channels.md "Voice"): dictation into the chat composer and
the quick-add bar, and "Read aloud" on a reply.

Chromium here has no microphone and no speech service, so the test installs the Web
Speech API's two ends before the app loads (`add_init_script`, which runs outside the
page's CSP): a fake `SpeechRecognition` the test makes "hear" phrases (interim, then
final, as Chrome reports them), and a spy in place of `speechSynthesis.speak` / `cancel`.
Everything between (feature detection, the hook, the buttons, the field, sending, the
reply's text) is the app's own. Without the API the controls are absent.

axe-core (no serious or critical violation) while dictating and while reading aloud.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import TIMEOUT_MS, audit, sign_up
from tests.e2e.test_chat import composer, open_new_conversation, reply_selector, sent_message_id

pytestmark = pytest.mark.e2e

# From sending until the stand-in's reply is done.
REPLY_MS = 45_000
CALLABLE_MS = 30_000

FAKE_SPEECH = """
(() => {
  window.__recognitions = [];
  class FakeSpeechRecognition {
    constructor() {
      this.lang = ""; this.continuous = false; this.interimResults = false;
      this.maxAlternatives = 0; this.onresult = null; this.onerror = null; this.onend = null;
      this.started = false; this.stopped = false;
      window.__recognitions.push(this);
    }
    start() { this.started = true; }
    stop() { this.stopped = true; setTimeout(() => this.onend && this.onend(), 0); }
    abort() { this.stop(); }
  }
  // phrases: [[transcript, isFinal], ...] as the recognizer's cumulative result list.
  window.__hear = (phrases) => {
    const recognition = window.__recognitions[window.__recognitions.length - 1];
    const results = phrases.map(([transcript, isFinal]) =>
      Object.assign([{ transcript, confidence: 0.9 }], { isFinal }));
    recognition.onresult({ resultIndex: 0, results });
  };
  window.SpeechRecognition = FakeSpeechRecognition;
  window.webkitSpeechRecognition = FakeSpeechRecognition;

  window.__spoken = [];
  window.__cancels = 0;
  if (window.speechSynthesis) {
    window.speechSynthesis.speak = (utterance) => {
      window.__spoken.push({ text: utterance.text, lang: utterance.lang });
      window.__utterance = utterance;
    };
    window.speechSynthesis.cancel = () => { window.__cancels += 1; };
  }
})();
"""

NO_SPEECH = """
(() => {
  for (const scope of [window, Window.prototype]) {
    for (const name of ["SpeechRecognition", "webkitSpeechRecognition",
                        "speechSynthesis", "SpeechSynthesisUtterance"]) {
      try { delete scope[name]; } catch (e) {}
    }
  }
})();
"""


def last_recognition(page: Page) -> dict[str, object]:
    result: dict[str, object] = page.evaluate(
        """() => {
          const r = window.__recognitions[window.__recognitions.length - 1];
          return r && { lang: r.lang, continuous: r.continuous,
                        interim: r.interimResults, started: r.started, stopped: r.stopped };
        }"""
    )
    return result


def test_dictation_fills_the_composer_and_a_reply_is_read_aloud(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    page.add_init_script(FAKE_SPEECH)
    sign_up(page, web_url, "voice")
    open_new_conversation(page)

    dictate = page.get_by_role("button", name="Dictate", exact=True)
    composer(page).fill("Question:")
    dictate.click()
    stop = page.get_by_role("button", name="Stop dictation", exact=True)
    expect(stop).to_be_visible()
    recognition = last_recognition(page)
    assert recognition["started"] is True
    assert recognition["continuous"] is True
    assert recognition["interim"] is True
    assert isinstance(recognition["lang"], str)
    assert recognition["lang"]

    # Interim words show at once and are replaced by the final ones.
    page.evaluate("window.__hear([['what is on my', false]])")
    expect(composer(page)).to_have_value("Question: what is on my")
    page.evaluate("window.__hear([['what is on my list', true], [' today', false]])")
    expect(composer(page)).to_have_value("Question: what is on my list today")
    audit(page, "chat while dictating")
    page.screenshot(path=str(artifacts_dir / "voice-dictating.png"))
    stop.click()
    expect(dictate).to_be_visible()
    assert last_recognition(page)["stopped"] is True

    page.get_by_role("button", name="Send", exact=True).click()
    expect(composer(page)).to_have_value("")
    message_id = sent_message_id(page, "Question: what is on my list today")
    reply = page.locator(reply_selector(message_id))
    expect(reply).to_have_attribute("data-status", "done", timeout=REPLY_MS)
    reply_text = reply.get_by_test_id("reply-text").inner_text()
    assert "Aura stand-in reply to: Question: what is on my list today" in reply_text

    # Read aloud: speak() gets the reply's words; Stop cancels; the end resets the button.
    read = reply.get_by_role("button", name="Read aloud", exact=True)
    read.click()
    stop_reading = reply.get_by_role("button", name="Stop reading", exact=True)
    expect(stop_reading).to_be_visible()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1
    assert "Aura stand-in reply to: Question: what is on my list today" in spoken[0]["text"]
    assert spoken[0]["lang"]
    audit(page, "chat while reading aloud")
    page.screenshot(path=str(artifacts_dir / "voice-reading.png"))
    cancels = page.evaluate("window.__cancels")
    stop_reading.click()
    expect(read).to_be_visible()
    assert page.evaluate("window.__cancels") > cancels

    read.click()
    expect(stop_reading).to_be_visible()
    page.evaluate("window.__utterance.onend()")
    expect(read).to_be_visible()
    assert len(page.evaluate("window.__spoken")) == 2


def test_dictation_into_quick_add(page: Page, web_url: str) -> None:
    page.add_init_script(FAKE_SPEECH)
    sign_up(page, web_url, "voice-qa")
    page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Tasks\b")).click()
    quick_add = page.get_by_label("Quick add")
    expect(quick_add).to_be_visible(timeout=TIMEOUT_MS)
    quick_add.fill("Buy")
    page.get_by_role("button", name="Dictate", exact=True).click()
    page.evaluate("window.__hear([['milk tomorrow at 9am', true]])")
    expect(quick_add).to_have_value("Buy milk tomorrow at 9am")
    page.get_by_role("button", name="Stop dictation", exact=True).click()
    quick_add.press("Enter")
    expect(page.get_by_test_id("quick-add-answer")).to_contain_text("Added", timeout=CALLABLE_MS)
    expect(page.get_by_test_id("task-item").filter(has_text="Buy milk")).to_be_visible(
        timeout=TIMEOUT_MS
    )


def test_a_refused_microphone_is_said(page: Page, web_url: str) -> None:
    page.add_init_script(FAKE_SPEECH)
    sign_up(page, web_url, "voice-err")
    open_new_conversation(page)
    page.get_by_role("button", name="Dictate", exact=True).click()
    page.evaluate(
        """() => {
          const r = window.__recognitions[window.__recognitions.length - 1];
          r.onerror({ error: "not-allowed" });
          r.onend();
        }"""
    )
    expect(page.get_by_test_id("dictation-error")).to_contain_text("Microphone access was refused")
    expect(page.get_by_role("button", name="Dictate", exact=True)).to_be_visible()


def test_without_the_speech_api_there_are_no_voice_controls(page: Page, web_url: str) -> None:
    page.add_init_script(NO_SPEECH)
    sign_up(page, web_url, "voice-none")
    assert page.evaluate(
        "() => !('webkitSpeechRecognition' in window) && !('SpeechRecognition' in window)"
    )
    open_new_conversation(page)
    composer(page).fill("Hello without voice")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    expect(page.get_by_test_id("dictate")).to_have_count(0)
    page.get_by_role("button", name="Send", exact=True).click()
    message_id = sent_message_id(page, "Hello without voice")
    reply = page.locator(reply_selector(message_id))
    expect(reply).to_have_attribute("data-status", "done", timeout=REPLY_MS)
    expect(reply.get_by_test_id("read-aloud")).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Tasks\b")).click()
    expect(page.get_by_label("Quick add")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("dictate")).to_have_count(0)

"""Rendering one notification as an email: a plain-text and an HTML part from templates.

Jinja2 with autoescape on for the HTML template (`select_autoescape` by file name), so
every value from a notification (titles and bodies a user, a workflow template or a
model wrote) is text in the HTML, never markup; nothing is rendered as Markdown or HTML,
so there is nothing to sanitise beyond escaping. The plain-text part is not escaped (it
is not markup). Subjects fold every control character (CR and LF included: no header
injection) into a space and are cut to MAX_SUBJECT_CHARS. Links are the app's own: the
notification's `link` is kept only as a path on the app's origin (a full URL, like an
export's download link, only when it is https or the local emulator's).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.email.models import MAX_SUBJECT_CHARS, MAX_TEXT_CHARS

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
_SPACES = re.compile(r"\s+")
KIND_LABELS = {
    "reminders": "reminders",
    "briefing": "the daily briefing",
    "exports": "data export notices",
    "workflows": "automation notifications",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def one_line(value: str, limit: int) -> str:
    """`value` on one line: control and separator characters become spaces, runs of
    spaces one, cut to `limit` characters (with an ellipsis)."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in value
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _text(value: str, limit: int) -> str:
    """Body text: CR LF and CR become LF, other control characters go (tabs stay)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch
        for ch in value
        if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def app_link(link: str | None, origin: str) -> str:
    """Where the email's button goes: the notification's link on the app's origin. A
    relative path is joined to the origin; an absolute URL is kept only if https (or
    http on loopback, locally); anything else (javascript:, data:, //host) is the app."""
    base = origin.rstrip("/")
    if not link:
        return f"{base}/inbox"
    if link.startswith("/") and not link.startswith("//"):
        return base + link
    parsed = urllib.parse.urlsplit(link)
    local = parsed.scheme == "http" and parsed.hostname in {"127.0.0.1", "localhost"}
    if (parsed.scheme == "https" or local) and parsed.hostname:
        return link
    return f"{base}/inbox"


def render(
    *, title: str, body: str, link: str | None, kind: str, origin: str, unsubscribe_url: str
) -> Rendered:
    """The email for one notification under preference `kind`."""
    context: dict[str, Any] = {
        "title": _text(title, MAX_SUBJECT_CHARS * 2),
        "body": _text(body, MAX_TEXT_CHARS),
        "link": app_link(link, origin),
        "kind_label": KIND_LABELS[kind],
        "settings_url": f"{origin.rstrip('/')}/settings",
        "unsubscribe_url": unsubscribe_url,
    }
    env = _environment()
    return Rendered(
        subject=one_line(title, MAX_SUBJECT_CHARS) or "Aura",
        text=env.get_template("notification.txt").render(context),
        html=env.get_template("notification.html").render(context),
    )

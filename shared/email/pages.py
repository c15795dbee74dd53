"""The unsubscribe pages: what `unsubscribe` answers, built without the functions SDK.

GET with a valid link shows a confirm button and changes nothing (link scanners and
previews follow GETs); POST turns the kind off. Anything else about the link (missing,
altered, another user's kind) is one 403 page. Pages are plain HTML with every value
escaped, no script, no style sheet, and headers that keep the link's token out of
referrers and caches.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.email import links
from shared.email.render import KIND_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str]


def _page(title: str, *paragraphs: str, form: str = "") -> bytes:
    """A whole page; `paragraphs` are escaped here, `form` is this module's own markup."""
    text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{text}{form}</main></body></html>"
    ).encode()


def answer(
    *,
    db: Client,
    key: bytes,
    method: str,
    args: Mapping[str, str],
    unsubscribe: Callable[..., bool],
) -> Answer:
    """The page for one request to the unsubscribe link (`args`: u, k, t)."""
    request = links.verify(
        key, uid=args.get("u", ""), kind=args.get("k", ""), token=args.get("t", "")
    )
    if request is None:
        body = _page(
            "This link does not work",
            "The unsubscribe link is incomplete or was changed. Use the link from the "
            "email as it is, or turn emails off in Aura's settings.",
        )
        return Answer(403, body, HEADERS)
    label = KIND_LABELS[request.kind]
    if method == "POST":
        unsubscribe(db=db, request=request)
        body = _page(
            "You are unsubscribed",
            f"Aura will not email you {label} any more.",
            "You can turn them on again in Aura's settings.",
        )
        return Answer(200, body, HEADERS)
    form = (
        '<form method="post"><button type="submit">'
        f"Unsubscribe from {html.escape(label)}</button></form>"
    )
    body = _page("Unsubscribe", f"Stop emails with {label} from Aura?", form=form)
    return Answer(200, body, HEADERS)

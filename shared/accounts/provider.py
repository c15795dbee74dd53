"""The name and photo a sign-in provider vouches for, as a profile may store them.

A Google, GitHub or Microsoft sign-in (docs/channels.md "Sign-in providers") puts the
provider's display name and photo URL into the ID token's `name` and `picture` claims,
and a person can set both to anything with the Auth client SDK: they are user input. A
profile keeps them only once they pass here; anything else is dropped (never an error:
a provider's odd photo must not stop anyone signing in).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# The longest display name a profile stores (longer names are cut; the sign-up form
# allows 100 as well).
MAX_DISPLAY_NAME_CHARS = 100
# The longest photo URL a profile stores (longer URLs are dropped, not cut).
MAX_PHOTO_URL_CHARS = 2048


def display_name(value: object) -> str | None:
    """The token's `name` without control, format or unassigned characters (bidi
    overrides, zero-width marks, NUL), trimmed and cut to MAX_DISPLAY_NAME_CHARS; None
    when nothing is left or it is not a string."""
    if not isinstance(value, str):
        return None
    kept = "".join(ch for ch in value if not unicodedata.category(ch).startswith("C"))
    kept = " ".join(kept.split())[:MAX_DISPLAY_NAME_CHARS].strip()
    return kept or None


def photo_url(value: object) -> str | None:
    """The token's `picture` when it is an `https://` URL with a host, no user info, no
    whitespace, backslash or control character, and at most MAX_PHOTO_URL_CHARS; else
    None."""
    if not isinstance(value, str) or not value or len(value) > MAX_PHOTO_URL_CHARS:
        return None
    if any(ch.isspace() or ch == "\\" or unicodedata.category(ch).startswith("C") for ch in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return None
    del port
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return value

"""The web app's own origins: its Firebase Hosting sites (`https://{project}.web.app`,
`https://{project}.firebaseapp.com`), the `APP_ORIGIN` param (a custom domain), and those
listed in `AURA_APP_ORIGINS` (comma-separated; the local stack lists the Hosting
emulator's first). Billing's return URLs may lead only to them; links in emails lead to
one of them."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping

APP_ORIGINS_ENV = "AURA_APP_ORIGINS"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL, lower-cased and without a
    default port; None when the URL is not one (relative, other scheme, credentials in
    it, backslashes, whitespace or control characters)."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    suffix = f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}"


def listed_origins(env: Mapping[str, str] | None = None) -> list[str]:
    """The origins `AURA_APP_ORIGINS` lists, in its order, each normalised; entries that
    are not origins are left out."""
    extra = (env if env is not None else os.environ).get(APP_ORIGINS_ENV, "")
    return [o for o in (origin_of(item.strip()) for item in extra.split(",") if item.strip()) if o]


def app_origins(
    *, project: str, app_origin: str = "", env: Mapping[str, str] | None = None
) -> frozenset[str]:
    """All of the app's origins (see the module docstring); `app_origin` is the
    APP_ORIGIN param, when set."""
    origins = {f"https://{project}.web.app", f"https://{project}.firebaseapp.com"}
    origins.update(listed_origins(env))
    if app_origin and (own := origin_of(app_origin)):
        origins.add(own)
    return frozenset(origins)

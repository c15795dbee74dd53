"""Signed one-click unsubscribe links: no sign-in, nothing to guess.

    token = base64url(HMAC-SHA256(EMAIL_LINK_KEY, "aura-unsubscribe" NUL uid NUL kind))
    link  = {origin}/email/unsubscribe?u={uid}&k={kind}&t={token}

The token binds the user and the one kind of email it stops; changing either breaks it.
Links do not expire (a link in an old email must still work, RFC 8058 and the bulk
sender rules of the big mailbox providers); rotating EMAIL_LINK_KEY voids every link
sent before. Checking is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import urllib.parse
from dataclasses import dataclass
from typing import Final

from shared.accounts.models import EMAIL_KINDS

PATH: Final = "/email/unsubscribe"
_PURPOSE: Final = b"aura-unsubscribe"
_UID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, base64url without padding


def sign(key: bytes, uid: str, kind: str) -> str:
    """The token for (uid, kind) under `key`."""
    if not key:
        msg = "the link key is empty (set the EMAIL_LINK_KEY secret)"
        raise ValueError(msg)
    mac = hmac.new(key, b"\x00".join((_PURPOSE, uid.encode(), kind.encode())), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


@dataclass(frozen=True)
class Unsubscribe:
    """What a verified link asks for."""

    uid: str
    kind: str


def verify(key: bytes, *, uid: str, kind: str, token: str) -> Unsubscribe | None:
    """The request a link carries, or None when any part is malformed or the token is not
    the one `key` gives for (uid, kind)."""
    if not (_UID.fullmatch(uid) and kind in EMAIL_KINDS and _TOKEN.fullmatch(token)):
        return None
    if not hmac.compare_digest(sign(key, uid, kind), token):
        return None
    return Unsubscribe(uid=uid, kind=kind)


def url(key: bytes, *, origin: str, uid: str, kind: str) -> str:
    """The absolute link for an email's footer and its List-Unsubscribe header."""
    query = urllib.parse.urlencode({"u": uid, "k": kind, "t": sign(key, uid, kind)})
    return f"{origin.rstrip('/')}{PATH}?{query}"

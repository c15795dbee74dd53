"""Which request headers a workflow's `http` node may set.

Refused, in any letter case:

- `Host`: the client sends the URL's host, the name the SSRF guard vetted; a different
  `Host` would let a shared front end route the request to a virtual host that was never
  checked.
- `Metadata-Flavor`, `Metadata`, `X-Google-*`, `X-aws-ec2-metadata-token*`: the headers
  the cloud metadata services require, so that a request which does reach one is
  rejected by the service itself.
- `Forwarded`, `X-Forwarded-*`: they let a caller pose as another client to a proxy.
- Hop-by-hop headers (`Connection`, `Keep-Alive`, `Proxy-*`, `TE`, `Trailer`,
  `Transfer-Encoding`, `Upgrade`) and `Content-Length`: the client frames the message
  itself; a caller's framing could smuggle a second request.

Names must be RFC 9110 tokens; values printable ASCII (space and tab allowed inside), so
no CR/LF can split a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# An HTTP header name (RFC 9110 token).
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")
# Printable ASCII and tab; no CR, LF, NUL, DEL or non-ASCII.
_VALUE = re.compile(r"[\t\x20-\x7e]*")
MAX_VALUE_CHARS = 8_000

# Lower-case name -> why it is refused.
_REFUSED = {
    "host": "is set by the client from the URL's host",
    "content-length": "is set by the client from the body",
    "forwarded": "would pose as a proxy",
    "metadata-flavor": "is a cloud metadata service header",
    "metadata": "is a cloud metadata service header",
    **dict.fromkeys(
        (
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
        ),
        "is a hop-by-hop header, which the client controls",
    ),
}
_REFUSED_PREFIXES = {
    "x-google-": "is a Google metadata and front-end header",
    "x-aws-ec2-metadata-token": "is a cloud metadata service header",
    "x-forwarded-": "would pose as a proxy",
}
REFUSED_NAMES = frozenset(_REFUSED)
REFUSED_PREFIXES = tuple(_REFUSED_PREFIXES)


class BlockedHeader(ValueError):
    """A header may not be sent; `name` is the header, the message says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"header '{name}' {reason}")
        self.name = name


def check_header_name(name: str) -> None:
    """Refuse a header name that is not a token or that the policy above forbids.

    Raises:
        BlockedHeader: with the name and the reason.
    """
    if not _TOKEN.fullmatch(name):
        raise BlockedHeader(name, "is not a valid header name")
    lower = name.lower()
    reason = _REFUSED.get(lower) or next(
        (why for prefix, why in _REFUSED_PREFIXES.items() if lower.startswith(prefix)), None
    )
    if reason is not None:
        raise BlockedHeader(name, f"may not be set: it {reason}")


def check_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Refuse any (name, value) pair the policy above forbids.

    Raises:
        BlockedHeader: for the first bad name or value.
    """
    for name, value in headers:
        check_header_name(name)
        if len(value) > MAX_VALUE_CHARS:
            raise BlockedHeader(name, f"has a value longer than {MAX_VALUE_CHARS} characters")
        if not _VALUE.fullmatch(value):
            raise BlockedHeader(
                name, "has a value with a line break, control or non-ASCII character"
            )

"""The `stripe_webhook` request before any event logic: its body, read with a cap.

Stripe's event payloads are a few kilobytes (a subscription with its items); anything
over MAX_BODY_BYTES is refused (413) while it is read, before the signature check.
"""

from __future__ import annotations

from typing import IO, Final

from shared.net.body import BodyTooLarge, read_capped

__all__ = ["MAX_BODY_BYTES", "BodyTooLarge", "read_body"]

MAX_BODY_BYTES: Final = 262_144  # 256 KiB
READ_CHUNK_BYTES: Final = 65_536


def read_body(stream: IO[bytes], content_length: int | None) -> bytes:
    """The body, read with the cap (`shared.net.body`).

    Raises:
        BodyTooLarge: over MAX_BODY_BYTES.
    """
    return read_capped(stream, content_length, limit=MAX_BODY_BYTES, chunk=READ_CHUNK_BYTES)

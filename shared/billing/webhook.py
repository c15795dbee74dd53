"""The `stripe_webhook` request before any event logic: its body, read with a cap.

Stripe's event payloads are a few kilobytes (a subscription with its items); anything
over MAX_BODY_BYTES is refused (413) while it is read, before the signature check.
"""

from __future__ import annotations

from typing import IO, Final

MAX_BODY_BYTES: Final = 262_144  # 256 KiB
READ_CHUNK_BYTES: Final = 65_536


class BodyTooLarge(Exception):
    """The body passed MAX_BODY_BYTES (413)."""


def read_body(stream: IO[bytes], content_length: int | None) -> bytes:
    """The body, read in chunks: at most MAX_BODY_BYTES + 1 bytes are ever read, and a
    declared `Content-Length` over the cap is refused before reading anything.

    Raises:
        BodyTooLarge: over MAX_BODY_BYTES.
    """
    if content_length is not None and content_length > MAX_BODY_BYTES:
        raise BodyTooLarge
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(READ_CHUNK_BYTES, MAX_BODY_BYTES + 1 - total)):
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)

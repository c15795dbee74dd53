"""Request bodies read with a cap: the one reader every HTTP function uses."""

from __future__ import annotations

from typing import IO


class BodyTooLarge(Exception):
    """The body passed its cap (the caller answers 413)."""


def read_capped(stream: IO[bytes], content_length: int | None, *, limit: int, chunk: int) -> bytes:
    """The body, read in chunks of at most `chunk` bytes: at most `limit` + 1 bytes are
    ever read, and a declared `Content-Length` over `limit` is refused before reading.

    Raises:
        BodyTooLarge: over `limit`.
    """
    if content_length is not None and content_length > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    total = 0
    while part := stream.read(min(chunk, limit + 1 - total)):
        total += len(part)
        if total > limit:
            raise BodyTooLarge
        chunks.append(part)
    return b"".join(chunks)

"""Embeddings: a unit vector per text, from its hash."""

from __future__ import annotations

import hashlib
import math
import struct

DEFAULT_DIMENSIONS = 1536


def embedding_vector(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """A unit-length vector from the hash of `text` (float32 precision, as the API sends)."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        raw.extend((v - 32767.5) / 32767.5 for v in struct.unpack(">16H", digest))
        counter += 1
    raw = raw[:dimensions]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    packed = struct.pack(f"<{dimensions}f", *(v / norm for v in raw))
    return list(struct.unpack(f"<{dimensions}f", packed))

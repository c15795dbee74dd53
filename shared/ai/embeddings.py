"""Embeddings: the limits, the cache and the batching behind `Gateway.embed`.

One model and one size (`shared/ai/config.py`: `text-embedding-3-small` at 256
dimensions), through OpenAI's embeddings API; Anthropic has none, so with only an
Anthropic key `embed` refuses with `failed-precondition`.

- Each text is 1..MAX_TEXT_CHARS characters (8,000: under the model's 8,192-token input
  limit for ordinary text); longer or empty texts are refused before anything is read,
  reserved or called (`invalid-argument` naming `texts[i]`).
- Cache: one `_aiCache/{sha256(model, dimensions, text)}` document per text (read in one
  `get_all`, written in batches), so a text embedded once costs no call until it expires.
- Batches: at most MAX_BATCH_INPUTS texts and MAX_BATCH_TOKENS tokens per request
  (OpenAI's limits: 2,048 inputs, 300,000 tokens summed over the inputs). Tokens are
  counted as UTF-8 bytes, an upper bound for a byte-level BPE tokenizer (every token is
  at least one byte), so a batch can never pass the provider's limit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.ai import repository
from shared.errors import InvalidArgument

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

MAX_TEXT_CHARS = 8_000
MAX_TEXTS = 2_048  # per embed call: one call, one reservation, at most a few requests
MAX_BATCH_INPUTS = 2_048
MAX_BATCH_TOKENS = 300_000
CACHE_WRITE_BATCH = 500  # Firestore's writes per batch


def check_texts(texts: Sequence[str]) -> None:
    """Refuse what the API would refuse, before any read, reservation or call.

    Raises:
        InvalidArgument: no texts, too many, a non-string, an empty or blank one, or one
            longer than MAX_TEXT_CHARS (the field names which).
    """
    if isinstance(texts, str):
        raise InvalidArgument("Pass a list of texts, not one string.", field="texts")
    if not texts:
        raise InvalidArgument("Give at least one text to embed.", field="texts")
    if len(texts) > MAX_TEXTS:
        raise InvalidArgument(
            f"At most {MAX_TEXTS} texts can be embedded at once (got {len(texts)}).",
            field="texts",
        )
    for index, text in enumerate(texts):
        field = f"texts[{index}]"
        if not isinstance(text, str):
            raise InvalidArgument("Each text must be a string.", field=field)
        if not text.strip():
            raise InvalidArgument("A text to embed cannot be empty.", field=field)
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidArgument(
                f"A text to embed can be at most {MAX_TEXT_CHARS:,} characters "
                f"(this one has {len(text):,}); split it first.",
                field=field,
                details={"maxChars": MAX_TEXT_CHARS, "chars": len(text)},
            )


def cache_key(model: str, dimensions: int, text: str) -> str:
    """The cache document id of one text's vector: the same text under another model or
    size is another vector."""
    body = json.dumps(
        {"kind": "embedding", "model": model, "dimensions": dimensions, "text": text},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def token_bound(text: str) -> int:
    """An upper bound on the text's tokens: its UTF-8 bytes."""
    return len(text.encode())


def batches(
    texts: Sequence[str],
    *,
    max_inputs: int = MAX_BATCH_INPUTS,
    max_tokens: int = MAX_BATCH_TOKENS,
) -> Iterator[list[str]]:
    """Consecutive runs of `texts`, each within the per-request limits (order kept)."""
    batch: list[str] = []
    tokens = 0
    for text in texts:
        cost = token_bound(text)
        if batch and (len(batch) >= max_inputs or tokens + cost > max_tokens):
            yield batch
            batch, tokens = [], 0
        batch.append(text)
        tokens += cost
    if batch:
        yield batch


def cache_get(
    db: Client, keys: Sequence[str], *, dimensions: int, now: datetime
) -> dict[str, list[float]]:
    """The unexpired cached vectors among `keys` (one `get_all` read)."""
    if not keys:
        return {}
    refs = [repository.cache_ref(db, key) for key in dict.fromkeys(keys)]
    found: dict[str, list[float]] = {}
    for snapshot in db.get_all(refs):
        if not snapshot.exists:
            continue
        data: dict[str, Any] = snapshot.to_dict() or {}
        expires = data.get("expiresAt")
        vector = data.get("embedding")
        if expires is None or expires <= now or not isinstance(vector, list):
            continue
        if len(vector) != dimensions:
            continue
        found[snapshot.id] = [float(v) for v in vector]
    return found


def cache_put(
    db: Client,
    vectors: dict[str, list[float]],
    *,
    model: str,
    dimensions: int,
    expires: datetime,
    uid: str | None = None,
) -> None:
    """Keep each new vector under its key (batched writes), with the uid whose request
    embedded it (account erasure deletes the entries a user's requests wrote)."""
    items = list(vectors.items())
    for start in range(0, len(items), CACHE_WRITE_BATCH):
        batch = db.batch()
        for key, vector in items[start : start + CACHE_WRITE_BATCH]:
            batch.set(
                repository.cache_ref(db, key),
                {
                    "embedding": vector,
                    "model": model,
                    "dimensions": dimensions,
                    "expiresAt": expires,
                    **({"uid": uid} if uid is not None else {}),
                },
            )
        batch.commit()

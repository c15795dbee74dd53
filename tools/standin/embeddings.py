"""Embeddings: semantic vectors computed offline with WordLlama, so that search by meaning
behaves locally as it does against OpenAI (`text-embedding-3-small` at 256 dimensions).

WordLlama (PyPI `wordllama`, a dev requirement) ships its 256-dimension model
(`l2_supercat`: token embeddings averaged over the text) inside its wheel. A plain
`WordLlama.load()` looks for the tokenizer in `tokenizer/` while the wheel has it in
`tokenizers/`, and then downloads it: so it is loaded with the package folder as
`cache_dir` and `disable_download=True`, and with the Hugging Face hub offline, so that
no model is ever downloaded at run time. Its dimensions are Matryoshka-trained: the first
64 or 128 of them are a usable smaller vector, so `dimensions` up to 256 is honoured by
truncating and normalising again (what the OpenAI API does for its v3 models).

The model loads once, on the first request (~0.4 s with its imports). Only if it cannot
load do vectors fall back to hashes of the text (unit vectors with no meaning), logged as
an error on every request, so nothing silently pretends to be semantic.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("aura.ai_standin")

MODEL_DIMENSIONS = 256  # the size WordLlama's shipped model gives, and Aura asks for
DEFAULT_DIMENSIONS = MODEL_DIMENSIONS  # when a request names none (OpenAI: 1536)
WORDLLAMA_CONFIG = "l2_supercat"


class _Loaded:
    """The model, loaded once per process (or why it could not be)."""

    lock = threading.Lock()
    model: Any = None
    error: str | None = None
    seconds: float | None = None  # how long it took to load


def load_model() -> Any:
    """A fresh WordLlama model from the files inside its wheel; never downloads.

    Raises:
        ImportError: wordllama is not installed.
        FileNotFoundError: its wheel lacks the weights or the tokenizer.
    """
    # The tokenizer library falls back to the hub when a file is missing: make that fail
    # fast instead of reaching out.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import wordllama
    from wordllama import WordLlama

    package = Path(wordllama.__file__).parent
    return WordLlama.load(
        config=WORDLLAMA_CONFIG, dim=MODEL_DIMENSIONS, cache_dir=package, disable_download=True
    )


def model() -> Any:
    """The shared model, loaded on first use; None when it cannot load (then logged)."""
    if _Loaded.model is not None or _Loaded.error is not None:
        return _Loaded.model
    with _Loaded.lock:
        if _Loaded.model is None and _Loaded.error is None:
            started = time.perf_counter()
            try:
                _Loaded.model = load_model()
            except Exception as exc:
                _Loaded.error = f"{type(exc).__name__}: {exc}"
                log.error(
                    "WordLlama did not load (%s): embeddings are HASH vectors with no "
                    "meaning; recall will not behave as in production",
                    _Loaded.error,
                )
            else:
                _Loaded.seconds = time.perf_counter() - started
                log.info("WordLlama loaded in %.2f s", _Loaded.seconds)
    return _Loaded.model


def load_seconds() -> float | None:
    """How long the model took to load (None: not loaded)."""
    return _Loaded.seconds


def semantic() -> bool:
    """Whether vectors come from WordLlama (loading it if need be)."""
    return model() is not None


def max_dimensions() -> int | None:
    """The largest `dimensions` this stand-in can honour (None: any, hash vectors)."""
    return MODEL_DIMENSIONS if semantic() else None


def _float32(values: Sequence[float]) -> list[float]:
    """Values at float32 precision, as the API sends them (float and base64 agree)."""
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def _normalised(values: Sequence[float]) -> list[float] | None:
    norm = math.sqrt(sum(v * v for v in values))
    if not math.isfinite(norm) or norm == 0.0:
        return None
    return _float32([v / norm for v in values])


def embed_texts(texts: Sequence[str], dimensions: int = DEFAULT_DIMENSIONS) -> list[list[float]]:
    """A unit vector per text: WordLlama's, truncated to `dimensions` (at most 256), or
    a hash vector when WordLlama could not load (or a text has no tokens)."""
    wl = model()
    if wl is None:
        log.error("embedding with HASH vectors: WordLlama is not loaded (%s)", _Loaded.error)
        return [embedding_vector(text, dimensions) for text in texts]
    if dimensions > MODEL_DIMENSIONS:
        raise ValueError(f"dimensions must be at most {MODEL_DIMENSIONS}")
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):  # a text of no tokens: NaN
        pooled = wl.embed(list(texts), norm=False)
    vectors = []
    for text, row in zip(texts, pooled, strict=True):
        vector = _normalised([float(v) for v in row[:dimensions]])
        vectors.append(vector if vector is not None else embedding_vector(text, dimensions))
    return vectors


def embedding_vector(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """A unit-length vector from the hash of `text` (no meaning: the fallback only)."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        raw.extend((v - 32767.5) / 32767.5 for v in struct.unpack(">16H", digest))
        counter += 1
    raw = raw[:dimensions]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return _float32([v / norm for v in raw])

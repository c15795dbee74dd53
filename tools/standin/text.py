"""Token text: whitespace, the token rule, the input estimate and a hash-driven byte source."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# 32 words, so one hash byte picks one uniformly.
VOCABULARY = (
    "aurora", "signal", "harbor", "meadow", "quartz", "lantern", "river", "summit",
    "cedar", "ember", "orbit", "pixel", "willow", "canyon", "falcon", "glacier",
    "horizon", "island", "jasmine", "kernel", "lagoon", "marble", "nectar", "opal",
    "prairie", "quill", "raven", "saffron", "tundra", "velvet", "zephyr", "breeze",
)  # fmt: skip

TOKEN_RE = re.compile(r"\s*\S+\s*")


def normalize(text: str) -> str:
    """Collapse whitespace, so echoes and token counts do not depend on layout."""
    return " ".join(text.split())


def estimate_tokens(characters: int) -> int:
    """The stand-in's token estimate for input text: one token per four characters."""
    return math.ceil(characters / 4)


def split_tokens(text: str) -> list[str]:
    """Split text into tokens: a run of non-space and the whitespace after it.

    A Markdown marker (`-`, `|`, a code fence) is a token of its own; joining the tokens
    gives the text back.
    """
    tokens = TOKEN_RE.findall(text)
    return tokens or [text]


def hash_stream(seed: str) -> Callable[[], int]:
    """Successive bytes of sha256(seed:0), sha256(seed:1), ... as a deterministic source."""
    counter = itertools.count()
    pool: list[int] = []

    def next_byte() -> int:
        if not pool:
            digest = hashlib.sha256(f"{seed}\x00{next(counter)}".encode()).digest()
            pool.extend(reversed(digest))
        return pool.pop()

    return next_byte


def pick(draw: Callable[[], int], options: Sequence[T]) -> T:
    """One of `options`, chosen by the next byte of `draw`."""
    return options[draw() % len(options)]


def sample(draw: Callable[[], int], options: Sequence[T], count: int) -> list[T]:
    """`count` distinct elements of `options` (at most all of them), in drawn order."""
    left = list(options)
    return [left.pop(draw() % len(left)) for _ in range(min(count, len(left)))]


def filler_words(seed: str, count: int) -> list[str]:
    """`count` words of the vocabulary, chosen by the hash of `seed`."""
    draw = hash_stream(seed)
    return [VOCABULARY[draw() % len(VOCABULARY)] for _ in range(count)]

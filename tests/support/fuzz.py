"""Tallies of the hostile inputs the fuzz suite sent, for the terminal summary."""

from __future__ import annotations

from collections import Counter

tried: Counter[str] = Counter()

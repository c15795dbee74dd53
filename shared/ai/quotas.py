"""Daily plan quotas (UTC days). Data, documented in docs/decisions.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    requests: int
    tokens: int


QUOTAS: dict[str, Quota] = {
    "free": Quota(requests=300, tokens=200_000),
    "pro": Quota(requests=3_000, tokens=3_000_000),
}

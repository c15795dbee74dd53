"""The adapter tier runs without emulators: the edge's rate limiter (one Firestore write
per call, `functions/_edge.py` `check_rate`) is replaced by one in memory that admits
every call and records its key. Tests of the limit itself put their own in its place."""

from __future__ import annotations

import pytest

from functions import _edge
from shared.platform.ratelimit import Decision


class RecordingLimiter:
    """Admits every hit (unless `deny` is set) and records (key, limit, window, shards),
    and the uid each window is stored with."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, int, int, int]] = []
        self.uids: list[str] = []
        self.deny = False
        self.retry_after_s = 42.3

    def __call__(self, key: str, limit: int, window_s: int, shards: int, uid: str) -> Decision:
        self.hits.append((key, limit, window_s, shards))
        self.uids.append(uid)
        if self.deny:
            return Decision(allowed=False, remaining=0, retry_after_s=self.retry_after_s)
        return Decision(allowed=True, remaining=limit - 1, retry_after_s=0.0)


@pytest.fixture(autouse=True)
def limiter(monkeypatch: pytest.MonkeyPatch) -> RecordingLimiter:
    fake = RecordingLimiter()
    monkeypatch.setattr(_edge, "limiter", fake)
    return fake


@pytest.fixture(autouse=True)
def usage_counter(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool]]:
    """Usage analytics (`_edge.counter`, one Firestore write per call) kept in memory."""
    counted: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(_edge, "counter", lambda *args: counted.append(args))
    return counted

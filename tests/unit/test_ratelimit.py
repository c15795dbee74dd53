"""The rate limiter's arithmetic: windows, shard shares, document ids, decisions.

Hits against Firestore (concurrency, sharding) run on the emulator in
tests/integration/test_quota_burst.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.platform import ratelimit


def test_windows_are_aligned_to_the_epoch_whatever_the_zone() -> None:
    now = datetime(2026, 12, 1, 10, 0, 59, 999_000, tzinfo=UTC)
    window = ratelimit.window_of(now, 60)
    assert window.start == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert window.end == window.start + timedelta(seconds=60)
    assert ratelimit.window_of(now + timedelta(milliseconds=1), 60).index == window.index + 1
    berlin = now.astimezone(timezone(timedelta(hours=1)))
    assert ratelimit.window_of(berlin, 60) == window


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ratelimit.window_of(datetime(2026, 12, 1), 60)


@pytest.mark.parametrize(
    ("limit", "shards", "shares"),
    [(20, 1, [20]), (20, 4, [5, 5, 5, 5]), (10, 4, [3, 3, 2, 2]), (3, 3, [1, 1, 1])],
)
def test_shard_shares_add_up_to_the_limit(limit: int, shards: int, shares: list[int]) -> None:
    assert ratelimit.shard_limits(limit, shards) == shares
    assert sum(shares) == limit


@pytest.mark.parametrize("shards", [0, 5])
def test_shards_must_each_admit_something(shards: int) -> None:
    with pytest.raises(ValueError, match="shards"):
        ratelimit.shard_limits(4, shards)


def test_document_ids_do_not_collide_where_joined_parts_would() -> None:
    ids = {
        ratelimit.doc_id("webhook:a_b/c", 60, 1, 0),
        ratelimit.doc_id("webhook:a/b_c", 60, 1, 0),
        ratelimit.doc_id("chat:u", 60, 11, 0),
        ratelimit.doc_id("chat:u1", 60, 1, 0),
        ratelimit.doc_id("chat:u", 601, 1, 0),
        ratelimit.doc_id("chat:u", 60, 1, 1),
    }
    assert len(ids) == 6
    assert all(len(i) == 40 and i.isalnum() for i in ids)
    assert ratelimit.doc_id("chat:u", 60, 1, 0) == ratelimit.doc_id("chat:u", 60, 1, 0)


@pytest.mark.parametrize(("seconds", "header"), [(0.0, "1"), (0.2, "1"), (12.5, "13"), (60, "60")])
def test_retry_after_is_whole_seconds_and_never_zero(seconds: float, header: str) -> None:
    assert ratelimit.Decision(False, 0, seconds).retry_after_header == header


@pytest.mark.parametrize(
    "arguments", [{"limit": 0}, {"window_s": 0}, {"cost": 0}, {"shards": 3, "limit": 2}]
)
def test_nonsense_arguments_fail_before_any_write(arguments: dict[str, Any]) -> None:
    given = {"key": "k", "limit": 5, "window_s": 60, "now": datetime.now(UTC), **arguments}
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by argument
        ratelimit.hit(None, **given)  # type: ignore[arg-type]

"""The local clock's pure parts: reading a task's ETA and Cloud Tasks' backoff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tools.clock import Queue, _eta


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T10:00:05.250000Z", datetime(2026, 11, 23, 10, 0, 5, 250000, tzinfo=UTC)),
        ("1795428000000", datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
        ("2026-11-23T11:00:00+01:00", datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
    ],
)
def test_eta_reads_rfc3339_and_epoch_milliseconds(raw: str, expected: datetime) -> None:
    assert _eta(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "not a time"])
def test_a_missing_or_unreadable_eta_means_now(raw: str | None) -> None:
    before = datetime.now(UTC)
    assert before <= _eta(raw) <= datetime.now(UTC)


def test_backoff_doubles_from_the_minimum_up_to_the_maximum() -> None:
    queue = Queue(
        project="p",
        region="r",
        name="q",
        trigger={
            "retryConfig": {"maxAttempts": 5, "minBackoffSeconds": 2, "maxBackoffSeconds": 10}
        },
        target="http://x",
    )
    assert [queue.backoff(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]
    assert queue.max_attempts == 5

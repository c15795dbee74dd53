"""The worker pool on its own: limits, crashes, recovery, isolation, threads."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from shared.platform import sandbox
from shared.platform.sandbox import Pool, SandboxUnavailable


@pytest.fixture
def pool() -> Iterator[Pool]:
    made = Pool(max_workers=2, memory_bytes=96 * 2**20)
    try:
        yield made
    finally:
        made.close()


def _eval(pool: Pool, source: str, timeout_s: float = 1.0, **variables: Any) -> Any:
    request = {"op": "eval", "source": source, "variables": variables}
    return pool.run("cel", request, timeout_s=timeout_s)


def _doublings(levels: int) -> str:
    """What the workflow checks refuse, sent to the pool directly: 2^levels characters."""
    source = "'a'"
    for level in range(levels):
        source = f"[{source}].map(x{level}, x{level} + x{level})[0]"
    return f"size({source}) > 0"


def _idle_pids(pool: Pool) -> list[int]:
    return [worker.pid for worker in pool._idle]


@pytest.mark.timeout(30)
def test_a_crash_of_the_rust_core_is_contained_and_the_pool_recovers(pool: Pool) -> None:
    assert _eval(pool, "n + 1 == 2", n=1) is True
    (first,) = _idle_pids(pool)
    with pytest.raises(ValueError, match=r"used too much memory \(the limit is 96 MiB\)"):
        _eval(pool, _doublings(30), timeout_s=20)
    assert _idle_pids(pool) == []  # the aborted worker is gone, and reaped
    with pytest.raises(ChildProcessError):
        os.waitpid(first, os.WNOHANG)
    assert _eval(pool, "n + 1 == 2", n=1) is True
    assert pool.spawned == 2


@pytest.mark.timeout(30)
def test_a_worker_past_its_deadline_is_killed_and_replaced(pool: Pool) -> None:
    items = list(range(3000))
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"expression took longer than 0\.3 s"):
        _eval(pool, "l.exists(a, l.exists(b, a + b < 0))", timeout_s=0.3, l=items)
    assert time.monotonic() - started < 2
    assert _eval(pool, "size(l) == 3000", l=items) is True


def test_a_worker_that_died_while_idle_is_replaced_unnoticed(pool: Pool) -> None:
    assert _eval(pool, "true") is True
    (pid,) = _idle_pids(pool)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.05)
    assert _eval(pool, "true") is True
    assert _idle_pids(pool) != [pid]


def test_a_worker_retires_once_its_memory_has_grown() -> None:
    pool = Pool(max_workers=1, retire_rss_bytes=1)  # every worker is past it at once
    try:
        for _ in range(3):
            assert _eval(pool, "true") is True
        assert pool.spawned == 3
        assert _idle_pids(pool) == []
    finally:
        pool.close()


@pytest.mark.timeout(60)
def test_threads_share_at_most_max_workers(pool: Pool) -> None:
    wrong: list[int] = []

    def work(offset: int) -> None:
        for n in range(offset, offset + 25):
            if _eval(pool, "n % 2 == 0", n=n) is not (n % 2 == 0):
                wrong.append(n)

    threads = [threading.Thread(target=work, args=(i * 100,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert pool.spawned <= pool.max_workers
    assert len(_idle_pids(pool)) <= pool.max_workers


def test_workers_run_isolated_with_their_limits(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AURA_TEST_SECRET", "s3cret")
    assert _eval(pool, "true") is True
    (pid,) = _idle_pids(pool)
    assert Path(f"/proc/{pid}/environ").read_bytes() == b""  # no secrets from the parent
    limits = {
        line[:26].strip(): line[26:].split()[:2]
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    }
    assert limits["Max address space"] == [str(96 * 2**20)] * 2
    assert limits["Max core file size"] == ["0", "0"]  # an abort writes no core file
    assert int(limits["Max cpu time"][0]) <= 3  # what it used, plus this request's 2 s
    assert Path(f"/proc/{pid}/oom_score_adj").read_text().strip() == "1000"  # killed first


def test_handler_errors_come_back_as_value_errors(pool: Pool) -> None:
    with pytest.raises(ValueError, match="no such key: 'b'"):
        _eval(pool, "a.b == 1", a={})
    with pytest.raises(ValueError, match="invalid condition: 1:4: Syntax error"):
        _eval(pool, "1 +")
    assert pool.run("cel", {"op": "compile", "source": "a.b + c"}, timeout_s=1) == {
        "variables": ["a", "c"]
    }
    assert pool.spawned == 1  # refusals do not cost a worker


def test_only_plain_data_crosses_into_the_worker(pool: Pool) -> None:
    with pytest.raises(SandboxUnavailable, match=r"fractions\.Fraction is not plain data"):
        _eval(pool, "x == 1", x=Fraction(1, 3))
    with pytest.raises(SandboxUnavailable, match="unknown kind 'shell'"):
        pool.run("shell", {"command": "id"}, timeout_s=1)
    with pytest.raises(ValueError, match=r"the request is .* bytes; the limit is"):
        _eval(pool, "true", s="a" * (sandbox.MAX_REQUEST_BYTES + 1))
    assert _eval(pool, "true") is True


def test_a_worker_that_cannot_start_is_a_server_fault(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with pytest.raises(SandboxUnavailable, match="cannot start a sandbox worker"):
        _eval(pool, "true")
    monkeypatch.undo()
    assert _eval(pool, "true") is True

"""What evaluating conditions in the sandbox costs (see bench/run.py; no emulators needed).

* per evaluation, warm: `evaluate_condition` (source checks cached, data copied within the
  limits, a round trip to a worker process) against the CEL core run in this process on a
  precompiled program, interleaved; for a small context and for one holding ~300 KB of
  node outputs (an execution keeps at most 384 KiB of outputs);
* the first evaluation in a fresh process: starting a worker and checking the source.

`venv/bin/python -m bench.expressions` prints the figures.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

RUNS = 200
WARMUP = 20
SOURCE = (
    "nodes.fetch.output.status == 200 && input.amount > vars.limit"
    " && input.tags.exists(t, t == 'vip')"
)


def _context(output_bytes: int) -> dict[str, Any]:
    rows = [{"id": f"row-{i}", "text": "x" * 90} for i in range(output_bytes // 100)]
    return {
        "input": {"amount": 120, "tags": ["vip", "eu"]},
        "vars": {"limit": 100},
        "nodes": {
            "fetch": {"output": {"status": 200}, "status": "succeeded"},
            "load": {"output": {"rows": rows}, "status": "succeeded"},
        },
        "trigger": {"kind": "manual"},
    }


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _pair(context: dict[str, Any]) -> dict[str, float]:
    import cel

    from shared.workflows.expressions import CONDITION_NAMES, evaluate_condition

    program = cel.compile(SOURCE)
    bound = {name: context.get(name, {}) for name in CONDITION_NAMES}

    def baseline() -> None:
        assert program.execute(bound) is True

    def sandboxed() -> None:
        assert evaluate_condition(SOURCE, context) is True

    for _ in range(WARMUP):
        baseline()
        sandboxed()
    base, subject = [], []
    for _ in range(RUNS):  # interleaved, so drift hits both alike
        base.append(_timed(baseline))
        subject.append(_timed(sandboxed))
    return {
        "baseline_seconds": statistics.median(base),
        "sandboxed_seconds": statistics.median(subject),
        "ratio": statistics.median(subject) / statistics.median(base),
        "sandboxed_p90_seconds": statistics.quantiles(subject, n=10)[-1],
    }


def _first_call() -> float:
    """A fresh pool and empty caches: what the first condition on a new instance pays."""
    from shared.platform import sandbox
    from shared.workflows import expressions

    sandbox._POOL.close()
    expressions._analyse.cache_clear()
    return _timed(lambda: expressions.evaluate_condition(SOURCE, _context(0)))


def bench_conditions() -> dict[str, Any]:
    first = statistics.median(_first_call() for _ in range(5))
    small = _pair(_context(0))
    large = _pair(_context(300_000))
    return {"runs": RUNS, "small": small, "large": large, "first_call_seconds": first}


def table(results: dict[str, Any]) -> str:
    lines = [f"{'condition, warm (µs)':<34} {'sandboxed':>10} {'in-process':>10} {'ratio':>7}"]
    for name, what in (("small", "small context"), ("large", "~300 KB of node outputs")):
        row = results[name]
        lines.append(
            f"{what:<34} {row['sandboxed_seconds'] * 1e6:>10.0f}"
            f" {row['baseline_seconds'] * 1e6:>10.1f} {row['ratio']:>7.2f}"
        )
    lines.append(
        f"first condition in a fresh process (worker start + checks):"
        f" {results['first_call_seconds'] * 1000:.0f} ms; {results['runs']} runs each"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    figures = bench_conditions()
    sys.stdout.write(table(figures) + "\n" + json.dumps(figures, indent=2) + "\n")

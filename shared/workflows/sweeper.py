"""The sweeper: what to repair when Cloud Tasks lost a task (run every few minutes)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from shared import logs
from shared.workflows import executions, scheduling
from shared.workflows.executions import Runtime


def sweep(*, rt: Runtime, now: datetime) -> dict[str, int]:
    """Repair stuck executions and broken schedule chains. Returns counts by outcome."""
    outcomes: Counter[str] = Counter()
    for ref in executions.stuck(rt.db, now):
        try:
            outcomes[executions.repair(rt=rt, ref=ref, now=now)] += 1
        except Exception as exc:  # one bad execution must not stop the sweep
            logs.error("sweep failed for an execution", path=ref.path, error=repr(exc)[:500])
            outcomes["errors"] += 1
    outcomes["schedules"] = scheduling.repair_chains(rt=rt, now=now)
    return dict(outcomes)

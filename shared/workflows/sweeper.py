"""The sweeper: what to repair when Cloud Tasks lost a task (run every few minutes)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from shared.platform import logs
from shared.workflows import executions, schedules
from shared.workflows.executions import Runtime


def sweep(*, rt: Runtime, now: datetime) -> dict[str, int]:
    """Repair stuck executions and broken schedule chains. Returns counts by outcome
    (`errors`: executions that failed to repair; `scheduleErrors`: schedules).

    Every item is repaired on its own, and so is each of the two parts: a failure is
    logged and counted, and the rest of the sweep goes on."""
    outcomes: Counter[str] = Counter()
    try:
        stuck = executions.stuck(rt.db, now)
    except Exception as exc:  # the schedules below must still be repaired
        logs.error("sweep could not list stuck executions", error=repr(exc)[:500])
        outcomes["errors"] += 1
        stuck = []
    for ref in stuck:
        try:
            outcomes[executions.repair(rt=rt, ref=ref, now=now)] += 1
        except Exception as exc:  # one bad execution must not stop the sweep
            logs.error("sweep failed for an execution", path=ref.path, error=repr(exc)[:500])
            outcomes["errors"] += 1
    try:
        chains = schedules.repair_chains(rt=rt, now=now)
    except Exception as exc:  # e.g. the query itself failed: the next sweep tries again
        logs.error("sweep could not list broken schedules", error=repr(exc)[:500])
        chains = {"repaired": 0, "errors": 1}
    outcomes["schedules"] = chains["repaired"]
    outcomes["scheduleErrors"] = chains["errors"]
    return dict(outcomes)

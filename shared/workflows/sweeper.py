"""The sweeper: what to repair when Cloud Tasks lost a task (run every few minutes)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.platform import logs
from shared.workflows import schedules
from shared.workflows.executions import (
    WorkflowServices,
    definition_of,
    enqueue_steps,
    fail_execution,
    log_line,
    step_key,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference


def sweep(*, rt: WorkflowServices, now: datetime) -> dict[str, int]:
    """Repair stuck executions and broken schedule chains. Returns counts by outcome
    (`errors`: executions that failed to repair; `scheduleErrors`: schedules).

    Every item is repaired on its own, and so is each of the two parts: a failure is
    logged and counted, and the rest of the sweep goes on."""
    outcomes: Counter[str] = Counter()
    try:
        lost = stuck(rt.db, now)
    except Exception as exc:  # the schedules below must still be repaired
        logs.error("sweep could not list stuck executions", error=repr(exc)[:500])
        outcomes["errors"] += 1
        lost = []
    for ref in lost:
        try:
            outcomes[repair(rt=rt, ref=ref, now=now)] += 1
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


# A queued step whose time is this far past, or a running step this far past the step
# function's timeout, lost its task (or its worker) and is queued again.
STUCK_AFTER = timedelta(minutes=5)
STEP_TIMEOUT = timedelta(seconds=300)  # runstep's timeout_sec


def repair(*, rt: WorkflowServices, ref: DocumentReference, now: datetime) -> str:
    """Repair one unfinished execution. Returns what was done (for logs and tests):
    "ended" (finished or paused meanwhile: nothing to do), "deadline" (failed: past its
    deadline), "requeued" (lost steps queued again) or "healthy".

    Safe to repeat and to race with a late task: a step is claimed per (node, attempt),
    and a queued step goes again under the attempt its lost task carried, so whichever
    of the two arrives first runs it and the other is a duplicate.
    """
    execution = ref.get().to_dict() or {}
    if execution.get("status") not in ("queued", "running"):
        return "ended"
    uid = ref.parent.parent.id if ref.parent.parent else ""
    definition = definition_of(rt.db, uid, execution)
    if definition is None:
        fail_execution(rt.db, ref, now, None, "the workflow version it runs is gone")
        return "deadline"
    settings = definition["settings"]
    if now > execution["startedAt"] + timedelta(seconds=settings["deadlineSeconds"]):
        fail_execution(rt.db, ref, now, None, "the execution passed its deadline")
        return "deadline"
    lost: list[tuple[str, int, datetime | None]] = []
    update: dict[str, Any] = {}
    for node_id, step in execution["steps"].items():
        attempt = int(step.get("attempts", 0)) + 1
        if step["status"] == "queued":
            if (step.get("dueAt") or execution["startedAt"]) > now - STUCK_AFTER:
                continue
            if ref.collection("claims").document(f"{node_id}.{attempt}").get().exists:
                attempt += 1  # claimed, then lost before it was marked running
        elif step["status"] == "running":
            if step["startedAt"] > now - STEP_TIMEOUT - STUCK_AFTER:
                continue
        else:
            continue
        lost.append((node_id, attempt, None))
        update[f"{step_key(node_id)}.status"] = "queued"
        update[f"{step_key(node_id)}.dueAt"] = now
    if not lost:
        return "healthy"
    ref.update(update)
    log_line(
        rt.db,
        uid,
        ref.id,
        now=now,
        node_id=None,
        level="warning",
        message="the sweeper queued lost steps again: " + ", ".join(n for n, _, _ in lost),
    )
    enqueue_steps(rt, uid, ref.id, lost, generation=f"sweep-{int(now.timestamp())}")
    return "requeued"


def stuck(db: Client, now: datetime, limit: int = 200) -> list[DocumentReference]:
    """Unfinished executions old enough that one of their steps may be stuck."""
    from google.cloud.firestore import FieldFilter

    query = (
        db.collection_group("executions")
        .where(filter=FieldFilter("status", "in", ["queued", "running"]))
        .where(filter=FieldFilter("startedAt", "<", now - STUCK_AFTER))
        .limit(limit)
    )
    return [snapshot.reference for snapshot in query.stream()]

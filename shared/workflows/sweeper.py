"""The sweeper: what to repair when Cloud Tasks lost a task (run every few minutes)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.platform import logs
from shared.workflows.executions import (
    Run,
    WorkflowServices,
    complete_join,
    definition_of,
    enqueue_steps,
    fail_execution,
    finish,
    log_line,
    step_key,
)
from shared.workflows.graph import Graph

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference


def sweep(*, rt: WorkflowServices, now: datetime) -> dict[str, int]:
    """Repair stuck executions. Returns counts by outcome (`errors`: executions that
    failed to repair). Schedule chains are timers: `timers.repair_all` repairs them.

    Every item is repaired on its own: a failure is logged and counted, and the rest of
    the sweep goes on."""
    outcomes: Counter[str] = Counter()
    try:
        lost = stuck(rt.db, now)
    except Exception as exc:  # the timers must still be repaired
        logs.error("sweep could not list stuck executions", error=repr(exc)[:500])
        outcomes["errors"] += 1
        lost = []
    for ref in lost:
        try:
            outcomes[repair(rt=rt, ref=ref, now=now)] += 1
        except Exception as exc:  # one bad execution must not stop the sweep
            logs.error("sweep failed for an execution", path=ref.path, error=repr(exc)[:500])
            outcomes["errors"] += 1
    return dict(outcomes)


# A queued step whose time is this far past, or a running step this far past the step
# function's timeout, lost its task (or its worker) and is queued again.
STUCK_AFTER = timedelta(minutes=5)
STEP_TIMEOUT = timedelta(seconds=300)  # runstep's timeout_sec


# A step in one of these has settled (its arrivals are stored with its result).
SETTLED = frozenset({"succeeded", "failed", "skipped"})


def repair(*, rt: WorkflowServices, ref: DocumentReference, now: datetime) -> str:
    """Repair one unfinished execution. Returns what was done (for logs and tests):
    "ended" (finished or paused meanwhile: nothing to do), "finished" (every node was
    done but the step that counted the last one died before finishing it), "deadline"
    (failed: past its deadline), "requeued" (lost steps queued again), "joined" (a join
    whose last predecessor died between storing its arrival and queueing it) or "healthy".

    Safe to repeat and to race with a late task: a step is claimed per (node, attempt),
    and a queued step goes again under the attempt its lost task carried, so whichever
    of the two arrives first runs it and the other is a duplicate; a join is queued
    behind its gate and the finish is a transaction, as when a step does them.
    """
    execution = ref.get().to_dict() or {}
    if execution.get("status") not in ("queued", "running"):
        return "ended"
    uid = ref.parent.parent.id if ref.parent.parent else ""
    definition = definition_of(rt.db, uid, execution)
    if definition is None:
        fail_execution(rt.db, ref, now, None, "the workflow version it runs is gone")
        return "deadline"
    graph = Graph.of(definition)
    run = Run(rt=rt, ref=ref, graph=graph, uid=uid, eid=ref.id, now=lambda: now)
    steps = execution["steps"]
    if execution.get("doneCount", 0) >= len(graph.nodes) and all(
        step["status"] in SETTLED for step in steps.values()
    ):
        finish(run)
        return "finished"
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
                attempt += 1  # claimed but never marked running (before the two were one batch)
        elif step["status"] == "running":
            if step["startedAt"] > now - STEP_TIMEOUT - STUCK_AFTER:
                continue
        else:
            continue
        lost.append((node_id, attempt, None))
        update[f"{step_key(node_id)}.status"] = "queued"
        update[f"{step_key(node_id)}.dueAt"] = now
    joined = _complete_joins(run, steps)
    if not lost:
        return "joined" if joined else "healthy"
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


def _complete_joins(run: Run, steps: dict[str, Any]) -> bool:
    """Settle each join still waiting whose predecessors have all settled (one read each:
    its arrivals decide, as for the step that should have settled it). Returns whether
    any was settled here."""
    graph = run.graph
    waiting = [
        node_id
        for node_id, step in steps.items()
        if step["status"] == "waiting"
        and len(graph.predecessors(node_id)) > 1
        and all(steps[p]["status"] in SETTLED for p in graph.predecessors(node_id))
    ]
    settled = [complete_join(run, node_id, at=None) for node_id in waiting]
    return any(settled)


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

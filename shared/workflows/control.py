"""Control of a running execution: pause, resume, cancel, and retry (from the failed
step in the same execution, or from the start as one new execution per failed one)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import FailedPrecondition, NotFound
from shared.validation import Command, Public
from shared.workflows.executions import (
    RunWorkflow,
    RunWorkflowResult,
    WorkflowServices,
    enqueue_steps,
    later,
    start_execution,
    step_key,
)
from shared.workflows.models import WorkflowId
from shared.workflows.repository import execution_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client


class ExecutionCommand(Command):
    execution_id: WorkflowId


class RetryExecution(ExecutionCommand):
    from_start: bool = False


class ExecutionStatus(Public):
    execution_id: str
    status: str


ALLOWED_FROM: dict[str, frozenset[str]] = {
    "paused": frozenset({"queued", "running"}),
    "running": frozenset({"paused"}),
    "cancelled": frozenset({"queued", "running", "paused"}),
}


def _transition(*, db: Client, uid: str, eid: str, to: str, now: datetime) -> dict[str, Any]:
    """Move the execution to status `to` if its current status allows it; returns it."""
    from google.cloud import firestore

    ref = execution_ref(db, uid, eid)

    @firestore.transactional
    def move(transaction: Any) -> dict[str, Any]:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            raise NotFound("No such execution.", details={"field": "executionId"})
        execution = snapshot.to_dict() or {}
        if execution["status"] == to:
            return execution  # already there: idempotent
        if execution["status"] not in ALLOWED_FROM[to]:
            raise FailedPrecondition(
                f"An execution that is {execution['status']} cannot become {to}."
            )
        update: dict[str, Any] = {"status": to, f"{to}At": now}
        if to == "cancelled":
            update["finishedAt"] = now
        transaction.update(ref, update)
        return {**execution, **update, "generation": execution.get("generation", 0)}

    result: dict[str, Any] = move(db.transaction())
    return result


def pause(*, db: Client, uid: str, command: ExecutionCommand, now: datetime) -> ExecutionStatus:
    """Steps already running finish; no new step starts until `resume`."""
    _transition(db=db, uid=uid, eid=command.execution_id, to="paused", now=now)
    return ExecutionStatus(execution_id=command.execution_id, status="paused")


def cancel(*, db: Client, uid: str, command: ExecutionCommand, now: datetime) -> ExecutionStatus:
    """No step starts afterwards; a step already running finishes but queues nothing."""
    _transition(db=db, uid=uid, eid=command.execution_id, to="cancelled", now=now)
    return ExecutionStatus(execution_id=command.execution_id, status="cancelled")


def resume(
    *, rt: WorkflowServices, uid: str, command: ExecutionCommand, now: datetime
) -> ExecutionStatus:
    """Queue again every step that was waiting to run when the execution was paused."""
    from google.cloud import firestore

    execution = _transition(db=rt.db, uid=uid, eid=command.execution_id, to="running", now=now)
    ref = execution_ref(rt.db, uid, command.execution_id)
    ref.update({"generation": firestore.Increment(1)})
    generation = f"resume-{execution.get('generation', 0) + 1}"
    queued = [  # a step that was waiting for its time (a delay, a retry) keeps that time
        (node_id, int(step.get("attempts", 0)) + 1, later(step.get("dueAt"), now))
        for node_id, step in execution["steps"].items()
        if step["status"] == "queued"
    ]
    enqueue_steps(rt, uid, command.execution_id, queued, generation)
    return ExecutionStatus(execution_id=command.execution_id, status="running")


def retry(
    *, rt: WorkflowServices, uid: str, command: RetryExecution, now: datetime
) -> RunWorkflowResult:
    """Retry a failed execution: from its failed step (same execution), or from the start
    as a new execution linked to this one by `retryOf`.

    Raises:
        NotFound: no such execution.
        FailedPrecondition: the execution has not failed.
    """
    from google.cloud import firestore

    ref = execution_ref(rt.db, uid, command.execution_id)

    retry_id = hashlib.sha256(f"{command.execution_id}:from-start".encode()).hexdigest()[:20]

    @firestore.transactional
    def reopen(transaction: Any) -> dict[str, Any]:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            raise NotFound("No such execution.", details={"field": "executionId"})
        execution = snapshot.to_dict() or {}
        if command.from_start and execution.get("retriedAs"):
            return execution  # retried from the start before: the same new execution
        if execution["status"] != "failed":
            raise FailedPrecondition("Only a failed execution can be retried.")
        if command.from_start:
            transaction.update(ref, {"retriedAs": retry_id})
        else:
            failed = [n for n, step in execution["steps"].items() if step["status"] == "failed"]
            update: dict[str, Any] = {
                "status": "running",
                "error": None,
                "finishedAt": None,
                "generation": firestore.Increment(1),
            }
            for node_id in failed:
                update[f"{step_key(node_id)}.status"] = "queued"
                update[f"{step_key(node_id)}.dueAt"] = now
            transaction.update(ref, update)
        return execution

    execution = reopen(rt.db.transaction())
    if command.from_start:
        # One new execution per failed one, under an id derived from it: a repeated
        # call (a double click, a retried request) finds it instead of making another.
        return start_execution(
            rt=rt,
            uid=uid,
            command=RunWorkflow(workflow_id=execution["workflowId"], input=execution["input"]),
            trigger={**execution["trigger"], "retryOf": command.execution_id},
            now=now,
            execution_id=execution.get("retriedAs") or retry_id,
        )
    generation = f"retry-{execution.get('generation', 0) + 1}"
    failed_steps = [
        (node_id, int(step.get("attempts", 0)) + 1, None)
        for node_id, step in execution["steps"].items()
        if step["status"] == "failed"
    ]
    enqueue_steps(rt, uid, command.execution_id, failed_steps, generation)
    return RunWorkflowResult(execution_id=command.execution_id)

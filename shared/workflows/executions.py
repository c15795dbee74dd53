"""Durable executions: each step runs as its own Cloud Task, claimed with a create.

An execution at `users/{uid}/executions/{eid}` names the workflow version it runs (the
definition is read from `workflows/{wid}/versions/{v}`) and keeps a `steps` map with one
entry per node:

    waiting -> queued -> running -> succeeded | failed
    waiting -> skipped                       (on a branch a condition did not take)

`start_execution` queues the entry nodes. `run_step` claims a step by creating
`claims/{node}.{attempt}` in one batch with the step's `running` mark (a duplicate
delivery finds the claim, and neither is written), runs the node, and settles it: one
atomic batch records the result, counts it in `doneCount`, and passes it on. A successor
with this one predecessor needs no join: the batch creates its gate `claims/{node}.gate`
and marks it queued (or skipped, which propagates). A successor with several predecessors
(a join) gets the arrival in `joins/{node}` with an ArrayUnion; the predecessor that reads
the last arrival creates the gate and queues (or skips) it, so a join runs once. The
increment's result in the commit says whether this was the last node: that one finishes
the execution, in a transaction that leaves a cancel or failure as it is.
No transactions on the hot path: parallel branches finishing together would contend for
the execution document. Tasks are enqueued under names derived from (execution, node,
attempt), so enqueueing twice is refused. Pausing, resuming, cancelling and retrying are
in `control`; repairing what lost its task, in `sweeper`. The cost of a step, and what
each operation buys, is in docs/workflows.md ("Cost per step").
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared import registry
from shared.errors import FailedPrecondition, NotFound, ResourceExhausted
from shared.platform import logs
from shared.platform.cloud_tasks import Enqueuer, task_name
from shared.validation import Command, NotStorable, Public, check_storable, storable
from shared.workflows.graph import Graph
from shared.workflows.models import Node, WorkflowDoc, WorkflowId
from shared.workflows.nodes import RUNNERS, NodeContext, NodeFailed, NodeResult
from shared.workflows.repository import execution_ref, executions_of, version_ref, workflow_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

    from shared.ai.gateway import Gateway

STEP_QUEUE = "runstep"
MAX_OUTPUT_CHARS = 10_000
# An execution is one document (1 MiB at most): input, outputs and bookkeeping must fit.
# The definition is not copied into it (see `snapshot_ref`).
MAX_INPUT_BYTES = 65_536
# Step outputs together; parallel steps each check the budget as they start, so it can be
# passed by what the steps in flight add (at most runstep's 50 concurrent dispatches x 10 KB).
MAX_TOTAL_OUTPUT_BYTES = 262_144
MAX_FINAL_OUTPUT_BYTES = 65_536  # `output`: the sinks' outputs, copied once more
# Per user, whatever starts the runs (manual, webhook, schedule, events, changes).
MAX_ACTIVE_EXECUTIONS_PER_USER = 25
MAX_STARTS_PER_MINUTE = 60
TRUNCATED = "…[truncated]"
ENDED = frozenset({"succeeded", "failed", "cancelled"})
ACTIVE = ("queued", "running", "paused")


class RunWorkflow(Command):
    workflow_id: WorkflowId
    input: Annotated[dict[str, Any], storable(MAX_INPUT_BYTES)] = Field(default_factory=dict)


class RunWorkflowResult(Public):
    execution_id: str


class StepTask(BaseModel):
    """The Cloud Tasks payload of one step: ids only (payloads stay far below 100 KB)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str = Field(min_length=1, max_length=128)
    execution_id: str = Field(min_length=1, max_length=128)
    node_id: str = Field(min_length=1, max_length=64)
    attempt: int = Field(ge=1, le=100)


@dataclass
class WorkflowServices:
    """What steps need from the outside world, injected by the adapter."""

    db: Client
    enqueuer: Enqueuer
    gateway: Callable[[], Gateway]
    publish: Callable[[Any], None]
    allow_private_urls: bool = False


_SNAPSHOTS: OrderedDict[str, dict[str, Any]] = OrderedDict()
_SNAPSHOTS_LOCK = threading.Lock()
SNAPSHOT_CACHE_SIZE = 64


def definition_of(db: Client, uid: str, execution: dict[str, Any]) -> dict[str, Any] | None:
    """The definition an execution runs: its workflow version's snapshot (cached per
    instance: a version never changes), or None when it is gone."""
    if "definition" in execution:  # recorded before definitions were snapshotted
        embedded: dict[str, Any] = execution["definition"]
        return embedded
    ref = version_ref(db, uid, execution["workflowId"], int(execution["workflowVersion"]))
    with _SNAPSHOTS_LOCK:
        if ref.path in _SNAPSHOTS:
            _SNAPSHOTS.move_to_end(ref.path)
            return _SNAPSHOTS[ref.path]
    snapshot = ref.get()
    if not snapshot.exists:
        return None
    definition = snapshot.to_dict() or {}
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[ref.path] = definition
        while len(_SNAPSHOTS) > SNAPSHOT_CACHE_SIZE:
            _SNAPSHOTS.popitem(last=False)
    return definition


def truncate(value: Any, budget: int = MAX_OUTPUT_CHARS, *, ceiling: int = MAX_OUTPUT_CHARS) -> Any:
    """A step output as stored in the execution document: the value itself when Firestore
    can store it within `budget` bytes (at most MAX_OUTPUT_CHARS), else its JSON text cut
    to the budget with a marker (also for values Firestore refuses: nested arrays, deep
    nesting, int64 overflow, reserved keys), so recording a step can never fail on it."""
    budget = max(0, min(budget, ceiling))
    try:
        check_storable(value, max_bytes=budget)
    except NotStorable:
        pass
    else:
        return value
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (ValueError, RecursionError):
        text = repr(value)[: budget + 1]
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # no lone surrogates
    return text[:budget] + TRUNCATED


def outputs_size(steps: dict[str, Any]) -> int:
    """Bytes the recorded step outputs take, about (the execution's output budget)."""
    total = 0
    for step in steps.values():
        output = step.get("output")
        if output is None:
            continue
        try:
            total += check_storable(output, max_bytes=MAX_TOTAL_OUTPUT_BYTES)
        except NotStorable:
            total += MAX_OUTPUT_CHARS
    return total


def start_execution(
    *,
    rt: WorkflowServices,
    uid: str,
    command: RunWorkflow,
    trigger: dict[str, Any],
    now: datetime,
    execution_id: str | None = None,
) -> RunWorkflowResult:
    """Create the execution and queue its entry nodes.

    Raises:
        NotFound: no such workflow (or someone else's).
        FailedPrecondition: the workflow is archived.
        ResourceExhausted: the workflow already has its maximum of executions running.
    """
    from google.api_core.exceptions import AlreadyExists

    snapshot = workflow_ref(rt.db, uid, command.workflow_id).get()
    if not snapshot.exists:
        raise NotFound("No such workflow.", details={"field": "workflowId"})
    workflow = WorkflowDoc.model_validate(snapshot.to_dict())
    if workflow.status == "archived":
        raise FailedPrecondition("This workflow is archived; set it to active to run it.")
    executions = executions_of(rt.db, uid)
    ref = executions.document(execution_id) if execution_id else executions.document()
    try:
        _check_limits(executions, command.workflow_id, workflow, now)
    except ResourceExhausted:
        if execution_id and ref.get().exists:
            return RunWorkflowResult(execution_id=ref.id)  # a redelivery of a started run
        raise
    definition = workflow.to_firestore()
    graph = Graph.of(definition)
    entries = graph.entries()
    steps = {
        node_id: (
            {"status": "queued", "attempts": 0, "dueAt": now}
            if node_id in entries
            else {"status": "waiting", "attempts": 0}
        )
        for node_id in graph.nodes
    }
    doc = {
        "workflowId": command.workflow_id,
        "workflowVersion": workflow.version,
        "workflowName": workflow.name,
        "status": "queued",
        "trigger": trigger,
        "input": command.input,
        "output": None,
        "steps": steps,
        "correlationId": ref.id,
        "stepCount": 0,
        "doneCount": 0,
        "startedAt": now,
        "finishedAt": None,
        "error": None,
    }
    if "retryOf" in trigger:
        doc["retryOf"] = trigger["retryOf"]
    try:
        ref.create(doc)
    except AlreadyExists:
        return RunWorkflowResult(execution_id=ref.id)  # started before (same trigger id)
    log_line(
        rt.db,
        uid,
        ref.id,
        now=now,
        node_id=None,
        level="info",
        message=f"started by {trigger.get('type', 'manual')}",
    )
    enqueue_steps(rt, uid, ref.id, [(node_id, 1, None) for node_id in entries])
    return RunWorkflowResult(execution_id=ref.id)


def _check_limits(executions: Any, workflow_id: str, workflow: WorkflowDoc, now: datetime) -> None:
    """The per-workflow and per-user limits on starting a run (count queries: one read
    per 1,000 entries counted). Not transactional: two starts racing for the last slot
    may both pass, so a limit can be passed by the number of concurrent starts.

    Raises:
        ResourceExhausted: which limit, and what to do.
    """
    from google.cloud.firestore import FieldFilter

    active = executions.where(filter=FieldFilter("status", "in", list(ACTIVE)))
    per_workflow = workflow.settings.max_concurrent_executions
    if _count(active.where(filter=FieldFilter("workflowId", "==", workflow_id))) >= per_workflow:
        raise ResourceExhausted(
            f"This workflow already has {per_workflow} executions running; wait for one to finish.",
            details={"limit": "executionsPerWorkflow", "max": per_workflow},
        )
    if _count(active) >= MAX_ACTIVE_EXECUTIONS_PER_USER:
        raise ResourceExhausted(
            f"You already have {MAX_ACTIVE_EXECUTIONS_PER_USER} workflow executions running; "
            "wait for some to finish.",
            details={"limit": "activeExecutions", "max": MAX_ACTIVE_EXECUTIONS_PER_USER},
        )
    recent = executions.where(filter=FieldFilter("startedAt", ">", now - timedelta(minutes=1)))
    if _count(recent) >= MAX_STARTS_PER_MINUTE:
        raise ResourceExhausted(
            f"More than {MAX_STARTS_PER_MINUTE} workflow executions started in the last "
            "minute; wait a minute.",
            details={"limit": "startsPerMinute", "max": MAX_STARTS_PER_MINUTE},
        )


def _count(query: Any) -> int:
    result = query.count().get()
    return int(result[0][0].value)


def enqueue_steps(
    rt: WorkflowServices,
    uid: str,
    eid: str,
    steps: Iterable[tuple[str, int, datetime | None]],
    generation: str = "",
) -> None:
    """Queue steps; `generation` distinguishes a resume or retry from the first try."""
    for node_id, attempt, at in steps:
        payload = StepTask(uid=uid, execution_id=eid, node_id=node_id, attempt=attempt)
        rt.enqueuer.enqueue(
            STEP_QUEUE,
            payload.model_dump(),
            name=task_name(eid, node_id, str(attempt), generation),
            at=at,
        )


def log_entry(
    *,
    now: datetime,
    node_id: str | None,
    level: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A line of an execution's `logs/` (what the run page lists)."""
    return {"time": now, "nodeId": node_id, "level": level, "message": message[:1000], "data": data}


def log_line(
    db: Client,
    uid: str,
    eid: str,
    *,
    now: datetime,
    node_id: str | None,
    level: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> None:
    execution_ref(db, uid, eid).collection("logs").add(
        log_entry(now=now, node_id=node_id, level=level, message=message, data=data)
    )


# Node types whose runner hands the user's plan to the AI gateway (its quotas): only
# their steps read the profile; any other step runs with the most restrictive plan, which
# it never looks at (tests/unit/test_engine_plan.py checks the runners against this set).
PLAN_NODE_TYPES = frozenset({"ai", "decision"})


def run_step(*, rt: WorkflowServices, task: StepTask, now: Callable[[], datetime]) -> str:  # noqa: PLR0911
    """Claim, run and record one step. Returns what happened (for logs and tests):
    "ran", "duplicate", "not-found", "ended" (execution finished) or "paused"."""
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    ref = execution_ref(rt.db, task.uid, task.execution_id)
    snapshot = ref.get()
    if not snapshot.exists:
        return "not-found"
    execution = snapshot.to_dict() or {}
    if execution["status"] in ENDED:
        return "ended"
    if execution["status"] == "paused":
        return "paused"
    definition = definition_of(rt.db, task.uid, execution)
    if definition is None:
        fail_execution(rt.db, ref, now(), None, "the workflow version it runs is gone")
        return "ended"
    settings = definition["settings"]
    if execution["stepCount"] >= settings["maxSteps"]:
        fail_execution(rt.db, ref, now(), None, f"more than {settings['maxSteps']} steps")
        return "ended"
    if now() > execution["startedAt"] + timedelta(seconds=settings["deadlineSeconds"]):
        fail_execution(rt.db, ref, now(), None, "the execution passed its deadline")
        return "ended"
    # The claim, one document per (node, attempt) created once, and the running mark in
    # one atomic batch: a duplicate delivery writes neither, and a step is never claimed
    # without being marked running.
    key = step_key(task.node_id)
    claim = rt.db.batch()
    claim.create(ref.collection("claims").document(f"{task.node_id}.{task.attempt}"), {"at": now()})
    claim.update(
        ref,
        {
            f"{key}.status": "running",
            f"{key}.attempts": task.attempt,
            f"{key}.startedAt": now(),
            "stepCount": firestore.Increment(1),
        },
    )
    try:
        claim.commit()
    except AlreadyExists:
        return "duplicate"
    if execution["status"] == "queued":
        _mark_running(rt.db, ref)
    graph = Graph.of(definition)
    node = graph.nodes[task.node_id]
    result: NodeResult | None = None
    failure: NodeFailed | None = None
    try:
        result = RUNNERS[node.type](
            node, _context(rt, task, execution, definition, node=node, now=now())
        )
    except NodeFailed as exc:
        failure = exc
    except Exception as exc:
        logs.error("node crashed", nodeId=node.id, error=f"{type(exc).__name__}: {exc}"[:500])
        failure = NodeFailed(f"{type(exc).__name__}: {exc}"[:500])
    run = Run(rt=rt, ref=ref, graph=graph, uid=task.uid, eid=task.execution_id, now=now)
    _record(
        run,
        node,
        attempt=task.attempt,
        result=result,
        failure=failure,
        output_budget=MAX_TOTAL_OUTPUT_BYTES - outputs_size(execution["steps"]),
    )
    return "ran"


def _context(
    rt: WorkflowServices,
    task: StepTask,
    execution: dict[str, Any],
    definition: dict[str, Any],
    *,
    node: Node,
    now: datetime,
) -> NodeContext:
    outputs = {
        node_id: {"output": step.get("output"), "status": step["status"]}
        for node_id, step in execution["steps"].items()
    }
    plan = "free"
    if node.type in PLAN_NODE_TYPES:
        profile = registry.profile_ref(rt.db, task.uid).get().to_dict() or {}
        plan = str(profile.get("plan", "free"))
    return NodeContext(
        uid=task.uid,
        execution_id=task.execution_id,
        correlation_id=execution["correlationId"],
        plan=plan,
        scope={
            "input": execution["input"],
            "vars": definition["variables"],
            "nodes": outputs,
            "trigger": execution["trigger"],
            "execution": {"id": task.execution_id, "workflowId": execution["workflowId"]},
        },
        db=rt.db,
        now=now,
        gateway=rt.gateway,
        publish=rt.publish,
        allow_private_urls=rt.allow_private_urls,
    )


def step_key(node_id: str) -> str:
    return f"steps.`{node_id}`"


@dataclass(frozen=True)
class Run:
    """One execution as a step finishing in it sees it: where it is and what it runs."""

    rt: WorkflowServices
    ref: DocumentReference
    graph: Graph
    uid: str
    eid: str
    now: Callable[[], datetime]


def _record(
    run: Run,
    node: Node,
    *,
    attempt: int,
    result: NodeResult | None,
    failure: NodeFailed | None,
    output_budget: int = MAX_OUTPUT_CHARS,
) -> None:
    """Write the step's result and pass it on to its successors (`_settle`).

    No transactions: parallel branches would contend for the execution document. Field
    updates do not conflict, and a join is decided by arrivals (`complete_join`). The
    output is cut to what is left of the execution's output budget; should Firestore
    still refuse the write (the document would pass 1 MiB), the step and the run fail
    instead, so a step is never left `running` for the sweeper to run again with its
    side effects.
    A success is logged by the step's own fields (status, attempts, times); a failure
    also gets a line in `logs/`, written in the same batch.
    """
    from google.api_core.exceptions import InvalidArgument as Refused

    ref = run.ref
    key = step_key(node.id)
    finished = run.now()
    failed_line = (
        log_entry(
            now=finished,
            node_id=node.id,
            level="error",
            message=f"{node.type} failed (attempt {attempt}): {failure}",
        )
        if failure is not None
        else None
    )
    if failure is not None and failure.retryable and attempt < node.retry.attempts:
        delay = node.retry.backoff_seconds * 2 ** (attempt - 1)
        retry_at = finished + timedelta(seconds=delay)
        _write(
            run,
            {
                f"{key}.status": "queued",
                f"{key}.error": str(failure)[:1000],
                f"{key}.dueAt": retry_at,
            },
            failed_line,
        )
        enqueue_steps(run.rt, run.uid, run.eid, [(node.id, attempt + 1, retry_at)])
        return
    if failure is not None and not node.continue_on_error:
        _write(
            run,
            {
                f"{key}.status": "failed",
                f"{key}.error": str(failure)[:1000],
                f"{key}.finishedAt": finished,
            },
            failed_line,
        )
        fail_execution(run.rt.db, ref, finished, node.id, str(failure))
        return
    update: dict[str, Any] = {
        f"{key}.status": "failed" if failure else "succeeded",
        f"{key}.output": truncate(result.output, output_budget) if result else None,
        f"{key}.error": str(failure)[:1000] if failure else None,
        f"{key}.finishedAt": finished,
    }
    branch = result.branch if result else None
    if branch is not None:
        update[f"{key}.branch"] = branch
    at = result.wait_until if result else None
    try:
        _settle(run, node.id, branch=branch, at=at, fields=update, line=failed_line)
    except (Refused, ValueError) as exc:
        reason = f"the step's result could not be stored: {exc}"[:1000]
        logs.error("step result refused", nodeId=node.id, error=reason)
        _write(
            run,
            {f"{key}.status": "failed", f"{key}.error": reason, f"{key}.finishedAt": finished},
            log_entry(now=finished, node_id=node.id, level="error", message=reason),
        )
        fail_execution(run.rt.db, ref, finished, node.id, reason)


def _write(run: Run, fields: dict[str, Any], line: dict[str, Any] | None) -> None:
    """Update the execution, with a log line in the same batch when there is one."""
    if line is None:
        run.ref.update(fields)
        return
    batch = run.rt.db.batch()
    batch.update(run.ref, fields)
    batch.create(run.ref.collection("logs").document(), line)
    batch.commit()


def _settle(
    run: Run,
    node_id: str,
    *,
    branch: str | None,
    at: datetime | None,
    fields: dict[str, Any],
    skipped: bool = False,
    gate: str | None = None,
    line: dict[str, Any] | None = None,
) -> bool:
    """`node_id` finished on `branch` (or is skipped): store `fields` (its result) and
    everything that decides on its own, in one atomic batch (see `Graph.settle`):

    * `doneCount` goes up by one for it and one for each successor its skip reaches;
    * each successor it alone leads to gets its gate `claims/{node}.gate` and is marked
      queued (or skipped);
    * each join it leads to gets its arrival (`live` or `dead`) in `joins/{node}`.

    Then it finishes the execution if the count reached every node, queues the successors
    it marked, and settles any join whose arrivals are all in (`complete_join`).

    `gate` is the join being skipped, whose gate is created in the same batch: when two
    predecessors see its last arrival together, one batch fails and writes nothing. A
    successor's gate that already exists means this node settled before (the sweeper ran
    a step again that had not died after all): the result is stored, nothing is counted
    or queued twice. Returns whether this call stored the settlement.
    """
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    ref, graph, now = run.ref, run.graph, run.now()
    settlement = graph.settle(node_id, branch, skipped=skipped)
    claims = ref.collection("claims")
    batch = run.rt.db.batch()
    gates = ([gate] if gate else []) + settlement.queued + settlement.skipped
    for target in gates:
        batch.create(claims.document(f"{target}.gate"), {"at": now})
    update = dict(fields)
    for target in settlement.queued:
        update[f"{step_key(target)}.status"] = "queued"
        update[f"{step_key(target)}.dueAt"] = at or now
    for target in settlement.skipped:
        update[f"{step_key(target)}.status"] = "skipped"
    update["doneCount"] = firestore.Increment(1 + len(settlement.skipped))
    batch.update(ref, update)  # its only transform: the commit returns the new count
    for target, arrival in settlement.arrivals.items():
        joined = {
            side: firestore.ArrayUnion(sources) for side, sources in arrival.items() if sources
        }
        batch.set(ref.collection("joins").document(target), joined, merge=True)
    if line is not None:
        batch.create(ref.collection("logs").document(), line)
    try:
        written = batch.commit()
    except AlreadyExists:
        if gate is None:  # this node settled before: keep its result, count nothing twice
            _write(run, fields, line)
        return False  # else another predecessor settled this join
    done = written[len(gates)].transform_results[0].integer_value
    if done >= len(graph.nodes):
        finish(run)
        return True
    enqueue_steps(run.rt, run.uid, run.eid, [(target, 1, at) for target in settlement.queued])
    for target in settlement.arrivals:
        complete_join(run, target, at=at)
    return True


def complete_join(run: Run, target: str, *, at: datetime | None) -> bool:
    """Queue (any live arrival) or skip (all dead) the join `target` once every one of its
    predecessors has arrived. Each predecessor reads the arrivals after storing its own,
    so the last one to store sees them all; a gate created in the same batch as the
    queued or skipped mark makes that happen once when two see it together. Returns
    whether this call settled it."""
    from google.api_core.exceptions import AlreadyExists

    ref, graph, now = run.ref, run.graph, run.now()
    arrived = ref.collection("joins").document(target).get().to_dict() or {}
    live_from, dead_from = set(arrived.get("live", [])), set(arrived.get("dead", []))
    if not graph.predecessors(target) <= live_from | dead_from:
        return False
    if not live_from:
        return _settle(
            run,
            target,
            branch=None,
            at=None,
            fields={f"{step_key(target)}.status": "skipped"},
            skipped=True,
            gate=target,
        )
    batch = run.rt.db.batch()
    batch.create(ref.collection("claims").document(f"{target}.gate"), {"at": now})
    batch.update(
        ref, {f"{step_key(target)}.status": "queued", f"{step_key(target)}.dueAt": at or now}
    )
    try:
        batch.commit()
    except AlreadyExists:
        return False  # another predecessor settled it
    enqueue_steps(run.rt, run.uid, run.eid, [(target, 1, at)])
    return True


def finish(run: Run) -> None:
    """Every node is finished or skipped: the execution succeeds with its sinks' outputs,
    unless it ended meanwhile (a cancel must stay a cancel). Run by the one step whose
    count reached every node (or by the sweeper, when that step died before it); the
    transaction makes it happen once."""
    from google.cloud import firestore

    ref, graph, now = run.ref, run.graph, run.now

    @firestore.transactional
    def finish(transaction: Any) -> None:
        execution = ref.get(transaction=transaction).to_dict() or {}
        if execution.get("status") in ENDED:
            return
        steps = execution["steps"]
        transaction.update(
            ref,
            {
                "status": "succeeded",
                "finishedAt": now(),
                "output": truncate(
                    {
                        n: steps[n].get("output")
                        for n in graph.sinks()
                        if steps[n]["status"] == "succeeded"
                    },
                    MAX_FINAL_OUTPUT_BYTES,
                    ceiling=MAX_FINAL_OUTPUT_BYTES,
                ),
            },
        )

    finish(run.rt.db.transaction())


def fail_execution(
    db: Client, ref: DocumentReference, now: datetime, node_id: str | None, reason: str
) -> None:
    """Fail the execution unless it already ended (a cancel must stay a cancel)."""
    from google.cloud import firestore

    @firestore.transactional
    def fail(transaction: Any) -> None:
        status = (ref.get(transaction=transaction).to_dict() or {}).get("status")
        if status in ENDED:
            return
        transaction.update(
            ref,
            {
                "status": "failed",
                "finishedAt": now,
                "error": {"nodeId": node_id, "message": reason[:1000]},
            },
        )

    fail(db.transaction())


def _mark_running(db: Client, ref: DocumentReference) -> None:
    """queued -> running, only from queued (a pause or cancel in between wins)."""
    from google.cloud import firestore

    @firestore.transactional
    def flip(transaction: Any) -> None:
        if (ref.get(transaction=transaction).to_dict() or {}).get("status") == "queued":
            transaction.update(ref, {"status": "running"})

    flip(db.transaction())


def later(due: datetime | None, now: datetime) -> datetime | None:
    """`due` if it is still ahead, else None (now)."""
    return due if due is not None and due > now else None

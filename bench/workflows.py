"""Workflow figures, run against a live local stack (see bench/run.py).

* per-step overhead of a 20-step linear chain and of a 20-branch fan-out/fan-in of
  `transform` steps (node work is microseconds, so what is measured is the machinery:
  enqueue -> running -> finished, through the Tasks emulator, the clock and the Functions
  emulator), against one bare function round trip (`health`) in the same run;
* Firestore reads and writes per step, counted at the RPC level with the step runner
  in-process (tasks drained by the bench instead of Cloud Tasks).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.chat import Counting
from shared.platform import clients
from shared.workflows import executions, repository
from shared.workflows.executions import RunWorkflow, StepTask, start_execution
from tests.support import emulators as emu
from tests.support.workflows import held_runtime

STEPS = 20
BASELINE_CALLS = 20


def _node(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "type": "transform", "config": {"template": f"{node_id} ok"}}


def linear() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    nodes = [_node(f"s{i}") for i in range(STEPS)]
    edges = [{"from": f"s{i}", "to": f"s{i + 1}"} for i in range(STEPS - 1)]
    return nodes, edges


def fan_out() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    branches = [f"b{i}" for i in range(STEPS)]
    nodes = [_node("start"), *(_node(b) for b in branches), _node("join")]
    edges = [{"from": "start", "to": b} for b in branches]
    edges += [{"from": b, "to": "join"} for b in branches]
    return nodes, edges


def _save(user: emu.User, name: str, graph: tuple[list[Any], list[Any]]) -> str:
    nodes, edges = graph
    result = emu.call(
        "save_workflow",
        {
            "name": name,
            "status": "active",
            "nodes": nodes,
            "edges": edges,
            "settings": {"maxConcurrentExecutions": 5},
        },
        user.id_token,
    )
    assert result.status == "OK", result.error
    return str(result.result["id"])


def _run_to_end(user: emu.User, wid: str) -> dict[str, Any]:
    result = emu.call("run_workflow", {"workflowId": wid}, user.id_token)
    assert result.status == "OK", result.error
    ref = repository.execution_ref(clients.get_db(), user.uid, result.result["executionId"])

    def ended() -> dict[str, Any] | None:
        doc = ref.get().to_dict() or {}
        return doc if doc.get("status") in executions.ENDED else None

    done: dict[str, Any] = emu.wait_for(ended, timeout=300, interval=0.2)
    assert done["status"] == "succeeded", done.get("error")
    return done


def _per_step(done: dict[str, Any]) -> dict[str, float]:
    steps = done["steps"].values()
    queue_ms = [(s["startedAt"] - s["dueAt"]).total_seconds() * 1000 for s in steps]
    run_ms = [(s["finishedAt"] - s["startedAt"]).total_seconds() * 1000 for s in steps]
    wall_s = (done["finishedAt"] - done["startedAt"]).total_seconds()
    return {
        "steps": len(done["steps"]),
        "wall_s": wall_s,
        "wall_ms_per_step": wall_s * 1000 / len(done["steps"]),
        "queued_to_running_ms_p50": statistics.median(queue_ms),
        "running_to_finished_ms_p50": statistics.median(run_ms),
    }


def step_overhead(user: emu.User) -> dict[str, Any]:
    def health_ms() -> float:
        started = time.perf_counter()
        emu.session.get(f"{emu.FUNCTIONS}/health", timeout=30).raise_for_status()
        return (time.perf_counter() - started) * 1000

    chain, fan = _save(user, "bench linear", linear()), _save(user, "bench fan", fan_out())
    # Warm up: the Functions emulator starts a Python worker per concurrent request, so a
    # first fan-out pays ~20 cold starts; measure the steady state.
    _run_to_end(user, chain)
    _run_to_end(user, fan)
    base = [health_ms() for _ in range(BASELINE_CALLS)]
    results = {"linear": _per_step(_run_to_end(user, chain))}
    base += [health_ms() for _ in range(BASELINE_CALLS)]
    results["fan_out"] = _per_step(_run_to_end(user, fan))
    base += [health_ms() for _ in range(BASELINE_CALLS)]
    baseline = statistics.median(base)
    for figures in results.values():
        figures["ratio_to_call"] = figures["wall_ms_per_step"] / baseline
    return {**results, "function_call_ms_p50": baseline}


def operations_per_step(user: emu.User) -> dict[str, float]:
    """Reads and writes per step of the chain and of the fan-out/in, run in-process step
    by step: everything from the first step to the finish (the start is not counted)."""
    out: dict[str, float] = {}
    for name, graph in (("linear", linear()), ("fan_out", fan_out())):
        wid = _save(user, f"ops {name}", graph)
        rt, enqueuer = held_runtime()
        counter = Counting(rt.db)
        started = start_execution(
            rt=rt,
            uid=user.uid,
            command=RunWorkflow(workflow_id=wid),
            trigger={"type": "manual"},
            now=datetime.now(UTC),
        )
        reads, writes = counter.reads, counter.writes
        ran = 0
        while enqueuer.tasks:
            task = StepTask.model_validate(enqueuer.tasks.pop(0).payload)
            assert executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC)) == "ran"
            ran += 1
        # Counted before the check below reads the execution (the bench's read, not a step's).
        out[f"{name}_reads_per_step"] = (counter.reads - reads) / ran
        out[f"{name}_writes_per_step"] = (counter.writes - writes) / ran
        doc = repository.execution_ref(rt.db, user.uid, started.execution_id).get().to_dict()
        assert doc is not None
        assert doc["status"] == "succeeded", doc
    return out

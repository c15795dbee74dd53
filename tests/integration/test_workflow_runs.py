"""Durable executions through the real Tasks, Functions and Firestore emulators."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.platform import clients
from shared.platform.cloud_tasks import Enqueuer
from shared.workflows import control, executions
from shared.workflows.executions import StepTask, WorkflowServices
from tests.support import emulators as emu
from tests.support.workflows import RecordingEnqueuer, held_runtime

pytestmark = pytest.mark.usefixtures("standin")


def save(user: emu.User, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    result = emu.call(
        "save_workflow",
        {
            "name": "test flow",
            "status": "active",
            "nodes": nodes,
            "edges": edges,
            "triggers": [{"type": "manual"}],
        },
        user.id_token,
    )
    assert result.status == "OK", result.error
    return str(result.result["id"])


def run(user: emu.User, workflow_id: str, data: dict[str, Any] | None = None) -> str:
    result = emu.call(
        "run_workflow", {"workflowId": workflow_id, "input": data or {}}, user.id_token
    )
    assert result.status == "OK", result.error
    return str(result.result["executionId"])


def execution(user: emu.User, eid: str) -> dict[str, Any]:
    return clients.get_db().document(f"users/{user.uid}/executions/{eid}").get().to_dict() or {}


def ended(user: emu.User, eid: str, timeout: float = 45) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        doc = execution(user, eid)
        return doc if doc.get("status") in {"succeeded", "failed", "cancelled"} else None

    result: dict[str, Any] = emu.wait_for(done, timeout=timeout, interval=0.2)
    return result


def notifications(user: emu.User) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{user.uid}/notifications").stream()
    return [d.to_dict() for d in docs]


def node(node_id: str, type_: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "type": type_, "config": config}


def test_transform_condition_notify_takes_one_branch(user: emu.User) -> None:
    wid = save(
        user,
        [
            node("label", "transform", template="order of {{ input.amount }}"),
            node(
                "size",
                "condition",
                cases=[{"branch": "big", "when": "input.amount > 100"}],
                default="small",
            ),
            node("tellBig", "notify", title="Big order", body="{{ nodes.label.output }}"),
            node("tellSmall", "notify", title="Small order", body="{{ nodes.label.output }}"),
        ],
        [
            {"from": "label", "to": "size"},
            {"from": "size", "to": "tellBig", "branch": "big"},
            {"from": "size", "to": "tellSmall", "branch": "small"},
        ],
    )
    done = ended(user, run(user, wid, {"amount": 150}))

    assert done["status"] == "succeeded", done.get("error")
    steps = done["steps"]
    assert steps["label"]["output"] == "order of 150"
    assert steps["size"]["branch"] == "big"
    assert steps["tellBig"]["status"] == "succeeded"
    assert steps["tellSmall"]["status"] == "skipped"
    assert steps["tellSmall"]["attempts"] == 0
    assert [(n["title"], n["body"]) for n in notifications(user)] == [("Big order", "order of 150")]
    assert set(done["output"]) == {"tellBig"}


def test_fan_out_of_ten_joins_exactly_once(user: emu.User) -> None:
    branches = [f"b{i}" for i in range(10)]
    nodes = [node("start", "transform", template="go")]
    nodes += [node(b, "transform", template=f"{b} done") for b in branches]
    nodes.append(node("join", "notify", title="joined", body="{{ nodes.b7.output }}"))
    edges = [{"from": "start", "to": b} for b in branches]
    edges += [{"from": b, "to": "join"} for b in branches]
    eid = run(user, save(user, nodes, edges))
    done = ended(user, eid, timeout=90)

    assert done["status"] == "succeeded", done.get("error")
    assert done["steps"]["join"]["attempts"] == 1
    assert all(done["steps"][b]["status"] == "succeeded" for b in branches)
    assert len(notifications(user)) == 1
    claims = clients.get_db().collection(f"users/{user.uid}/executions/{eid}/claims").stream()
    join_claims = sorted(claim.id for claim in claims if claim.id.startswith("join."))
    assert join_claims == ["join.1", "join.gate"]  # gated once, claimed (run) once


def test_a_delay_schedules_its_successor_instead_of_sleeping(user: emu.User) -> None:
    wid = save(
        user,
        [
            node("wait", "delay", seconds=5),
            node("after", "notify", title="later", body="after the wait"),
        ],
        [{"from": "wait", "to": "after"}],
    )
    eid = run(user, wid)
    waited = emu.wait_for(lambda: execution(user, eid)["steps"]["wait"].get("output"))
    until = datetime.fromisoformat(waited["until"])
    # While the delay runs, the successor's task waits in the local clock until `until`.
    assert emu.wait_for(
        lambda: any(
            t["queue"] == "runstep" and datetime.fromisoformat(t["eta"]) == until
            for t in emu.clock_state()["held"]
        ),
        timeout=4,
    )
    done = ended(user, eid)

    assert done["status"] == "succeeded", done.get("error")
    wait, after = done["steps"]["wait"], done["steps"]["after"]
    # The delay step returned at once; its successor started no earlier than the delay.
    assert (wait["finishedAt"] - wait["startedAt"]).total_seconds() < 5
    assert after["startedAt"] >= until


def test_a_step_delivered_twice_runs_once(user: emu.User) -> None:
    wid = save(user, [node("only", "notify", title="once", body="just once")], [])
    eid = run(user, wid)
    assert ended(user, eid)["status"] == "succeeded"
    enqueuer: Enqueuer = RecordingEnqueuer()
    rt = WorkflowServices(
        db=clients.get_db(),
        enqueuer=enqueuer,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=lambda envelope: None,
    )

    again = executions.run_step(
        rt=rt,
        task=StepTask(uid=user.uid, execution_id=eid, node_id="only", attempt=1),
        now=lambda: datetime.now(UTC),
    )

    assert again == "ended"
    assert len(notifications(user)) == 1
    assert enqueuer.calls == []  # type: ignore[attr-defined]


class FlakyServer:
    """A local HTTP server that fails `failures` times, then answers JSON."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                ok = outer.hits > outer.failures
                body = b'{"ok": true}' if ok else b"broken"
                self.send_response(200 if ok else 500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/data"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[FlakyServer]:
    server = FlakyServer(failures=100)
    yield server
    server.close()


def http_node(url: str, **extra: Any) -> dict[str, Any]:
    return {
        **node("fetch", "http", url=url),
        "retry": {"attempts": 3, "backoffSeconds": 1},
        **extra,
    }


def test_http_step_is_retried_per_policy_then_fails_the_execution(
    user: emu.User, flaky: FlakyServer
) -> None:
    wid = save(
        user,
        [http_node(flaky.url), node("after", "notify", title="never", body="x")],
        [{"from": "fetch", "to": "after"}],
    )
    done = ended(user, run(user, wid), timeout=60)

    assert done["status"] == "failed"
    assert done["error"]["nodeId"] == "fetch"
    assert "HTTP 500" in done["error"]["message"]
    assert done["steps"]["fetch"]["attempts"] == 3
    assert flaky.hits == 3
    assert done["steps"]["after"]["status"] == "waiting"
    assert notifications(user) == []


def test_http_step_succeeds_after_transient_failures(user: emu.User, flaky: FlakyServer) -> None:
    flaky.failures = 2
    wid = save(user, [http_node(flaky.url)], [])
    done = ended(user, run(user, wid), timeout=60)

    assert done["status"] == "succeeded", done.get("error")
    assert done["steps"]["fetch"]["output"] == {"status": 200, "body": {"ok": True}}
    assert done["steps"]["fetch"]["attempts"] == 3


def test_continue_on_error_lets_the_execution_go_on(user: emu.User, flaky: FlakyServer) -> None:
    wid = save(
        user,
        [
            http_node(flaky.url, continueOnError=True, retry={"attempts": 1, "backoffSeconds": 1}),
            node("after", "notify", title="went on", body="{{ nodes.fetch.status }}"),
        ],
        [{"from": "fetch", "to": "after"}],
    )
    done = ended(user, run(user, wid), timeout=60)

    assert done["status"] == "succeeded", done.get("error")
    assert done["steps"]["fetch"]["status"] == "failed"
    assert [n["body"] for n in notifications(user)] == ["failed"]


def test_run_workflow_rejects_unknown_workflows_and_bad_input(
    user: emu.User, other_user: emu.User
) -> None:
    wid = save(user, [node("only", "transform", template="x")], [])

    theirs = emu.call("run_workflow", {"workflowId": wid}, other_user.id_token)
    assert theirs.status == "NOT_FOUND", (theirs, other_user.uid, user.uid)
    bad = emu.call("run_workflow", {"workflowId": "../x"}, user.id_token)
    assert bad.status == "INVALID_ARGUMENT"
    assert bad.details["field"] == "workflowId"
    anonymous = emu.call("run_workflow", {"workflowId": wid}, None)
    assert anonymous.status == "UNAUTHENTICATED"
    assert list(clients.get_db().collection(f"users/{user.uid}/executions").stream()) == []


def test_a_duplicate_delivery_of_a_running_executions_step_is_a_no_op(user: emu.User) -> None:
    wid = save(
        user,
        [
            node("first", "notify", title="once", body="x"),
            node("second", "transform", template="y"),
        ],
        [{"from": "first", "to": "second"}],
    )
    enqueuer = RecordingEnqueuer()  # holds the tasks: nothing runs unless this test runs it
    rt = WorkflowServices(
        db=clients.get_db(),
        enqueuer=enqueuer,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=lambda envelope: None,
    )
    started = executions.start_execution(
        rt=rt,
        uid=user.uid,
        command=executions.RunWorkflow(workflow_id=wid),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    )
    task = StepTask(uid=user.uid, execution_id=started.execution_id, node_id="first", attempt=1)

    first = executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC))
    second = executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC))

    assert (first, second) == ("ran", "duplicate")
    assert len(notifications(user)) == 1
    queued = [payload["node_id"] for _, payload in enqueuer.calls]
    assert queued == ["first", "second"]  # the entry at start, its successor once
    assert execution(user, started.execution_id)["steps"]["second"]["status"] == "queued"


def test_pause_stops_new_steps_resume_continues_cancel_ends(user: emu.User) -> None:
    wid = save(
        user,
        [node("a", "notify", title="a", body="a"), node("b", "notify", title="b", body="b")],
        [{"from": "a", "to": "b"}],
    )
    rt, enqueuer = held_runtime()
    eid = executions.start_execution(
        rt=rt,
        uid=user.uid,
        command=executions.RunWorkflow(workflow_id=wid),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    ).execution_id
    step_a = StepTask(uid=user.uid, execution_id=eid, node_id="a", attempt=1)
    now = lambda: datetime.now(UTC)  # noqa: E731

    assert emu.call("pause_execution", {"executionId": eid}, user.id_token).status == "OK"
    assert executions.run_step(rt=rt, task=step_a, now=now) == "paused"
    assert notifications(user) == []

    resumed = control.resume(
        rt=rt,
        uid=user.uid,
        command=control.ExecutionCommand(execution_id=eid),
        now=datetime.now(UTC),
    )
    assert resumed.status == "running"
    assert [p["node_id"] for _, p in enqueuer.calls] == ["a", "a"]  # start, then resume
    assert executions.run_step(rt=rt, task=step_a, now=now) == "ran"
    assert len(notifications(user)) == 1

    assert emu.call("cancel_execution", {"executionId": eid}, user.id_token).status == "OK"
    step_b = StepTask(uid=user.uid, execution_id=eid, node_id="b", attempt=1)
    assert executions.run_step(rt=rt, task=step_b, now=now) == "ended"
    assert len(notifications(user)) == 1
    assert execution(user, eid)["status"] == "cancelled"
    again = emu.call("resume_execution", {"executionId": eid}, user.id_token)
    assert again.status == "FAILED_PRECONDITION"


def test_retry_execution_from_the_failed_step_completes_it(
    user: emu.User, flaky: FlakyServer
) -> None:
    wid = save(
        user,
        [
            http_node(flaky.url, retry={"attempts": 1, "backoffSeconds": 1}),
            node("after", "notify", title="done", body="x"),
        ],
        [{"from": "fetch", "to": "after"}],
    )
    eid = run(user, wid)
    assert ended(user, eid)["status"] == "failed"
    flaky.failures = 0  # the server works again

    retried = emu.call("retry_execution", {"executionId": eid}, user.id_token)
    assert retried.status == "OK", retried.error
    assert retried.result["executionId"] == eid
    done = ended(user, eid)
    assert done["status"] == "succeeded", done.get("error")
    assert done["steps"]["fetch"]["attempts"] == 2
    assert len(notifications(user)) == 1
    twice = emu.call("retry_execution", {"executionId": eid}, user.id_token)
    assert twice.status == "FAILED_PRECONDITION"


def test_retry_from_start_is_a_new_linked_execution(user: emu.User, flaky: FlakyServer) -> None:
    wid = save(user, [http_node(flaky.url, retry={"attempts": 1, "backoffSeconds": 1})], [])
    eid = run(user, wid, {"n": 1})
    assert ended(user, eid)["status"] == "failed"
    flaky.failures = 0

    retried = emu.call("retry_execution", {"executionId": eid, "fromStart": True}, user.id_token)
    assert retried.status == "OK", retried.error
    new_id = retried.result["executionId"]
    assert new_id != eid
    done = ended(user, new_id)
    assert done["status"] == "succeeded"
    assert done["retryOf"] == eid
    assert done["input"] == {"n": 1}
    assert execution(user, eid)["status"] == "failed"
    # Asking again (a double click, a retried request) finds the same new execution.
    again = emu.call("retry_execution", {"executionId": eid, "fromStart": True}, user.id_token)
    assert again.status == "OK", again.error
    assert again.result["executionId"] == new_id
    linked = clients.get_db().collection(f"users/{user.uid}/executions").stream()
    assert sum(1 for d in linked if (d.to_dict() or {}).get("retryOf") == eid) == 1


def test_control_calls_refuse_what_they_cannot_do(user: emu.User, other_user: emu.User) -> None:
    wid = save(user, [node("only", "transform", template="x")], [])
    eid = run(user, wid)
    assert ended(user, eid)["status"] == "succeeded"

    for function in ("pause_execution", "cancel_execution", "resume_execution"):
        assert emu.call(function, {"executionId": eid}, user.id_token).status == (
            "FAILED_PRECONDITION"
        )
        assert emu.call(function, {"executionId": eid}, other_user.id_token).status == "NOT_FOUND"
        assert emu.call(function, {}, user.id_token).status == "INVALID_ARGUMENT"
        assert emu.call(function, {"executionId": eid}, None).status == "UNAUTHENTICATED"
    assert emu.call("retry_execution", {"executionId": eid}, user.id_token).status == (
        "FAILED_PRECONDITION"
    )


# --- the cost of a step, and what its fewer operations still guarantee ----------------


def held_start(user: emu.User, wid: str) -> tuple[WorkflowServices, RecordingEnqueuer, str]:
    rt, enqueuer = held_runtime()
    eid = executions.start_execution(
        rt=rt,
        uid=user.uid,
        command=executions.RunWorkflow(workflow_id=wid),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    ).execution_id
    return rt, enqueuer, eid


def step(rt: WorkflowServices, user: emu.User, eid: str, node_id: str, attempt: int = 1) -> str:
    task = StepTask(uid=user.uid, execution_id=eid, node_id=node_id, attempt=attempt)
    return executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC))


def drain(rt: WorkflowServices, enqueuer: RecordingEnqueuer, start: int = 0) -> list[str]:
    """Run the held tasks from `start` in order, as the queue would; returns their nodes."""
    ran = []
    while start < len(enqueuer.tasks):
        task = StepTask.model_validate(enqueuer.tasks[start].payload)
        executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC))
        ran.append(task.node_id)
        start += 1
    return ran


def test_a_step_does_at_most_three_reads_and_six_writes(user: emu.User) -> None:
    """Issue 9: what `make bench` reports, counted at the RPC level (the chain was 4.1
    reads and 8.0 writes a step, the fan-out/in 5.0 and 8.9)."""
    from bench import workflows as bench_workflows

    figures = bench_workflows.operations_per_step(user)

    assert figures["linear_reads_per_step"] <= 3, figures
    assert figures["linear_writes_per_step"] <= 6, figures
    assert figures["fan_out_reads_per_step"] <= 3, figures
    assert figures["fan_out_writes_per_step"] <= 6, figures


def test_a_step_run_again_after_it_settled_counts_and_queues_nothing_twice(
    user: emu.User,
) -> None:
    """The sweeper runs a `running` step again once its worker is presumed dead; should
    the first run have settled after all, its successor's gate refuses the second
    settlement: the successor is neither queued again (it had already succeeded) nor
    counted twice, so the run does not finish early."""
    wid = save(
        user,
        [node(n, "transform", template=n) for n in ("a", "b", "c")],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}],
    )
    rt, enqueuer, eid = held_start(user, wid)
    assert step(rt, user, eid, "a") == "ran"
    assert step(rt, user, eid, "b") == "ran"

    assert step(rt, user, eid, "a", attempt=2) == "ran"  # the second run of a settled step

    doc = execution(user, eid)
    assert doc["status"] == "running"
    assert doc["doneCount"] == 2
    assert doc["steps"]["a"]["status"] == "succeeded"
    assert doc["steps"]["b"]["status"] == "succeeded"
    assert [p["node_id"] for _, p in enqueuer.calls] == ["a", "b", "c"]
    assert drain(rt, enqueuer, start=2) == ["c"]
    assert execution(user, eid)["status"] == "succeeded"


def test_both_branches_of_a_condition_may_lead_to_one_node(user: emu.User) -> None:
    """That node has one predecessor, reached over two edges: it used to wait for a
    second arrival that never came."""
    wid = save(
        user,
        [
            node("size", "condition", cases=[{"branch": "big", "when": "true"}], default="small"),
            node("after", "transform", template="went on"),
        ],
        [
            {"from": "size", "to": "after", "branch": "big"},
            {"from": "size", "to": "after", "branch": "small"},
        ],
    )
    rt, enqueuer, eid = held_start(user, wid)

    assert drain(rt, enqueuer) == ["size", "after"]

    done = execution(user, eid)
    assert done["status"] == "succeeded", done.get("error")
    assert done["output"] == {"after": "went on"}


def test_a_skip_reaches_through_lone_successors_to_the_join(user: emu.User) -> None:
    """The branch not taken is skipped node by node in the condition's own batch, and its
    dead arrival lets the join run with the live one."""
    wid = save(
        user,
        [
            node("size", "condition", cases=[{"branch": "big", "when": "true"}], default="small"),
            node("big", "transform", template="big"),
            node("small", "transform", template="small"),
            node("small2", "transform", template="small2"),
            node("join", "transform", template="{{ nodes.big.output }}"),
        ],
        [
            {"from": "size", "to": "big", "branch": "big"},
            {"from": "size", "to": "small", "branch": "small"},
            {"from": "small", "to": "small2"},
            {"from": "big", "to": "join"},
            {"from": "small2", "to": "join"},
        ],
    )
    rt, enqueuer, eid = held_start(user, wid)

    assert drain(rt, enqueuer) == ["size", "big", "join"]

    done = execution(user, eid)
    assert done["status"] == "succeeded", done.get("error")
    assert {n: s["status"] for n, s in done["steps"].items()} == {
        "size": "succeeded",
        "big": "succeeded",
        "small": "skipped",
        "small2": "skipped",
        "join": "succeeded",
    }
    assert done["doneCount"] == 5
    assert done["output"] == {"join": "big"}


def test_a_cancel_while_the_last_step_runs_stays_a_cancel(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = save(user, [node("only", "transform", template="x")], [])
    rt, _, eid = held_start(user, wid)
    runner = executions.RUNNERS["transform"]

    def cancelled_meanwhile(n: Any, ctx: Any) -> Any:
        control.cancel(
            db=rt.db,
            uid=user.uid,
            command=control.ExecutionCommand(execution_id=eid),
            now=datetime.now(UTC),
        )
        return runner(n, ctx)

    monkeypatch.setitem(executions.RUNNERS, "transform", cancelled_meanwhile)

    assert step(rt, user, eid, "only") == "ran"

    doc = execution(user, eid)
    assert doc["status"] == "cancelled"
    assert doc["steps"]["only"]["status"] == "succeeded"
    assert doc["output"] is None


def test_the_sweeper_finishes_a_run_whose_last_step_died_before_finishing_it(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.workflows import sweeper

    wid = save(user, [node("only", "transform", template="x")], [])
    rt, _, eid = held_start(user, wid)
    with monkeypatch.context() as crash:
        crash.setattr(executions, "finish", lambda run: None)  # dies after its count
        assert step(rt, user, eid, "only") == "ran"
    ref = clients.get_db().document(f"users/{user.uid}/executions/{eid}")
    assert execution(user, eid)["status"] == "running"

    assert sweeper.repair(rt=rt, ref=ref, now=datetime.now(UTC)) == "finished"

    doc = execution(user, eid)
    assert doc["status"] == "succeeded"
    assert doc["output"] == {"only": "x"}
    assert sweeper.repair(rt=rt, ref=ref, now=datetime.now(UTC)) == "ended"


def test_the_sweeper_queues_a_join_whose_last_predecessor_died_before_queueing_it(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.workflows import sweeper

    wid = save(
        user,
        [node(n, "transform", template=n) for n in ("a", "b", "join")],
        [{"from": "a", "to": "join"}, {"from": "b", "to": "join"}],
    )
    rt, enqueuer, eid = held_start(user, wid)
    with monkeypatch.context() as crash:  # each dies after storing its arrival
        crash.setattr(executions, "complete_join", lambda run, target, at: False)
        assert drain(rt, enqueuer) == ["a", "b"]
    ref = clients.get_db().document(f"users/{user.uid}/executions/{eid}")
    assert execution(user, eid)["steps"]["join"]["status"] == "waiting"

    assert sweeper.repair(rt=rt, ref=ref, now=datetime.now(UTC)) == "joined"
    assert sweeper.repair(rt=rt, ref=ref, now=datetime.now(UTC)) == "healthy"

    assert drain(rt, enqueuer, start=2) == ["join"]
    done = execution(user, eid)
    assert done["status"] == "succeeded", done.get("error")
    assert done["steps"]["join"]["attempts"] == 1

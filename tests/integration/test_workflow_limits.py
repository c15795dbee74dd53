"""Hostile sizes and counts: per-user limits, execution size, values Firestore refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.platform import clients
from shared.workflows import executions
from shared.workflows.service import MAX_WORKFLOWS_PER_USER
from tests.integration.test_workflow_runs import ended, execution, node, run, save
from tests.support import emulators as emu
from tests.support.workflows import held_runtime

pytestmark = pytest.mark.usefixtures("standin")


def one_node_workflow(user: emu.User) -> str:
    return save(user, [node("t", "transform", template="ok")], [])


def fill_executions(user: emu.User, count: int, **fields: Any) -> None:
    db = clients.get_db()
    batch = db.batch()
    for i in range(count):
        doc = {"workflowId": f"other{i % 7}", "status": "running", "startedAt": datetime.now(UTC)}
        batch.set(db.document(f"users/{user.uid}/executions/filler{i}"), {**doc, **fields})
    batch.commit()


def test_running_executions_per_user_are_limited(user: emu.User) -> None:
    wid = one_node_workflow(user)
    fill_executions(
        user, executions.MAX_ACTIVE_EXECUTIONS_PER_USER, startedAt=datetime(2026, 1, 1, tzinfo=UTC)
    )
    result = emu.call("run_workflow", {"workflowId": wid}, user.id_token)
    assert result.status == "RESOURCE_EXHAUSTED", result.error
    assert result.details["limit"] == "activeExecutions"


def test_starts_per_minute_are_limited(user: emu.User) -> None:
    wid = one_node_workflow(user)
    fill_executions(user, executions.MAX_STARTS_PER_MINUTE, status="succeeded")
    result = emu.call("run_workflow", {"workflowId": wid}, user.id_token)
    assert result.status == "RESOURCE_EXHAUSTED", result.error
    assert result.details["limit"] == "startsPerMinute"


def test_workflows_per_user_are_limited(user: emu.User) -> None:
    db = clients.get_db()
    batch = db.batch()
    for i in range(MAX_WORKFLOWS_PER_USER):
        batch.set(db.document(f"users/{user.uid}/workflows/w{i}"), {"name": f"w{i}"})
    batch.commit()
    definition = {"name": "one more", "nodes": [node("t", "transform", template="x")]}
    result = emu.call("save_workflow", definition, user.id_token)
    assert result.status == "RESOURCE_EXHAUSTED", result.error
    assert result.details["limit"] == "workflows"
    # deleting one frees its place
    assert emu.call("delete_workflow", {"id": "w3"}, user.id_token).status == "OK"
    again = emu.call("save_workflow", definition, user.id_token)
    assert again.status == "OK", again.error


def test_executions_name_their_version_instead_of_copying_the_definition(user: emu.User) -> None:
    wid = one_node_workflow(user)
    eid = run(user, wid)
    doc = ended(user, eid)
    assert doc["status"] == "succeeded"
    assert "definition" not in doc
    snapshot = clients.get_db().document(f"users/{user.uid}/workflows/{wid}/versions/1").get()
    assert [n["id"] for n in snapshot.to_dict()["nodes"]] == ["t"]


def test_outputs_are_capped_so_the_execution_stays_far_below_one_mib(user: emu.User) -> None:
    """40 parallel steps of 10 KB each would be 400 KB of output: the budget cuts the rest
    (steps in flight together may each pass it once, by at most 10 KB)."""
    big = "{{ 'x' * 9990 }}"
    wid = save(user, [node(f"n{i}", "transform", template=big) for i in range(40)], [])
    eid = run(user, wid)
    doc = ended(user, eid, timeout=120)
    assert doc["status"] == "succeeded"
    stored = executions.outputs_size(doc["steps"])
    in_flight = 20 * executions.MAX_OUTPUT_CHARS
    assert stored <= executions.MAX_TOTAL_OUTPUT_BYTES + in_flight
    size = len(json.dumps(doc, default=str).encode())
    assert size < 600_000, size
    cut = [s for s in doc["steps"].values() if str(s["output"]).endswith(executions.TRUNCATED)]
    assert cut, "later outputs are cut to the budget"


def test_an_output_firestore_cannot_store_is_kept_as_text(user: emu.User) -> None:
    """A list inside a list (or int64 overflow) in an output used to make recording the
    step fail, leaving it `running` for the sweeper to run again."""
    wid = save(
        user,
        [node("grid", "transform", template="[[1, 2], [3, {{ 2 ** 70 }}]]", output="json")],
        [],
    )
    doc = ended(user, run(user, wid))
    assert doc["status"] == "succeeded", doc.get("error")
    step = doc["steps"]["grid"]
    assert step["status"] == "succeeded"
    assert step["output"].startswith("[[1, 2]")


def test_hostile_run_input_is_refused_with_its_path_and_nothing_written(user: emu.User) -> None:
    wid = one_node_workflow(user)
    for data, field in [
        ({"n": 2**63}, "input.n"),
        ({"grid": [[1]]}, "input.grid[0]"),
        ({"__name__": 1}, "input.__name__"),
        ({"x": "y" * (executions.MAX_INPUT_BYTES + 1)}, "input"),
    ]:
        result = emu.call("run_workflow", {"workflowId": wid, "input": data}, user.id_token)
        assert result.status == "INVALID_ARGUMENT", result.error
        assert result.details["field"] == field
    assert not list(clients.get_db().collection(f"users/{user.uid}/executions").stream())
    assert execution(user, "none") == {}


def test_a_result_firestore_refuses_fails_the_step_instead_of_leaving_it_running(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a step's result still make the execution pass 1 MiB (here: the output budget
    is defeated on purpose), the step and the run fail at once; a step left `running`
    would be run again by the sweeper, side effects included."""
    wid = save(
        user,
        [node("big", "transform", template="x"), node("after", "transform", template="y")],
        [{"from": "big", "to": "after"}],
    )
    rt, enqueuer = held_runtime()
    eid = executions.start_execution(
        rt=rt,
        uid=user.uid,
        command=executions.RunWorkflow(workflow_id=wid),
        trigger={"type": "manual"},
        now=datetime.now(UTC),
    ).execution_id
    monkeypatch.setattr(executions, "truncate", lambda value, *a, **k: "x" * 1_100_000)
    task = executions.StepTask(uid=user.uid, execution_id=eid, node_id="big", attempt=1)

    assert executions.run_step(rt=rt, task=task, now=lambda: datetime.now(UTC)) == "ran"

    doc = execution(user, eid)
    assert doc["steps"]["big"]["status"] == "failed"
    assert "could not be stored" in doc["steps"]["big"]["error"]
    assert doc["status"] == "failed"
    assert [p["node_id"] for _, p in enqueuer.calls] == ["big"]  # nothing queued after it

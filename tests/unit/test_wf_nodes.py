"""Node runners whose logic is pure, with a NodeContext built in memory (no Firestore)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from shared.events.models import EventEnvelope
from shared.workflows import nodes
from shared.workflows.models import Node
from shared.workflows.nodes import NodeContext, NodeFailed

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NODE = TypeAdapter(Node)


def node(type_: str, **config: Any) -> Any:
    return NODE.validate_python({"id": "n1", "type": type_, "config": config})


def context(scope: dict[str, Any] | None = None, published: list[Any] | None = None) -> NodeContext:
    return NodeContext(
        uid="u1",
        execution_id="e1",
        correlation_id="c1",
        plan="free",
        scope={
            "input": {},
            "vars": {},
            "nodes": {},
            "trigger": {"type": "manual"},
            **(scope or {}),
        },
        db=None,  # type: ignore[arg-type]  # pure nodes never touch it
        now=NOW,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=(published.append if published is not None else lambda e: None),
    )


def test_transform_renders_text_and_json() -> None:
    ctx = context({"input": {"name": "Ada", "n": 2}})
    assert (
        nodes.run_transform(node("transform", template="hi {{ input.name }}"), ctx).output
        == "hi Ada"
    )
    as_json = node("transform", template='{"twice": {{ input.n * 2 }}}', output="json")
    assert nodes.run_transform(as_json, ctx).output == {"twice": 4}


def test_a_template_error_fails_without_retry() -> None:
    with pytest.raises(NodeFailed) as caught:
        nodes.run_transform(node("transform", template="{{ input.missing.x }}"), context())
    assert caught.value.retryable is False


def test_condition_takes_the_first_true_case_else_the_default() -> None:
    cond = node(
        "condition",
        cases=[{"when": "input.n > 5", "branch": "big"}, {"when": "input.n > 1", "branch": "mid"}],
        default="small",
    )
    assert nodes.run_condition(cond, context({"input": {"n": 3}})).branch == "mid"
    assert nodes.run_condition(cond, context({"input": {"n": 9}})).branch == "big"
    assert nodes.run_condition(cond, context({"input": {"n": 0}})).branch == "small"


def test_delay_waits_until_a_time_with_an_offset_only() -> None:
    wait = nodes.run_delay(node("delay", seconds=90), context())
    assert wait.wait_until == NOW + timedelta(seconds=90)
    later = (NOW + timedelta(days=3)).isoformat()
    assert nodes.run_delay(node("delay", until=later), context()).wait_until == NOW + timedelta(
        days=3
    )
    with pytest.raises(NodeFailed, match="UTC offset"):
        nodes.run_delay(node("delay", until="2026-12-05T09:00:00"), context())
    with pytest.raises(NodeFailed, match="days ahead"):
        nodes.run_delay(node("delay", until=(NOW + timedelta(days=20_000)).isoformat()), context())


def test_an_event_node_continues_the_chain_of_the_event_that_started_the_run() -> None:
    published: list[EventEnvelope] = []
    trigger = {"type": "event", "eventId": "ev-0001", "correlationId": "corr-1", "depth": 3}
    ctx = context({"trigger": trigger, "input": {"x": 1}}, published)
    result = nodes.run_event(node("event", type="note.saved", data={"x": "{{ input.x }}"}), ctx)
    [envelope] = published
    assert (envelope.depth, envelope.causation_id, envelope.correlation_id) == (
        4,
        "ev-0001",
        "corr-1",
    )
    assert envelope.data == {"x": "1"}
    assert result.output == {"eventId": envelope.id}


def test_what_a_step_writes_carries_its_runs_causation() -> None:
    started_by_event = context(
        {"trigger": {"type": "event", "eventId": "ev-9", "correlationId": "corr-9", "depth": 5}}
    )
    assert started_by_event.origin() == {
        "executionId": "e1",
        "eventId": "ev-9",
        "correlationId": "corr-9",
        "depth": 5,
    }
    assert context().origin()["depth"] == 0

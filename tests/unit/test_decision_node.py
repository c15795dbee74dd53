"""The workflow `decision` node: its config, and the branches edges out of it may name."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import InvalidArgument
from shared.validation import parse
from shared.workflows.models import DecisionNode, SaveWorkflow
from shared.workflows.validation import check_workflow


def decision(**config: Any) -> dict[str, Any]:
    return {
        "id": "choose",
        "type": "decision",
        "config": {
            "question": "Send it to {{ input.who }}?",
            "options": ["send", "hold"],
            **config,
        },
    }


def notify(node_id: str) -> dict[str, Any]:
    return {"id": node_id, "type": "notify", "config": {"title": "t", "body": "b"}}


def workflow(edges: list[dict[str, Any]], **config: Any) -> dict[str, Any]:
    return {
        "name": "Decide",
        "nodes": [decision(**config), notify("a"), notify("b"), notify("c")],
        "edges": edges,
    }


def checked(data: dict[str, Any]) -> SaveWorkflow:
    command = parse(SaveWorkflow, data)
    check_workflow(command)
    return command


def test_edges_may_name_act_ask_or_no_branch() -> None:
    command = checked(
        workflow(
            [
                {"from": "choose", "to": "a", "branch": "act"},
                {"from": "choose", "to": "b", "branch": "ask"},
                {"from": "choose", "to": "c"},
            ],
            kind="email",
            context="It is {{ input.when }}.",
        )
    )
    node = command.nodes[0]
    assert isinstance(node, DecisionNode)
    assert node.config.kind == "email"
    assert node.config.context == "It is {{ input.when }}."


def test_a_decision_node_needs_no_outgoing_edge_nor_kind() -> None:
    command = checked({"name": "Decide", "nodes": [decision()]})
    node = command.nodes[0]
    assert isinstance(node, DecisionNode)
    assert node.config.kind is None
    assert node.config.context is None


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (
            workflow([{"from": "choose", "to": "a", "branch": "maybe"}]),
            "edges[0].branch",
            "'maybe' is not a branch of decision node 'choose' (one of: 'act', 'ask'",
        ),
        (
            workflow([{"from": "a", "to": "b", "branch": "act"}]),
            "edges[0].branch",
            "only edges from a condition or decision node have a branch",
        ),
        (workflow([], kind="Email"), "nodes[0].config.kind", ""),
        (workflow([], context=""), "nodes[0].config.context", ""),
        (workflow([], context="{{ input.who "), "nodes[0].config.context", ""),
    ],
)
def test_bad_decision_nodes_and_edges_are_refused_naming_the_field(
    data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        checked(data)
    assert caught.value.field == field
    assert words in caught.value.message

"""What one node settling decides without reading anything (`Graph.settle`): which lone
successors it queues or skips (a skip goes on through theirs), and which joins get its
arrival. The engine writes all of it in the node's one result batch."""

from __future__ import annotations

from typing import Any

from shared.workflows.graph import Graph, Settlement


def graph(edges: list[tuple[str, str] | tuple[str, str, str]], *conditions: str) -> Graph:
    ids = sorted({end for edge in edges for end in edge[:2]})
    nodes: list[dict[str, Any]] = []
    for node_id in ids:
        if node_id in conditions:
            config = {"cases": [{"branch": "yes", "when": "true"}], "default": "no"}
            nodes.append({"id": node_id, "type": "condition", "config": config})
        else:
            nodes.append({"id": node_id, "type": "transform", "config": {"template": "x"}})
    return Graph.of(
        {
            "nodes": nodes,
            "edges": [
                {"from": e[0], "to": e[1], **({"branch": e[2]} if len(e) == 3 else {})}
                for e in edges
            ],
        }
    )


def test_a_chain_queues_its_lone_successor_without_a_join() -> None:
    chain = graph([("a", "b"), ("b", "c")])
    assert chain.settle("a", None) == Settlement(queued=["b"])
    assert chain.settle("c", None) == Settlement()


def test_a_fan_out_queues_every_branch_and_each_branch_arrives_at_the_join() -> None:
    fan = graph([("s", "b1"), ("s", "b2"), ("b1", "j"), ("b2", "j")])
    assert fan.settle("s", None) == Settlement(queued=["b1", "b2"])
    assert fan.settle("b1", None) == Settlement(arrivals={"j": {"live": ["b1"], "dead": []}})
    assert fan.predecessors("j") == {"b1", "b2"}


def test_the_branch_not_taken_is_skipped_and_the_skip_goes_on_to_its_join() -> None:
    flow = graph([("c", "y", "yes"), ("c", "n", "no"), ("n", "n2"), ("y", "j"), ("n2", "j")], "c")
    assert flow.settle("c", "yes") == Settlement(
        queued=["y"], skipped=["n", "n2"], arrivals={"j": {"live": [], "dead": ["n2"]}}
    )
    assert flow.settle("y", None) == Settlement(arrivals={"j": {"live": ["y"], "dead": []}})


def test_a_skipped_node_passes_on_dead_arrivals_only() -> None:
    flow = graph([("a", "b"), ("a", "j"), ("x", "j")])
    assert flow.settle("a", None, skipped=True) == Settlement(
        skipped=["b"], arrivals={"j": {"live": [], "dead": ["a"]}}
    )


def test_two_branches_into_one_node_make_one_predecessor_not_a_join() -> None:
    """A condition whose two branches lead to the same node used to wait for a second
    arrival that never came."""
    flow = graph([("c", "after", "yes"), ("c", "after", "no")], "c")
    assert flow.predecessors("after") == {"c"}
    assert flow.settle("c", "no") == Settlement(queued=["after"])

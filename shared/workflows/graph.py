"""A workflow definition as a graph: nodes by id, incoming and outgoing edges, entries
and sinks (what the engine walks; the definition's own checks are in `validation`), and
what one node settling decides without reading anything (`settle`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from shared.workflows.models import Node

NODES = TypeAdapter(list[Node])


@dataclass(frozen=True)
class Settlement:
    """What a node finishing on `branch` (or being skipped) passes on to its successors.

    * `queued`: successors it alone leads to, over a live edge: queue them now;
    * `skipped`: successors it alone leads to whose edges from it are all dead, and theirs
      in turn (a skip propagates): mark them skipped now;
    * `arrivals`: joins (successors with more than one predecessor) that get an arrival,
      `{join: {"live": [sources], "dead": [sources]}}`; whether the join is complete
      depends on the other predecessors, so it is decided after the arrivals are stored.
    """

    queued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    arrivals: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class Graph:
    nodes: dict[str, Node]
    incoming: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    outgoing: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)

    @classmethod
    def of(cls, definition: dict[str, Any]) -> Graph:
        nodes = {node.id: node for node in NODES.validate_python(definition["nodes"])}
        graph = cls(nodes=nodes)
        for node_id in nodes:
            graph.incoming[node_id] = []
            graph.outgoing[node_id] = []
        for edge in definition["edges"]:
            graph.outgoing[edge["from"]].append((edge["to"], edge.get("branch")))
            graph.incoming[edge["to"]].append((edge["from"], edge.get("branch")))
        return graph

    def entries(self) -> list[str]:
        return [node_id for node_id, preds in self.incoming.items() if not preds]

    def sinks(self) -> list[str]:
        return [node_id for node_id, succs in self.outgoing.items() if not succs]

    def predecessors(self, node_id: str) -> set[str]:
        """The distinct nodes with an edge into `node_id` (a condition may reach one
        successor from two of its branches: that is one predecessor, not two)."""
        return {source for source, _ in self.incoming[node_id]}

    def successors(
        self, node_id: str, branch: str | None, *, skipped: bool = False
    ) -> dict[str, bool]:
        """Each successor of `node_id`, and whether the node finishing on `branch` makes
        its arrival there live (an edge without a branch, or the branch taken). A skipped
        node's arrivals are all dead."""
        live: dict[str, bool] = {}
        for target, edge_branch in self.outgoing[node_id]:
            taken = not skipped and (edge_branch is None or edge_branch == branch)
            live[target] = live.get(target, False) or taken
        return live

    def settle(self, node_id: str, branch: str | None, *, skipped: bool = False) -> Settlement:
        """What `node_id` finishing on `branch` (or skipped) decides on its own: see
        `Settlement`. A successor with this one predecessor needs no join: its fate is
        known now, and a skip goes on through its own lone successors."""
        settlement = Settlement()
        pending = [(node_id, branch, skipped)]
        while pending:
            source, source_branch, source_skipped = pending.pop(0)
            for target, live in self.successors(
                source, source_branch, skipped=source_skipped
            ).items():
                if len(self.predecessors(target)) > 1:
                    arrival = settlement.arrivals.setdefault(target, {"live": [], "dead": []})
                    arrival["live" if live else "dead"].append(source)
                elif live:
                    settlement.queued.append(target)
                else:
                    settlement.skipped.append(target)
                    pending.append((target, None, True))
        return settlement

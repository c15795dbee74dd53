"""A workflow definition as a graph: nodes by id, incoming and outgoing edges, entries
and sinks (what the engine walks; the definition's own checks are in `validation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from shared.workflows.models import Node

NODES = TypeAdapter(list[Node])


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

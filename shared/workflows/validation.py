"""Checks on a whole workflow definition that no single field can make.

`check_workflow` runs after `parse()` (which checks each value on its own) and before
anything is written. It is pure and deterministic: it reports the first problem in
document order (nodes, then edges, then the graph as a whole, then variables, then
triggers, then the stored size) as `InvalidArgument` whose `field` is the camelCase path
of the offending value (`nodes[3].id`, `edges[2].to`, `nodes[1].config.prompt`,
`triggers[0].cron`) and whose message starts with that path.

The graph rules: node ids are unique; edges join existing nodes, never a node to itself,
and do not repeat; there are no cycles; every node can be reached from an entry node (one
with no incoming edges). Edges out of a condition node name one of its branches (its
cases' branches or its default), at most one edge per branch, and at least one edge
leaves it; edges out of a decision node name "act" or "ask" (the branch its step takes)
or none (followed whichever it takes); edges out of any other node have no branch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from shared.errors import InvalidArgument
from shared.validation import NotStorable, check_storable, field_path
from shared.workflows.models import (
    DECISION_BRANCHES,
    AiNode,
    ConditionNode,
    DecisionNode,
    Definition,
    Edge,
    EventNode,
    EventTrigger,
    Node,
    ScheduleTrigger,
    Trigger,
)

# Firestore refuses a document over 1 MiB (its own size measure, see `stored_bytes`); this
# leaves room for the document name, version and timestamps.
MAX_STORED_BYTES = 1_000_000


def check_workflow(definition: Definition) -> None:
    """Refuse a definition whose graph, templates, conditions or schedules are invalid.

    Raises:
        InvalidArgument: the first problem found, with `field` set to its path.
    """
    from shared.workflows import cron, expressions, templates

    checkers: dict[str, Callable[[str], None]] = {
        "template": templates.check_template,
        "condition": expressions.check_condition,
    }
    ids = _check_nodes(definition.nodes, checkers)
    _check_edges(definition.edges, definition.nodes, ids)
    _check_graph(definition.nodes, definition.edges, ids)
    _check_storable(definition.variables, "variables")
    _check_triggers(definition.triggers, expressions.check_condition, cron.check_cron)
    _check_size(definition)


def _fail(path: str, message: str) -> NoReturn:
    raise InvalidArgument(f"{path}: {message}", field=path)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


# --- nodes ---------------------------------------------------------------------------


def _check_nodes(
    nodes: Sequence[Node], checkers: dict[str, Callable[[str], None]]
) -> dict[str, int]:
    """Node ids, branch names and embedded sources; returns node id -> index."""
    ids: dict[str, int] = {}
    for index, node in enumerate(nodes):
        path = f"nodes[{index}]"
        if node.id in ids:
            _fail(f"{path}.id", f"duplicate node id '{node.id}' (also nodes[{ids[node.id]}])")
        ids[node.id] = index
        if isinstance(node, ConditionNode):
            _check_branches(node, path)
        for kind, where, source in node.config.sources():
            try:
                checkers[kind](source)
            except ValueError as exc:
                _fail(f"{path}.config.{where}", str(exc))
        if isinstance(node, AiNode) and node.config.json_schema is not None:
            _check_storable(node.config.json_schema, f"{path}.config.schema")
        if isinstance(node, EventNode):
            _check_storable(node.config.data, f"{path}.config.data")
    return ids


def _check_branches(node: ConditionNode, path: str) -> None:
    seen: dict[str, int] = {}
    for index, case in enumerate(node.config.cases):
        if case.branch in seen:
            _fail(
                f"{path}.config.cases[{index}].branch",
                f"duplicate branch '{case.branch}' (also cases[{seen[case.branch]}])",
            )
        seen[case.branch] = index
    default = node.config.default
    if default is not None and default in seen:
        _fail(
            f"{path}.config.default",
            f"'{default}' is already the branch of cases[{seen[default]}]; "
            "the default needs a branch of its own",
        )


# --- edges ---------------------------------------------------------------------------


def _check_edges(edges: Sequence[Edge], nodes: Sequence[Node], ids: dict[str, int]) -> None:
    seen: dict[tuple[str, str, str | None], int] = {}
    branch_used: dict[tuple[str, str], int] = {}
    for index, edge in enumerate(edges):
        path = f"edges[{index}]"
        for end, node_id in (("from", edge.source), ("to", edge.to)):
            if node_id not in ids:
                _fail(f"{path}.{end}", f"unknown node '{node_id}'")
        if edge.source == edge.to:
            _fail(f"{path}.to", f"an edge cannot lead from '{edge.source}' back to itself")
        source = nodes[ids[edge.source]]
        if isinstance(source, ConditionNode):
            branches = source.config.branches
            if edge.branch is None:
                _fail(
                    f"{path}.branch",
                    f"edges from condition node '{source.id}' need a branch "
                    f"(one of: {_quoted(branches)})",
                )
            if edge.branch not in branches:
                _fail(
                    f"{path}.branch",
                    f"'{edge.branch}' is not a branch of condition node '{source.id}' "
                    f"(one of: {_quoted(branches)})",
                )
            key = (source.id, edge.branch)
            if key in branch_used:
                first = edges[branch_used[key]]
                _fail(
                    f"{path}.branch",
                    f"branch '{edge.branch}' of '{source.id}' already leads to '{first.to}' "
                    f"(edges[{branch_used[key]}]); a branch has at most one edge",
                )
            branch_used[key] = index
        elif isinstance(source, DecisionNode):
            if edge.branch is not None and edge.branch not in DECISION_BRANCHES:
                _fail(
                    f"{path}.branch",
                    f"'{edge.branch}' is not a branch of decision node '{source.id}' "
                    f"(one of: {_quoted(DECISION_BRANCHES)}, or none to follow it always)",
                )
        elif edge.branch is not None:
            _fail(
                f"{path}.branch",
                f"only edges from a condition or decision node have a branch; "
                f"'{source.id}' is a {source.type} node",
            )
        triple = (edge.source, edge.to, edge.branch)
        if triple in seen:
            _fail(
                path,
                f"duplicate of edges[{seen[triple]}] ('{edge.source}' -> '{edge.to}')",
            )
        seen[triple] = index


# --- the graph -----------------------------------------------------------------------


def _check_graph(nodes: Sequence[Node], edges: Sequence[Edge], ids: dict[str, int]) -> None:
    outgoing: dict[str, list[str]] = {node.id: [] for node in nodes}
    incoming: dict[str, int] = dict.fromkeys(ids, 0)
    for edge in edges:
        outgoing[edge.source].append(edge.to)
        incoming[edge.to] += 1

    for index, node in enumerate(nodes):
        if isinstance(node, ConditionNode) and not outgoing[node.id]:
            _fail(
                f"nodes[{index}]",
                f"condition node '{node.id}' has no outgoing edges; connect at least one "
                f"of its branches ({_quoted(node.config.branches)})",
            )

    entries = [node.id for node in nodes if incoming[node.id] == 0]
    if not entries:
        _fail_on_first_cycle(edges)
    reached = _reachable(entries, outgoing)
    for index, node in enumerate(nodes):
        if node.id not in reached:
            _fail(
                f"nodes[{index}]",
                f"node '{node.id}' cannot be reached from an entry node "
                f"({_quoted(entries)}): every path into it comes out of a cycle",
            )
    _fail_on_first_cycle(edges)


def _reachable(starts: Iterable[str], outgoing: dict[str, list[str]]) -> set[str]:
    reached = set(starts)
    queue = deque(reached)
    while queue:
        for target in outgoing[queue.popleft()]:
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


def _fail_on_first_cycle(edges: Sequence[Edge]) -> None:
    """Add the edges in order; fail at the first one that closes a cycle, naming it."""
    outgoing: dict[str, list[str]] = {}
    for index, edge in enumerate(edges):
        path = _path_between(edge.to, edge.source, outgoing)
        if path is not None:
            cycle = " -> ".join(f"'{node_id}'" for node_id in [edge.source, *path])
            _fail(f"edges[{index}]", f"creates a cycle through {cycle}")
        outgoing.setdefault(edge.source, []).append(edge.to)


def _path_between(start: str, goal: str, outgoing: dict[str, list[str]]) -> list[str] | None:
    """The shortest path start -> ... -> goal (both included), or None."""
    parents: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            path: list[str] = []
            step: str | None = current
            while step is not None:
                path.append(step)
                step = parents[step]
            return path[::-1]
        for target in outgoing.get(current, []):
            if target not in parents:
                parents[target] = current
                queue.append(target)
    return None


# --- triggers ------------------------------------------------------------------------


def _check_triggers(
    triggers: Sequence[Trigger],
    check_condition: Callable[[str], None],
    check_cron: Callable[[str, str], None],
) -> None:
    singles: dict[str, int] = {}
    for index, trigger in enumerate(triggers):
        path = f"triggers[{index}]"
        if trigger.type in ("manual", "webhook"):
            if trigger.type in singles:
                _fail(
                    f"{path}.type",
                    f"a workflow has at most one {trigger.type} trigger "
                    f"(also triggers[{singles[trigger.type]}])",
                )
            singles[trigger.type] = index
        elif isinstance(trigger, ScheduleTrigger):
            try:
                check_cron(trigger.cron, trigger.timezone)
            except ValueError as exc:
                _fail(f"{path}.cron", str(exc))
        elif isinstance(trigger, EventTrigger) and trigger.filter is not None:
            try:
                check_condition(trigger.filter)
            except ValueError as exc:
                _fail(f"{path}.filter", str(exc))


# --- what Firestore can store --------------------------------------------------------


def _check_storable(value: Any, path: str) -> None:
    """Free-form JSON (variables, schemas, event data) that Firestore also accepts."""
    try:
        check_storable(value, max_bytes=MAX_STORED_BYTES)
    except NotStorable as exc:
        _fail(
            f"{path}{'.' if exc.path and isinstance(exc.path[0], str) else ''}"
            f"{field_path(exc.path)}",
            exc.problem,
        )


def stored_bytes(value: Any) -> int:
    """Firestore's size of a value (strings: UTF-8 bytes + 1, numbers and timestamps: 8,
    booleans and null: 1, maps: each key's bytes + 1 plus its value)."""
    if isinstance(value, str):
        return len(value.encode()) + 1
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float | datetime):
        return 8
    if isinstance(value, dict):
        return sum(len(str(key).encode()) + 1 + stored_bytes(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return sum(stored_bytes(item) for item in value)
    return len(str(value).encode()) + 1


def _check_size(definition: Definition) -> None:
    stored = definition.to_firestore()
    total = stored_bytes(stored)
    if total <= MAX_STORED_BYTES:
        return
    sizes = [stored_bytes(node) for node in stored["nodes"]]
    largest = max(range(len(sizes)), key=lambda index: sizes[index])
    _fail(
        f"nodes[{largest}]",
        f"the workflow would take {total:,} bytes to store, over the {MAX_STORED_BYTES:,} "
        f"limit; this node is the largest ({sizes[largest]:,} bytes): shorten its prompts "
        "or templates, or split the workflow",
    )

"""A step reads the user's profile only for node types whose runner uses the plan
(`executions.PLAN_NODE_TYPES`): this keeps that set equal to the runners that do, so a
new node type that passes `ctx.plan` on cannot silently run with the default plan."""

from __future__ import annotations

import ast
import inspect

from shared.workflows import executions, nodes


def _uses_plan() -> set[str]:
    """Module functions of `nodes` that read `.plan`, directly or through another."""
    tree = ast.parse(inspect.getsource(nodes))
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    calls = {
        name: {
            n.func.id
            for n in ast.walk(f)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in functions
        }
        for name, f in functions.items()
    }
    using = {
        name
        for name, f in functions.items()
        if any(isinstance(n, ast.Attribute) and n.attr == "plan" for n in ast.walk(f))
    }
    while grown := {name for name, called in calls.items() if called & using} - using:
        using |= grown
    return using


def test_exactly_the_node_types_that_use_the_plan_read_the_profile() -> None:
    using = _uses_plan()
    assert using, "the check found no runner using ctx.plan: is it still reading nodes.py?"
    readers = {kind for kind, runner in nodes.RUNNERS.items() if runner.__name__ in using}
    assert readers == executions.PLAN_NODE_TYPES

"""Workflow conditions and trigger filters in CEL (the language of Firebase security rules)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cel import Program

MAX_SOURCE_CHARS = 1000
# CEL has no loops or recursion, so a program's cost is bounded by its size and its data,
# except that comprehension macros multiply: `[s].map(x, x + x)` doubles `s`, and forty
# of those nested in 1,000 characters would ask for 2^40 characters. Two comprehensions
# (`a.exists(..) && b.all(..)`, or one nested in another) cover real conditions.
MAX_COMPREHENSIONS = 2
CONDITION_NAMES = ("input", "vars", "nodes", "trigger", "event")

# Counted in the raw source, string literals included: an over-count only refuses a
# condition whose text mentions `.map(` inside quotes, never lets a real macro through.
_COMPREHENSION = re.compile(r"\b(?:all|exists|exists_one|map|filter)\s*\(")


def check_condition(source: str) -> None:
    """Refuse a condition that would not compile.

    Raises:
        ValueError: the source is empty, too long, uses too many comprehensions, or has a
            syntax error (the message quotes the parser's position marker).
    """
    _compile(source)


def evaluate_condition(source: str, context: Mapping[str, Any]) -> bool:
    """Evaluate a workflow condition against JSON-like data.

    Args:
        source: a CEL expression, such as `nodes.fetch.output.status == 200`.
        context: values for the names `input`, `vars`, `nodes` (node id -> `{"output": ...}`),
            `trigger` and `event`; missing names are bound to empty maps. A node id that
            is not an identifier is read with brackets: `nodes['send-mail'].output`.

    Returns:
        The condition's value.

    Raises:
        ValueError: the source does not compile, the evaluation fails (a missing key, a
            type mismatch, division by zero), or the result is not a bool.
    """
    bound = {name: context.get(name, {}) for name in CONDITION_NAMES}
    return _run(source, bound)


def evaluate_filter(source: str, event: Mapping[str, Any]) -> bool:
    """Evaluate an event-trigger filter, in which the only name is `event`.

    Raises:
        ValueError: as for `evaluate_condition`.
    """
    return _run(source, {"event": dict(event)})


def _run(source: str, variables: dict[str, Any]) -> bool:
    program = _compile(source)
    try:
        result = program.execute(variables)
    except KeyError as exc:
        key = exc.args[0] if exc.args else "?"
        msg = f"no such key: {key!r} (test it first with has(...))"
        raise ValueError(msg) from None
    except ZeroDivisionError:
        raise ValueError("division by zero") from None
    except OverflowError as exc:
        raise ValueError(f"number out of range: {exc}") from None
    except (TypeError, ValueError, RuntimeError) as exc:
        # The Rust core's messages are already written for people ("No such overload: ...",
        # "Undefined variable or function: 'foo'"); ValueError also covers data that is
        # not JSON-like ("Conversion Error: ... type set").
        raise ValueError(str(exc)) from None
    if not isinstance(result, bool):
        msg = f"condition must be true or false, got {_describe(result)}"
        raise ValueError(msg)
    return result


@lru_cache(maxsize=512)
def _compile(source: str) -> Program:
    if not source.strip():
        raise ValueError("condition is empty")
    if len(source) > MAX_SOURCE_CHARS:
        msg = f"condition is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}"
        raise ValueError(msg)
    comprehensions = len(_COMPREHENSION.findall(source))
    if comprehensions > MAX_COMPREHENSIONS:
        msg = (
            f"condition uses {comprehensions} comprehensions (all, exists, exists_one, map,"
            f" filter); the limit is {MAX_COMPREHENSIONS}"
        )
        raise ValueError(msg)
    # Imported here: the package's __init__ also loads its command-line tool (typer, rich,
    # prompt_toolkit), which costs about a quarter of a second of cold start.
    import cel

    try:
        return cel.compile(source)
    except ValueError as exc:
        # "Failed to parse expression '<source>': ERROR: <input>:1:4: Syntax error: ..."
        detail = str(exc).split(": ERROR: <input>:", 1)[-1]
        raise ValueError(f"invalid condition: {detail}") from None


def _describe(value: Any) -> str:
    kinds = {
        type(None): "null",
        int: "a number",
        float: "a number",
        str: "a string",
        bytes: "bytes",
        list: "a list",
        dict: "a map",
    }
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kinds.get(type(value), type(value).__name__)} ({text})"

"""Syntax checks with tree-sitter grammars (TypeScript/TSX, JavaScript/JSX, Go, Rust, Java).

Grammars are separate wheels (`tree-sitter-typescript`, ...), each imported on first use
so importing the gate stays cheap. tree-sitter parses without running anything: it is
an incremental parser in C that builds a concrete syntax tree, marking what it could not
parse with ERROR nodes and the tokens it had to assume with MISSING nodes. The first of
those, in document order, is the error we report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.studio.models import GateError

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Query, Tree

# Language name -> "module.function" of the grammar wheel that provides it.
GRAMMARS: dict[str, str] = {
    "typescript": "tree_sitter_typescript.language_typescript",
    "tsx": "tree_sitter_typescript.language_tsx",
    "javascript": "tree_sitter_javascript.language",
    "jsx": "tree_sitter_javascript.language",
    "go": "tree_sitter_go.language",
    "rust": "tree_sitter_rust.language",
    "java": "tree_sitter_java.language",
}

_IMPORTS_QUERY = """
(import_statement source: (string) @src)
(export_statement source: (string) @src)
(call_expression function: (_) @fn arguments: (arguments . (string) @src))
"""


def _grammar(name: str) -> object:
    # Explicit imports (not importlib): the gate never imports by a computed name.
    match GRAMMARS[name]:
        case "tree_sitter_typescript.language_typescript":
            import tree_sitter_typescript

            return tree_sitter_typescript.language_typescript()
        case "tree_sitter_typescript.language_tsx":
            import tree_sitter_typescript

            return tree_sitter_typescript.language_tsx()
        case "tree_sitter_javascript.language":
            import tree_sitter_javascript

            return tree_sitter_javascript.language()
        case "tree_sitter_go.language":
            import tree_sitter_go

            return tree_sitter_go.language()
        case "tree_sitter_rust.language":
            import tree_sitter_rust

            return tree_sitter_rust.language()
        case "tree_sitter_java.language":
            import tree_sitter_java

            return tree_sitter_java.language()
    raise KeyError(name)  # pragma: no cover - GRAMMARS and the match agree


@functools.cache
def language(name: str) -> Language:
    """The grammar for `name`, loaded once per process."""
    from tree_sitter import Language

    return Language(_grammar(name))


def parse(name: str, source: bytes) -> Tree:
    """Parse `source`; a new Parser per call (parsers are not shared across threads)."""
    from tree_sitter import Parser

    return Parser(language(name)).parse(source)


def _first_problem(root: Node) -> Node | None:
    """The first ERROR or MISSING node in document order (pre-order, left to right),
    descending only into subtrees that contain one."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def location(source: bytes, byte_offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset; the column counts characters, not bytes."""
    line_start = source.rfind(b"\n", 0, byte_offset) + 1
    line = source.count(b"\n", 0, byte_offset) + 1
    column = len(source[line_start:byte_offset].decode("utf-8", "replace")) + 1
    return line, column


def _snippet(source: bytes, node: Node) -> str:
    text = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:40] + ("…" if len(first) > 40 else "")


def syntax_errors(path: str, name: str, source: bytes) -> list[GateError]:
    """At most one error per file: the first ERROR/MISSING node, located."""
    tree = parse(name, source)
    if not tree.root_node.has_error:
        return []
    node = _first_problem(tree.root_node)
    if node is None:  # pragma: no cover - has_error implies a node
        return [GateError(path, None, None, "syntax", f"{name} syntax error")]
    line, column = location(source, node.start_byte)
    if node.is_missing:
        message = f"{name} syntax error: missing {node.type!r}"
    else:
        snippet = _snippet(source, node)
        message = f"{name} syntax error: unexpected {snippet!r}" if snippet else "syntax error"
    return [GateError(path, line, column, "syntax", message)]


@dataclass(frozen=True)
class ImportRef:
    """A module specifier in `import ... from "x"`, `export ... from "x"`, `import("x")`
    or `require("x")`, with its 1-based location."""

    specifier: str
    line: int
    column: int


def js_imports(name: str, source: bytes, tree: Tree | None = None) -> list[ImportRef]:
    """Every static module specifier of a JS/TS file, found with a tree-sitter query."""
    from tree_sitter import QueryCursor

    tree = tree or parse(name, source)
    query = _imports_query(name)
    refs: list[ImportRef] = []
    for _, captures in QueryCursor(query).matches(tree.root_node):
        fn = captures.get("fn")
        if fn and not (
            fn[0].type == "import" or source[fn[0].start_byte : fn[0].end_byte] == b"require"
        ):
            continue
        for node in captures.get("src", []):
            raw = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
            line, column = location(source, node.start_byte)
            refs.append(ImportRef(raw[1:-1], line, column))
    refs.sort(key=lambda ref: (ref.line, ref.column))
    return refs


@functools.cache
def _imports_query(name: str) -> Query:
    from tree_sitter import Query

    return Query(language(name), _IMPORTS_QUERY)

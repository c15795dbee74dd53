"""Python checks with the standard library's `ast`: syntax, elided bodies, and relative
imports of modules that were never generated.

`ast.parse` only builds a tree (it compiles with `PyCF_ONLY_AST`); nothing is executed
or imported. The grammar is the runtime's (Python 3.11).
"""

from __future__ import annotations

import ast
import posixpath
import re

from shared.studio.models import GateError

_TODO_COMMENT = re.compile(r"#.*\b(TODO|FIXME|XXX)\b", re.IGNORECASE)
_STUB_DECORATORS = frozenset({"overload", "abstractmethod", "abstractproperty"})
# Nodes with statement lists (body/orelse/finalbody).
_BLOCKS = (ast.stmt, ast.Module, ast.ExceptHandler, ast.match_case)


def parse(path: str, source: str) -> tuple[ast.Module | None, list[GateError]]:
    """The module's tree, or the syntax error located (line and 1-based column)."""
    try:
        return ast.parse(source, filename=path), []
    except SyntaxError as exc:
        line = exc.lineno
        column = exc.offset if exc.offset and exc.offset > 0 else None
        return None, [GateError(path, line, column, "syntax", f"python syntax error: {exc.msg}")]
    except (RecursionError, MemoryError, ValueError) as exc:
        # Too deeply nested to parse, or NUL bytes in the source.
        return None, [GateError(path, None, None, "syntax", f"python: cannot parse ({exc})")]


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and stmt.value.value is Ellipsis
    )


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1:]
    return body


def _is_protocol(cls: ast.ClassDef) -> bool:
    return any(
        (isinstance(b, ast.Name) and b.id.endswith("Protocol"))
        or (isinstance(b, ast.Attribute) and b.attr.endswith("Protocol"))
        or (isinstance(b, ast.Subscript) and "Protocol" in ast.unparse(b.value))
        for b in cls.bases
    )


def walk(tree: ast.Module) -> list[ast.AST]:
    """Every node once (walking is most of the checks' cost; do it once per file)."""
    return list(ast.walk(tree))


def placeholders(path: str, nodes: list[ast.AST], source: str) -> list[GateError]:
    """Function bodies that are only `...` or `pass  # TODO`, and `...` statements that
    elide code in the middle of a body. Stubs are exempt: `@overload`, `@abstractmethod`,
    methods of a Protocol, and `.pyi` files."""
    if path.endswith(".pyi"):
        return []
    lines = source.splitlines()
    errors: list[GateError] = []
    stub_scopes: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.ClassDef) and _is_protocol(node):
            stub_scopes.update(id(child) for child in node.body)
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stub = id(node) in stub_scopes or any(
                _decorator_name(d) in _STUB_DECORATORS for d in node.decorator_list
            )
            body = _without_docstring(node.body)
            if len(body) == 1 and not stub:
                only = body[0]
                if _is_ellipsis(only):
                    errors.append(
                        GateError(
                            path,
                            only.lineno,
                            only.col_offset + 1,
                            "placeholder",
                            f"function {node.name!r} has no body (only '...')",
                        )
                    )
                elif isinstance(only, ast.Pass) and _TODO_COMMENT.search(
                    lines[only.lineno - 1] if only.lineno <= len(lines) else ""
                ):
                    errors.append(
                        GateError(
                            path,
                            only.lineno,
                            only.col_offset + 1,
                            "placeholder",
                            f"function {node.name!r} is 'pass  # TODO'",
                        )
                    )
        if not isinstance(node, _BLOCKS):
            continue
        body_lists = [
            getattr(node, field)
            for field in ("body", "orelse", "finalbody")
            if isinstance(getattr(node, field, None), list)
        ]
        for body in body_lists:
            statements = _without_docstring(body)
            if len(statements) > 1:
                errors.extend(
                    GateError(
                        path,
                        stmt.lineno,
                        stmt.col_offset + 1,
                        "placeholder",
                        "'...' stands in for elided code",
                    )
                    for stmt in statements
                    if _is_ellipsis(stmt)
                )
    return sorted(errors, key=lambda e: (e.line or 0, e.column or 0))


def _module_exists(base: str, dotted: str, paths: frozenset[str]) -> bool:
    stem = posixpath.join(base, *dotted.split(".")) if dotted else base
    stem = posixpath.normpath(stem)
    return f"{stem}.py" in paths or f"{stem}/__init__.py" in paths


def relative_imports(path: str, nodes: list[ast.AST], paths: frozenset[str]) -> list[GateError]:
    """`from .x import y` must resolve to a generated `x.py` or `x/__init__.py`
    (or `from . import y` to a generated `y.py`, `y/` or the package's `__init__.py`)."""
    errors: list[GateError] = []
    for node in nodes:
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = posixpath.dirname(path)
        for _ in range(node.level - 1):
            base = posixpath.dirname(base) if base else "/"
        shown = "." * node.level + (node.module or "")
        if base == "/":
            ok = False
        elif node.module:
            ok = _module_exists(base, node.module, paths)
        else:
            init = posixpath.normpath(posixpath.join(base, "__init__.py"))
            ok = init in paths or all(
                _module_exists(base, alias.name, paths) for alias in node.names
            )
        if not ok:
            errors.append(
                GateError(
                    path,
                    node.lineno,
                    node.col_offset + 1,
                    "unresolved-import",
                    f"'{shown}' does not resolve to a generated file",
                )
            )
    return errors

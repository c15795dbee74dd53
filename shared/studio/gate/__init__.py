"""The studio's static gate: generated files are parsed and checked, never run.

    check(kind, files, *, language, declared=None, dependencies=()) -> Validation

Per kind (docs/studio.md, "The gate"):

- every file: path, size and declared-set checks, placeholder phrases, secrets-looking
  strings (hygiene.py), and a parse by its language: Python with `ast` (python.py),
  TypeScript/TSX/JavaScript/JSX/Go/Rust/Java with tree-sitter grammars (treesitter.py),
  JSON/YAML/TOML with safe loaders (data.py); relative imports must resolve.
- code: at least one file in the requested language.
- api: an OpenAPI 3.1 document that validates, whose `$ref`s resolve inside it and
  whose operations have an operationId and responses (openapi.py).
- ui: a TSX/JSX component whose package imports are allowed or declared (ui.py).
- cli: a Python tool whose argparse/click commands are found in the AST; their usage
  lines come back in `Validation.usage` (cli.py).

Nothing here executes, evaluates, imports or spawns anything from generated text.
Grammars, YAML and the OpenAPI validator are imported on first use, so importing this
package is cheap.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Literal, get_args

from shared.studio.gate import cli, hygiene, python, ui
from shared.studio.gate.languages import CODE_LANGUAGES, JS_FAMILY, LANGUAGES, PARSERS
from shared.studio.gate.limits import MAX_ERRORS, MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES
from shared.studio.gate.ui import ALLOWED_UI_PACKAGES
from shared.studio.models import File, GateError, Validation

__all__ = [
    "ALLOWED_UI_PACKAGES",
    "CODE_LANGUAGES",
    "KINDS",
    "LANGUAGES",
    "MAX_ERRORS",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "Kind",
    "check",
]

Kind = Literal["code", "api", "ui", "cli"]
KINDS: tuple[str, ...] = get_args(Kind)
_UI_LANGUAGES = frozenset({"tsx", "jsx"})


def _error(code: str, message: str, file: str | None = None) -> GateError:
    return GateError(file, None, None, code, message)


def _file_errors(
    *,
    kind: str,
    f: File,
    paths: frozenset[str],
    packages: frozenset[str] | None,
    trees: dict[str, list[ast.AST]],
    docs: dict[str, object],
) -> list[GateError]:
    errors = [*hygiene.placeholders(f), *hygiene.secrets(f)]
    parser = PARSERS.get(f.language)
    if parser is None:
        errors.append(
            _error("unsupported-language", f"unknown language {f.language!r}", file=f.path)
        )
    elif parser == "ast":
        tree, syntax = python.parse(f.path, f.content)
        errors.extend(syntax)
        if tree is not None:
            nodes = python.walk(tree)
            trees[f.path] = nodes
            errors.extend(python.placeholders(f.path, nodes, f.content))
            errors.extend(python.relative_imports(f.path, nodes, paths))
    elif parser == "tree-sitter":
        from shared.studio.gate import treesitter

        syntax = treesitter.syntax_errors(f.path, f.language, f.content.encode("utf-8"))
        errors.extend(syntax)
        if not syntax and f.language in JS_FAMILY:
            errors.extend(ui.check_imports(f, paths, packages=packages if kind == "ui" else None))
    elif parser in {"json", "yaml", "toml"}:
        from shared.studio.gate import data

        doc = data.load(f)
        errors.extend(doc.errors)
        if not doc.errors:
            docs[f.path] = doc
    return errors


def _kind_errors(
    *,
    kind: str,
    files: Sequence[File],
    language: str | None,
    trees: dict[str, list[ast.AST]],
    docs: dict[str, object],
    syntax_failed: bool,
) -> tuple[list[GateError], list[str]]:
    errors: list[GateError] = []
    usage: list[str] = []
    languages = {f.language for f in files}
    if kind == "code":
        if language is not None and language not in languages:
            errors.append(_error("empty", f"no {language} file was generated"))
    elif kind == "api":
        from shared.studio.gate import openapi
        from shared.studio.gate.data import Document

        specs = [
            (f, doc)
            for f in files
            if isinstance(doc := docs.get(f.path), Document) and openapi.is_spec(doc)
        ]
        if not specs and not syntax_failed:
            errors.append(_error("openapi", "no OpenAPI document (a file with `openapi: 3.1.x`)"))
        for f, doc in specs:
            errors.extend(openapi.check(f, doc))
    elif kind == "ui":
        if not languages & _UI_LANGUAGES:
            errors.append(_error("empty", "no .tsx/.jsx component was generated"))
    elif kind == "cli":
        if "python" not in languages:
            errors.append(_error("empty", "no Python file was generated"))
        for f in files:
            if f.path in trees:
                usage.extend(cli.usage(f.path, trees[f.path]))
        if "python" in languages and not usage and not syntax_failed:
            first = next(f.path for f in files if f.language == "python")
            errors.append(
                _error(
                    "no-commands",
                    "no argparse parser (add_parser/add_argument) or click command found",
                    file=first,
                )
            )
    return errors, usage


def _finish(errors: list[GateError], files: Sequence[File], usage: Sequence[str]) -> Validation:
    order = {f.path: i for i, f in enumerate(files)}
    unique = list(dict.fromkeys(errors))
    seen: set[tuple[str | None, int | None, str]] = set()
    deduped = []
    for e in unique:  # one placeholder per line, whichever check saw it first
        key = (e.file, e.line, e.code)
        if e.code == "placeholder" and e.line is not None and key in seen:
            continue
        seen.add(key)
        deduped.append(e)
    deduped.sort(
        key=lambda e: (-1 if e.file is None else order.get(e.file, len(order)), e.line or 0)
    )
    if len(deduped) > MAX_ERRORS:
        more = len(deduped) - (MAX_ERRORS - 1)
        deduped = [
            *deduped[: MAX_ERRORS - 1],
            _error("too-many-errors", f"{more} more errors not shown"),
        ]
    return Validation(ok=not deduped, errors=tuple(deduped), usage=tuple(usage))


def check(
    kind: Kind,
    files: Sequence[File],
    *,
    language: str | None,
    declared: Sequence[str] | None = None,
    dependencies: Sequence[str] = (),
) -> Validation:
    """Check generated `files` of one `kind` statically; every error is located where
    it can be (file, 1-based line and column). At most MAX_ERRORS are reported."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not files:
        return _finish([_error("empty", "no files were generated")], files, ())
    errors: list[GateError] = []
    if language is not None and language not in (CODE_LANGUAGES if kind == "code" else LANGUAGES):
        errors.append(_error("unsupported-language", f"language {language!r} is not supported"))
    structural = hygiene.structure(files, declared)
    errors.extend(structural)
    if any(e.file is None for e in structural):  # too many files or bytes: parse nothing
        return _finish(errors, files, ())
    oversized = {e.file for e in structural if e.code == "too-large"}
    paths = frozenset(f.path for f in files)
    packages = ui.allowed_packages(dependencies) if kind == "ui" else None
    trees: dict[str, list[ast.AST]] = {}
    docs: dict[str, object] = {}
    syntax_failed = False
    for f in files:
        if f.path in oversized:
            continue
        file_errors = _file_errors(
            kind=kind, f=f, paths=paths, packages=packages, trees=trees, docs=docs
        )
        syntax_failed = syntax_failed or any(e.code == "syntax" for e in file_errors)
        errors.extend(file_errors)
    kind_errors, usage = _kind_errors(
        kind=kind,
        files=files,
        language=language,
        trees=trees,
        docs=docs,
        syntax_failed=syntax_failed,
    )
    errors.extend(kind_errors)
    return _finish(errors, files, usage)

"""OpenAPI 3.1 checks: the document validates with `openapi-spec-validator`, every
`$ref` resolves inside the spec, every operation has an `operationId` and responses.

References are resolved here, by JSON pointer, before the validator sees the document;
a reference to anything outside the spec (a URL, a file) is reported and never
followed. The validator is additionally given resolver handlers that refuse every
scheme, because by default it would fetch `http(s)://` and `file://` references.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Iterator
from typing import Any

from shared.studio.gate.data import Document, pointer
from shared.studio.models import File, GateError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_VALIDATOR_ERRORS = 20
_MISSING = object()


def is_spec(doc: Document) -> bool:
    return isinstance(doc.data, dict) and "openapi" in doc.data


def _stringify_keys(data: Any) -> Any:
    """YAML reads `200:` as an int; OpenAPI keys are strings."""
    if isinstance(data, dict):
        return {str(k): _stringify_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_stringify_keys(v) for v in data]
    return data


def _walk(data: Any, at: str = "") -> Iterator[tuple[str, Any]]:
    stack: list[tuple[str, Any]] = [(at, data)]
    while stack:
        here, node = stack.pop()
        yield here, node
        if isinstance(node, dict):
            stack.extend(
                (here + pointer([k]), v)
                for k, v in reversed(node.items())
                if k not in {"example", "const", "default", "enum"}
            )
        elif isinstance(node, list):
            stack.extend((here + pointer([i]), v) for i, v in reversed(list(enumerate(node))))


def resolve(data: Any, ref: str) -> Any:
    """The value a local reference `#/a/b` points at, or _MISSING."""
    fragment = urllib.parse.unquote(ref[1:])
    if fragment == "":
        return data
    if not fragment.startswith("/"):
        return _MISSING  # a plain-name anchor; OpenAPI documents use pointers
    node = data
    for raw in fragment[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _at(doc: Document, path: str, where: str) -> tuple[int | None, int | None]:
    while True:
        if where in doc.positions:
            return doc.positions[where]
        if not where:
            return None, None
        where = where.rsplit("/", 1)[0]


def _refs(path: str, doc: Document, data: Any) -> tuple[list[GateError], bool]:
    """Errors for references that point nowhere or outside the spec; and whether any did."""
    errors: list[GateError] = []
    for where, node in _walk(data):
        if not isinstance(node, dict) or "$ref" not in node:
            continue
        ref = node["$ref"]
        line, column = _at(doc, path, where + "/$ref")
        if not isinstance(ref, str):
            errors.append(
                GateError(path, line, column, "dangling-ref", f"{where}: $ref is not a string")
            )
        elif not ref.startswith("#"):
            errors.append(
                GateError(
                    path,
                    line,
                    column,
                    "dangling-ref",
                    f"{where or '/'}: $ref {ref!r} leaves the spec; the gate resolves "
                    "references only inside the document",
                )
            )
        elif resolve(data, ref) is _MISSING:
            errors.append(
                GateError(
                    path,
                    line,
                    column,
                    "dangling-ref",
                    f"{where or '/'}: $ref {ref!r} points nowhere",
                )
            )
    return errors, bool(errors)


def _operations(path: str, doc: Document, data: dict[str, Any]) -> list[GateError]:
    errors: list[GateError] = []
    for section in ("paths", "webhooks"):
        items = data.get(section)
        if not isinstance(items, dict):
            continue
        for name, value in items.items():
            base = pointer([section, name])
            item = value
            if isinstance(value, dict) and isinstance(value.get("$ref"), str):
                target = resolve(data, value["$ref"])
                item = target if isinstance(target, dict) else {}
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                where = base + pointer([method])
                line, column = _at(doc, path, where)
                label = f"{method.upper()} {name}"
                if not operation.get("operationId"):
                    errors.append(
                        GateError(
                            path,
                            line,
                            column,
                            "missing-operation-id",
                            f"{label} has no operationId",
                        )
                    )
                responses = operation.get("responses")
                if not isinstance(responses, dict) or not responses:
                    errors.append(
                        GateError(
                            path, line, column, "missing-responses", f"{label} has no responses"
                        )
                    )
    return errors


class _RefuseEverything(dict[str, Any]):
    """Resolver handlers for every URI scheme, each refusing to fetch."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return _refuse


def _refuse(uri: str) -> Any:
    raise PermissionError(f"the gate does not fetch {uri}")


@functools.cache
def _validator_class() -> Any:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    class Validator(OpenAPIV31SpecValidator):
        resolver_handlers = _RefuseEverything()

    return Validator


def _validate(path: str, doc: Document, data: dict[str, Any], refs_failed: bool) -> list[GateError]:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    errors: list[GateError] = []
    validator = _validator_class()(data)
    try:
        for error in validator.iter_errors():
            where = pointer(list(error.absolute_path))
            line, column = _at(doc, path, where)
            errors.append(
                GateError(path, line, column, "openapi", f"{where or '/'}: {error.message}")
            )
            if len(errors) >= MAX_VALIDATOR_ERRORS:
                break
    except Exception as exc:  # the library raises referencing and jsonschema errors
        if not refs_failed:  # an unresolvable reference we already reported
            errors.append(
                GateError(path, None, None, "openapi", f"spec could not be validated: {exc}"[:300])
            )
    finally:
        # iter_errors is lru_cached per validator instance; drop it so specs do not pile up.
        cached = getattr(OpenAPIV31SpecValidator.iter_errors, "__wrapped__", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()
    return errors


def check(f: File, doc: Document) -> list[GateError]:
    """All OpenAPI checks of one loaded spec document."""
    data = _stringify_keys(doc.data)
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.1."):
        line, column = _at(doc, f.path, "/openapi")
        return [
            GateError(
                f.path, line, column, "openapi", f"openapi must be a 3.1.x version, not {version!r}"
            )
        ]
    ref_errors, refs_failed = _refs(f.path, doc, data)
    return [
        *ref_errors,
        *_operations(f.path, doc, data),
        *_validate(f.path, doc, data, refs_failed),
    ]

"""Structured output: a deterministic JSON value for a JSON schema (the common subset)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tools.standin.text import filler_words, normalize

MAX_SCHEMA_DEPTH = 6
PHRASE_WORDS = 6
TITLE_WORDS = 4

TITLE_KEY_RE = re.compile(r"title|heading|headline|subject|name", re.IGNORECASE)


@dataclass(frozen=True)
class _SchemaContext:
    root: Mapping[str, Any]
    words: tuple[str, ...]
    label: str | None


def generate_from_schema(
    schema: Mapping[str, Any], *, prompt: str = "", label: str | None = None
) -> Any:
    """A deterministic JSON value that validates against `schema` (the common subset)."""
    words = tuple(re.sub(r"[^\w\s'-]", " ", normalize(prompt)).split())
    context = _SchemaContext(root=schema, words=words, label=label)
    return _generate(schema, context, key="", depth=0, index=0)


def _lookup_ref(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for raw in [p for p in ref[1:].split("/") if p]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, Mapping) else {}


def _resolve(schema: Mapping[str, Any], context: _SchemaContext) -> Mapping[str, Any]:
    for _ in range(32):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**_lookup_ref(ref, context.root), **siblings}
    return schema


HINT_KEYS = {
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "format",
}
HINT_RE = re.compile(r"\{([^{}]*)\}\s*$")


def _with_hints(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Add constraints a schema carries only in its description.

    The Anthropic SDK's `transform_schema` moves keywords structured outputs do not
    support into the description as `{minimum: 5, maxLength: 40}`; honour them.
    """
    description = schema.get("description")
    match = HINT_RE.search(description) if isinstance(description, str) else None
    if match is None:
        return schema
    hints: dict[str, Any] = {}
    for item in match.group(1).split(","):
        key, sep, raw = item.partition(":")
        key, raw = key.strip(), raw.strip()
        if not sep or key not in HINT_KEYS or key in schema:
            continue
        try:
            hints[key] = json.loads(raw)
        except ValueError:
            hints[key] = raw
    return {**schema, **hints} if hints else schema


def _is_null(schema: Mapping[str, Any], context: _SchemaContext) -> bool:
    resolved = _resolve(schema, context)
    return resolved.get("type") == "null" or resolved.get("const", ...) is None


def _pick_branch(
    options: Sequence[Mapping[str, Any]], context: _SchemaContext, depth: int
) -> Mapping[str, Any]:
    nulls = [o for o in options if _is_null(o, context)]
    others = [o for o in options if not _is_null(o, context)]
    if depth >= MAX_SCHEMA_DEPTH and nulls:
        return nulls[0]
    return (others or nulls or [{}])[0]


def _merge_all_of(schema: Mapping[str, Any], context: _SchemaContext) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        for key, value in _resolve(part, context).items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _schema_type(schema: Mapping[str, Any], depth: int) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        if depth >= MAX_SCHEMA_DEPTH and "null" in declared:
            return "null"
        return next((t for t in declared if t != "null"), "null")
    if isinstance(declared, str):
        return declared
    if "properties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _generate(
    schema: Mapping[str, Any], context: _SchemaContext, *, key: str, depth: int, index: int
) -> Any:
    schema = _with_hints(_resolve(schema, context))
    enum = schema.get("enum")
    branches = schema.get("anyOf") or schema.get("oneOf")
    if "const" in schema:
        value = schema["const"]
    elif key.lower() == "label" and context.label is not None:
        value = context.label
    elif isinstance(enum, list) and enum:
        value = enum[min(index, len(enum) - 1)]
    elif isinstance(branches, list) and branches:
        branch = _pick_branch(branches, context, depth)
        value = _generate(branch, context, key=key, depth=depth, index=index)
    elif isinstance(schema.get("allOf"), list):
        merged = _merge_all_of(schema, context)
        value = _generate(merged, context, key=key, depth=depth, index=index)
    else:
        value = _generate_typed(schema, context, key=key, depth=depth, index=index)
    return value


def _generate_typed(
    schema: Mapping[str, Any], context: _SchemaContext, *, key: str, depth: int, index: int
) -> Any:
    kind = _schema_type(schema, depth)
    if kind == "object":
        return _generate_object(schema, context, depth=depth)
    if kind == "array":
        return _generate_array(schema, context, key=key, depth=depth)
    if kind in {"number", "integer"}:
        preferred = 1 + index if kind == "integer" else 0.9
        return _in_range(preferred, schema, integer=kind == "integer")
    if kind in {"boolean", "null"}:
        return True if kind == "boolean" else None
    return _generate_string(schema, context, key=key, index=index)


def _generate_object(
    schema: Mapping[str, Any], context: _SchemaContext, *, depth: int
) -> dict[str, Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = [k for k in schema.get("required") or [] if isinstance(k, str)]
    keys = [k for k in properties if depth < MAX_SCHEMA_DEPTH or k in required]
    keys += [k for k in required if k not in properties]
    return {
        k: _generate(properties.get(k, {}), context, key=k, depth=depth + 1, index=0) for k in keys
    }


def _generate_array(
    schema: Mapping[str, Any], context: _SchemaContext, *, key: str, depth: int
) -> list[Any]:
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        return [
            _generate(item, context, key=key, depth=depth + 1, index=i)
            for i, item in enumerate(prefix)
        ]
    min_items = int(schema.get("minItems") or 0)
    count = min_items if depth >= MAX_SCHEMA_DEPTH else max(1, min_items)
    if isinstance(schema.get("maxItems"), int):
        count = min(count, schema["maxItems"])
    items = schema.get("items")
    item_schema = items if isinstance(items, Mapping) else {}
    return [
        _generate(item_schema, context, key=key, depth=depth + 1, index=i) for i in range(count)
    ]


def _in_range(preferred: float, schema: Mapping[str, Any], *, integer: bool) -> float:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if xlo is True:  # draft 4: a flag on minimum
        xlo, lo = lo, None
    if xhi is True:
        xhi, hi = hi, None
    xlo = None if isinstance(xlo, bool) else xlo
    xhi = None if isinstance(xhi, bool) else xhi

    def fits(value: float) -> bool:
        return (
            (lo is None or value >= lo)
            and (hi is None or value <= hi)
            and (xlo is None or value > xlo)
            and (xhi is None or value < xhi)
        )

    low = lo if lo is not None else xlo
    high = hi if hi is not None else xhi
    candidates: list[float] = [preferred]
    if integer:
        if low is not None:
            candidates += [math.ceil(low), math.floor(low) + 1]
        if high is not None:
            candidates += [math.floor(high), math.ceil(high) - 1]
    else:
        if low is not None and high is not None:
            candidates.append((low + high) / 2)
        if low is not None:
            candidates += [low, low + 1]
        if high is not None:
            candidates += [high, high - 1]
    chosen = next((c for c in candidates if fits(c)), preferred)
    return int(chosen) if integer else chosen


STRING_FORMATS = {
    "date-time": "2025-01-01T09:00:00Z",
    "date": "2025-01-01",
    "time": "09:00:00",
    "email": "standin@example.com",
    "uri": "https://example.com/standin",
    "url": "https://example.com/standin",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "duration": "PT1H",
}


def _generate_string(
    schema: Mapping[str, Any], context: _SchemaContext, *, key: str, index: int
) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.UUID(bytes=hashlib.sha256(f"{key}:{index}".encode()).digest()[:16]))
    if isinstance(fmt, str) and fmt in STRING_FORMATS:
        return STRING_FORMATS[fmt]
    lowered = key.lower()
    words = list(context.words) or ["stand-in", "text"]
    if "email" in lowered:
        value = "standin@example.com"
    elif lowered.endswith(("url", "uri", "link")):
        value = "https://example.com/standin"
    elif TITLE_KEY_RE.search(lowered):
        value = " ".join(w[:1].upper() + w[1:] for w in words[:TITLE_WORDS])
    else:
        value = " ".join(words[:PHRASE_WORDS])
    if index:
        value = f"{value} {index + 1}"
    min_length = int(schema.get("minLength") or 0)
    if len(value) < min_length:
        padding = filler_words(f"pad:{value}", min_length)
        value = " ".join([value, *padding])[: max(min_length, len(value))]
        while len(value) < min_length:
            value += "x"
    max_length = schema.get("maxLength")
    if isinstance(max_length, int) and len(value) > max_length:
        value = value[:max_length].rstrip() or value[:max_length]
    return value

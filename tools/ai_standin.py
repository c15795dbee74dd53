"""A deterministic local stand-in for the OpenAI and Anthropic HTTP APIs, for tests and dev."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import logging
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

log = logging.getLogger("aura.ai_standin")

DEFAULT_TOKENS = 24
DEFAULT_DIMENSIONS = 1536
ECHO_CHARS = 120
LOGGED_PROMPT_CHARS = 200
MAX_SCHEMA_DEPTH = 6
PHRASE_WORDS = 6
TITLE_WORDS = 4

PROVIDERS = ("openai", "anthropic")
ENDPOINTS = ("chat", "embeddings", "messages")

# 32 words, so one hash byte picks one uniformly.
VOCABULARY = (
    "aurora", "signal", "harbor", "meadow", "quartz", "lantern", "river", "summit",
    "cedar", "ember", "orbit", "pixel", "willow", "canyon", "falcon", "glacier",
    "horizon", "island", "jasmine", "kernel", "lagoon", "marble", "nectar", "opal",
    "prairie", "quill", "raven", "saffron", "tundra", "velvet", "zephyr", "breeze",
)  # fmt: skip

DIRECTIVE_RE = re.compile(r"\[\[\s*standin\b([^\]]*)\]\]", re.IGNORECASE)
CODE_WORD_RE = re.compile(r"\bcode\b", re.IGNORECASE)
TITLE_KEY_RE = re.compile(r"title|heading|headline|subject|name", re.IGNORECASE)
CUT_LOG_MESSAGE = "ASGI callable returned without completing response."

OPENAI_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    408: ("timeout_error", None),
    409: ("conflict_error", None),
    422: ("invalid_request_error", None),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}
ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class StandinRequestError(Exception):
    """A request the stand-in rejects; rendered in the calling provider's error format."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- behaviour: app defaults, faults, directives -----------------------------------------


@dataclass(frozen=True)
class Behaviour:
    """How one response is played out; app defaults, then a fault, then directives."""

    tokens: int = DEFAULT_TOKENS
    first_token_delay_ms: int = 30
    token_delay_ms: int = 10
    status: int | None = None
    cut_after: int | None = None
    malformed_after: int | None = None
    hang_ms: int = 0
    invalid_json: bool = False
    label: str | None = None

    def overridden(self, settings: Mapping[str, Any]) -> Behaviour:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in settings.items() if k in known})


def _int_setting(low: int, high: int | None = None) -> Callable[[str, object], int]:
    def parse(key: str, raw: object) -> int:
        if isinstance(raw, bool):
            raise StandinRequestError(400, f"standin: {key} must be an integer")
        try:
            value = int(str(raw)) if not isinstance(raw, int) else raw
        except ValueError:
            raise StandinRequestError(400, f"standin: {key} must be an integer") from None
        if value < low or (high is not None and value > high):
            bounds = f">= {low}" if high is None else f"in {low}..{high}"
            raise StandinRequestError(400, f"standin: {key} must be {bounds}, got {value}")
        return value

    return parse


def _bool_setting(key: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise StandinRequestError(400, f"standin: {key} must be a boolean (1/0/true/false)")


def _str_setting(key: str, raw: object) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool) or str(raw) == "":
        raise StandinRequestError(400, f"standin: {key} must be a non-empty string")
    return str(raw)


SETTINGS: dict[str, Callable[[str, object], Any]] = {
    "tokens": _int_setting(1),
    "first_token_delay_ms": _int_setting(0),
    "token_delay_ms": _int_setting(0),
    "status": _int_setting(400, 599),
    "cut_after": _int_setting(0),
    "malformed_after": _int_setting(0),
    "hang_ms": _int_setting(0),
    "invalid_json": _bool_setting,
    "label": _str_setting,
}


def parse_settings(raw: Mapping[str, object]) -> dict[str, Any]:
    """Validate behaviour settings (directive or fault keys); unknown keys are an error."""
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        parser = SETTINGS.get(key)
        if parser is None:
            raise StandinRequestError(
                400, f"standin: unknown setting {key!r} (known: {', '.join(SETTINGS)})"
            )
        settings[key] = parser(key, value)
    return settings


def parse_directives(text: str) -> tuple[str, dict[str, Any]]:
    """Remove `[[standin key=value ...]]` directives from `text`; return it and the settings."""
    raw: dict[str, str] = {}
    for match in DIRECTIVE_RE.finditer(text):
        for pair in match.group(1).split():
            key, sep, value = pair.partition("=")
            if not sep:
                raise StandinRequestError(400, f"standin: directive item {pair!r} is not key=value")
            raw[key.strip().lower()] = value.strip()
    cleaned = DIRECTIVE_RE.sub(" ", text)
    return normalize(cleaned), parse_settings(raw)


# --- deterministic text ----------------------------------------------------------------


def normalize(text: str) -> str:
    """Collapse whitespace, so echoes and token counts do not depend on layout."""
    return " ".join(text.split())


def estimate_tokens(characters: int) -> int:
    """The stand-in's token estimate for input text: one token per four characters."""
    return math.ceil(characters / 4)


def _hash_stream(seed: str) -> Callable[[], int]:
    """Successive bytes of sha256(seed:0), sha256(seed:1), ... as a deterministic source."""
    counter = itertools.count()
    pool: list[int] = []

    def next_byte() -> int:
        if not pool:
            digest = hashlib.sha256(f"{seed}\x00{next(counter)}".encode()).digest()
            pool.extend(reversed(digest))
        return pool.pop()

    return next_byte


def filler_words(seed: str, count: int) -> list[str]:
    """`count` words of the vocabulary, chosen by the hash of `seed`."""
    draw = _hash_stream(seed)
    return [VOCABULARY[draw() % len(VOCABULARY)] for _ in range(count)]


def answer_tokens(prompt: str, count: int = DEFAULT_TOKENS) -> list[str]:
    """The reply to `prompt` as exactly `count` tokens (a word and its separator each)."""
    prompt = normalize(prompt)
    echo = f"Aura stand-in reply to: {prompt[:ECHO_CHARS].rstrip()}."
    pairs: list[tuple[str, str]] = [(word, " ") for word in echo.split(" ")]
    if CODE_WORD_RE.search(prompt):
        first, second = filler_words(f"code:{prompt}", 2)
        pairs[-1] = (pairs[-1][0], "\n\n")
        pairs += [
            ("Example:", "\n\n"),
            ("```python", "\n"),
            ("def", " "),
            ("stand_in_reply()", " "),
            ("->", " "),
            ("str:", "\n"),
            ("    return", " "),
            (f'"{first}-{second}"', "\n"),
            ("```", "\n\n"),
        ]
    missing = count - len(pairs)
    if missing > 0:
        words = filler_words(prompt, missing)
        words[-1] += "."
        pairs += [(word, " ") for word in words]
    pairs = pairs[:count]
    return [word + sep for word, sep in pairs[:-1]] + [pairs[-1][0]]


def split_tokens(text: str) -> list[str]:
    """Split text (a JSON document) into tokens: a run of non-space and the space after it."""
    tokens = re.findall(r"\s*\S+\s*", text)
    return tokens or [text]


# --- structured output from a JSON schema ----------------------------------------------


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


# --- embeddings ------------------------------------------------------------------------


def embedding_vector(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """A unit-length vector from the hash of `text` (float32 precision, as the API sends)."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        raw.extend((v - 32767.5) / 32767.5 for v in struct.unpack(">16H", digest))
        counter += 1
    raw = raw[:dimensions]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    packed = struct.pack(f"<{dimensions}f", *(v / norm for v in raw))
    return list(struct.unpack(f"<{dimensions}f", packed))


# --- state: faults and the request log -------------------------------------------------


@dataclass
class Fault:
    """Behaviour for the next `remaining` requests that match `provider` and `endpoint`."""

    id: int
    provider: str
    endpoint: str
    remaining: int
    settings: dict[str, Any]

    def matches(self, provider: str, endpoint: str) -> bool:
        return self.provider in {"*", provider} and self.endpoint in {"*", endpoint}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "remaining": self.remaining,
            **self.settings,
        }


@dataclass
class LogEntry:
    """One provider request as the request log reports it."""

    id: int
    provider: str
    endpoint: str
    started_at: float
    model: str | None = None
    stream: bool = False
    prompt: str = ""
    status: int | None = None
    tokens_sent: int = 0
    completed: bool = False
    client_closed: bool = False
    ended_at: float | None = None
    fault: int | None = None
    directives: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class StandinState:
    """Faults waiting to fire and the request log, shared by the server and its callers."""

    def __init__(self, defaults: Behaviour) -> None:
        self.defaults = defaults
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._entries: list[LogEntry] = []
        self._fault_ids = itertools.count(1)
        self._entry_ids = itertools.count(1)

    # faults
    def add_fault(
        self, provider: str, endpoint: str, count: int, settings: dict[str, Any]
    ) -> Fault:
        with self._lock:
            fault = Fault(next(self._fault_ids), provider, endpoint, count, settings)
            self._faults.append(fault)
            return fault

    def take_fault(self, provider: str, endpoint: str) -> Fault | None:
        """The oldest fault matching this request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(provider, endpoint):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def clear_faults(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            return cleared

    # request log
    def open_entry(self, provider: str, endpoint: str) -> LogEntry:
        with self._lock:
            entry = LogEntry(next(self._entry_ids), provider, endpoint, started_at=time.time())
            self._entries.append(entry)
            return entry

    def update(self, entry: LogEntry, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(entry, name, value)

    def add_tokens(self, entry: LogEntry, tokens: int) -> None:
        with self._lock:
            entry.tokens_sent += tokens

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e.to_json() for e in self._entries]

    def clear_entries(self) -> int:
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
            return cleared


# --- the wire: responses played out over time ------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A piece of a response body, sent after `delay_ms`; `cut` drops the connection instead."""

    data: bytes = b""
    tokens: int = 0
    delay_ms: int = 0
    cut: bool = False


class _CutFilter(logging.Filter):
    """Drops uvicorn's complaint about the responses the stand-in cuts on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0
        self._lock = threading.Lock()

    def expect_cut(self) -> None:
        with self._lock:
            self.pending += 1

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != CUT_LOG_MESSAGE:
            return True
        with self._lock:
            if self.pending > 0:
                self.pending -= 1
                return False
        return True


_CUT_FILTER = _CutFilter()


def _install_cut_filter() -> None:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if _CUT_FILTER not in uvicorn_log.filters:
        uvicorn_log.addFilter(_CUT_FILTER)


class Exchange(Response):
    """A response that waits, sends frames with delays and records how it ended.

    It listens for the client's disconnect while it plays, so a client that goes away
    mid-stream (or during `hang_ms`) stops the playback and is logged as `client_closed`.
    """

    def __init__(
        self,
        *,
        state: StandinState,
        entry: LogEntry,
        status_code: int,
        headers: Mapping[str, str],
        media_type: str,
        frames: Sequence[Frame],
        head_delay_ms: int = 0,
        streaming: bool = False,
        broken: bool = False,
    ) -> None:
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.state = state
        self.entry = entry
        self.frames = list(frames)
        self.head_delay_ms = head_delay_ms
        self.broken = broken
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-type", media_type.encode("latin-1")))
        if streaming:
            raw.append((b"cache-control", b"no-cache"))
        else:
            length = sum(len(f.data) for f in self.frames)
            raw.append((b"content-length", str(length).encode("latin-1")))
        self.raw_headers = raw
        self._finished = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        completed = client_closed = False
        try:
            async with anyio.create_task_group() as group:

                async def play() -> None:
                    nonlocal completed
                    completed = await self._play(send)
                    self._finished = True
                    group.cancel_scope.cancel()

                group.start_soon(play)
                await self._wait_for_disconnect(receive)
                if not self._finished:
                    client_closed = True
                    log.info("request %s: the client closed the connection", self.entry.id)
                group.cancel_scope.cancel()
        finally:
            # All at once, so a reader polling the log never sees a half-finished entry.
            self.state.update(
                self.entry,
                completed=completed and not self.broken,
                client_closed=client_closed,
                ended_at=time.time(),
            )

    async def _wait_for_disconnect(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    async def _play(self, send: Send) -> bool:
        """Send the response; False when it was cut before its end."""
        if self.head_delay_ms:
            await asyncio.sleep(self.head_delay_ms / 1000)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        self.state.update(self.entry, status=self.status_code)
        for frame in self.frames:
            if frame.delay_ms:
                await asyncio.sleep(frame.delay_ms / 1000)
            if frame.cut:
                # Returning without the final body message makes uvicorn close the socket
                # without the terminating chunk: the client sees a truncated body.
                _CUT_FILTER.expect_cut()
                log.info("request %s: cutting the response", self.entry.id)
                return False
            await send({"type": "http.response.body", "body": frame.data, "more_body": True})
            if frame.tokens:
                self.state.add_tokens(self.entry, frame.tokens)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True


def stream_frames(
    *,
    preamble: Sequence[bytes],
    tokens: Sequence[bytes],
    epilogue: Sequence[bytes],
    malformed: bytes,
    behaviour: Behaviour,
) -> tuple[list[Frame], bool]:
    """Frames for an SSE stream, with the cut or malformed event where `behaviour` asks.

    Returns the frames and whether the stream is knowingly incomplete.
    """
    frames = [Frame(data) for data in preamble]
    for i in range(len(tokens) + 1):
        last = i == len(tokens)
        malformed_after = behaviour.malformed_after
        if malformed_after is not None and (malformed_after == i or (last and malformed_after > i)):
            frames.append(Frame(malformed))
            return frames, True
        cut_after = behaviour.cut_after
        if cut_after is not None and (cut_after == i or (last and cut_after > i)):
            frames.append(Frame(cut=True))
            return frames, True
        if not last:
            delay = behaviour.first_token_delay_ms if i == 0 else behaviour.token_delay_ms
            frames.append(Frame(tokens[i], tokens=1, delay_ms=delay))
    frames += [Frame(data) for data in epilogue]
    return frames, False


def generation_ms(behaviour: Behaviour, tokens: int) -> int:
    """How long a non-streaming response takes to "generate" `tokens` tokens."""
    return behaviour.first_token_delay_ms + behaviour.token_delay_ms * max(0, tokens - 1)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- request helpers -------------------------------------------------------------------


def text_of(content: Any) -> str:
    """The text in a message's content: a string or a list of content blocks/parts."""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        text = "\n".join(t for t in (text_of(part) for part in content) if t)
    elif isinstance(content, Mapping):
        if isinstance(content.get("text"), str):
            text = str(content["text"])
        elif "content" in content:
            text = text_of(content["content"])
        else:
            text = _dumps(content["input"]) if "input" in content else ""
    else:
        text = "" if content is None else str(content)
    return text


def last_user_text(messages: Sequence[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


async def read_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise StandinRequestError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise StandinRequestError(400, "The request body must be a JSON object.")
    return body


def openai_error_body(status: int, message: str) -> dict[str, Any]:
    kind, code = OPENAI_ERROR_TYPES.get(
        status,
        ("server_error", "server_error") if status >= 500 else ("invalid_request_error", None),
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def anthropic_error_body(status: int, message: str, request_id: str) -> dict[str, Any]:
    kind = ANTHROPIC_ERROR_TYPES.get(
        status, "api_error" if status >= 500 else "invalid_request_error"
    )
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}


# --- the service -----------------------------------------------------------------------


class Standin:
    """The HTTP handlers; one instance per app."""

    def __init__(self, state: StandinState) -> None:
        self.state = state

    # plumbing

    def _request_id(self, entry: LogEntry) -> str:
        return f"req_standin_{entry.id:08d}"

    def _headers(self, provider: str, entry: LogEntry) -> dict[str, str]:
        name = "request-id" if provider == "anthropic" else "x-request-id"
        return {name: self._request_id(entry)}

    def _error(
        self, provider: str, entry: LogEntry, status: int, message: str, *, head_delay_ms: int = 0
    ) -> Exchange:
        if provider == "anthropic":
            body = anthropic_error_body(status, message, self._request_id(entry))
        else:
            body = openai_error_body(status, message)
        headers = {**self._headers(provider, entry), "x-should-retry": "false"}
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=status,
            headers=headers,
            media_type="application/json",
            frames=[Frame(_dumps(body).encode())],
            head_delay_ms=head_delay_ms,
        )

    def _json(
        self, provider: str, entry: LogEntry, payload: Any, *, tokens: int, head_delay_ms: int
    ) -> Exchange:
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=200,
            headers=self._headers(provider, entry),
            media_type="application/json",
            frames=[Frame(_dumps(payload).encode(), tokens=tokens)],
            head_delay_ms=head_delay_ms,
        )

    def _sse(
        self, provider: str, entry: LogEntry, frames: list[Frame], *, broken: bool, hang_ms: int
    ) -> Exchange:
        return Exchange(
            state=self.state,
            entry=entry,
            status_code=200,
            headers=self._headers(provider, entry),
            media_type="text/event-stream; charset=utf-8",
            frames=frames,
            head_delay_ms=hang_ms,
            streaming=True,
            broken=broken,
        )

    def _prepare(
        self, provider: str, endpoint: str, entry: LogEntry, body: Mapping[str, Any], raw: str
    ) -> tuple[str, Behaviour]:
        """Directives from the prompt, the next matching fault, and the resulting behaviour."""
        prompt, directives = parse_directives(raw)
        fault = self.state.take_fault(provider, endpoint)
        behaviour = self.state.defaults
        if fault is not None:
            behaviour = behaviour.overridden(fault.settings)
        behaviour = behaviour.overridden(directives)
        self.state.update(
            entry,
            model=str(body.get("model")) if body.get("model") is not None else None,
            stream=bool(body.get("stream")),
            prompt=prompt[:LOGGED_PROMPT_CHARS],
            fault=fault.id if fault else None,
            directives=directives,
        )
        return prompt, behaviour

    async def _handle(
        self,
        provider: str,
        endpoint: str,
        request: Request,
        handler: Callable[[LogEntry, dict[str, Any]], Awaitable[Exchange]],
    ) -> Response:
        entry = self.state.open_entry(provider, endpoint)
        try:
            body = await read_body(request)
            return await handler(entry, body)
        except StandinRequestError as exc:
            return self._error(provider, entry, exc.status, exc.message)
        except Exception:
            log.exception("request %s failed", entry.id)
            return self._error(provider, entry, 500, "The stand-in failed; see its log.")

    # OpenAI

    async def openai_chat(self, request: Request) -> Response:
        return await self._handle("openai", "chat", request, self._openai_chat)

    async def openai_embeddings(self, request: Request) -> Response:
        return await self._handle("openai", "embeddings", request, self._openai_embeddings)

    async def _openai_chat(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise StandinRequestError(400, "Missing required parameter: 'messages'.")
        if not body.get("model"):
            raise StandinRequestError(400, "Missing required parameter: 'model'.")
        prompt, behaviour = self._prepare("openai", "chat", entry, body, last_user_text(messages))
        if behaviour.status is not None:
            return self._error(
                "openai",
                entry,
                behaviour.status,
                f"Stand-in injected error (status {behaviour.status}).",
                head_delay_ms=behaviour.hang_ms,
            )
        prompt_tokens = estimate_tokens(
            sum(len(text_of(m.get("content"))) for m in messages if isinstance(m, Mapping))
        )
        tokens, finish_reason = self._openai_output(body, prompt, behaviour)
        model = str(body["model"])
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        completion_id = f"chatcmpl-standin{entry.id:08d}"
        created = int(time.time())
        if not body.get("stream"):
            payload = {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "".join(tokens),
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": usage,
                "service_tier": "default",
                "system_fingerprint": "fp_standin",
            }
            delay = behaviour.hang_ms + generation_ms(behaviour, len(tokens))
            return self._json("openai", entry, payload, tokens=len(tokens), head_delay_ms=delay)

        options = body.get("stream_options")
        include_usage = isinstance(options, Mapping) and bool(options.get("include_usage"))

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "service_tier": "default",
                "system_fingerprint": "fp_standin",
                "choices": choices,
                **({"usage": None} if include_usage else {}),
                **extra,
            }
            return f"data: {_dumps(data)}\n\n".encode()

        def delta(content: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": content, "logprobs": None, "finish_reason": finish}]

        epilogue = [chunk(delta({}, finish_reason))]
        if include_usage:
            epilogue.append(chunk([], usage=usage))
        epilogue.append(b"data: [DONE]\n\n")
        frames, broken = stream_frames(
            preamble=[chunk(delta({"role": "assistant", "content": "", "refusal": None}))],
            tokens=[chunk(delta({"content": token})) for token in tokens],
            epilogue=epilogue,
            malformed=b'data: {"id": "' + completion_id.encode() + b'", "choices": [{"delta": \n\n',
            behaviour=behaviour,
        )
        return self._sse("openai", entry, frames, broken=broken, hang_ms=behaviour.hang_ms)

    def _openai_output(
        self, body: Mapping[str, Any], prompt: str, behaviour: Behaviour
    ) -> tuple[list[str], str]:
        """The completion's tokens and finish reason."""
        response_format = body.get("response_format")
        kind = response_format.get("type") if isinstance(response_format, Mapping) else None
        if kind == "json_schema":
            spec = response_format.get("json_schema") if response_format else None
            schema = spec.get("schema") if isinstance(spec, Mapping) else None
            if not isinstance(schema, Mapping):
                raise StandinRequestError(
                    400, "Missing required parameter: 'response_format.json_schema.schema'."
                )
            value = generate_from_schema(schema, prompt=prompt, label=behaviour.label)
            return self._json_tokens(value, behaviour), "stop"
        if kind == "json_object":
            answer = "".join(answer_tokens(prompt, behaviour.tokens))
            return self._json_tokens({"answer": answer}, behaviour), "stop"
        tokens = answer_tokens(prompt, behaviour.tokens)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and 0 < limit < len(tokens):
            return tokens[:limit], "length"
        return tokens, "stop"

    @staticmethod
    def _json_tokens(value: Any, behaviour: Behaviour) -> list[str]:
        text = _dumps(value)
        if behaviour.invalid_json:
            text += "}}"
        return split_tokens(text)

    async def _openai_embeddings(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        raw_input = body.get("input")
        if isinstance(raw_input, str):
            texts = [raw_input]
        elif isinstance(raw_input, list) and raw_input:
            texts = [t if isinstance(t, str) else _dumps(t) for t in raw_input]
            if all(isinstance(t, int) for t in raw_input):  # one array of token ids
                texts = [_dumps(raw_input)]
        else:
            raise StandinRequestError(400, "'input' must be a string or a non-empty array.")
        if not body.get("model"):
            raise StandinRequestError(400, "Missing required parameter: 'model'.")
        dimensions = body.get("dimensions", DEFAULT_DIMENSIONS)
        if not isinstance(dimensions, int) or isinstance(dimensions, bool) or dimensions < 1:
            raise StandinRequestError(400, "'dimensions' must be a positive integer.")
        _, behaviour = self._prepare("openai", "embeddings", entry, body, texts[0])
        if behaviour.status is not None:
            message = f"Stand-in injected error (status {behaviour.status})."
            return self._error(
                "openai", entry, behaviour.status, message, head_delay_ms=behaviour.hang_ms
            )
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = embedding_vector(text, dimensions)
            encoded: Any = vector
            if as_base64:
                encoded = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        prompt_tokens = sum(estimate_tokens(len(t)) for t in texts)
        payload = {
            "object": "list",
            "data": data,
            "model": str(body["model"]),
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        }
        return self._json("openai", entry, payload, tokens=0, head_delay_ms=behaviour.hang_ms)

    # Anthropic

    async def anthropic_messages(self, request: Request) -> Response:
        return await self._handle("anthropic", "messages", request, self._anthropic_messages)

    async def _anthropic_messages(self, entry: LogEntry, body: dict[str, Any]) -> Exchange:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise StandinRequestError(400, "messages: Field required")
        if not body.get("model"):
            raise StandinRequestError(400, "model: Field required")
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise StandinRequestError(400, "max_tokens: Field required (a positive integer)")
        prompt, behaviour = self._prepare(
            "anthropic", "messages", entry, body, last_user_text(messages)
        )
        if behaviour.status is not None:
            return self._error(
                "anthropic",
                entry,
                behaviour.status,
                f"Stand-in injected error (status {behaviour.status}).",
                head_delay_ms=behaviour.hang_ms,
            )
        characters = len(text_of(body.get("system"))) + sum(
            len(text_of(m.get("content"))) for m in messages if isinstance(m, Mapping)
        )
        input_tokens = estimate_tokens(characters)
        tool = self._forced_tool(body)
        message_id = f"msg_standin{entry.id:08d}"
        if tool is not None:
            schema = tool.get("input_schema")
            value = generate_from_schema(
                schema if isinstance(schema, Mapping) else {}, prompt=prompt, label=behaviour.label
            )
            tokens = split_tokens(_dumps(value))
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": f"toolu_standin{entry.id:08d}",
                "name": str(tool.get("name")),
                "input": value,
            }
            stop_reason = "tool_use"
        else:
            tokens, stop_reason = self._anthropic_text(body, prompt, behaviour, max_tokens)
            block = {"type": "text", "text": "".join(tokens)}
        message: dict[str, Any] = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": str(body["model"]),
            "content": [block],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": len(tokens),
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "service_tier": "standard",
            },
        }
        if not body.get("stream"):
            if block["type"] == "tool_use" and behaviour.invalid_json:
                # The body itself must stay JSON: the broken document travels as a string,
                # which the SDK passes through, and which no object schema accepts.
                message["content"] = [{**block, "input": _dumps(block["input"]) + "}}"}]
            delay = behaviour.hang_ms + generation_ms(behaviour, len(tokens))
            return self._json("anthropic", entry, message, tokens=len(tokens), head_delay_ms=delay)

        if block["type"] == "tool_use":
            start_block = {**block, "input": {}}
            if behaviour.invalid_json:
                tokens = [*tokens, "}}"]
            deltas = [{"type": "input_json_delta", "partial_json": t} for t in tokens]
        else:
            start_block = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": t} for t in tokens]
        start = {
            **message,
            "content": [],
            "stop_reason": None,
            "usage": {**message["usage"], "output_tokens": 0},
        }

        def event(kind: str, **data: Any) -> bytes:
            return f"event: {kind}\ndata: {_dumps({'type': kind, **data})}\n\n".encode()

        frames, broken = stream_frames(
            preamble=[
                event("message_start", message=start),
                event("content_block_start", index=0, content_block=start_block),
                event("ping"),
            ],
            tokens=[event("content_block_delta", index=0, delta=d) for d in deltas],
            epilogue=[
                event("content_block_stop", index=0),
                event(
                    "message_delta",
                    delta={"stop_reason": stop_reason, "stop_sequence": None},
                    usage={"output_tokens": len(tokens)},
                ),
                event("message_stop"),
            ],
            malformed=(
                b"event: content_block_delta\n"
                b'data: {"type": "content_block_delta", "index": 0, "delta": \n\n'
            ),
            behaviour=behaviour,
        )
        return self._sse("anthropic", entry, frames, broken=broken, hang_ms=behaviour.hang_ms)

    @staticmethod
    def _forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The tool the request forces (`tool_choice` of type tool or any), if any."""
        tools = [t for t in body.get("tools") or [] if isinstance(t, Mapping)]
        choice = body.get("tool_choice")
        if not tools or not isinstance(choice, Mapping):
            return None
        if choice.get("type") == "any":
            return tools[0]
        if choice.get("type") != "tool":
            return None
        for tool in tools:
            if tool.get("name") == choice.get("name"):
                return tool
        raise StandinRequestError(
            400, f"tool_choice: tool {choice.get('name')!r} is not in 'tools'"
        )

    def _anthropic_text(
        self, body: Mapping[str, Any], prompt: str, behaviour: Behaviour, max_tokens: int
    ) -> tuple[list[str], str]:
        config = body.get("output_config")
        output_format = config.get("format") if isinstance(config, Mapping) else None
        if isinstance(output_format, Mapping) and output_format.get("type") == "json_schema":
            schema = output_format.get("schema")
            value = generate_from_schema(
                schema if isinstance(schema, Mapping) else {}, prompt=prompt, label=behaviour.label
            )
            return self._json_tokens(value, behaviour), "end_turn"
        tokens = answer_tokens(prompt, behaviour.tokens)
        if max_tokens < len(tokens):
            return tokens[:max_tokens], "max_tokens"
        return tokens, "end_turn"

    # fallbacks for unknown provider paths

    async def openai_unknown(self, request: Request) -> Response:
        body = openai_error_body(404, f"Unknown request URL: {request.method} {request.url.path}")
        return JSONResponse(body, status_code=404, headers={"x-should-retry": "false"})

    async def anthropic_unknown(self, request: Request) -> Response:
        message = f"Not found: {request.method} {request.url.path}"
        body = anthropic_error_body(404, message, "req_standin_unknown")
        return JSONResponse(body, status_code=404, headers={"x-should-retry": "false"})

    # control API

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def add_fault(self, request: Request) -> Response:
        try:
            body = await read_body(request)
            provider = body.pop("provider", "*")
            endpoint = body.pop("endpoint", "*")
            count = body.pop("count", 1)
            if provider not in {*PROVIDERS, "*"}:
                raise StandinRequestError(400, "provider must be 'openai', 'anthropic' or '*'")
            if endpoint not in {*ENDPOINTS, "*"}:
                raise StandinRequestError(400, f"endpoint must be one of {[*ENDPOINTS, '*']}")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise StandinRequestError(400, "count must be a positive integer")
            settings = parse_settings(body)
        except StandinRequestError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        fault = self.state.add_fault(provider, endpoint, count, settings)
        log.info("fault %s armed: %s", fault.id, fault.to_json())
        return JSONResponse(fault.to_json())

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse(self.state.faults())

    async def clear_faults(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.state.clear_faults()})

    async def list_requests(self, request: Request) -> Response:
        return JSONResponse(self.state.entries())

    async def clear_requests(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.state.clear_entries()})


def create_app(*, first_token_delay_ms: int = 30, token_delay_ms: int = 10) -> Starlette:
    """The stand-in as an ASGI app; `app.state.standin` is its `StandinState`."""
    _install_cut_filter()
    state = StandinState(
        Behaviour(first_token_delay_ms=first_token_delay_ms, token_delay_ms=token_delay_ms)
    )
    service = Standin(state)
    any_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/openai/v1/chat/completions", service.openai_chat, methods=["POST"]),
        Route("/openai/v1/embeddings", service.openai_embeddings, methods=["POST"]),
        Route("/openai/{path:path}", service.openai_unknown, methods=any_method),
        Route("/anthropic/v1/messages", service.anthropic_messages, methods=["POST"]),
        Route("/anthropic/{path:path}", service.anthropic_unknown, methods=any_method),
        Route("/_standin/health", service.health, methods=["GET"]),
        Route("/_standin/faults", service.add_fault, methods=["POST"]),
        Route("/_standin/faults", service.list_faults, methods=["GET"]),
        Route("/_standin/faults", service.clear_faults, methods=["DELETE"]),
        Route("/_standin/requests", service.list_requests, methods=["GET"]),
        Route("/_standin/requests", service.clear_requests, methods=["DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.state.standin = state
    return app


def _server_config(app: Starlette, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(app, http="h11", ws="none", lifespan="off", loop="asyncio", **options)


def serve_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    first_token_delay_ms: int = 30,
    token_delay_ms: int = 10,
) -> tuple[str, Callable[[], None]]:
    """Run the stand-in in a daemon thread; returns its base URL and a function to stop it."""
    app = create_app(first_token_delay_ms=first_token_delay_ms, token_delay_ms=token_delay_ms)
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every response pays a 40 ms delayed-ACK stall.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = _server_config(app, log_config=None, access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ai-standin", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the AI stand-in did not start")
        time.sleep(0.01)
    bound_port = sock.getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()

    return f"http://{host}:{bound_port}", stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.ai_standin",
        description="Serve a deterministic stand-in for the OpenAI and Anthropic APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--first-token-delay-ms", type=int, default=30)
    parser.add_argument("--token-delay-ms", type=int, default=10)
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="[ai-standin] %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(
        first_token_delay_ms=args.first_token_delay_ms, token_delay_ms=args.token_delay_ms
    )
    log.info(
        "OpenAI base_url http://%s:%s/openai/v1, Anthropic base_url http://%s:%s/anthropic",
        args.host,
        args.port,
        args.host,
        args.port,
    )
    config = _server_config(
        app, host=args.host, port=args.port, log_config=None, log_level=args.log_level
    )
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

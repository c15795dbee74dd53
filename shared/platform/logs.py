"""Structured JSON logs, one line per entry, in the shape Cloud Logging parses.

Every entry carries `severity`, `message`, and the request context bound with
`context(...)`: `correlationId` and `uid`. Secrets are never passed in; prompts and other
user text only as a short `preview(...)`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import sys
import uuid
from collections.abc import Iterator
from typing import Any

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "aura_log_context", default=None
)

PREVIEW_CHARS = 80


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current() -> dict[str, Any]:
    """The fields bound to the current request (empty outside one)."""
    return dict(_context.get() or {})


@contextlib.contextmanager
def context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Bind fields (e.g. correlationId, uid) to every entry logged inside the block."""
    merged = {**current(), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield merged
    finally:
        _context.reset(token)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """A loggable preview of user text: never the whole prompt."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def _emit(severity: str, message: str, fields: dict[str, Any]) -> None:
    entry = {"severity": severity, "message": message, **current(), **fields}
    stream = sys.stderr if severity in {"ERROR", "CRITICAL"} else sys.stdout
    stream.write(json.dumps(entry, default=str) + "\n")


def debug(message: str, **fields: Any) -> None:
    _emit("DEBUG", message, fields)


def info(message: str, **fields: Any) -> None:
    _emit("INFO", message, fields)


def warning(message: str, **fields: Any) -> None:
    _emit("WARNING", message, fields)


def error(message: str, **fields: Any) -> None:
    _emit("ERROR", message, fields)

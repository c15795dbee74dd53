"""Structured JSON logs, one line per entry, in the shape Cloud Logging parses.

Every entry carries `severity`, `message`, and the request context bound with
`context(...)`: `correlationId` and `uid`. Secrets are never passed in; prompts and other
user text only as a short `preview(...)`.

An exception that escapes a `context(...)` block (a handler's crash, not a domain error
raised on purpose) is reported once, at the innermost block, as an error event Cloud
Error Reporting groups: `@type` ReportedErrorEvent, the stack trace in `message`,
`serviceContext` (the function's service and revision), `context.reportLocation`, and the
bound `correlationId` and `uid` beside them, so a grouped error leads to its request's
logs. See docs/operations.md "Error reporting".
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sys
import traceback
import uuid
from collections.abc import Iterator
from typing import Any

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "aura_log_context", default=None
)

PREVIEW_CHARS = 80
# Cloud Error Reporting groups structured entries of this type (and ERROR entries whose
# message is a stack trace); a trace past this many characters keeps its end (the frame
# that raised), well inside Cloud Logging's 256 KB entry.
ERROR_EVENT_TYPE = (
    "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent"
)
MAX_TRACE_CHARS = 16_000
# Set on an exception once reported, so the enclosing blocks it escapes through stay quiet.
_REPORTED = "aura_error_reported"


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
    except Exception as exc:
        if not _expected(exc) and not getattr(exc, _REPORTED, False):
            report_error(exc)
        raise
    finally:
        _context.reset(token)


def _expected(exc: BaseException) -> bool:
    """A domain error raised on purpose (`shared.errors.AuraError`), or the HTTPS error an
    adapter raised `from` one: an answer to the caller, not a crash."""
    from shared.errors import AuraError

    return isinstance(exc, AuraError) or isinstance(exc.__cause__, AuraError)


def report_error(exc: BaseException, message: str | None = None) -> None:
    """Log `exc` as an error event Cloud Error Reporting groups, with the bound context
    (`correlationId`, `uid`, ...), once per exception."""
    trace = "".join(traceback.format_exception(exc))
    if len(trace) > MAX_TRACE_CHARS:
        trace = f"…(cut)\n{trace[-MAX_TRACE_CHARS:]}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1] if frames else None
    location = (
        {"filePath": where.filename, "lineNumber": where.lineno or 0, "functionName": where.name}
        if where
        else {"filePath": "unknown", "lineNumber": 0, "functionName": "unknown"}
    )
    bound = current()
    _emit(
        "ERROR",
        f"{message}\n{trace}" if message else trace,
        {
            "@type": ERROR_EVENT_TYPE,
            "serviceContext": {
                "service": os.environ.get("K_SERVICE") or bound.get("function") or "aura",
                "version": os.environ.get("K_REVISION", "local"),
            },
            "context": {"reportLocation": location},
        },
    )
    with contextlib.suppress(AttributeError, TypeError):  # a few builtins refuse attributes
        setattr(exc, _REPORTED, True)


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

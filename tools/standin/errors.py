"""The stand-in's request error and the error bodies each provider sends."""

from __future__ import annotations

from typing import Any

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

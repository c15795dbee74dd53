"""What every adapter shares: the caller, the log context, and domain errors -> HttpsError.

Adapters stay one shape::

    with edge.call(req, "update_settings") as caller:
        command = parse(UpdateSettings, req.data)
        return service.update_settings(db=runtime.get_db(), caller=caller, ...).to_wire()
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from firebase_functions import https_fn

from shared import logs
from shared.accounts.models import Caller
from shared.errors import (
    AlreadyExists,
    AuraError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

Code = https_fn.FunctionsErrorCode
CORRELATION_HEADER = "X-Correlation-Id"
CLAIMS = ("role", "plan")


def to_https_error(exc: AuraError) -> https_fn.HttpsError:
    """The one mapping from domain errors to callable error codes."""
    match exc:
        case InvalidArgument():
            code = Code.INVALID_ARGUMENT
        case Unauthenticated():
            code = Code.UNAUTHENTICATED
        case PermissionDenied():
            code = Code.PERMISSION_DENIED
        case NotFound():
            code = Code.NOT_FOUND
        case AlreadyExists():
            code = Code.ALREADY_EXISTS
        case FailedPrecondition():
            code = Code.FAILED_PRECONDITION
        case ResourceExhausted():
            code = Code.RESOURCE_EXHAUSTED
        case Unavailable():
            code = Code.UNAVAILABLE
        case _:
            code = Code.INTERNAL
    return https_fn.HttpsError(code, exc.message, exc.details or None)


def caller_of(req: https_fn.CallableRequest[Any]) -> Caller:
    """The verified caller, or Unauthenticated (no token, or an anonymous Auth account)."""
    if req.auth is None or not req.auth.uid:
        raise Unauthenticated("Sign in to use Aura.")
    token: dict[str, Any] = dict(req.auth.token or {})
    if token.get("firebase", {}).get("sign_in_provider") == "anonymous":
        raise Unauthenticated("Anonymous accounts cannot use Aura; sign in with an account.")
    return Caller(
        uid=req.auth.uid,
        email=token.get("email"),
        name=token.get("name"),
        picture=token.get("picture"),
        claims={key: token[key] for key in CLAIMS if key in token},
    )


@contextlib.contextmanager
def call(req: https_fn.CallableRequest[Any], function: str) -> Iterator[Caller]:
    """Authenticate, bind the log context, and turn domain errors into HttpsErrors."""
    correlation_id = req.raw_request.headers.get(CORRELATION_HEADER) or logs.new_correlation_id()
    uid = req.auth.uid if req.auth else None
    started = time.perf_counter()
    with logs.context(correlationId=correlation_id, uid=uid, function=function):
        outcome = "ok"
        try:
            yield caller_of(req)
        except AuraError as exc:
            outcome = exc.code
            raise to_https_error(exc) from exc
        finally:
            logs.info(
                f"{function} {outcome}",
                outcome=outcome,
                latencyMs=round((time.perf_counter() - started) * 1000, 1),
            )

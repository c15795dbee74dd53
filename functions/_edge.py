"""What every adapter shares: the caller, the log context, and domain errors -> HttpsError.

Adapters stay one shape::

    with edge.call(req, "update_settings") as caller:
        command = parse(UpdateSettings, req.data)
        return service.update_settings(db=clients.get_db(), caller=caller, ...).to_wire()

`call` also applies the caller's rate limit for the function (`functions/_limits.py`)
before the block runs: over it, `resource-exhausted` and the block never runs.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn
from flask import Request, Response

from functions import _limits
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
from shared.platform import analytics, clients, logs, ratelimit

Code = https_fn.FunctionsErrorCode
CORRELATION_HEADER = "X-Correlation-Id"
CLAIMS = ("role", "plan")


def on_call(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """`https_fn.on_call`, behind a guard on the raw body.

    The SDK parses the request body before any code of ours runs, and answers `internal`
    whenever that parse fails: JSON nested a few thousand levels deep (`RecursionError`),
    an integer of more than 4,300 digits, bytes that are not UTF-8, text that is not JSON.
    The guard parses first and answers each of those with `invalid-argument` (the parse
    is repeated by the SDK; callable payloads are small, and the C parser fast).
    """

    def decorate(handler: Callable[..., Any]) -> Any:
        registered: Any = https_fn.on_call(**options)(handler)

        @functools.wraps(registered)  # keeps __firebase_endpoint__, which deploy reads
        def guarded(request: Request) -> Any:
            try:
                json.loads(request.get_data(cache=True) or b"null")
            except RecursionError:
                return _refusal("data: is nested too deeply", field="data")
            except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
                return _refusal(f"the request body is not valid JSON: {exc}"[:300], field="")
            return registered(request)

        return guarded

    return decorate


def _refusal(message: str, *, field: str) -> Response:
    body = {
        "error": {"status": "INVALID_ARGUMENT", "message": message, "details": {"field": field}}
    }
    return Response(json.dumps(body), status=400, content_type="application/json")


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


def http_status(exc: AuraError) -> int:
    """The HTTP status for a domain error on a plain HTTP function: the same table the
    callable protocol uses (invalid-argument 400, not-found 404, resource-exhausted 429...).
    """
    return int(to_https_error(exc)._http_error_code.status)


def caller_of(req: https_fn.CallableRequest[Any]) -> Caller:
    """The verified caller, or Unauthenticated (no token, or an anonymous Auth account).

    Raises Unavailable instead when this deployment would accept unsigned tokens (the Auth
    emulator's variable outside the emulator): no identity can be trusted then.
    """
    if clients.tokens_unverified():
        raise Unavailable(
            "This deployment is misconfigured (FIREBASE_AUTH_EMULATOR_HOST is set outside "
            "the emulator), so it cannot verify who you are; it serves no requests."
        )
    if req.auth is None or not req.auth.uid:
        raise Unauthenticated("Sign in to use Aura.")
    token: dict[str, Any] = dict(req.auth.token or {})
    if token.get("firebase", {}).get("sign_in_provider") == "anonymous":
        raise Unauthenticated("Anonymous accounts cannot use Aura; sign in with an account.")
    auth_time = token.get("auth_time")
    return Caller(
        uid=req.auth.uid,
        auth_time=auth_time if isinstance(auth_time, int) else None,
        email=token.get("email"),
        name=token.get("name"),
        picture=token.get("picture"),
        claims={key: token[key] for key in CLAIMS if key in token},
    )


# One rate-limit hit: (key, limit, window_s, shards, uid) -> the decision. Module state so
# the adapter tier (no emulator) can put a fake in its place; nothing else replaces it.
Limiter = Callable[[str, int, int, int, str], ratelimit.Decision]


def firestore_limiter(
    key: str, limit: int, window_s: int, shards: int, uid: str
) -> ratelimit.Decision:
    """The platform limiter on Firestore: one write per call (its window carries `uid`,
    so account erasure finds it)."""
    return ratelimit.hit(
        clients.get_db(),
        key=key,
        limit=limit,
        window_s=window_s,
        now=datetime.now(UTC),
        shards=shards,
        subject=uid,
    )


limiter: Limiter = firestore_limiter


def check_rate(caller: Caller, function: str) -> None:
    """Count this call against the caller's limit for `function`; ResourceExhausted
    (details.retryAfterSeconds) beyond it. See functions/_limits.py.

    A limiter that cannot reach Firestore lets the call through (logged): the limit
    guards capacity, and an outage of its store must not refuse every call by itself.
    """
    from google.api_core import exceptions as api_exceptions

    plan = _limits.plan_of(caller.claims)
    spec = _limits.limit_of(function)
    allowed = spec.for_plan(plan)
    try:
        decision = limiter(
            _limits.key_of(function, caller.uid),
            allowed,
            spec.window_s,
            _limits.shards_for(allowed, spec.window_s),
            caller.uid,
        )
    except api_exceptions.GoogleAPIError as exc:
        logs.warning("rate limiter unavailable; call let through", error=str(exc)[:300])
        return
    if not decision.allowed:
        retry_after = int(decision.retry_after_header)
        raise ResourceExhausted(
            f"Too many {function} calls: the {plan} plan allows {allowed} every "
            f"{spec.window_s} seconds. Try again in {retry_after} seconds.",
            details={
                "reason": "rate-limit",
                "function": function,
                "limit": allowed,
                "windowSeconds": spec.window_s,
                "retryAfterSeconds": retry_after,
            },
        )


def firestore_counter(function: str, uid: str, ok: bool) -> None:
    """Usage analytics for one call that ran its handler (shared/platform/analytics.py):
    a failure to count is logged, never raised."""
    try:
        db = clients.get_db()
    except Exception as exc:
        logs.warning("usage not counted", function=function, error=repr(exc)[:300])
        return
    analytics.record_call(db, function=function, uid=uid, ok=ok, now=datetime.now(UTC))


# Like `limiter`: module state so the adapter tier can put a fake in its place.
counter: Callable[[str, str, bool], None] = firestore_counter


@contextlib.contextmanager
def call(req: https_fn.CallableRequest[Any], function: str) -> Iterator[Caller]:
    """Authenticate, apply the caller's rate limit for `function`, bind the log context,
    and turn domain errors into HttpsErrors. The block (the handler) runs only for a
    signed-in caller within the limit."""
    correlation_id = req.raw_request.headers.get(CORRELATION_HEADER) or logs.new_correlation_id()
    uid = req.auth.uid if req.auth else None
    started = time.perf_counter()
    with logs.context(correlationId=correlation_id, uid=uid, function=function):
        outcome = "ok"
        ran: Caller | None = None  # set once the handler is allowed to run
        failed = False
        try:
            caller = caller_of(req)
            check_rate(caller, function)
            ran = caller
            yield caller
        except AuraError as exc:
            outcome = exc.code
            raise to_https_error(exc) from exc
        except BaseException:
            failed = True
            raise
        finally:
            if ran is not None:  # best effort: never fails the call
                counter(function, ran.uid, outcome == "ok" and not failed)
            logs.info(
                f"{function} {outcome}",
                outcome=outcome,
                latencyMs=round((time.perf_counter() - started) * 1000, 1),
            )

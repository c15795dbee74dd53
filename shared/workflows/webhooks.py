"""Signed webhooks: `POST /hooks/{uid}/{workflowId}` starts a run of that workflow.

The sender signs `"{timestamp}.{body}"` with HMAC-SHA256 using the workflow's secret
(shown once when the webhook trigger was added) and sends

    X-Aura-Timestamp: <unix seconds>
    X-Aura-Signature: sha256=<hex digest>

Requests older than five minutes (or from the future) are refused, so a captured request
cannot be replayed later; the same request inside that window maps to the same execution.

The checks run in this order, each answer the same whatever came before it:

1. size (413): the body is read with a cap while reading (`read_body`), never whole first;
2. verification (401, one answer with one body for every reason: malformed ids, a bad,
   stale, missing or non-ASCII signature or timestamp, an unknown workflow, a workflow
   without a webhook), so nobody learns which ids have webhooks;
3. rate (429 with `Retry-After`): RATE_LIMIT_PER_MINUTE per workflow (`shared/platform/
   ratelimit.py`);
4. body (400): JSON that Firestore could not store as the run's input (nested too deep,
   an array in an array, an integer beyond 64 bits, ...). A body that is not JSON at all
   becomes `{"raw": text}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from shared.errors import AuraError
from shared.ids import check_doc_id
from shared.platform import ratelimit
from shared.validation import NotStorable, check_storable, parse
from shared.workflows import executions
from shared.workflows.executions import MAX_INPUT_BYTES, RunWorkflow, WorkflowServices
from shared.workflows.repository import webhook_secret_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

MAX_SKEW_S = 300
# The body becomes the execution's `input`, which holds at most MAX_INPUT_BYTES.
MAX_BODY_BYTES = MAX_INPUT_BYTES
READ_CHUNK_BYTES = 16_384
RATE_LIMIT_PER_MINUTE = 60
NOT_VERIFIED = "signature not valid"
MAX_MESSAGE_CHARS = 300


class Refused(Exception):
    """The request is refused with HTTP `status`: `message` is the answer's body,
    `reason` (for logs only) says why."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason or message
        self.headers = headers or {}


def unverified(reason: str) -> Refused:
    """The one 401: the same status and body for every reason, which only the log names."""
    return Refused(401, NOT_VERIFIED, reason=reason)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def read_body(stream: IO[bytes], content_length: int | None) -> bytes:
    """The request body, read in chunks and refused as soon as it passes MAX_BODY_BYTES:
    at most MAX_BODY_BYTES + 1 bytes are ever read. A declared `Content-Length` over the
    cap is refused before reading anything.

    Raises:
        Refused: 413.
    """
    from shared.net.body import BodyTooLarge, read_capped

    try:
        return read_capped(stream, content_length, limit=MAX_BODY_BYTES, chunk=READ_CHUNK_BYTES)
    except BodyTooLarge as exc:
        raise Refused(413, f"body over {MAX_BODY_BYTES} bytes") from exc


def _verify(
    db: Client, *, uid: str, workflow_id: str, timestamp: str, signature: str, now: datetime
) -> str:
    """The workflow's secret once the request's ids, timestamp and signature's form hold.

    Raises:
        Refused: the one 401.
    """
    try:
        check_doc_id(uid)
        check_doc_id(workflow_id)
    except ValueError:
        raise unverified("malformed id in the path") from None
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise unverified("malformed timestamp")
    if abs(now.timestamp() - int(timestamp)) > MAX_SKEW_S:
        raise unverified("stale timestamp")
    # compare_digest raises TypeError on non-ASCII str: check, then compare bytes.
    if not signature.isascii():
        raise unverified("non-ASCII signature")
    secret_doc = webhook_secret_ref(db, uid, workflow_id).get()
    secret = (secret_doc.to_dict() or {}).get("secret") if secret_doc.exists else None
    if not secret:
        raise unverified("no webhook secret for this workflow")
    return str(secret)


def parse_body(body: bytes) -> dict[str, Any]:
    """The run's input: a JSON object as it is, other JSON as `{"body": value}`, and text
    that is not JSON as `{"raw": text}`.

    Raises:
        Refused: 400 when Firestore could not store it.
    """
    if not body:
        return {}
    try:
        payload: Any = json.loads(body)
    except RecursionError:  # deeper than the parser goes; far deeper than Firestore does
        raise Refused(400, "the body is nested too deeply to be stored") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = {"raw": body.decode("utf-8", errors="replace")}
    except ValueError as exc:  # valid JSON Python will not read: a 5,000-digit integer
        raise Refused(400, f"the body cannot be read: {exc}"[:MAX_MESSAGE_CHARS]) from None
    data = payload if isinstance(payload, dict) else {"body": payload}
    try:
        check_storable(data, max_bytes=MAX_INPUT_BYTES)
    except NotStorable as exc:
        raise Refused(400, f"the body cannot be stored: {exc}"[:MAX_MESSAGE_CHARS]) from None
    return data


def handle(
    *,
    rt: WorkflowServices,
    uid: str,
    workflow_id: str,
    timestamp: str,
    signature: str,
    body: bytes,
    now: datetime,
) -> str:
    """Verify the request and start one execution; returns its id.

    Raises:
        Refused: 401 for anything unverifiable (one answer, so nothing leaks), 413 too
            large, 429 over the rate, 400 a body that cannot be a run's input.
        AuraError: the run could not start (the workflow is not active, say).
    """
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
    secret = _verify(
        rt.db, uid=uid, workflow_id=workflow_id, timestamp=timestamp, signature=signature, now=now
    )
    expected = sign(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, signature.encode("ascii")):
        raise unverified("signature does not match")
    decision = ratelimit.hit(
        rt.db,
        # A uid is a document id, so it holds no "/": the key is unambiguous.
        key=f"webhook:{uid}/{workflow_id}",
        limit=RATE_LIMIT_PER_MINUTE,
        window_s=60,
        now=now,
        subject=uid,
    )
    if not decision.allowed:
        raise Refused(
            429,
            "too many webhook calls for this workflow; slow down",
            headers={"Retry-After": decision.retry_after_header},
        )
    data = parse_body(body)
    try:
        command = parse(RunWorkflow, {"workflowId": workflow_id, "input": data})
    except AuraError as exc:  # parse_body checked the input already; belt and braces
        raise Refused(400, exc.message[:MAX_MESSAGE_CHARS]) from None
    # Same signed request (within the window) -> same execution id -> one execution.
    execution_id = hashlib.sha256(f"{uid}:{workflow_id}:{signature}".encode()).hexdigest()[:20]
    result = executions.start_execution(
        rt=rt,
        uid=uid,
        command=command,
        trigger={"type": "webhook", "receivedAt": now.isoformat()},
        now=now,
        execution_id=execution_id,
    )
    return result.execution_id

"""Signed webhooks: `POST /hooks/{uid}/{workflowId}` starts a run of that workflow.

The sender signs `"{timestamp}.{body}"` with HMAC-SHA256 using the workflow's secret
(shown once when the webhook trigger was added) and sends

    X-Aura-Timestamp: <unix seconds>
    X-Aura-Signature: sha256=<hex digest>

Requests older than five minutes (or from the future) are refused, so a captured request
cannot be replayed later; the same request inside that window maps to the same execution.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.workflows import executions
from shared.workflows.executions import Runtime, RunWorkflow
from shared.workflows.service import webhook_secret_ref

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

MAX_SKEW_S = 300
MAX_BODY_BYTES = 262_144
RATE_LIMIT_PER_MINUTE = 60


class Refused(Exception):
    """The request is refused with HTTP `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def _within_rate(db: Client, uid: str, workflow_id: str, now: datetime) -> bool:
    from google.cloud import firestore

    ref = db.collection("_rateLimits").document(
        f"webhook-{uid}-{workflow_id}-{now.strftime('%Y%m%d%H%M')}"
    )
    ref.set({"count": firestore.Increment(1), "expiresAt": now}, merge=True)
    return int((ref.get().to_dict() or {}).get("count", 0)) <= RATE_LIMIT_PER_MINUTE


def handle(
    *,
    rt: Runtime,
    uid: str,
    workflow_id: str,
    timestamp: str,
    signature: str,
    body: bytes,
    now: datetime,
) -> str:
    """Verify the request and start one execution; returns its id.

    Raises:
        Refused: 401 for anything unverifiable (unknown workflow, no webhook, bad or stale
            signature: one answer, so nothing leaks), 413 too large, 429 over the rate.
    """
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"body over {MAX_BODY_BYTES} bytes")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise Refused(401, "signature not valid") from None
    if abs(now.timestamp() - sent_at) > MAX_SKEW_S:
        raise Refused(401, "signature not valid (stale timestamp)")
    secret_doc = webhook_secret_ref(rt.db, uid, workflow_id).get()
    secret = (secret_doc.to_dict() or {}).get("secret") if secret_doc.exists else None
    if not secret or not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise Refused(401, "signature not valid")
    if not _within_rate(rt.db, uid, workflow_id, now):
        raise Refused(429, "too many webhook calls for this workflow; slow down")
    try:
        payload: Any = json.loads(body) if body else {}
    except json.JSONDecodeError:
        payload = {"raw": body.decode("utf-8", errors="replace")}
    data = payload if isinstance(payload, dict) else {"body": payload}
    # Same signed request (within the window) -> same execution id -> one execution.
    execution_id = hashlib.sha256(f"{uid}:{workflow_id}:{signature}".encode()).hexdigest()[:20]
    result = executions.start_execution(
        rt=rt,
        uid=uid,
        command=RunWorkflow(workflow_id=workflow_id, input=data),
        trigger={"type": "webhook", "receivedAt": now.isoformat()},
        now=now,
        execution_id=execution_id,
    )
    return result.execution_id

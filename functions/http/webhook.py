"""`webhook`: a signed HTTP call starts a workflow run (`POST /hooks/{uid}/{workflowId}`)."""

import json
from datetime import UTC, datetime

from firebase_functions import https_fn
from flask import Request, Response

from functions import _clients, _edge
from shared.errors import AuraError
from shared.platform import logs
from shared.workflows import webhooks


def _answer(status: int, body: dict[str, str], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, content_type="application/json", headers=headers
    )


@https_fn.on_request()
def webhook(req: Request) -> Response:
    """HTTPS POST, public but signed (see shared/workflows/webhooks.py). 202 with
    {executionId}; 400 a body that cannot be a run's input; 401 unverifiable (one body for
    every reason); 405 not POST; 413 too large (the body is read with a cap while
    reading); 429 rate limited (with Retry-After). Idempotent: a repeated signed request
    maps to the same execution.
    """
    if req.method != "POST":
        return Response(status=405, headers={"Allow": "POST"})
    parts = [p for p in req.path.split("/") if p]
    if len(parts) < 2:
        return _answer(404, {"error": "use /hooks/{uid}/{workflowId}"})
    uid, workflow_id = parts[-2], parts[-1]
    with logs.context(uid=uid, function="webhook", workflowId=workflow_id):
        try:
            body = webhooks.read_body(req.stream, req.content_length)
            execution_id = webhooks.handle(
                rt=_clients.workflow_runtime(),
                uid=uid,
                workflow_id=workflow_id,
                timestamp=req.headers.get("X-Aura-Timestamp", ""),
                signature=req.headers.get("X-Aura-Signature", ""),
                body=body,
                now=datetime.now(UTC),
            )
        except webhooks.Refused as refused:
            logs.warning("webhook refused", status=refused.status, reason=refused.reason)
            return _answer(refused.status, {"error": refused.message}, refused.headers)
        except AuraError as exc:
            logs.warning("webhook could not start a run", code=exc.code, error=exc.message)
            return _answer(_edge.http_status(exc), {"error": exc.message})
        logs.info("webhook started a run", executionId=execution_id)
        return _answer(202, {"executionId": execution_id})

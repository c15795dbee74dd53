"""`webhook`: a signed HTTP call starts a workflow run (`POST /hooks/{uid}/{workflowId}`)."""

import json
from datetime import UTC, datetime

from firebase_functions import https_fn
from flask import Request, Response

from functions import _workflows
from functions.params import AI_SECRETS
from shared import logs
from shared.errors import AuraError
from shared.workflows import webhooks


def _answer(status: int, body: dict[str, str]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@https_fn.on_request(secrets=AI_SECRETS)
def webhook(req: Request) -> Response:
    """HTTPS POST, public but signed (see shared/workflows/webhooks.py). 202 with
    {executionId}; 401 unverifiable; 405 not POST; 413 too large; 429 rate limited.
    Idempotent: a repeated signed request maps to the same execution.
    """
    if req.method != "POST":
        return Response(status=405, headers={"Allow": "POST"})
    parts = [p for p in req.path.split("/") if p]
    if len(parts) < 2:
        return _answer(404, {"error": "use /hooks/{uid}/{workflowId}"})
    uid, workflow_id = parts[-2], parts[-1]
    with logs.context(uid=uid, function="webhook", workflowId=workflow_id):
        try:
            execution_id = webhooks.handle(
                rt=_workflows.runtime(),
                uid=uid,
                workflow_id=workflow_id,
                timestamp=req.headers.get("X-Aura-Timestamp", ""),
                signature=req.headers.get("X-Aura-Signature", ""),
                body=req.get_data(cache=False, as_text=False)[: webhooks.MAX_BODY_BYTES + 1],
                now=datetime.now(UTC),
            )
        except webhooks.Refused as refused:
            logs.warning("webhook refused", status=refused.status, reason=refused.message)
            return _answer(refused.status, {"error": refused.message})
        except AuraError as exc:
            logs.warning("webhook could not start a run", code=exc.code, error=exc.message)
            status = 429 if exc.code == "resource-exhausted" else 409
            return _answer(status, {"error": exc.message})
        logs.info("webhook started a run", executionId=execution_id)
        return _answer(202, {"executionId": execution_id})

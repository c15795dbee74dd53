"""`decide`: an action for the caller's question, with a calibrated confidence."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared.decisions import service
from shared.decisions.models import Decide
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS, timeout_sec=AI_TIMEOUT_S)
def decide(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own decisions only (`users/{uid}/decisions`).

    Input `Decide` ({question, context?, options?, kind?, requestId?}); output
    `DecisionResult` ({decisionId, action, confidence (calibrated), rawConfidence,
    reasoning, alternatives, risk, ask, threshold, calibration, memoryIds, exampleIds,
    created}). `invalid-argument` names the bad field and nothing is written;
    `resource-exhausted` over the plan's decisions per day (details.retryAfterSeconds);
    `unavailable` when the AI fails. Idempotent with `requestId` (the same decision is
    answered again, `created` false); without it each call decides anew.
    """
    with _edge.call(req, "decide") as caller:
        command = parse(Decide, req.data)
        db = clients.get_db()
        result = service.decide(
            db=db,
            gateway=_clients.gateway(),
            uid=caller.uid,
            plan=service.user_plan(db, caller.uid),
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

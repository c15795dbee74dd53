"""`record_outcome`: what came of one of the caller's decisions (refits the calibration)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.decisions import service
from shared.decisions.models import RecordOutcome
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def record_outcome(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own decisions only.

    Input `RecordOutcome` ({decisionId, outcome: success|failure|partial, notes?,
    replace?}); output `RecordOutcomeResult` ({decisionId, outcome, replaced, stats}).
    Once per decision: the same outcome again changes nothing (idempotent); a different
    one without `replace: true` is `failed-precondition` (reason "outcome-recorded").
    `not-found` for a decision that is not the caller's; `invalid-argument` names the bad
    field and nothing is written.
    """
    with _edge.call(req, "record_outcome") as caller:
        command = parse(RecordOutcome, req.data)
        result = service.record_outcome(
            db=clients.get_db(), uid=caller.uid, command=command, now=datetime.now(UTC)
        )
        return result.to_wire()

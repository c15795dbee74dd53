"""`recall`: the caller's memories nearest in meaning to a query."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS
from shared.memory import service
from shared.memory.models import Recall, RecallResult
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS)
def recall(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own memories only.

    Input `Recall` ({query: 1..1000 characters, limit?: 1..20 (5), threshold?: cosine
    distance 0..2 (the default in shared/memory/models.py)}); output `RecallResult`
    ({memories: [{id, text, kind, source, provenance, distance, createdAt, updatedAt}]},
    nearest first). Active, unexpired memories only. Reads only (the query's embedding is
    cached), so safe to repeat. `invalid-argument` names the bad field.
    """
    with _edge.call(req, "recall") as caller:
        command = parse(Recall, req.data)
        db = clients.get_db()
        memories = service.recall(
            db=db,
            gateway=_clients.gateway(),
            uid=caller.uid,
            plan=service.plan_of(db, caller.uid),
            query=command.query,
            limit=command.limit,
            threshold=command.threshold,
            now=datetime.now(UTC),
        )
        return RecallResult(memories=memories).to_wire()

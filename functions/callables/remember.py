"""`remember`: keep one short text as a long-term memory of the caller."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS
from shared.memory import service
from shared.memory.models import Remember
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS)
def remember(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own memories only (`users/{uid}/memories`).

    Input `Remember` ({text: 1..500 characters, kind?: fact|preference|person|plan|other,
    expiresAt?: a future ISO datetime with offset}); output `RememberResult` ({id,
    created}). The text is embedded through the AI gateway (OpenAI; `failed-precondition`
    without an OpenAI key). Idempotent: the same text (case and spacing aside) returns
    the active memory already kept with `created: false`. `invalid-argument` names the
    bad field and nothing is written; `resource-exhausted` at 1,000 active memories.
    """
    with _edge.call(req, "remember") as caller:
        command = parse(Remember, req.data)
        db = clients.get_db()
        return service.remember(
            db=db,
            gateway=_clients.gateway(),
            uid=caller.uid,
            plan=service.plan_of(db, caller.uid),
            command=command,
            now=datetime.now(UTC),
        ).to_wire()

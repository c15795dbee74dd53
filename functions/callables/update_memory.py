"""`update_memory`: correct one of the caller's memories, keeping the old text."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS
from shared.memory import service
from shared.memory.models import UpdateMemory
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS)
def update_memory(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own memories only.

    Input `UpdateMemory` ({id, text: 1..500 characters, kind?, expectedVersion?});
    output `UpdateMemoryResult` ({id: the new active memory, supersedes: the old one}).
    The old memory stays, inactive, with `supersededBy` (its history). Idempotent: a
    repeat finds the old memory already superseded by the same text and returns that.
    `not-found` for a missing (or someone else's) id; `failed-precondition` for a stale
    `expectedVersion` or a memory already corrected to another text; `invalid-argument`
    names the bad field and nothing is written.
    """
    with _edge.call(req, "update_memory") as caller:
        command = parse(UpdateMemory, req.data)
        db = clients.get_db()
        return service.update_memory(
            db=db,
            gateway=_clients.gateway(),
            uid=caller.uid,
            plan=service.plan_of(db, caller.uid),
            command=command,
            now=datetime.now(UTC),
        ).to_wire()

"""`quick_add`: one line in the user's words -> a task, reminder or event."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.quickadd.models import QuickAdd
from shared.validation import parse


@_edge.on_call(secrets=AI_SECRETS, timeout_sec=AI_TIMEOUT_S)
def quick_add(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own tasks and events only.

    Input `QuickAdd` ({text: at most 500 characters, save?: true, timezone?: IANA zone
    (default the profile's), requestId?}); output `QuickAddResult` ({interpretation,
    saved: {kind: task|event, id} | null, question | null}). The line is read by the
    model and cross-checked by the deterministic parser, or by the parser alone when no
    model answers or the `quickadd-ai` flag is off for the caller. Nothing is saved
    while there is a question. `invalid-argument` names the bad field (`text`,
    `timezone`, `requestId`, an unknown one) and nothing is written. Idempotent with
    `requestId`: the item's id derives from it and is created once; without it each call
    saves a new item.
    """
    with _edge.call(req, "quick_add") as caller:
        command = parse(QuickAdd, req.data)
        # Loaded on first use: the parser compiles its grammar (~25 ms), which every other
        # function's cold start would otherwise pay.
        from shared.quickadd import service

        result = service.quick_add(
            db=clients.get_db(),
            gateway=_clients.gateway(),
            enqueuer=CloudTasks(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
            flags=_clients.flags(),
        )
        return result.to_wire()

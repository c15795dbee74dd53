"""`generate`: start a generation in the studio (the work runs as the task `rungeneration`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.studio import repository, service
from shared.studio.models import Generate
from shared.validation import parse


@_edge.on_call()
def generate(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own generations only (`users/{uid}/generations`).

    Input `Generate` ({type, prompt, language?, framework?, options? {maxRepairs,
    files, dependencies}, requestId?, regenerateFrom?}); output `GenerateResult`
    ({generationId, created}) at once: the generation is created `queued` and its Cloud
    Task queued; the client follows it with a listener. `invalid-argument` names the bad
    field and nothing is written; `not-found` for a `regenerateFrom` that is not the
    caller's; `resource-exhausted` with ACTIVE_GENERATIONS running or over the plan's
    GENERATIONS_PER_DAY. Idempotent with `requestId` (created false the second time).
    """
    with _edge.call(req, "generate") as caller:
        command = parse(Generate, req.data)
        db = clients.get_db()
        result = service.generate(
            db=db,
            enqueuer=CloudTasks(),
            uid=caller.uid,
            plan=repository.plan_of(db, caller.uid),
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

"""`save_task`: create or replace one of the caller's to-dos (and arm its reminder)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.tasks import service
from shared.tasks.models import SaveTask
from shared.validation import parse


@_edge.on_call()
def save_task(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own tasks only (`users/{uid}/tasks`).

    Input `SaveTask` ({id?, expectedVersion?, title, notes?, status?, priority?, due?,
    remind?, tags?, recurrence?}); output `SaveTaskResult` ({id, version, dueAt, remindAt,
    nextId}). `invalid-argument` names the first bad field (`remind.time`, `recurrence`)
    and nothing is written; `failed-precondition` when `expectedVersion` is not the
    stored version; `resource-exhausted` past the per-user task limit. Idempotent with a
    client-chosen `id` (a repeated save changes nothing) or with `expectedVersion`;
    completing a recurring task creates its next occurrence once (`nextId`).
    """
    with _edge.call(req, "save_task") as caller:
        command = parse(SaveTask, req.data)
        saved = service.save_task(
            db=clients.get_db(),
            enqueuer=CloudTasks(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return saved.to_wire()

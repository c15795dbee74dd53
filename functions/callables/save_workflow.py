"""`save_workflow`: create or replace one of the caller's workflow definitions."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.validation import parse
from shared.workflows import service
from shared.workflows.models import SaveWorkflow


@_edge.on_call()
def save_workflow(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own workflows only (`users/{uid}/workflows`).

    Input `SaveWorkflow` ({id?, name, description?, status?, nodes, edges?, variables?,
    triggers?, settings?, expectedVersion?}); output `SaveWorkflowResult` ({id, version,
    webhookSecret}). `webhookSecret` is set only by the save that first adds a webhook
    trigger (it is shown once), null otherwise. `invalid-argument` names the first bad
    field (`nodes[2].config.url`, `edges[1].to`) and nothing is written;
    `failed-precondition` when `expectedVersion` is not the stored version. Each save
    makes a new version, so a retry is safe only with `expectedVersion`. An active
    workflow's schedule trigger is armed (`nextRunAt`); otherwise it is disarmed.
    """
    with _edge.call(req, "save_workflow") as caller:
        command = parse(SaveWorkflow, req.data)
        db, now = clients.get_db(), datetime.now(UTC)
        saved = service.save_workflow(
            db=db, uid=caller.uid, command=command, now=now, enqueuer=CloudTasks()
        )
        return saved.to_wire()

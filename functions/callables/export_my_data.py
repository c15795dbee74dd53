"""`export_my_data`: start an export of everything the caller owns (the task `runexport`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients, export
from shared.platform.cloud_tasks import CloudTasks
from shared.platform.export_models import ExportMyData
from shared.validation import parse


@_edge.on_call()
def export_my_data(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own data only (`users/{uid}/exports`).

    Input `ExportMyData` ({}: any field is `invalid-argument` and nothing is written);
    output `ExportMyDataResult` ({exportId, status}) at once: the export is created
    `queued` and its Cloud Task queued; the client follows `users/{uid}/exports/{exportId}`
    with a listener until `done` gives `downloadUrl` (24 h). Idempotent while an export is
    queued or running: the call answers that one. `unavailable` if the task could not
    be queued (calling again queues it). See docs/platform.md "Data export".
    """
    with _edge.call(req, "export_my_data") as caller:
        parse(ExportMyData, req.data)
        result = export.request_export(
            db=clients.get_db(), enqueuer=CloudTasks(), uid=caller.uid, now=datetime.now(UTC)
        )
        return result.to_wire()

"""`update_settings`: change the caller's timezone, preferred model, briefing or memory."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.accounts import service
from shared.accounts.models import UpdateSettings
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.validation import parse


@_edge.on_call()
def update_settings(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users.

    Input `UpdateSettings` ({timezone?: IANA zone, preferredModel?: allowed model,
    briefing?: {enabled?, time?: "HH:MM"}, memory?: {autoExtract}}); output
    `SettingsPublic` ({settings}).
    The briefing slot follows in the same transaction; a zone given re-arms the reminders
    of floating tasks and events afterwards. `invalid-argument` names the bad field and
    nothing is written; `failed-precondition` when the profile does not exist yet.
    Idempotent (a set; re-arming skips what is already right). No retries (callable).
    """
    with _edge.call(req, "update_settings") as caller:
        command = parse(UpdateSettings, req.data)
        return service.update_settings(
            db=clients.get_db(),
            caller=caller,
            command=command,
            now=datetime.now(UTC),
            enqueuer=CloudTasks(),
        ).to_wire()

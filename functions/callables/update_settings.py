"""`update_settings`: change the caller's timezone and/or preferred model."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.accounts import service
from shared.accounts.models import UpdateSettings
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def update_settings(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users.

    Input `UpdateSettings` ({timezone?: IANA zone, preferredModel?: allowed model});
    output `SettingsPublic` ({settings}). `invalid-argument` names the bad field;
    `failed-precondition` when the profile does not exist yet. Idempotent (a set).
    """
    with _edge.call(req, "update_settings") as caller:
        command = parse(UpdateSettings, req.data)
        return service.update_settings(
            db=clients.get_db(), caller=caller, command=command
        ).to_wire()

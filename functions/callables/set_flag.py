"""`set_flag`: an admin creates or changes a feature flag; audited."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.platform import clients, flags
from shared.validation import parse


@_edge.on_call()
def set_flag(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; admins only (`role` claim), others get `permission-denied`.

    Input `SetFlag` ({key, enabled, rolloutPercent?, targetUids?, targetPlans?,
    description?, expectedVersion?}); output `SetFlagResult` ({flag, changed}). The flag
    document and its `audit` entry commit together; repeating a call changes nothing and
    audits nothing. `invalid-argument` names the bad field and nothing is written;
    `failed-precondition` when `expectedVersion` is not the stored version.
    """
    with _edge.call(req, "set_flag") as caller:
        command = parse(flags.SetFlag, req.data)
        result = flags.set_flag(
            db=clients.get_db(),
            actor=caller.uid,
            actor_is_admin=caller.is_admin,
            command=command,
            now=datetime.now(UTC),
        )
        _clients.flags().invalidate()  # this instance sees the change at once
        return result.to_wire()

"""`list_flags`: every feature flag with how many users it reaches (admins)."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients, flags
from shared.validation import parse


@_edge.on_call()
def list_flags(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; admins only (`role` claim), others get `permission-denied`.

    Input `ListFlags` ({}); output `ListFlagsResult` ({flags: [flag + reach],
    usersScanned, scanCap, capped}). Reach is counted over at most `REACH_SCAN_CAP`
    profiles (their `plan` only), read fresh; `capped` says there were more. Reads only.
    """
    with _edge.call(req, "list_flags") as caller:
        parse(flags.ListFlags, req.data)
        return flags.list_flags(db=clients.get_db(), actor_is_admin=caller.is_admin).to_wire()

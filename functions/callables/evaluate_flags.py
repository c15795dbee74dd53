"""`evaluate_flags`: the feature flags that apply to the signed-in user."""

from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from shared.platform import flags
from shared.validation import parse


@_edge.on_call()
def evaluate_flags(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, for themselves (their uid and their token's `plan`).

    Input `EvaluateFlags` ({}); output `EvaluateFlagsResult` ({flags: {key: bool}}) for
    every flag the code knows and every flag document, from the instance's flag cache
    (at most `CACHE_TTL_S` old). Reads only: safe to repeat.
    """
    with _edge.call(req, "evaluate_flags") as caller:
        parse(flags.EvaluateFlags, req.data)
        plan = str(caller.claims.get("plan") or "free")
        return flags.evaluate_flags(flags=_clients.flags(), uid=caller.uid, plan=plan).to_wire()

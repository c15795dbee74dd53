"""`query_analytics`: usage counters per day over a range of days (admins)."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import analytics, clients
from shared.validation import parse


@_edge.on_call()
def query_analytics(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; admins only (`role` claim), others get `permission-denied` and nothing
    is read.

    Input `QueryAnalytics` ({from, to}: UTC days YYYY-MM-DD, inclusive, at most 92 days);
    output `QueryAnalyticsResult` ({days: [{day, calls, errors, ai, events, activeUsers}]}).
    Reads only, so a repeated call returns the same counts (plus its own calls).
    """
    with _edge.call(req, "query_analytics") as caller:
        command = parse(analytics.QueryAnalytics, req.data)
        return analytics.query_analytics(
            db=clients.get_db(), actor_is_admin=caller.is_admin, command=command
        ).to_wire()

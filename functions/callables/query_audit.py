"""`query_audit`: a page of the audit log, newest first, with filters (admins)."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared import audit
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def query_audit(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; admins only (`role` claim), others get `permission-denied` and nothing
    is read from the log.

    Input `QueryAudit` ({actor | action | targetUid, from, to, limit, cursor}; at most one
    of the three equality filters); output `QueryAuditResult` ({entries, nextCursor}).
    Reads only, so a repeated call returns the same page.
    """
    with _edge.call(req, "query_audit") as caller:
        command = parse(audit.QueryAudit, req.data)
        return audit.query_audit(
            db=clients.get_db(), actor_is_admin=caller.is_admin, command=command
        ).to_wire()

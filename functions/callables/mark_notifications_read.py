"""`mark_notifications_read`: mark some or all of the caller's notifications read."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.notifications import service
from shared.notifications.models import MarkNotificationsRead
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def mark_notifications_read(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own inbox only (`users/{uid}/notifications`).

    Input `MarkNotificationsRead` ({ids: [id, ≤ 500]} or {all: true}, exactly one);
    output `MarkNotificationsReadResult` ({updated, more}). Ids that do not exist are
    skipped (never created); `all` marks at most 10,000 per call (`more` when unread ones
    remain). `invalid-argument` names the bad field and nothing is written. Idempotent:
    a repeated call writes nothing and answers `updated: 0`. No retries (callable).
    """
    with _edge.call(req, "mark_notifications_read") as caller:
        command = parse(MarkNotificationsRead, req.data)
        return service.mark_read(
            db=clients.get_db(), uid=caller.uid, command=command, now=datetime.now(UTC)
        ).to_wire()

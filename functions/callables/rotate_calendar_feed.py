"""`rotate_calendar_feed`: create (or replace) or revoke the caller's iCalendar feed URL."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.calendar import feed
from shared.calendar.models import RotateCalendarFeed
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def rotate_calendar_feed(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own feed only.

    Input `RotateCalendarFeed` ({action: "create" | "revoke"}); output
    `RotateCalendarFeedResult` ({url, revoked}). "create" returns
    `/ical/{uid}/{token}.ics` once (only the token's hash is kept) and replaces any
    earlier URL; "revoke" removes it (idempotent).
    """
    with _edge.call(req, "rotate_calendar_feed") as caller:
        command = parse(RotateCalendarFeed, req.data)
        result = feed.rotate(
            db=clients.get_db(), uid=caller.uid, command=command, now=datetime.now(UTC)
        )
        return result.to_wire()

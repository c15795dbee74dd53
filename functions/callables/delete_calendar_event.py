"""`delete_calendar_event`: remove one of the caller's calendar events and its reminder."""

from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.calendar import service
from shared.calendar.models import DeleteCalendarEvent
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def delete_calendar_event(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own events only.

    Input `DeleteCalendarEvent` ({id, expectedVersion?}); output
    `DeleteCalendarEventResult` ({deleted}). Idempotent: deleting again (or an id that
    never existed) deletes nothing and returns false; `failed-precondition` when
    `expectedVersion` is given and not the stored version.
    """
    with _edge.call(req, "delete_calendar_event") as caller:
        command = parse(DeleteCalendarEvent, req.data)
        result = service.delete_event(db=clients.get_db(), uid=caller.uid, command=command)
        return result.to_wire()

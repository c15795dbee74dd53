"""`save_calendar_event`: create or update one of the caller's calendar events."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.calendar import service
from shared.calendar.models import SaveCalendarEvent
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.validation import parse


@_edge.on_call()
def save_calendar_event(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own events only (`users/{uid}/calendar`).

    Input `SaveCalendarEvent` ({id?, title, start, end, timezone?, location?, attendees?,
    notes?, recurrence?, exceptions?, reminders?, expectedVersion?}); output
    `SaveCalendarEventResult` ({id, version, startAt, endAt}). `invalid-argument` names
    the first bad field and nothing is written; `failed-precondition` when
    `expectedVersion` is not the stored version; `resource-exhausted` past 5,000 events.
    Each save is a new version, so a retry is safe only with `expectedVersion`. The
    event's next reminder is armed in the same transaction.
    """
    with _edge.call(req, "save_calendar_event") as caller:
        command = parse(SaveCalendarEvent, req.data)
        saved = service.save_event(
            db=clients.get_db(),
            enqueuer=CloudTasks(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return saved.to_wire()

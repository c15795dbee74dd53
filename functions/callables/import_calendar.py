"""`import_calendar`: import the events of an `.ics` file into the caller's calendar."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.calendar import ics_import
from shared.calendar.models import ImportCalendar
from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.validation import parse


@_edge.on_call()
def import_calendar(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, into their own calendar.

    Input `ImportCalendar` ({ics: text of at most 1 MiB and 1,000 VEVENTs}); output
    `ImportCalendarResult` ({imported, updated, skipped: [{uid, reason}]}).
    `invalid-argument` (field `ics`) for a file too large, with too many events or not
    iCalendar, and nothing is written. Idempotent: a UID maps to one event id, so
    importing the same file again updates instead of duplicating.
    """
    with _edge.call(req, "import_calendar") as caller:
        command = parse(ImportCalendar, req.data)
        result = ics_import.import_calendar(
            db=clients.get_db(),
            enqueuer=CloudTasks(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

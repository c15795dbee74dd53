"""`quick_add`: one line read into a task, reminder or event, and saved unless a question
must be asked first.

The line is read in `timezone` (else the profile's `settings.timezone`) by the model and
cross-checked by the parser (`shared.quickadd.ai`), or by the parser alone when the AI
is unavailable, or when the `quickadd-ai` flag is off for the user (then no model is
asked at all). Saving goes through the task and calendar services, so every rule of
theirs (limits, reminders armed, versions) holds. With a `requestId` the item's id is
derived from it and created only if it does not exist (`expectedVersion` 0), so a
retried quick add saves once and answers the same id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.accounts import repository as accounts
from shared.accounts.models import DEFAULT_TIMEZONE, ProfileDoc
from shared.errors import FailedPrecondition, InvalidArgument
from shared.ids import server_key
from shared.platform.flags import QUICKADD_AI, Flags
from shared.quickadd import ai
from shared.quickadd.models import Interpretation, QuickAdd, QuickAddResult, Saved

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

    from shared.platform.cloud_tasks import Enqueuer


def item_id(uid: str, request_id: str) -> str:
    """The id of the item a quick add with `request_id` saves (the same on every retry)."""
    return "qa-" + server_key("quickadd", uid, request_id)[:24]


def quick_add(
    *,
    db: Client,
    gateway: ai.Structured | None,
    enqueuer: Enqueuer,
    uid: str,
    command: QuickAdd,
    now: datetime,
    flags: Flags | None = None,
) -> QuickAddResult:
    """Read `command.text` and save it (unless `save` is false or there is a question).

    Args:
        gateway: the AI gateway, or None to read with the parser alone.
        flags: the feature flags; with `quickadd-ai` off for the user the gateway is not
            used (None: the AI path is allowed, the flag's default).

    Returns:
        The interpretation, what was saved ({kind: task|event, id}) or null, and the
        question to ask (null when none).

    Raises:
        InvalidArgument, ResourceExhausted: from the task or calendar service (the saved
            item breaks one of their rules, or the user keeps too many).
    """
    profile = _profile(db, uid)
    zone = command.timezone or (profile.settings.timezone if profile else DEFAULT_TIMEZONE)
    plan = profile.plan if profile else "free"
    if (
        gateway is not None
        and flags is not None
        and not flags.is_on(QUICKADD_AI, uid=uid, plan=plan)
    ):
        gateway = None  # the flag is off for this user: the parser alone reads the line
    found = ai.interpret(gateway=gateway, uid=uid, plan=plan, text=command.text, now=now, zone=zone)
    saved = None
    if command.save and found.question is None:
        saved = _save(db=db, enqueuer=enqueuer, uid=uid, found=found, command=command, now=now)
    return QuickAddResult(interpretation=found, saved=saved, question=found.question)


def _profile(db: Client, uid: str) -> ProfileDoc | None:
    snapshot = accounts.profile_ref(db, uid).get()
    return ProfileDoc.model_validate(snapshot.to_dict()) if snapshot.exists else None


def _save(
    *,
    db: Client,
    enqueuer: Enqueuer,
    uid: str,
    found: Interpretation,
    command: QuickAdd,
    now: datetime,
) -> Saved:
    """Save through the owning service; with a request id, create once."""
    from shared.calendar import service as calendar
    from shared.calendar.models import SaveCalendarEvent
    from shared.tasks import service as tasks
    from shared.tasks.models import SaveTask

    chosen = item_id(uid, command.request_id) if command.request_id else None
    once = 0 if chosen else None
    try:
        if found.kind == "event":
            assert found.start is not None  # an event without a question has both
            assert found.end is not None
            event = calendar.save_event(
                db=db,
                enqueuer=enqueuer,
                uid=uid,
                command=SaveCalendarEvent(
                    id=chosen,
                    expected_version=once,
                    title=found.title,
                    start=found.start,
                    end=found.end,
                    timezone=found.start.timezone,
                    recurrence=found.recurrence,
                ),
                now=now,
            )
            return Saved(kind="event", id=event.id)
        task = tasks.save_task(
            db=db,
            enqueuer=enqueuer,
            uid=uid,
            command=SaveTask(
                id=chosen,
                expected_version=once,
                title=found.title,
                priority=found.priority,
                due=found.due,
                remind=found.remind,
                tags=found.tags,
                recurrence=found.recurrence,
            ),
            now=now,
        )
        return Saved(kind="task", id=task.id)
    except FailedPrecondition:
        if chosen is None:
            raise
        # Created by an earlier delivery of this request: once is enough.
        return Saved(kind="event" if found.kind == "event" else "task", id=chosen)
    except InvalidArgument as exc:  # a rule of the item's own (a reminder too far ahead)
        raise InvalidArgument(f"text: {exc.message}", field="text") from exc

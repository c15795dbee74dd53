"""The briefing tick: brief exactly the users whose slot is due, once per local day.

`send_due` is what the `send_briefings` schedule runs every 15 minutes. It selects due
users with one indexed query (`_briefingSlots` where `nextAt <= now`, earliest first, in
pages), never by scanning users, and briefs at most `limit` per tick (the rest are still
due at the next tick). Per user:

1. read the profile (the plan, for the AI quota) and the day's items: open tasks due
   before the day ends (today's and overdue), open tasks whose reminder is today, and
   the day's calendar occurrences (`shared.calendar.expand`), each query bounded;
2. summarise them (`shared.briefings.summary`: the AI gateway, else a fixed text);
3. in one transaction: check the slot is still the one selected, `create` the briefing
   `users/{uid}/briefings/{YYYY-MM-DD}`, create its inbox notification (`notify_once`,
   id `briefing-{date}`), and move the slot to the next local day's time.

So a retried or overlapping tick writes nothing twice: the second finds the slot moved
(or the briefing there) and only makes sure the slot moves on. Two overlapping ticks may
both summarise a user before one of them commits (one wasted model call); nothing is
stored twice. A slot more than MAX_LATE overdue (the schedule was down) is moved on
without a briefing: a morning briefing in the evening is noise.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared import registry
from shared.briefings import repository, slots
from shared.briefings.models import (
    MAX_EVENTS,
    MAX_EVENTS_READ,
    MAX_REMINDERS,
    MAX_TASKS,
    MAX_TITLE_CHARS,
    DayContent,
    EventItem,
    ReminderItem,
    TaskItem,
    briefing_document,
)
from shared.briefings.summary import Completer, summarize
from shared.notifications import service as notifications
from shared.platform import logs

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentSnapshot, Transaction

MAX_PER_TICK = 500  # users briefed per tick; the rest stay due for the next tick
PAGE_SIZE = 100  # slots read per query page
WORKERS = 8  # users briefed at once (each mostly waits on Firestore and the model)
MAX_LATE = timedelta(hours=6)  # a slot further overdue is moved on without a briefing
KIND = "briefing"


def notification_id(day: date) -> str:
    """The inbox notification announcing the briefing of `day` (one per day)."""
    return f"briefing-{day.isoformat()}"


def send_due(
    *,
    db: Client,
    gateway: Completer | None,
    now: datetime,
    limit: int = MAX_PER_TICK,
    page_size: int = PAGE_SIZE,
    workers: int = WORKERS,
) -> dict[str, Any]:
    """Brief every user whose slot is due at `now` (at most `limit`).

    Returns:
        Counts by outcome (`briefed`, `already`, `stale`, `orphan`, `errors`), `due` (slots
        selected) and `more` (due slots left for the next tick).
    """
    outcomes: Counter[str] = Counter()
    after: DocumentSnapshot[Any] | None = None
    selected = 0
    while selected < limit:
        asked = min(page_size, limit - selected)
        page = repository.due_slots(db, now=now, limit=asked, after=after)
        selected += len(page)
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(page) or 1))) as pool:
            outcomes.update(pool.map(lambda s: _brief_safely(db, gateway, s, now), page))
        if len(page) < asked:
            break
        after = page[-1]
    more = selected >= limit and bool(repository.due_slots(db, now=now, limit=1, after=after))
    return {"due": selected, **outcomes, "more": more}


def _brief_safely(
    db: Client, gateway: Completer | None, slot: DocumentSnapshot[Any], now: datetime
) -> str:
    try:
        return brief_user(db=db, gateway=gateway, slot=slot, now=now)
    except Exception as exc:  # one user's failure must not stop the others' briefings
        logs.error("briefing failed", slot=slot.id, error=repr(exc)[:500])
        return "errors"


def brief_user(
    *, db: Client, gateway: Completer | None, slot: DocumentSnapshot[Any], now: datetime
) -> str:
    """Brief the user of a due `slot` (as the due query read it). Returns the outcome:
    `briefed`, `already` (another tick did, or the settings moved the slot meanwhile),
    `stale` (too late: moved on without a briefing) or `orphan` (no profile: slot removed).
    """
    record = slot.to_dict() or {}
    uid, timezone, time = str(record["uid"]), str(record["timezone"]), str(record["time"])
    due_at: datetime = record["nextAt"]
    following = slots.next_slot(time=time, timezone=timezone, after=now)
    if now - due_at > MAX_LATE:
        _move_on(db, slot, following)
        return "stale"
    profile = registry.profile_ref(db, uid).get()
    if not profile.exists:
        _remove(db, slot)
        return "orphan"
    plan = str((profile.to_dict() or {}).get("plan") or "free")
    day = slots.local_day(due_at, timezone)
    content = day_content(db=db, uid=uid, day=day, timezone=timezone)
    summary, source, why = summarize(gateway=gateway, uid=uid, plan=plan, content=content)
    if why is not None and why != "empty-day":
        logs.info("briefing summary fell back", uid=uid, reason=why)
    document = briefing_document(content, summary=summary, source=source, time=time, now=now)
    return _store(db, uid=uid, slot=slot, day=day, document=document, following=following)


def _store(
    db: Client,
    *,
    uid: str,
    slot: DocumentSnapshot[Any],
    day: date,
    document: dict[str, Any],
    following: datetime,
) -> str:
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    slot_ref = repository.slot_ref(db, uid)
    due_at = (slot.to_dict() or {})["nextAt"]

    @firestore.transactional
    def commit(transaction: Transaction) -> str:
        current = slot_ref.get(transaction=transaction)
        if not current.exists or (current.to_dict() or {}).get("nextAt") != due_at:
            return "already"  # briefed by an overlapping tick, or the settings changed it
        transaction.create(repository.briefing_ref(db, uid, day.isoformat()), document)
        notifications.notify_once(
            db=db,
            uid=uid,
            notification_id=notification_id(day),
            title=f"Your briefing for {day:%a} {day.day} {day:%b}",
            body=str(document["summary"]),
            kind=KIND,
            link=f"/inbox?briefing={day.isoformat()}",
            now=document["createdAt"],
            transaction=transaction,
        )
        transaction.update(slot_ref, {"nextAt": following, "lastDate": day.isoformat()})
        return "briefed"

    try:
        return str(commit(db.transaction()))
    except AlreadyExists:
        # Today's briefing exists (the time was changed to later the same day after it
        # was sent): nothing more to send today.
        _move_on(db, slot, following)
        return "already"


def _move_on(db: Client, slot: DocumentSnapshot[Any], following: datetime) -> None:
    """Move the slot to `following` unless it changed since it was read."""
    from google.api_core.exceptions import FailedPrecondition, NotFound

    option = db.write_option(last_update_time=slot.update_time)
    # Someone else moved (or removed) it meanwhile: their value wins.
    with contextlib.suppress(FailedPrecondition, NotFound):
        slot.reference.update({"nextAt": following}, option=option)


def _remove(db: Client, slot: DocumentSnapshot[Any]) -> None:
    """Delete the slot of a user who is gone, unless it changed since it was read."""
    from google.api_core.exceptions import FailedPrecondition, NotFound

    with contextlib.suppress(FailedPrecondition, NotFound):
        slot.reference.delete(option=db.write_option(last_update_time=slot.update_time))


def day_content(*, db: Client, uid: str, day: date, timezone: str) -> DayContent:
    """The items of local `day`: occurrences of the user's events, open tasks due by the
    day's end (overdue first), open tasks whose reminder is that day; each bounded."""
    start, end = slots.day_bounds(day, timezone)
    tasks = [
        TaskItem(
            id=row["id"],
            title=str(row.get("title") or "")[:MAX_TITLE_CHARS],
            due_at=row["dueAt"],
            priority=int(row.get("priority") or 0),
            overdue=row["dueAt"] < start,
        )
        for row in repository.open_tasks_due_before(db, uid, end=end, limit=MAX_TASKS)
    ]
    reminders = [
        ReminderItem(
            id=row["id"],
            title=str(row.get("title") or "")[:MAX_TITLE_CHARS],
            remind_at=row["remindAt"],
        )
        for row in repository.open_tasks_reminding_between(
            db, uid, start=start, end=end, limit=MAX_REMINDERS
        )
    ]
    return DayContent(
        day=day,
        timezone=timezone,
        events=_events(db, uid, start=start, end=end, timezone=timezone),
        tasks=tasks,
        reminders=reminders,
    )


def _events(
    db: Client, uid: str, *, start: datetime, end: datetime, timezone: str
) -> list[EventItem]:
    from shared.calendar.expand import occurrences_between

    events = {
        e["id"]: e
        for e in repository.events_ending_after(db, uid, start=start, limit=MAX_EVENTS_READ)
    }
    events.update({e["id"]: e for e in repository.recurring_events(db, uid, limit=MAX_EVENTS_READ)})
    found: list[EventItem] = []
    for event_id, event in events.items():
        try:
            occurrences = occurrences_between(event, start=start, end=end, user_zone=timezone)
        except (KeyError, TypeError, ValueError) as exc:  # a malformed event is left out
            logs.warning(
                "briefing skipped an event", uid=uid, event=event_id, error=repr(exc)[:200]
            )
            continue
        found.extend(
            EventItem(
                id=event_id,
                key=o.key,
                title=o.title[:MAX_TITLE_CHARS],
                start=o.start,
                end=o.end,
                all_day=o.all_day,
            )
            for o in occurrences
        )
    found.sort(key=lambda e: (not e.all_day, e.start, e.title))
    return found[:MAX_EVENTS]

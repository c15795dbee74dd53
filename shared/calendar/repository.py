"""Where calendar data lives (the only module that spells these paths).

users/{uid}/calendar/{evid}                      the events (the owner reads them)
_eventReminders/{server_key(uid, evid)}          the event's reminder timer (server-only)
_calendarFeeds/{uid}                             {uid, tokenHash, createdAt} (server-only)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import registry
from shared.accounts import repository as accounts
from shared.accounts.models import DEFAULT_TIMEZONE
from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, CollectionReference, DocumentReference

CALENDAR = "calendar"
EVENT_REMINDERS = "_eventReminders"
CALENDAR_FEEDS = "_calendarFeeds"


def events_of(db: Client, uid: str) -> CollectionReference:
    return registry.user_collection(db, uid, CALENDAR)


def event_ref(db: Client, uid: str, event_id: str) -> DocumentReference:
    ref: DocumentReference = events_of(db, uid).document(event_id)
    return ref


def reminder_id(uid: str, event_id: str) -> str:
    """The id of an event's reminder record (and of its timer)."""
    return server_key(uid, event_id)


def reminder_ref(db: Client, uid: str, event_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(EVENT_REMINDERS).document(reminder_id(uid, event_id))
    return ref


def feed_ref(db: Client, uid: str) -> DocumentReference:
    ref: DocumentReference = db.collection(CALENDAR_FEEDS).document(uid)
    return ref


def user_zone(db: Client, uid: str) -> str:
    """The user's IANA zone (`users/{uid}.settings.timezone`), "UTC" when unset."""
    snapshot = accounts.profile_ref(db, uid).get()
    settings = (snapshot.to_dict() or {}).get("settings") or {} if snapshot.exists else {}
    return str(settings.get("timezone") or DEFAULT_TIMEZONE)

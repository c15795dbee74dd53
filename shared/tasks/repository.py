"""Where the tasks feature keeps its data: every Firestore path it uses, and nothing else.

users/{uid}/tasks/{tid}                    a to-do (owner reads; only the server writes)
_taskReminders/{server_key(uid, tid)}      its armed reminder (server-only timer record:
                                           uid, taskId, nextFireAt, armedAt)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import registry
from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        Transaction,
    )

TASKS = "tasks"
TASK_REMINDERS = "_taskReminders"


def tasks_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/tasks`."""
    return registry.user_collection(db, uid, TASKS)


def task_ref(db: Client, uid: str, task_id: str) -> DocumentReference:
    ref: DocumentReference = tasks_of(db, uid).document(task_id)
    return ref


def reminder_id(uid: str, task_id: str) -> str:
    """The id of a task's reminder record (and of its timer)."""
    return server_key(uid, task_id)


def reminder_records(db: Client) -> CollectionReference:
    """`_taskReminders`."""
    collection: CollectionReference = db.collection(TASK_REMINDERS)
    return collection


def reminder_ref(db: Client, uid: str, task_id: str) -> DocumentReference:
    ref: DocumentReference = reminder_records(db).document(reminder_id(uid, task_id))
    return ref


def user_zone(db: Client, uid: str, transaction: Transaction | None = None) -> str:
    """The user's zone (`settings.timezone`; UTC without a profile), read in `transaction`
    when given, so a save commits only if the zone it used is still the user's."""
    from shared.accounts.models import DEFAULT_TIMEZONE
    from shared.accounts.repository import profile_ref, read_profile

    profile = read_profile(transaction, profile_ref(db, uid))  # type: ignore[arg-type]
    return profile.settings.timezone if profile else DEFAULT_TIMEZONE

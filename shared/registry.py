"""Every place Firestore holds data about a user, in one registry.

Features reach a user's collections through `user_collection`, which refuses a name that
is not registered here, so no feature can start keeping user data the registry (and so
data export and erasure, which walk it) does not know about. A test holds the registry
equal to what `firestore.rules` names.

    users/{uid}                                 the profile (accounts)
    users/{uid}/<USER_COLLECTIONS>              the user's own data; the owner reads it
    <SERVER_COLLECTIONS>                        server-only, with a `uid` field
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, CollectionReference, DocumentReference

USERS = "users"


@dataclass(frozen=True)
class UserCollection:
    """A collection under `users/{uid}` (`path` may nest: `conversations/*/messages`)."""

    path: str
    owner: str  # the feature that writes it
    client_readable: bool = True  # the rules let the owner read it


USER_COLLECTIONS: tuple[UserCollection, ...] = (
    UserCollection("conversations", "chat"),
    UserCollection("conversations/*/messages", "chat"),
    UserCollection("generations", "studio"),
    UserCollection("generations/*/files", "studio"),
    UserCollection("workflows", "workflows"),
    UserCollection("workflows/*/versions", "workflows"),
    UserCollection("executions", "workflows"),
    UserCollection("executions/*/logs", "workflows"),
    UserCollection("executions/*/claims", "workflows", client_readable=False),
    UserCollection("executions/*/joins", "workflows", client_readable=False),
    UserCollection("tasks", "tasks"),
    UserCollection("calendar", "calendar"),
    UserCollection("notifications", "notifications"),
    UserCollection("briefings", "briefings"),
    UserCollection("decisions", "decisions"),
    UserCollection("decisionStats", "decisions"),
    UserCollection("memories", "memory"),
    UserCollection("usage", "ai"),
    UserCollection("exports", "platform"),
)


@dataclass(frozen=True)
class ServerCollection:
    """A top-level collection; `uid_field` names the field that says whose it is."""

    name: str
    owner: str
    uid_field: str | None  # None: not about one user
    client_read: str = "none"  # "none", "admin", or "subject" (the user it names, and admins)


SERVER_COLLECTIONS: tuple[ServerCollection, ...] = (
    ServerCollection("events", "events", "uid", client_read="subject"),
    ServerCollection("audit", "platform", "actor", client_read="admin"),
    ServerCollection("flags", "platform", None, client_read="admin"),
    ServerCollection("_webhookSecrets", "workflows", "uid"),
    ServerCollection("_schedules", "workflows", "uid"),
    ServerCollection("_eventReminders", "calendar", "uid"),
    ServerCollection("_calendarFeeds", "calendar", "uid"),
    ServerCollection("_taskReminders", "tasks", "uid"),
    ServerCollection("_briefingSlots", "briefings", "uid"),
    # Emails to send and sent (shared/email/repository.py), each naming its user.
    ServerCollection("_outbox", "email", "uid"),
    # Billing (shared/billing/repository.py): the Stripe customer and subscription per user
    # (keyed by uid), and each Stripe event handled once (keyed by event id).
    ServerCollection("_billing", "billing", "uid"),
    ServerCollection("_stripeEvents", "billing", "uid"),
    # Per-user rate-limit windows and the AI cache entries a user's requests wrote carry
    # `uid` (shared windows and entries have none), so erasure finds them.
    ServerCollection("_rateLimits", "platform", "uid"),
    ServerCollection("_aiCache", "ai", "uid"),
    ServerCollection("_analytics", "events", None),
    ServerCollection("_health", "health", None),
    # Account erasures in progress, keyed by uid (not by a field): deleted by the erasure
    # itself once its receipt is written (shared/platform/erasure.py).
    ServerCollection("_erasures", "platform", None),
)

_NAMES = frozenset(c.path for c in USER_COLLECTIONS if "/" not in c.path)


def profile_ref(db: Client, uid: str) -> DocumentReference:
    """`users/{uid}`."""
    ref: DocumentReference = db.collection(USERS).document(uid)
    return ref


def user_collection(db: Client, uid: str, name: str) -> CollectionReference:
    """`users/{uid}/{name}` for a registered top-level user collection.

    Raises:
        KeyError: `name` is not in USER_COLLECTIONS (register it first).
    """
    if name not in _NAMES:
        msg = f"'{name}' is not a registered user collection (shared/registry.py)"
        raise KeyError(msg)
    collection: CollectionReference = profile_ref(db, uid).collection(name)
    return collection

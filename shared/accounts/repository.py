"""Where accounts live: `users/{uid}` in Firestore, and custom claims in Firebase Auth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from shared import registry
from shared.accounts.models import ProfileDoc

if TYPE_CHECKING:  # pragma: no cover
    from firebase_admin import App
    from google.cloud.firestore import Client, DocumentReference, Transaction


def profile_ref(db: Client, uid: str) -> DocumentReference:
    return registry.profile_ref(db, uid)


def read_profile(transaction: Transaction, ref: DocumentReference) -> ProfileDoc | None:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists:
        return None
    return ProfileDoc.model_validate(snapshot.to_dict())


class ClaimsStore(Protocol):
    """Custom claims on Firebase Auth users (a fake implements this in unit tests)."""

    def get(self, uid: str) -> dict[str, Any] | None:
        """The user's custom claims, or None when no such user exists."""

    def set(self, uid: str, claims: dict[str, Any]) -> None: ...


class FirebaseClaims:
    """ClaimsStore over the Admin SDK (works with the Auth emulator and production)."""

    def __init__(self, app: App) -> None:
        self._app = app

    def get(self, uid: str) -> dict[str, Any] | None:
        from firebase_admin import auth

        try:
            user = auth.get_user(uid, app=self._app)
        except auth.UserNotFoundError:
            return None
        return dict(user.custom_claims or {})

    def set(self, uid: str, claims: dict[str, Any]) -> None:
        from firebase_admin import auth

        auth.set_custom_user_claims(uid, claims, app=self._app)

    def uid_for_email(self, email: str) -> str | None:
        from firebase_admin import auth

        try:
            return str(auth.get_user_by_email(email, app=self._app).uid)
        except auth.UserNotFoundError:
            return None

"""Account use cases: the profile on first sign-in, settings, and roles.

The profile document is the source of truth for `role` and `plan`; custom claims on the
Auth user mirror it so that security rules and callables can read them from the ID token.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import audit
from shared.accounts import provider
from shared.accounts.models import (
    Caller,
    EnsureProfile,
    EnsureProfileResult,
    ProfileDoc,
    ProfilePublic,
    SetRole,
    SetRoleResult,
    Settings,
    SettingsPublic,
    UpdateSettings,
)
from shared.accounts.repository import ClaimsStore, profile_ref, read_profile
from shared.briefings import repository as briefings
from shared.briefings.slots import slot_record
from shared.errors import FailedPrecondition, NotFound, PermissionDenied

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

    from shared.platform.cloud_tasks import Enqueuer


def ensure_profile(
    *,
    db: Client,
    claims: ClaimsStore,
    caller: Caller,
    command: EnsureProfile,
    now: datetime,
) -> EnsureProfileResult:
    """Create `users/{uid}` on the first call, refresh `lastSeenAt` on later ones.

    Idempotent: the read and the create run in one transaction, so two deliveries (or two
    tabs signing in at once) create one profile; `createdAt` never changes afterwards.
    The briefing slot (`_briefingSlots/{uid}`) is created with the profile, and for a
    profile that has none while its briefing is on (one made before briefings existed).
    Custom claims are set only when the token's `role`/`plan` differ from the profile.

    Returns:
        The profile, whether this call created it, and whether claims changed (the client
        then refreshes its ID token).
    """
    from google.cloud import firestore

    ref = profile_ref(db, caller.uid)
    slot_ref = briefings.slot_ref(db, caller.uid)

    @firestore.transactional
    def create_or_touch(transaction: Transaction) -> tuple[ProfileDoc, bool]:
        existing = read_profile(transaction, ref)
        if existing is not None:
            slot = slot_record(uid=caller.uid, settings=existing.settings, after=now)
            if slot is not None and not slot_ref.get(transaction=transaction).exists:
                transaction.create(slot_ref, slot)
            # A provider linked later fills the name and photo the profile lacks.
            filled = _missing_from_provider(existing, caller)
            transaction.update(ref, {"lastSeenAt": now, **filled})
            touched = existing.model_copy(update={"last_seen_at": now})
            return touched.model_validate({**touched.to_firestore(), **filled}), False
        settings = Settings(timezone=command.timezone) if command.timezone else Settings()
        doc = ProfileDoc(
            email=caller.email,
            display_name=provider.display_name(caller.name),
            photo_url=provider.photo_url(caller.picture),
            settings=settings,
            created_at=now,
            last_seen_at=now,
        )
        transaction.create(ref, doc.to_firestore())
        if (slot := slot_record(uid=caller.uid, settings=settings, after=now)) is not None:
            transaction.set(slot_ref, slot)
        return doc, True

    profile, created = create_or_touch(db.transaction())
    # The client refreshes its ID token whenever the claims it carries are stale.
    stale = not _claims_match(caller.claims, profile)
    if stale:
        _sync_claims(claims=claims, uid=caller.uid, profile=profile, known=caller.claims)
    return EnsureProfileResult(
        profile=ProfilePublic.of(caller.uid, profile), created=created, claims_updated=stale
    )


def _missing_from_provider(existing: ProfileDoc, caller: Caller) -> dict[str, str]:
    """The profile fields (as stored) the token's name and photo fill: only those the
    profile lacks, so a name the person chose is never replaced."""
    filled: dict[str, str] = {}
    if not existing.display_name and (name := provider.display_name(caller.name)):
        filled["displayName"] = name
    if not existing.photo_url and (photo := provider.photo_url(caller.picture)):
        filled["photoURL"] = photo
    return filled


def update_settings(
    *,
    db: Client,
    caller: Caller,
    command: UpdateSettings,
    now: datetime,
    enqueuer: Enqueuer | None = None,
) -> SettingsPublic:
    """Change the caller's settings; only the fields given change.

    When the zone or the briefing changes, the briefing slot (`_briefingSlots/{uid}`)
    changes in the same transaction: its next instant is recomputed, or it is removed
    when the briefing is turned off. When a zone is given, the reminders of floating
    tasks and events (times without a zone of their own) are re-armed for it afterwards
    (with `enqueuer`; they follow the user; items already right are not written).

    Raises:
        FailedPrecondition: the caller has no profile yet (ensure_profile was never called).
    """
    from google.cloud import firestore

    ref = profile_ref(db, caller.uid)
    slot_ref = briefings.slot_ref(db, caller.uid)

    @firestore.transactional
    def apply(transaction: Transaction) -> Settings:
        existing = read_profile(transaction, ref)
        if existing is None:
            raise FailedPrecondition(
                "Your profile does not exist yet; sign in again to create it.",
                details={"reason": "profile-missing"},
            )
        settings = command.applied_to(existing.settings)
        transaction.update(ref, command.changes())
        if command.timezone is not None or command.briefing is not None:
            slot = slot_record(uid=caller.uid, settings=settings, after=now)
            if slot is None:
                transaction.delete(slot_ref)
            else:
                transaction.set(slot_ref, slot)
        return settings

    settings = apply(db.transaction())
    # Given, not only changed: re-arming is idempotent, so a call repeated after one that
    # failed between its commit and here still moves the reminders.
    if enqueuer is not None and command.timezone is not None:
        _follow_zone(db=db, enqueuer=enqueuer, uid=caller.uid, zone=settings.timezone, now=now)
    return SettingsPublic(settings=settings)


def _follow_zone(*, db: Client, enqueuer: Enqueuer, uid: str, zone: str, now: datetime) -> None:
    """Re-arm the user's floating task and event reminders in their new zone (each is
    idempotent: an item already right is not written)."""
    from shared.calendar import reminders as event_reminders
    from shared.tasks import reminders as task_reminders

    task_reminders.rearm_floating(db=db, enqueuer=enqueuer, uid=uid, user_zone=zone, now=now)
    event_reminders.rearm_floating(db=db, enqueuer=enqueuer, uid=uid, user_zone=zone, now=now)


def set_role(
    *,
    db: Client,
    claims: ClaimsStore,
    actor: str,
    actor_is_admin: bool,
    command: SetRole,
    now: datetime,
) -> SetRoleResult:
    """Give `command.uid` the role `command.role`, audited in the same transaction.

    Idempotent: setting the role a user already has changes nothing and writes no audit
    entry, but still repairs claims that drifted from the profile.

    Raises:
        PermissionDenied: the actor is not an admin.
        FailedPrecondition: an admin tries to drop their own admin role (locking everyone
            out is one click away otherwise), or the target has never signed in.
        NotFound: no Auth user has that uid.
    """
    from google.cloud import firestore

    if not actor_is_admin:
        raise PermissionDenied("Only an admin can change roles.")
    if command.uid == actor and command.role != "admin":
        raise FailedPrecondition("You cannot remove your own admin role; ask another admin.")
    current_claims = claims.get(command.uid)
    if current_claims is None:
        raise NotFound(f"No user with uid '{command.uid}'.", details={"field": "uid"})
    ref = profile_ref(db, command.uid)

    @firestore.transactional
    def apply(transaction: Transaction) -> tuple[ProfileDoc, bool]:
        existing = read_profile(transaction, ref)
        if existing is None:
            raise FailedPrecondition(
                "That user has not signed in yet, so there is no profile to change."
            )
        if existing.role == command.role:
            return existing, False
        transaction.update(ref, {"role": command.role})
        audit.append(
            db=db,
            transaction=transaction,
            entry=audit.AuditEntry(
                actor=actor,
                action="role.set",
                target=f"users/{command.uid}",
                target_uid=command.uid,
                time=now,
                details={"from": existing.role, "to": command.role},
            ),
        )
        return existing.model_copy(update={"role": command.role}), True

    profile, changed = apply(db.transaction())
    claims_updated = _sync_claims(
        claims=claims, uid=command.uid, profile=profile, known=current_claims
    )
    return SetRoleResult(
        uid=command.uid, role=profile.role, changed=changed, claims_updated=claims_updated
    )


def _sync_claims(
    *, claims: ClaimsStore, uid: str, profile: ProfileDoc, known: dict[str, Any]
) -> bool:
    """Make the Auth user's `role`/`plan` claims match the profile; True if they changed."""
    if _claims_match(known, profile):
        return False
    current = claims.get(uid) or {}
    if _claims_match(current, profile):
        return False  # only the caller's token is stale; the user record is right
    claims.set(uid, {**current, "role": profile.role, "plan": profile.plan})
    return True


def _claims_match(claims: dict[str, Any], profile: ProfileDoc) -> bool:
    return claims.get("role") == profile.role and claims.get("plan") == profile.plan

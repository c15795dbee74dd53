"""Account erasure (`delete_my_account`): delete everything tied to a uid, prove it, keep a receipt.

A request (`request_erasure`) needs a sign-in at most RECENT_SIGN_IN_S old, writes the
server-only `_erasures/{uid}`, disables the Auth user and revokes its refresh tokens (no
new ID token can be minted), and queues the task `eraseaccount` (`run`). The task works
through STEPS in order, recording each one done in `_erasures/{uid}`, so a delivery that
dies half-way is continued by the next one; every page of deletions commits in one batch
with its count, so the counts are exact whatever crashed where:

    user-tree   every document under `users/{uid}` (each registered path and any
                unregistered subcollection: all descendants of each listed
                subcollection), then the profile `users/{uid}`
    timers      the pending Cloud Task of each timer record of the uid (`_schedules`,
                `_taskReminders`, `_eventReminders`), cancelled by name where it can be
                (a task that cannot be cancelled finds no record when it fires: a no-op)
    billing     the Stripe customer `_billing/{uid}` names, deleted at Stripe (which cancels
                its subscriptions at once), then the record; no customer, no call to
                Stripe. Stripe unreachable or refusing: `StepFailed` (Cloud Tasks retries;
                the record stays, so the customer's id is not lost)
    server      documents whose registry `uid_field` is the uid in every server
                collection but `_billing` (`events`, `_stripeEvents`, `_webhookSecrets`,
                `_schedules`, `_eventReminders`, `_calendarFeeds`, `_taskReminders`,
                `_briefingSlots`, `_rateLimits` per-user windows, `_aiCache` entries the
                user's requests wrote), and the uid in flags' `targetUids`
    analytics   the active-user markers `_analytics/active-{day}-{hash}` of every day a
                marker can still exist
    storage     every Storage object under `users/{uid}/`
    audit       entries whose `actor` or `targetUid` is the uid (and `flag.set` entries
                that name it) PSEUDONYMISED: the uid becomes `erased:{subject}`, wherever it
                appears in the entry; the entry stays (the log is append-only to all but
                this step)
    auth        the Firebase Auth account

Then the proof (`scan`): the profile, each registered user collection through a
collection-group query restricted to `users/{uid}/`, the subcollections listed under
`users/{uid}`, each server collection's `uid_field`, flags' `targetUids`, audit `actor`
and `targetUid`, the analytics markers, the Storage prefix and the Auth user. Anything
found raises `Leftovers` (the task fails and Cloud Tasks retries): the leftovers are
recorded in `_erasures/{uid}` and the steps start again from the first. Nothing found:
one transaction creates the receipt `audit/{receipt_id}` (action `account.erased`, actor
"system", details {subject, requestId, counts, requestedAt, startedAt, finishedAt}) and
deletes `_erasures/{uid}`. The receipt's id derives from the request, so a redelivery
cannot write a second one; a delivery that finds no `_erasures/{uid}` does nothing.

The sweep (`sweep`): the request also queues a second task for SWEEP_AFTER_S later, when
every ID token minted before it has expired. It runs the proof again and, should a write
made with such a token have landed after the receipt, the same steps, the same proof and
a second audit entry (`account.erasure.swept`, counts only).

`subject` is HMAC-SHA256(AUDIT_SUBJECT_KEY, uid) in hex: whoever holds the key can tell
whether a receipt is a given uid's, nobody else can, and the receipt holds no uid.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from shared import audit, registry
from shared.accounts.models import Uid
from shared.errors import AuraError, FailedPrecondition, NotFound, Unavailable
from shared.platform import analytics, logs
from shared.platform.cloud_tasks import Enqueuer, task_name
from shared.validation import Command, Public

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, Transaction

    from shared.billing.stripe_api import StripeApi

ERASURES = "_erasures"  # server-only, keyed by uid; registered in shared/registry.py
QUEUE = "eraseaccount"
CONFIRM_PHRASE = "delete my account"
RECENT_SIGN_IN_S = 300  # the ID token's auth_time must be at most this old
# The task starts this long after the request, so the request's own bookkeeping (the
# edge's usage marker, written after the handler returns) is in place before step one.
START_DELAY_S = 5
LEASE_S = 600  # one delivery works at a time; a dead one's lease lapses after this
PAGE = 300  # documents per read and per delete batch (a batch takes 500 writes)
PSEUDONYM_PREFIX = "erased:"
RECEIPT_ACTION = "account.erased"
SWEEP_ACTION = "account.erasure.swept"
# ID tokens minted before the request stay valid until they expire, an hour after they
# were minted (callables and rules check the signature, not revocation), and a write
# with one can land after the receipt. The sweep runs once they have all expired, with
# five minutes for clock skew, and erases whatever such a write left.
TOKEN_LIFETIME_S = 3600
SWEEP_AFTER_S = TOKEN_LIFETIME_S + 300
STEPS: tuple[str, ...] = (
    "user-tree",
    "timers",
    "billing",  # the Stripe customer, then `_billing/{uid}` (which `server` skips)
    "server",
    "analytics",
    "storage",
    "audit",
    "auth",
)


# --- models -------------------------------------------------------------------------------


class DeleteMyAccount(Command):
    """`delete_my_account` input: `{"confirm": "delete my account"}`, exactly that phrase."""

    confirm: str = Field(max_length=64)

    @field_validator("confirm")
    @classmethod
    def _exact(cls, value: str) -> str:
        if value != CONFIRM_PHRASE:
            msg = f"type exactly '{CONFIRM_PHRASE}' to confirm"
            raise ValueError(msg)
        return value


class DeleteMyAccountResult(Public):
    """`delete_my_account` output: the request's id (the same for a repeat request) and
    `queued` (the erasure runs as a task; the account is disabled already)."""

    request_id: str
    status: Literal["queued"]


class EraseAccountTask(BaseModel):
    """The `eraseaccount` payload: ids only."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True
    )

    uid: Uid
    request_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    # The second pass, SWEEP_AFTER_S after the request (see `sweep`).
    sweep: bool = False


class Leftovers(RuntimeError):
    """The re-scan found data of the uid after every step ran: the task must fail loudly
    (Cloud Tasks retries it; the steps run again)."""

    def __init__(self, found: dict[str, int]) -> None:
        super().__init__(f"erasure left data behind: {found}")
        self.found = found


class LeaseHeld(RuntimeError):
    """Another delivery is erasing this account now: let Cloud Tasks try again later."""


class ErasurePending(RuntimeError):
    """The sweep came before the erasure finished (it was retrying for an hour): Cloud
    Tasks tries the sweep again later."""


class StepFailed(RuntimeError):
    """A step could not finish because an outside service was unreachable or refused
    (raised `from` its domain error): the task fails, Cloud Tasks retries, and the step
    runs again. `transient` is False when retrying cannot help until an operator acts
    (a bad key, billing not configured)."""

    def __init__(self, step: str, reason: str, *, transient: bool) -> None:
        super().__init__(f"erasure step {step} failed: {reason}")
        self.step, self.reason, self.transient = step, reason, transient


# --- the outside world --------------------------------------------------------------------


class AuthAccounts(Protocol):
    """Firebase Auth users, as erasure needs them (a fake implements this in unit tests)."""

    def disable(self, uid: str) -> bool:
        """Disable sign-in and revoke refresh tokens; False when no such user exists."""

    def exists(self, uid: str) -> bool: ...

    def delete(self, uid: str) -> bool:
        """Delete the user; False when it was gone already."""


class FirebaseAuthAccounts:
    """AuthAccounts over the Admin SDK (the Auth emulator and production)."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def disable(self, uid: str) -> bool:
        from firebase_admin import auth

        try:
            auth.update_user(uid, disabled=True, app=self._app)
            auth.revoke_refresh_tokens(uid, app=self._app)
        except auth.UserNotFoundError:
            return False
        return True

    def exists(self, uid: str) -> bool:
        from firebase_admin import auth

        try:
            auth.get_user(uid, app=self._app)
        except auth.UserNotFoundError:
            return False
        return True

    def delete(self, uid: str) -> bool:
        from firebase_admin import auth

        try:
            auth.delete_user(uid, app=self._app)
        except auth.UserNotFoundError:
            return False
        return True


def cancel_admin_task(queue: str, name: str) -> bool:
    """Delete a queued Cloud Task by name (Admin SDK); False when it is not there (ran,
    never queued, or held by the local clock). Best effort: never raises."""
    from firebase_admin import exceptions, functions

    from shared.platform import clients

    try:
        functions.task_queue(queue, app=clients.get_app()).delete(name)
    except exceptions.NotFoundError:
        return False
    except Exception as exc:  # a task that stays queued finds no record: harmless
        logs.warning("timer task not cancelled", queue=queue, error=repr(exc)[:300])
        return False
    return True


def subject_of(key: str, uid: str) -> str:
    """The receipt's pseudonymous subject: HMAC-SHA256(key, uid), hex.

    Raises:
        RuntimeError: no key (the AUDIT_SUBJECT_KEY secret is not set or not bound).
    """
    if not key:
        msg = "AUDIT_SUBJECT_KEY is empty: bind the secret to the function that erases."
        raise RuntimeError(msg)
    return hmac.new(key.encode(), uid.encode(), hashlib.sha256).hexdigest()


def receipt_id(subject: str, request_id: str, action: str = RECEIPT_ACTION) -> str:
    """The audit id of the request's receipt (or of its sweep's entry): one per request,
    whichever delivery writes it."""
    prefix = "erasure-" if action == RECEIPT_ACTION else "erasure-sweep-"
    return prefix + hashlib.sha256(f"{subject}:{request_id}".encode()).hexdigest()[:40]


def erasure_ref(db: Client, uid: str) -> DocumentReference:
    ref: DocumentReference = db.collection(ERASURES).document(uid)
    return ref


def closing(db: Client, uid: str) -> bool:
    """True while the account is being erased (`_erasures/{uid}` exists) or once it is
    gone (no profile): triggers reacting to a deletion skip what the erasure deletes,
    however late they run. One `get_all` of both documents."""
    erasure, profile = erasure_ref(db, uid), registry.profile_ref(db, uid)
    found = {s.reference.path: s.exists for s in db.get_all([erasure, profile])}
    return found.get(erasure.path, False) or not found.get(profile.path, False)


# --- the request --------------------------------------------------------------------------


def check_recent_sign_in(auth_time: int | None, now: datetime) -> None:
    """Raises FailedPrecondition (details.reason `requires-recent-login`) unless the ID
    token's sign-in is at most RECENT_SIGN_IN_S old."""
    if auth_time is None or now.timestamp() - auth_time > RECENT_SIGN_IN_S:
        raise FailedPrecondition(
            f"Deleting your account needs a recent sign-in (within {RECENT_SIGN_IN_S // 60} "
            "minutes): sign in again, then retry.",
            details={"reason": "requires-recent-login", "maxAgeSeconds": RECENT_SIGN_IN_S},
        )


def _request_doc(
    uid: str, request_id: str, now: datetime, *, sweep: bool = False
) -> dict[str, Any]:
    """`_erasures/{uid}` as a request (or its sweep, `sweep: true`) starts."""
    doc: dict[str, Any] = {
        "uid": uid,
        "requestId": request_id,
        "status": "queued",
        "requestedAt": now,
        "stepsDone": [],
        "counts": {},
        "attempts": 0,
    }
    return {**doc, "sweep": True} if sweep else doc


def request_erasure(
    *,
    db: Client,
    auth: AuthAccounts,
    enqueuer: Enqueuer,
    uid: str,
    auth_time: int | None,
    command: DeleteMyAccount,
    now: datetime,
) -> DeleteMyAccountResult:
    """Record the request, disable the account and queue the erasure. A repeat request
    (any time before the erasure finished) returns the first one's id and queues nothing
    new (the task's name derives from the request).

    Raises:
        FailedPrecondition: (`requires-recent-login`) the sign-in is older than
            RECENT_SIGN_IN_S; nothing is written.
        NotFound: the Auth account is gone (already erased); nothing is written.
    """
    from google.cloud import firestore

    del command  # its validation is the confirmation
    check_recent_sign_in(auth_time, now)
    ref = erasure_ref(db, uid)
    fresh = _request_doc(uid, uuid.uuid4().hex, now)

    @firestore.transactional
    def record(transaction: Transaction) -> str | None:
        snapshot = ref.get(transaction=transaction)
        if snapshot.exists:
            return str((snapshot.to_dict() or {})["requestId"])
        if not auth.exists(uid):
            return None
        transaction.create(ref, fresh)
        return str(fresh["requestId"])

    request_id = record(db.transaction())
    if request_id is None:
        raise NotFound("This account no longer exists.")
    auth.disable(uid)  # every time: a repeat after a crash finishes what the first began
    for sweep, delay in ((False, START_DELAY_S), (True, SWEEP_AFTER_S)):
        task = EraseAccountTask(uid=uid, request_id=request_id, sweep=sweep)
        enqueuer.enqueue(
            QUEUE,
            task.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            name=task_name(QUEUE, uid, request_id, *(["sweep"] if sweep else [])),
            at=now + timedelta(seconds=delay),
        )
    return DeleteMyAccountResult(request_id=request_id, status="queued")


# --- the task -----------------------------------------------------------------------------


def _no_stripe() -> StripeApi:
    raise Unavailable(
        "Billing is not configured for the erasure.",
        details={"reason": "billing-not-configured"},
    )


@dataclass(frozen=True)
class Eraser:
    """What the task works with (the adapter builds it; tests pass their own)."""

    db: Client
    auth: AuthAccounts
    bucket: Any  # google.cloud.storage.Bucket: list_blobs(prefix=...), blob.delete()
    subject_key: str
    cancel_task: Callable[[str, str], bool] = cancel_admin_task
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Builds the Stripe client; called only for an account with a Stripe customer.
    stripe: Callable[[], StripeApi] = _no_stripe


def run(eraser: Eraser, task: EraseAccountTask, *, stop_after: str | None = None) -> str:
    """Erase `task.uid`: the steps not yet done, the proof, the receipt.

    Args:
        stop_after: tests only: return after this step, as a delivery that died there.

    Returns:
        "erased"; "nothing-to-do" (no request: done before, or never asked); "stale" (a
        request other than this task's); "stopped" (stop_after).

    Raises:
        Leftovers: the re-scan found data of the uid (retried by Cloud Tasks).
        LeaseHeld: another delivery is at work (retried later).
        StepFailed: a step's outside service (Stripe) was unreachable or refused (retried;
            the step runs again).
    """
    if task.sweep:
        return sweep(eraser, task, stop_after=stop_after)
    return _erase(eraser, task, RECEIPT_ACTION, stop_after=stop_after)


def sweep(eraser: Eraser, task: EraseAccountTask, *, stop_after: str | None = None) -> str:
    """The second pass, once every ID token minted before the request has expired: a
    write made with one after the receipt (a chat message from a tab left open, a
    callable) is found by the same proof and erased by the same steps, recorded in
    `_erasures/{uid}` (`sweep: true`) while it runs; what it erased is told by a second
    audit entry (`account.erasure.swept`, counts only, its id derived from the request).

    Returns:
        "clean" (nothing found), "swept", "stale", "stopped" (stop_after).

    Raises:
        ErasurePending: the erasure itself has not finished (retried later).
        Leftovers, LeaseHeld, StepFailed: as `run`.
    """
    from google.api_core.exceptions import AlreadyExists

    ref = erasure_ref(eraser.db, task.uid)
    snapshot = ref.get()
    if snapshot.exists and not (snapshot.to_dict() or {}).get("sweep"):
        raise ErasurePending("the erasure has not finished; the sweep comes after it")
    if not snapshot.exists:
        if not scan(eraser, task.uid):
            return "clean"
        fresh = _request_doc(task.uid, task.request_id, eraser.now(), sweep=True)
        with contextlib.suppress(AlreadyExists):  # a concurrent delivery made it
            ref.create(fresh)
    outcome = _erase(eraser, task, SWEEP_ACTION, stop_after=stop_after)
    return "swept" if outcome == "erased" else outcome


def _erase(eraser: Eraser, task: EraseAccountTask, action: str, *, stop_after: str | None) -> str:
    """The steps not yet done, the proof, then the audit entry `action` (which deletes
    `_erasures/{uid}` in its transaction)."""
    db, uid = eraser.db, task.uid
    subject = subject_of(eraser.subject_key, uid)
    ref = erasure_ref(db, uid)
    state = _claim(db, ref, task.request_id, eraser.now())
    if isinstance(state, str):
        return state
    done = set(state.get("stepsDone") or [])
    released = False
    try:
        for step in STEPS:
            if step in done:
                continue
            with logs.context(step=step):
                _STEP_FUNCTIONS[step](eraser, uid, subject, ref)
            ref.update({"stepsDone": _array_union([step])})
            if step == stop_after:
                return "stopped"
        found = scan(eraser, uid)
        if found:
            ref.update({"leftovers": found, "stepsDone": []})
            raise Leftovers(found)
        _receipt(eraser, subject, task.request_id, ref, action)
        released = True
        return "erased"
    finally:
        if not released:
            _release(ref)


def _array_union(values: list[str]) -> Any:
    from google.cloud import firestore

    return firestore.ArrayUnion(values)


def _claim(
    db: Client, ref: DocumentReference, request_id: str, now: datetime
) -> dict[str, Any] | str:
    from google.cloud import firestore

    @firestore.transactional
    def claim(transaction: Transaction) -> dict[str, Any] | str:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return "nothing-to-do"
        data: dict[str, Any] = snapshot.to_dict() or {}
        if data.get("requestId") != request_id:
            return "stale"
        lease = data.get("leaseUntil")
        if lease is not None and lease > now:
            raise LeaseHeld("another delivery is erasing this account")
        changes: dict[str, Any] = {
            "status": "running",
            "leaseUntil": now + timedelta(seconds=LEASE_S),
            "attempts": firestore.Increment(1),
        }
        if data.get("startedAt") is None:
            changes["startedAt"] = now
            data["startedAt"] = now
        transaction.update(ref, changes)
        return data

    result: dict[str, Any] | str = claim(db.transaction())
    return result


def _release(ref: DocumentReference) -> None:
    from google.api_core.exceptions import NotFound as Missing

    with contextlib.suppress(Missing):  # finished meanwhile: nothing to release
        ref.update({"leaseUntil": None})


def _commit(
    eraser: Eraser, ref: DocumentReference, writes: Iterable[tuple[str, Any, dict[str, Any] | None]]
) -> None:
    """One batch: each (counts key, document, None to delete or fields to update), and
    the counts it adds to `_erasures/{uid}`."""
    from google.cloud import firestore

    batch = eraser.db.batch()
    counts: dict[str, int] = {}
    for key, doc, fields in writes:
        if fields is None:
            batch.delete(doc)
        else:
            batch.update(doc, fields)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return
    batch.set(ref, {"counts": {k: firestore.Increment(n) for k, n in counts.items()}}, merge=True)
    batch.commit()


def _add_counts(eraser: Eraser, ref: DocumentReference, counts: dict[str, int]) -> None:
    from google.cloud import firestore

    if counts:
        ref.set({"counts": {k: firestore.Increment(n) for k, n in counts.items()}}, merge=True)


def pattern_of(uid: str, path: str) -> str:
    """`users/{uid}/conversations/c1/messages/m1` -> `conversations/*/messages` (the
    registry's spelling: the collection path below the profile, ids as `*`)."""
    parts = path.split("/")[2:]
    return "/".join("*" if i % 2 else part for i, part in enumerate(parts[:-1]))


def _step_user_tree(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from google.cloud.firestore_v1.field_path import FieldPath

    del subject
    profile = registry.profile_ref(eraser.db, uid)
    for collection in profile.collections():
        query = collection.recursive().select([FieldPath.document_id()])
        while page := list(query.limit(PAGE).get()):
            _commit(
                eraser,
                ref,
                ((pattern_of(uid, s.reference.path), s.reference, None) for s in page),
            )
    if profile.get().exists:
        _commit(eraser, ref, [(registry.USERS, profile, None)])


def _timer_collections() -> dict[str, str]:
    """{records collection: timer kind} of every feature's timers."""
    from shared.calendar import reminders as event_reminders
    from shared.calendar import repository as calendar_repository
    from shared.tasks import reminders as task_reminders
    from shared.tasks import repository as tasks_repository
    from shared.workflows import repository as workflow_repository
    from shared.workflows import schedules

    return {
        workflow_repository.SCHEDULES: schedules.KIND,
        tasks_repository.TASK_REMINDERS: task_reminders.KIND,
        calendar_repository.EVENT_REMINDERS: event_reminders.KIND,
    }


def _step_timers(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.platform import timers

    del subject
    cancelled = 0
    for collection, kind in _timer_collections().items():
        query = eraser.db.collection(collection).where(filter=FieldFilter("uid", "==", uid))
        for snapshot in query.select(["nextFireAt"]).stream():
            at = (snapshot.to_dict() or {}).get("nextFireAt")
            if not isinstance(at, datetime):
                continue
            name = timers.task_name(timers.key_of(kind, snapshot.id), at)
            cancelled += eraser.cancel_task(timers.TIMER_QUEUE, name)
    _add_counts(eraser, ref, {"cloudTasks": cancelled})


def _step_billing(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from shared.billing import repository as billing_repository
    from shared.billing import service as billing

    del subject
    record = billing_repository.billing_ref(eraser.db, uid)
    snapshot = record.get()
    if not snapshot.exists:
        return
    try:
        outcome = billing.end_billing(
            customer_id=billing.customer_in(snapshot.to_dict()), stripe=eraser.stripe
        )
    except AuraError as exc:
        reason = str(exc.details.get("reason") or type(exc).__name__)
        transient = isinstance(exc, Unavailable) and reason != "billing-not-configured"
        ref.update({"lastError": {"step": "billing", "reason": reason, "at": eraser.now()}})
        raise StepFailed("billing", reason, transient=transient) from exc
    if outcome == "deleted":
        _add_counts(eraser, ref, {"stripeCustomers": 1})
    # Only now, and here rather than in `server`: should a record appear after this step
    # (checkouts refuse once `_erasures/{uid}` exists, `billing.ensure_customer`), it
    # survives `server`, the proof finds it, and the rerun of this step deletes that
    # customer too.
    _commit(eraser, ref, [(billing_repository.BILLING, record, None)])


def _uid_places() -> list[registry.ServerCollection]:
    return [
        c for c in registry.SERVER_COLLECTIONS if c.uid_field is not None and c.name != audit.AUDIT
    ]


def _step_server(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    from shared.billing.repository import BILLING

    del subject
    db = eraser.db
    for place in _uid_places():
        assert place.uid_field is not None
        if place.name == BILLING:  # the `billing` step's, once Stripe deleted the customer
            continue
        query = (
            db.collection(place.name)
            .where(filter=FieldFilter(place.uid_field, "==", uid))
            .select([FieldPath.document_id()])
        )
        while page := list(query.limit(PAGE).get()):
            _commit(eraser, ref, ((place.name, s.reference, None) for s in page))
    flags = db.collection("flags").where(filter=FieldFilter("targetUids", "array_contains", uid))
    while page := list(flags.select([FieldPath.document_id()]).limit(PAGE).get()):
        _commit(
            eraser,
            ref,
            (("flags", s.reference, {"targetUids": firestore.ArrayRemove([uid])}) for s in page),
        )


def marker_days(now: datetime) -> list[str]:
    """Every day whose active-user marker may still exist: markers expire
    MARKER_TTL_DAYS after their day and retention removes them within the hour; one day
    ahead for clock skew between instances."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=analytics.MARKER_TTL_DAYS + 1)
    return [(first + timedelta(days=i)).isoformat() for i in range((today - first).days + 2)]


def _marker_refs(eraser: Eraser, uid: str) -> list[DocumentReference]:
    return [
        eraser.db.collection(analytics.COLLECTION).document(analytics.marker_doc_id(day, uid))
        for day in marker_days(eraser.now())
    ]


def _step_analytics(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    del subject
    found = [s.reference for s in eraser.db.get_all(_marker_refs(eraser, uid)) if s.exists]
    _commit(eraser, ref, ((analytics.COLLECTION, doc, None) for doc in found))


def storage_prefix(uid: str) -> str:
    return f"{registry.USERS}/{uid}/"


def _step_storage(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from google.api_core.exceptions import NotFound as Missing

    del subject
    deleted = 0
    for blob in eraser.bucket.list_blobs(prefix=storage_prefix(uid)):
        try:
            blob.delete()
        except Missing:
            continue
        deleted += 1
        if deleted % PAGE == 0:
            _add_counts(eraser, ref, {"storage": PAGE})
    _add_counts(eraser, ref, {"storage": deleted % PAGE})


def scrub(value: Any, uid: str, pseudonym: str) -> Any:
    """`value` with every occurrence of `uid` in its strings replaced by `pseudonym`."""
    if isinstance(value, str):
        return value.replace(uid, pseudonym)
    if isinstance(value, list):
        return [scrub(v, uid, pseudonym) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, uid, pseudonym) for k, v in value.items()}
    return value


def _step_audit(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    pseudonym = PSEUDONYM_PREFIX + subject
    log = eraser.db.collection(audit.AUDIT)
    for field in ("actor", "targetUid"):
        query = log.where(filter=FieldFilter(field, "==", uid))
        while page := list(query.limit(PAGE).get()):
            _commit(eraser, ref, (_pseudonymised(s, uid, pseudonym) for s in page))
    # A flag's targeting list may name the user in a `flag.set` entry's details.
    flag_changes = log.where(filter=FieldFilter("action", "==", "flag.set"))
    named = [s for s in flag_changes.stream() if uid in str(s.to_dict())]
    for start in range(0, len(named), PAGE):
        page = named[start : start + PAGE]
        _commit(eraser, ref, (_pseudonymised(s, uid, pseudonym) for s in page))


def _pseudonymised(snapshot: Any, uid: str, pseudonym: str) -> tuple[str, Any, dict[str, Any]]:
    data: dict[str, Any] = snapshot.to_dict() or {}
    fields: dict[str, Any] = {
        name: scrub(data[name], uid, pseudonym)
        for name in ("actor", "target", "targetUid", "details")
        if name in data
    }
    return audit.AUDIT, snapshot.reference, fields


def _step_auth(eraser: Eraser, uid: str, subject: str, ref: DocumentReference) -> None:
    del subject
    if eraser.auth.delete(uid):
        _add_counts(eraser, ref, {"auth": 1})


_STEP_FUNCTIONS: dict[str, Callable[[Eraser, str, str, DocumentReference], None]] = {
    "user-tree": _step_user_tree,
    "timers": _step_timers,
    "billing": _step_billing,
    "server": _step_server,
    "analytics": _step_analytics,
    "storage": _step_storage,
    "audit": _step_audit,
    "auth": _step_auth,
}


# --- the proof ----------------------------------------------------------------------------


def scan(eraser: Eraser, uid: str) -> dict[str, int]:
    """Look for the uid in every place the registry names, independently of how the steps
    deleted: {place: documents found (at most PAGE per query)}; empty means nothing left.
    """
    from google.cloud.firestore_v1.base_query import FieldFilter
    from google.cloud.firestore_v1.field_path import FieldPath

    db = eraser.db
    found: dict[str, int] = {}

    def note(place: str, count: int) -> None:
        if count:
            found[place] = found.get(place, 0) + count

    profile = registry.profile_ref(db, uid)
    note(registry.USERS, 1 if profile.get().exists else 0)
    # Collection-group queries on every registered path, restricted to `users/{uid}/`:
    # from the profile's path to just past it (`{uid}\0` sorts after `{uid}` and before
    # any longer uid), and the prefix checked again on each result.
    low, high = profile, db.collection(registry.USERS).document(uid + "\0")
    prefix = profile.path + "/"
    for place in registry.USER_COLLECTIONS:
        group = place.path.rsplit("/", 1)[-1]
        query = (
            db.collection_group(group)
            .where(filter=FieldFilter(FieldPath.document_id(), ">", low))
            .where(filter=FieldFilter(FieldPath.document_id(), "<", high))
            .select([FieldPath.document_id()])
            .limit(PAGE)
        )
        hits = [s for s in query.get() if s.reference.path.startswith(prefix)]
        note(place.path, sum(pattern_of(uid, s.reference.path) == place.path for s in hits))
    # Any subcollection at all, registered or not (a collection exists while it holds a
    # document at any depth).
    for collection in profile.collections():
        note(f"users/{{uid}}/{collection.id}", 1)
    for server in _uid_places():
        assert server.uid_field is not None
        owned = db.collection(server.name).where(filter=FieldFilter(server.uid_field, "==", uid))
        note(server.name, len(owned.select([FieldPath.document_id()]).limit(PAGE).get()))
    flags = db.collection("flags").where(filter=FieldFilter("targetUids", "array_contains", uid))
    note("flags", len(flags.select([FieldPath.document_id()]).limit(PAGE).get()))
    for field in ("actor", "targetUid"):
        named = db.collection(audit.AUDIT).where(filter=FieldFilter(field, "==", uid))
        note(f"audit.{field}", len(named.select([FieldPath.document_id()]).limit(PAGE).get()))
    note(
        analytics.COLLECTION,
        sum(1 for s in db.get_all(_marker_refs(eraser, uid)) if s.exists),
    )
    note(
        "storage",
        sum(1 for _ in eraser.bucket.list_blobs(prefix=storage_prefix(uid), max_results=PAGE)),
    )
    note("auth", 1 if eraser.auth.exists(uid) else 0)
    return found


# --- the receipt --------------------------------------------------------------------------


def _receipt(
    eraser: Eraser, subject: str, request_id: str, ref: DocumentReference, action: str
) -> None:
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import firestore

    db = eraser.db
    finished = eraser.now()

    @firestore.transactional
    def write(transaction: Transaction) -> None:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return
        data: dict[str, Any] = snapshot.to_dict() or {}
        entry = audit.AuditEntry(
            actor=audit.SYSTEM,
            action=action,
            target=PSEUDONYM_PREFIX + subject,
            time=finished,
            details={
                "subject": subject,
                "requestId": request_id,
                "counts": {k: int(v) for k, v in sorted((data.get("counts") or {}).items())},
                "requestedAt": data.get("requestedAt"),
                "startedAt": data.get("startedAt"),
                "finishedAt": finished,
            },
        )
        entry_id = receipt_id(subject, request_id, action)
        audit.append(db=db, transaction=transaction, entry=entry, entry_id=entry_id)
        transaction.delete(ref)

    try:
        write(db.transaction())
    except AlreadyExists:  # the receipt is there (it commits with the delete): finish
        ref.delete()

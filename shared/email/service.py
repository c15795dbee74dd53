"""Email's use cases: queue a notification's email once, send a queued email once, and
unsubscribe from a kind with a signed link.

    queue_notification   (on_notification_created) preferences -> rendered email in
                         `_outbox/{id}` (create once) -> a `sendemail` task named from it
    send                 (sendemail) claim (queued|retrying -> sending, with a lease) ->
                         rate limit (first attempt only) -> SMTP -> sent | retrying (the
                         next attempt's task at now + backoff) | failed | dropped
    unsubscribe          (unsubscribe) a verified link turns that kind off, once
    requeue_lost         (sweep) the task of an email whose task was lost, queued again

Each email is sent at most once per successful attempt: the claim is a transaction, a
second delivery of a task finds the email sent (or claimed under a live lease, and is
retried by Cloud Tasks until it is not), and a retry's task is named from the attempt.
The one gap SMTP leaves: an instance that dies after the relay took the message and
before `sent` is written sends it again when its lease runs out; the Message-ID is the
same, so mail systems that deduplicate by it show one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from shared import registry
from shared.accounts.models import ProfileDoc
from shared.email import links, render, repository
from shared.email.models import (
    EARLY_SLACK,
    LEASE,
    LOST_AFTER,
    MAX_NOTIFICATION_AGE,
    OUTBOX_RETENTION,
    PREFERENCE_OF,
    SEND_QUEUE,
    SWEEP_LIMIT,
    Recipient,
    backoff,
    preference_for,
)
from shared.email.smtp import PermanentSendError, TransientSendError, Transport, build_message
from shared.platform import ratelimit
from shared.platform.cloud_tasks import Enqueuer, task_name

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

QueueOutcome = Literal["queued", "already", "off", "stale", "dropped"]
SendOutcome = Literal["sent", "retrying", "failed", "dropped", "done", "missing", "early"]


class LeaseHeld(RuntimeError):
    """Another delivery is sending this email now: let Cloud Tasks try again later."""


def _task_name(outbox_id: str, attempt: int) -> str:
    return task_name(SEND_QUEUE, outbox_id, str(attempt))


def queue_notification(
    *,
    db: Client,
    enqueuer: Enqueuer,
    recipient: Callable[[str], Recipient],
    link_key: bytes,
    origin: str,
    uid: str,
    notification_id: str,
    notification: dict[str, Any],
    now: datetime,
) -> QueueOutcome:
    """Queue the email of a new notification if the user wants this kind by email.

    Idempotent: the outbox id derives from (uid, notification id) and is created with a
    precondition; a second delivery finds it and, if it is still queued, only queues its
    task again under the same name (in case the first delivery died between the two),
    which Cloud Tasks refuses when the first got that far.

    Returns:
        "queued", "already" (queued before), "off" (email or this kind off, no profile,
        a kind never emailed), "stale" (notification older than MAX_NOTIFICATION_AGE),
        "dropped" (no verified address: recorded as dropped, nothing sent).
    """
    from google.api_core.exceptions import AlreadyExists

    notification_kind = str(notification.get("kind"))
    if notification_kind not in PREFERENCE_OF:
        return "off"  # never emailed: not even the profile is read
    created = notification.get("createdAt")
    if isinstance(created, datetime) and now - created > MAX_NOTIFICATION_AGE:
        return "stale"
    snapshot = registry.profile_ref(db, uid).get()
    profile = ProfileDoc.model_validate(snapshot.to_dict()) if snapshot.exists else None
    kind = preference_for(profile.settings, notification_kind) if profile else None
    if profile is None or kind is None:
        return "off"
    outbox_id = repository.outbox_id(uid, notification_id)
    ref = repository.outbox_ref(db, outbox_id)
    task = {"outboxId": outbox_id}
    existing = ref.get(field_paths=["status", "attempts"])
    if existing.exists:  # a redelivery: queue its task again only if it may have none
        current = existing.to_dict() or {}
        if current.get("status") == "queued" and not current.get("attempts"):
            enqueuer.enqueue(SEND_QUEUE, task, name=_task_name(outbox_id, 0))
        return "already"
    base: dict[str, Any] = {
        "uid": uid,
        "kind": kind,
        "notificationId": notification_id,
        "plan": profile.plan,
        "attempts": 0,
        "createdAt": now,
        "expiresAt": now + OUTBOX_RETENTION,
    }
    address = recipient(uid)
    if not address.email or not address.verified:
        with contextlib.suppress(AlreadyExists):
            ref.create({**base, "status": "dropped", "reason": "no-verified-address"})
        return "dropped"
    unsubscribe_url = links.url(link_key, origin=origin, uid=uid, kind=kind)
    link = notification.get("link")
    email = render.render(
        title=str(notification.get("title") or ""),
        body=str(notification.get("body") or ""),
        link=link if isinstance(link, str) else None,
        kind=kind,
        origin=origin,
        unsubscribe_url=unsubscribe_url,
    )
    outcome: QueueOutcome = "queued"
    try:
        ref.create(
            {
                **base,
                "status": "queued",
                "to": address.email,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "unsubscribeUrl": unsubscribe_url,
            }
        )
    except AlreadyExists:  # a concurrent delivery created it: its task has this name
        outcome = "already"
    enqueuer.enqueue(SEND_QUEUE, task, name=_task_name(outbox_id, 0))
    return outcome


def send(
    *,
    db: Client,
    enqueuer: Enqueuer,
    transport: Transport,
    sender: str,
    outbox_id: str,
    limit_for: Callable[[str], tuple[int, int]],
    now: datetime,
) -> SendOutcome:
    """Send one queued email (see the module for the protocol).

    Args:
        limit_for: the plan -> (emails per window, window seconds) of the per-user limit.

    Returns:
        "sent"; "retrying" (a transient failure: the next attempt is queued);
        "failed" (permanent, or attempts spent); "dropped" (over the rate limit);
        "done" (finished before: a duplicate delivery); "missing"; "early" (a stale
        task of an earlier attempt: the next attempt's own task comes later).

    Raises:
        LeaseHeld: another delivery holds it under a live lease (retry later).
    """
    from google.cloud import firestore

    ref = repository.outbox_ref(db, outbox_id)

    @firestore.transactional
    def claim(
        transaction: Transaction,
    ) -> tuple[Literal["claimed", "missing", "done", "early"], dict[str, Any]]:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return "missing", {}
        doc = snapshot.to_dict() or {}
        status = doc.get("status")
        if status in ("sent", "failed", "dropped"):
            return "done", doc
        if status == "sending" and doc["leaseUntil"] > now:
            raise LeaseHeld("this email is being sent by another delivery")
        if status == "retrying" and doc["nextAttemptAt"] > now + EARLY_SLACK:
            return "early", doc
        attempts = int(doc.get("attempts", 0)) + 1
        transaction.update(
            ref, {"status": "sending", "attempts": attempts, "leaseUntil": now + LEASE}
        )
        return "claimed", {**doc, "attempts": attempts}

    claimed: tuple[Literal["claimed", "missing", "done", "early"], dict[str, Any]]
    claimed = claim(db.transaction())
    state, doc = claimed
    if state != "claimed":
        return state
    attempts = int(doc["attempts"])
    if attempts == 1:  # counted once per email, behind the claim
        limit, window_s = limit_for(str(doc.get("plan") or "free"))
        decision = ratelimit.hit(
            db,
            key=f"email:{doc['uid']}",
            limit=limit,
            window_s=window_s,
            now=now,
            subject=str(doc["uid"]),
        )
        if not decision.allowed:
            ref.update({"status": "dropped", "reason": "rate-limit", "leaseUntil": None})
            return "dropped"
    message = build_message(
        outbox_id=outbox_id,
        sender=sender,
        to=str(doc["to"]),
        subject=str(doc["subject"]),
        text=str(doc["text"]),
        html=str(doc["html"]),
        unsubscribe_url=str(doc["unsubscribeUrl"]),
        date=now,
    )
    try:
        transport.send(message)
    except PermanentSendError as exc:
        ref.update({"status": "failed", "lastError": exc.detail, "leaseUntil": None})
        return "failed"
    except TransientSendError as exc:
        wait = backoff(attempts)
        if wait is None:
            ref.update({"status": "failed", "lastError": exc.detail, "leaseUntil": None})
            return "failed"
        at = now + wait
        # The task first: if this instance dies before the update, the task finds the
        # email `sending` under a lease that runs out, and takes it over then.
        enqueuer.enqueue(
            SEND_QUEUE, {"outboxId": outbox_id}, name=_task_name(outbox_id, attempts), at=at
        )
        ref.update(
            {"status": "retrying", "lastError": exc.detail, "nextAttemptAt": at, "leaseUntil": None}
        )
        return "retrying"
    ref.update({"status": "sent", "sentAt": now, "lastError": None, "leaseUntil": None})
    return "sent"


def requeue_lost(*, db: Client, enqueuer: Enqueuer, now: datetime) -> int:
    """For `sweep`: queue again the task of each email whose task was lost, i.e. still
    `queued` LOST_AFTER after it was created (its trigger died between the outbox write
    and the task), or `retrying` LOST_AFTER past its `nextAttemptAt`. Each under the name
    it had, so an email whose task exists is refused by Cloud Tasks, not sent twice.
    Equality queries only (no composite index), at most SWEEP_LIMIT of each state.
    Returns how many tasks were queued."""
    from google.cloud.firestore import FieldFilter

    queued = 0
    for status, due_field in (("queued", "createdAt"), ("retrying", "nextAttemptAt")):
        query = (
            db.collection(repository.OUTBOX)
            .where(filter=FieldFilter("status", "==", status))
            .limit(SWEEP_LIMIT)
        )
        for snapshot in query.stream():
            doc = snapshot.to_dict() or {}
            due = doc.get(due_field)
            if not isinstance(due, datetime) or now - due < LOST_AFTER:
                continue
            name = _task_name(snapshot.id, int(doc.get("attempts", 0)))
            queued += enqueuer.enqueue(SEND_QUEUE, {"outboxId": snapshot.id}, name=name)
    return queued


def unsubscribe(*, db: Client, request: links.Unsubscribe) -> bool:
    """Turn off the kind a verified link names. Returns whether this call changed it
    (False: it was off already, or there is no such profile). Idempotent."""
    from google.api_core.exceptions import NotFound
    from google.cloud import firestore

    ref = registry.profile_ref(db, request.uid)
    path = f"settings.email.kinds.{request.kind}"

    @firestore.transactional
    def apply(transaction: Transaction) -> bool:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return False
        profile = ProfileDoc.model_validate(snapshot.to_dict())
        if not getattr(profile.settings.email.kinds, request.kind):
            return False
        transaction.update(ref, {path: False})
        return True

    try:
        return bool(apply(db.transaction()))
    except NotFound:  # deleted between the read and the write
        return False

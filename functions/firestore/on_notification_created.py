"""`on_notification_created`: a new inbox notification also goes by email, if the user
asked for that kind by email (docs/platform.md "Email")."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import firestore_fn
from google.cloud.firestore import DocumentSnapshot

from functions import _clients
from functions.params import EMAIL_LINK_KEY
from shared.email import service
from shared.email.models import Recipient
from shared.platform import clients, logs

NOTIFICATION = "users/{uid}/notifications/{notificationId}"


def _recipient(uid: str) -> Recipient:
    """The account's address and whether Firebase Auth has it verified."""
    from firebase_admin import auth

    try:
        user = auth.get_user(uid, app=clients.get_app())
    except auth.UserNotFoundError:
        return Recipient(email=None, verified=False)
    return Recipient(email=user.email, verified=bool(user.email_verified))


@firestore_fn.on_document_created(document=NOTIFICATION, secrets=[EMAIL_LINK_KEY])
def on_notification_created(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    """Firestore create on a notification. Reads the profile's email settings and the
    Auth user; writes `_outbox/{id}` (create once) and queues its `sendemail` task.

    Idempotent: the outbox id derives from (uid, notification id) and the task name from
    the outbox id, so a redelivery writes and queues nothing new (and re-queues the
    task of an email left queued). No retries (the SDK offers none for Firestore
    triggers); a notification older than an hour is not emailed.
    """
    uid, notification_id = event.params["uid"], event.params["notificationId"]
    if event.data is None:
        return
    with logs.context(correlationId=event.id, uid=uid, function="on_notification_created"):
        outcome = service.queue_notification(
            db=clients.get_db(),
            enqueuer=_clients.workflow_runtime().enqueuer,
            recipient=_recipient,
            link_key=EMAIL_LINK_KEY.value.encode(),
            origin=_clients.email_origin(),
            uid=uid,
            notification_id=notification_id,
            notification=event.data.to_dict() or {},
            now=datetime.now(UTC),
        )
        logs.info(f"email {outcome}", notificationId=notification_id)

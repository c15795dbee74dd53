"""Workflow definitions: save (create or replace, versioned) and delete.

A definition lives at `users/{uid}/workflows/{wid}`, so a user only ever reaches their
own (someone else's id is simply not there). Its webhook secret is never stored on it:
`_webhookSecrets/{uid}_{wid}` ({secret, createdAt}) is server-only, created in the same
transaction as the save that first gives the workflow a webhook trigger, and returned by
that save only.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.errors import FailedPrecondition
from shared.workflows.models import (
    DeleteWorkflowResult,
    SaveWorkflow,
    SaveWorkflowResult,
    WorkflowDoc,
)
from shared.workflows.validation import check_workflow

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        CollectionReference,
        DocumentReference,
        Transaction,
    )

USERS = "users"
WORKFLOWS = "workflows"
WEBHOOK_SECRETS = "_webhookSecrets"
SECRET_BYTES = 32


def workflows_of(db: Client, uid: str) -> CollectionReference:
    """The collection `users/{uid}/workflows`."""
    collection: CollectionReference = db.collection(USERS).document(uid).collection(WORKFLOWS)
    return collection


def workflow_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = workflows_of(db, uid).document(workflow_id)
    return ref


def webhook_secret_id(uid: str, workflow_id: str) -> str:
    return f"{uid}_{workflow_id}"


def webhook_secret_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(WEBHOOK_SECRETS).document(
        webhook_secret_id(uid, workflow_id)
    )
    return ref


def save_workflow(
    *, db: Client, uid: str, command: SaveWorkflow, now: datetime
) -> SaveWorkflowResult:
    """Create or replace the caller's workflow, bumping its version.

    The definition is checked as a whole first, so an invalid one writes nothing. Then
    one transaction reads the stored version, refuses a stale `expectedVersion`, writes
    the full definition with `version` + 1 (1 when new; `createdAt` kept, `updatedAt`
    now), and keeps the webhook secret in step with the triggers: created when a webhook
    trigger appears, deleted when none is left (adding one again makes a new secret).

    Not idempotent by itself (each save is a new version); pass `expectedVersion` to make
    a retried save fail instead of applying twice.

    Returns:
        The workflow id, its new version, and the webhook secret when this save created it
        (null otherwise: it is shown once).

    Raises:
        InvalidArgument: the definition is invalid (`field` names the first problem).
        FailedPrecondition: `expectedVersion` is not the stored version (0 when the
            workflow does not exist).
    """
    from google.cloud import firestore

    check_workflow(command)
    ref = workflow_ref(db, uid, command.id) if command.id else workflows_of(db, uid).document()
    secret_ref = webhook_secret_ref(db, uid, ref.id)
    definition = command.to_firestore()

    @firestore.transactional
    def apply(transaction: Transaction) -> tuple[int, str | None]:
        snapshot = ref.get(transaction=transaction)
        secret_snapshot = secret_ref.get(transaction=transaction)
        stored: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
        current = int(stored["version"]) if stored else 0
        if command.expected_version is not None and command.expected_version != current:
            raise _stale(ref.id, expected=command.expected_version, current=current)
        doc = WorkflowDoc.model_validate(
            {
                **definition,
                "version": current + 1,
                "createdAt": stored["createdAt"] if stored else now,
                "updatedAt": now,
            }
        )
        if stored is None:
            transaction.create(ref, doc.to_firestore())
        else:
            transaction.set(ref, doc.to_firestore())
        secret: str | None = None
        if command.has_webhook and not secret_snapshot.exists:
            secret = secrets.token_hex(SECRET_BYTES)
            transaction.create(secret_ref, {"secret": secret, "createdAt": now})
        elif not command.has_webhook and secret_snapshot.exists:
            transaction.delete(secret_ref)
        return doc.version, secret

    version, secret = apply(db.transaction())
    return SaveWorkflowResult(id=ref.id, version=version, webhook_secret=secret)


def delete_workflow(*, db: Client, uid: str, workflow_id: str) -> DeleteWorkflowResult:
    """Delete the caller's workflow definition and its webhook secret.

    Idempotent: deleting a workflow that does not exist (never did, already deleted, or
    someone else's id) changes nothing and returns `deleted: false`. Executions already
    recorded are kept.
    """
    from google.cloud import firestore

    ref = workflow_ref(db, uid, workflow_id)
    secret_ref = webhook_secret_ref(db, uid, workflow_id)

    @firestore.transactional
    def apply(transaction: Transaction) -> bool:
        if not ref.get(transaction=transaction).exists:
            return False
        transaction.delete(ref)
        transaction.delete(secret_ref)
        return True

    return DeleteWorkflowResult(deleted=apply(db.transaction()))


def _stale(workflow_id: str, *, expected: int, current: int) -> FailedPrecondition:
    details = {"reason": "version-mismatch", "expectedVersion": expected, "version": current}
    if current == 0:
        message = (
            f"Workflow '{workflow_id}' does not exist (it may have been deleted); "
            "save without expectedVersion to create it."
        )
    else:
        message = (
            f"Workflow '{workflow_id}' changed since you loaded it (version {current} is "
            f"stored, you edited version {expected}); reload it and save again."
        )
    return FailedPrecondition(message, details=details)

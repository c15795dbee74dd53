"""Workflow definitions: save (create or replace, versioned) and delete.

A definition lives at `users/{uid}/workflows/{wid}`, so a user only ever reaches their
own (someone else's id is simply not there). Its webhook secret is never stored on it:
`_webhookSecrets/{server_key(uid, wid)}` ({secret, createdAt}) is server-only, created in the same
transaction as the save that first gives the workflow a webhook trigger (or that asks
for a new one with `rotateWebhookSecret`), and returned by that save only. Each creation,
rotation and removal of a secret writes one `audit/` entry in the same transaction
(`webhook.secret.created` / `.rotated` / `.deleted`, target the workflow; never the secret).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import audit
from shared.errors import InvalidArgument, ResourceExhausted, stale_version
from shared.workflows.models import (
    DeleteWorkflowResult,
    SaveWorkflow,
    SaveWorkflowResult,
    WorkflowDoc,
)
from shared.workflows.repository import (
    schedule_ref,
    snapshot_of,
    version_ref,
    webhook_secret_ref,
    workflow_ref,
    workflows_of,
)
from shared.workflows.validation import check_workflow

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import (
        Client,
        Transaction,
    )

    from shared.platform.cloud_tasks import Enqueuer

SECRET_BYTES = 32
MAX_WORKFLOWS_PER_USER = 100


def save_workflow(
    *, db: Client, uid: str, command: SaveWorkflow, now: datetime, enqueuer: Enqueuer
) -> SaveWorkflowResult:
    """Create or replace the caller's workflow, bumping its version.

    The definition is checked as a whole first, so an invalid one writes nothing. Then
    one transaction reads the stored version, refuses a stale `expectedVersion`, writes
    the full definition with `version` + 1 (1 when new; `createdAt` kept, `updatedAt`
    now), and keeps the webhook secret in step with the triggers: created when a webhook
    trigger appears, replaced when `rotateWebhookSecret` is true, deleted when none is
    left (adding one again makes a new secret); each of these is audited in the same
    transaction, and a save that leaves the secret alone audits nothing.

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

    from shared.workflows import schedules

    check_workflow(command)
    if command.rotate_webhook_secret and not command.has_webhook:
        raise InvalidArgument(
            "rotateWebhookSecret needs a webhook trigger in the workflow.",
            field="rotateWebhookSecret",
        )
    ref = workflow_ref(db, uid, command.id) if command.id else workflows_of(db, uid).document()
    secret_ref = webhook_secret_ref(db, uid, ref.id)
    armed_ref = schedule_ref(db, uid, ref.id)
    definition = command.to_firestore()
    schedule = schedules.arm_before_save(
        enqueuer=enqueuer, uid=uid, workflow_id=ref.id, workflow=command, now=now
    )

    @firestore.transactional
    def apply(transaction: Transaction) -> tuple[int, str | None]:
        snapshot = ref.get(transaction=transaction)
        secret_snapshot = secret_ref.get(transaction=transaction)
        stored: dict[str, Any] | None = snapshot.to_dict() if snapshot.exists else None
        current = int(stored["version"]) if stored else 0
        if command.expected_version is not None and command.expected_version != current:
            raise stale_version(
                "Workflow", ref.id, expected=command.expected_version, current=current
            )
        if stored is None:
            counted = workflows_of(db, uid).count().get(transaction=transaction)  # type: ignore[no-untyped-call]
            if int(counted[0][0].value) >= MAX_WORKFLOWS_PER_USER:
                raise ResourceExhausted(
                    f"You have {MAX_WORKFLOWS_PER_USER} workflows, the most one account can "
                    "keep; delete one to create another.",
                    details={"limit": "workflows", "max": MAX_WORKFLOWS_PER_USER},
                )
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
        # What executions of this version run: written once, never changed, so each
        # execution names its version instead of carrying a copy of the definition.
        transaction.set(version_ref(db, uid, ref.id, doc.version), snapshot_of(doc, now))
        secret: str | None = None
        action: str | None = None
        if command.has_webhook and (not secret_snapshot.exists or command.rotate_webhook_secret):
            secret = secrets.token_hex(SECRET_BYTES)
            transaction.set(secret_ref, {"secret": secret, "createdAt": now})
            rotated = secret_snapshot.exists
            action = "webhook.secret.rotated" if rotated else "webhook.secret.created"
        elif not command.has_webhook and secret_snapshot.exists:
            transaction.delete(secret_ref)
            action = "webhook.secret.deleted"
        if action is not None:
            _audit_secret(
                db=db,
                transaction=transaction,
                uid=uid,
                workflow_id=ref.id,
                action=action,
                now=now,
                details={"version": doc.version}
                if secret is not None
                else {"version": doc.version, "reason": "trigger-removed"},
            )
        if schedule is not None:
            transaction.set(armed_ref, schedule)
        else:
            transaction.delete(armed_ref)
        return doc.version, secret

    version, secret = apply(db.transaction())
    return SaveWorkflowResult(
        id=ref.id,
        version=version,
        webhook_secret=secret,
        next_run_at=schedule["nextFireAt"] if schedule else None,
    )


def delete_workflow(
    *, db: Client, uid: str, workflow_id: str, now: datetime
) -> DeleteWorkflowResult:
    """Delete the caller's workflow definition, its webhook secret and its schedule, in
    one transaction (a queued schedule task then finds no schedule and does nothing);
    a secret removed with it is audited (`webhook.secret.deleted`) in that transaction.

    Idempotent: deleting a workflow that does not exist (never did, already deleted, or
    someone else's id) changes nothing and returns `deleted: false`. Executions already
    recorded are kept.
    """
    from google.cloud import firestore

    ref = workflow_ref(db, uid, workflow_id)
    secret_ref = webhook_secret_ref(db, uid, workflow_id)
    armed_ref = schedule_ref(db, uid, workflow_id)

    @firestore.transactional
    def apply(transaction: Transaction) -> bool:
        if not ref.get(transaction=transaction).exists:
            return False
        had_secret = secret_ref.get(transaction=transaction).exists
        transaction.delete(ref)
        transaction.delete(secret_ref)
        transaction.delete(armed_ref)
        if had_secret:
            _audit_secret(
                db=db,
                transaction=transaction,
                uid=uid,
                workflow_id=workflow_id,
                action="webhook.secret.deleted",
                now=now,
                details={"reason": "workflow-deleted"},
            )
        return True

    return DeleteWorkflowResult(deleted=apply(db.transaction()))


def _audit_secret(
    *,
    db: Client,
    transaction: Transaction,
    uid: str,
    workflow_id: str,
    action: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    """The audit entry for a webhook secret change by its owner (never the secret)."""
    audit.append(
        db=db,
        transaction=transaction,
        entry=audit.AuditEntry(
            actor=uid,
            action=action,
            target=f"users/{uid}/workflows/{workflow_id}",
            target_uid=uid,
            time=now,
            details={"workflowId": workflow_id, **details},
        ),
    )

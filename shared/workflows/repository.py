"""Where the workflows feature keeps its data: every Firestore path it uses, and nothing
else. Services and the engine reach documents only through these functions.

    users/{uid}/workflows/{wid}                     the definition (owner reads)
    users/{uid}/workflows/{wid}/versions/{v}        the definition as version v saved it
    users/{uid}/executions/{eid}                    a run (owner reads)
    users/{uid}/executions/{eid}/logs|claims|joins  its log lines, step claims, join arrivals
    _webhookSecrets/{server_key(uid, wid)}          a webhook's secret (server-only)
    _schedules/{server_key(uid, wid)}               an armed schedule (server-only)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared import registry
from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, CollectionReference, DocumentReference

    from shared.workflows.models import WorkflowDoc

WORKFLOWS = "workflows"
VERSIONS = "versions"
EXECUTIONS = "executions"
SNAPSHOT_FIELDS = ("nodes", "edges", "variables", "settings")
WEBHOOK_SECRETS = "_webhookSecrets"
SCHEDULES = "_schedules"


def workflows_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/workflows`."""
    return registry.user_collection(db, uid, WORKFLOWS)


def workflow_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = workflows_of(db, uid).document(workflow_id)
    return ref


def version_ref(db: Client, uid: str, workflow_id: str, version: int) -> DocumentReference:
    """`users/{uid}/workflows/{wid}/versions/{version}`: the definition as saved."""
    ref: DocumentReference = (
        workflow_ref(db, uid, workflow_id).collection(VERSIONS).document(str(version))
    )
    return ref


def snapshot_of(doc: WorkflowDoc, now: datetime) -> dict[str, Any]:
    """What `versions/{version}` holds: the parts of the definition a run needs."""
    stored = doc.to_firestore()
    return {**{key: stored[key] for key in SNAPSHOT_FIELDS}, "version": doc.version, "savedAt": now}


def executions_of(db: Client, uid: str) -> CollectionReference:
    """`users/{uid}/executions`."""
    return registry.user_collection(db, uid, EXECUTIONS)


def execution_ref(db: Client, uid: str, eid: str) -> DocumentReference:
    ref: DocumentReference = executions_of(db, uid).document(eid)
    return ref


def webhook_secret_id(uid: str, workflow_id: str) -> str:
    return server_key(uid, workflow_id)


def webhook_secret_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(WEBHOOK_SECRETS).document(
        webhook_secret_id(uid, workflow_id)
    )
    return ref


def schedule_ref(db: Client, uid: str, workflow_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(SCHEDULES).document(server_key(uid, workflow_id))
    return ref

"""Starting workflows from domain events (event triggers)."""

from __future__ import annotations

import fnmatch
import hashlib
from datetime import datetime
from typing import Any

from shared.errors import AuraError
from shared.events.models import EventEnvelope
from shared.platform import logs
from shared.workflows import expressions
from shared.workflows.executions import RunWorkflow, WorkflowServices, start_execution
from shared.workflows.models import EventTrigger, WorkflowDoc

MAX_WORKFLOWS_PER_EVENT = 20


def matches(trigger: EventTrigger, envelope: EventEnvelope) -> bool:
    """`typePattern` is a glob over the type (`task.*`); `filter` a CEL expression on the
    event (`event.data.priority > 1`)."""
    if not fnmatch.fnmatchcase(envelope.type, trigger.type_pattern):
        return False
    if trigger.filter is None:
        return True
    event = envelope.model_dump(mode="json", by_alias=True)
    try:
        return expressions.evaluate_filter(trigger.filter, event)
    except ValueError as exc:
        logs.warning("event filter failed; not started", filter=trigger.filter, error=str(exc))
        return False


def _fires(trigger: Any, envelope: EventEnvelope) -> bool:
    if trigger.type == "event":
        return matches(trigger, envelope)
    if trigger.type == "firestore":
        # Changes to tasks and calendar arrive as aura.task.* / aura.calendar_event.* events.
        data = envelope.data
        return (
            envelope.type.startswith("aura.")
            and data.get("collection") == trigger.collection
            and data.get("operation") in trigger.on
        )
    return False


def start_for_event(*, rt: WorkflowServices, envelope: EventEnvelope, now: datetime) -> list[str]:
    """Start each of the event owner's active workflows whose event trigger matches.

    Idempotent per (workflow, event): the execution id derives from both, so a redelivered
    event starts nothing new. Returns the execution ids.
    """
    from google.cloud.firestore import FieldFilter

    from shared.workflows.repository import workflows_of

    workflows = (
        workflows_of(rt.db, envelope.uid)
        .where(filter=FieldFilter("status", "==", "active"))
        .limit(200)
        .stream()
    )
    started: list[str] = []
    for snapshot in workflows:
        workflow = WorkflowDoc.model_validate(snapshot.to_dict())
        hit = next((t for t in workflow.triggers if _fires(t, envelope)), None)
        if hit is None:
            continue
        if len(started) >= MAX_WORKFLOWS_PER_EVENT:
            logs.warning("event fan-out limit reached", eventId=envelope.id)
            break
        execution_id = hashlib.sha256(f"{snapshot.id}:{envelope.id}".encode()).hexdigest()[:20]
        trigger: dict[str, Any] = {
            "type": "event",
            "eventId": envelope.id,
            "eventType": envelope.type,
            "depth": envelope.depth,
            "correlationId": envelope.correlation_id,
            "data": envelope.data,
        }
        try:
            result = start_execution(
                rt=rt,
                uid=envelope.uid,
                command=RunWorkflow(workflow_id=snapshot.id, input=envelope.data),
                trigger=trigger,
                now=now,
                execution_id=execution_id,
            )
        except AuraError as exc:  # e.g. the workflow's concurrency limit: skip this one
            logs.warning("event could not start a run", workflowId=snapshot.id, error=exc.message)
            continue
        started.append(result.execution_id)
    return started

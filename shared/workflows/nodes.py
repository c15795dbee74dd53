"""What each node type does when its step runs.

Side effects are idempotent by construction: documents a node creates (notifications,
tasks) and events it publishes have ids derived from the execution and the node, so a
step that runs again after a crash creates nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.ai.models import AIRequest, Message
from shared.validation import field_path
from shared.workflows import expressions, templates
from shared.workflows.models import (
    AiNode,
    ConditionNode,
    DecisionNode,
    DelayNode,
    EventNode,
    HttpNode,
    NotifyNode,
    TaskNode,
    TransformNode,
)

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

    from shared.ai.gateway import Gateway


class NodeFailed(Exception):
    """The node failed; `retryable` says whether its retry policy applies, and `field`
    (when known) is the path in the node's `config` of the value that failed
    (`template`, `cases[1].when`, `headers.Authorization`)."""

    def __init__(self, message: str, *, retryable: bool = True, field: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.field = field


@dataclass(frozen=True)
class NodeContext:
    uid: str
    execution_id: str
    correlation_id: str
    plan: str
    scope: dict[str, Any]  # input, vars, nodes, trigger: what templates and conditions see
    db: Client
    now: datetime
    gateway: Callable[[], Gateway]
    publish: Callable[[Any], None]
    allow_private_urls: bool = False

    def side_effect_id(self, node_id: str) -> str:
        return hashlib.sha256(f"{self.execution_id}:{node_id}".encode()).hexdigest()[:24]

    def origin(self) -> dict[str, Any]:
        """Stamped on every document a step writes, so the change event that write causes
        continues this run's causation chain one level deeper (see
        `shared.events.changes`): a workflow that writes what triggers it stops at the
        bus's causation limit instead of starting itself forever."""
        trigger = self.scope.get("trigger") or {}
        caused_by_event = trigger.get("type") == "event"
        return {
            "executionId": self.execution_id,
            "eventId": trigger.get("eventId") if caused_by_event else None,
            "correlationId": trigger["correlationId"] if caused_by_event else self.correlation_id,
            "depth": int(trigger.get("depth", 0)) if caused_by_event else 0,
        }


@dataclass(frozen=True)
class NodeResult:
    output: Any = None
    branch: str | None = None  # condition: the case taken
    wait_until: datetime | None = None  # delay: successors start no earlier than this
    extra: dict[str, Any] = field(default_factory=dict)


def _render(source: str, ctx: NodeContext, field: str | None = None) -> str:
    try:
        return templates.render(source, ctx.scope)
    except ValueError as exc:
        raise NodeFailed(str(exc), retryable=False, field=field) from exc


def _render_value(value: Any, ctx: NodeContext, field: str) -> Any:
    """Every string inside `value` (a config field holding JSON) rendered; a failure names
    the string's path (`data.items[2]`)."""
    try:
        return templates.render_value(value, ctx.scope)
    except ValueError as exc:
        inner = field_path(exc.path) if isinstance(exc, templates.RenderError) else ""
        where = f"{field}{'' if inner.startswith('[') or not inner else '.'}{inner}"
        raise NodeFailed(str(exc), retryable=False, field=where) from exc


def run_transform(node: TransformNode, ctx: NodeContext) -> NodeResult:
    if node.config.output == "json":
        try:
            return NodeResult(output=templates.render_json(node.config.template, ctx.scope))
        except ValueError as exc:
            raise NodeFailed(str(exc), retryable=False, field="template") from exc
    return NodeResult(output=_render(node.config.template, ctx, "template"))


def run_condition(node: ConditionNode, ctx: NodeContext) -> NodeResult:
    for index, case in enumerate(node.config.cases):
        try:
            taken = expressions.evaluate_condition(case.when, ctx.scope)
        except ValueError as exc:
            raise NodeFailed(
                f"case '{case.branch}': {exc}", retryable=False, field=f"cases[{index}].when"
            ) from exc
        if taken:
            return NodeResult(output={"branch": case.branch}, branch=case.branch)
    if node.config.default is None:
        return NodeResult(output={"branch": None}, branch=None)
    return NodeResult(output={"branch": node.config.default}, branch=node.config.default)


# --- what a step with a side effect would do: its templates rendered -----------------
# The runners below do exactly this, then act; `shared.workflows.stepper` (testing one
# node from the editor) shows it instead.


def prepare_notify(node: NotifyNode, ctx: NodeContext) -> dict[str, Any]:
    return {
        "title": _render(node.config.title, ctx, "title"),
        "body": _render(node.config.body, ctx, "body"),
        "link": node.config.link,
    }


def prepare_task(node: TaskNode, ctx: NodeContext) -> dict[str, Any]:
    due = node.config.due_in_seconds
    return {
        "title": _render(node.config.title, ctx, "title"),
        "notes": _render(node.config.notes, ctx, "notes") if node.config.notes else None,
        "priority": node.config.priority,
        "dueAt": ctx.now + timedelta(seconds=due) if due is not None else None,
    }


def prepare_event(node: EventNode, ctx: NodeContext) -> dict[str, Any]:
    return {"type": node.config.type, "data": _render_value(node.config.data, ctx, "data")}


def prepare_ai(node: AiNode, ctx: NodeContext) -> dict[str, Any]:
    return {
        "prompt": _render(node.config.prompt, ctx, "prompt"),
        "output": node.config.output,
        "schema": node.config.json_schema,
    }


def prepare_decision(node: DecisionNode, ctx: NodeContext) -> dict[str, Any]:
    from shared.decisions.models import DEFAULT_KIND, MAX_CONTEXT_CHARS, MAX_QUESTION_CHARS

    question = _render(node.config.question, ctx, "question").strip()[:MAX_QUESTION_CHARS]
    if not question:
        raise NodeFailed(
            "question: the template rendered to nothing", retryable=False, field="question"
        )
    context = (
        _render(node.config.context, ctx, "context")[:MAX_CONTEXT_CHARS]
        if node.config.context
        else None
    )
    return {
        "question": question,
        "context": context or None,
        "options": list(node.config.options),
        "kind": node.config.kind or DEFAULT_KIND,
    }


def prepare_http(node: HttpNode, ctx: NodeContext) -> dict[str, Any]:
    url = _render(node.config.url, ctx, "url")
    rendered = _render_value(dict(node.config.headers), ctx, "headers")
    body = _render(node.config.body, ctx, "body") if node.config.body else None
    return {
        "method": node.config.method,
        "url": url,
        "headers": {str(name): str(value) for name, value in rendered.items()},
        "body": body,
    }


# --- the runners ---------------------------------------------------------------------


def run_notify(node: NotifyNode, ctx: NodeContext) -> NodeResult:
    from shared.notifications import service as notifications

    fields = prepare_notify(node, ctx)
    notification_id = notifications.notify_once(
        db=ctx.db,
        uid=ctx.uid,
        notification_id=ctx.side_effect_id(node.id),  # the same on every retry of the step
        title=fields["title"],
        body=fields["body"],
        kind="workflow",
        link=fields["link"],
        now=ctx.now,
        origin=ctx.origin(),
    )
    return NodeResult(output={"notificationId": notification_id})


def run_task(node: TaskNode, ctx: NodeContext) -> NodeResult:
    from shared.tasks import service as tasks

    fields = prepare_task(node, ctx)
    task_id = tasks.create_once(
        db=ctx.db,
        uid=ctx.uid,
        task_id=ctx.side_effect_id(node.id),
        title=fields["title"],
        notes=fields["notes"],
        priority=fields["priority"],
        due_at=fields["dueAt"],
        tags=["workflow"],
        now=ctx.now,
        origin=ctx.origin(),
    )
    return NodeResult(output={"taskId": task_id})


def run_event(node: EventNode, ctx: NodeContext) -> NodeResult:
    from shared.events import service as events

    data = prepare_event(node, ctx)["data"]
    trigger = ctx.scope.get("trigger") or {}
    caused_by_event = trigger.get("type") == "event"
    envelope = events.envelope_for(
        uid=ctx.uid,
        type_=node.config.type,
        source=f"workflow/{ctx.execution_id}",
        now=ctx.now,
        data=data,
        event_id=ctx.side_effect_id(node.id),
        correlation_id=trigger["correlationId"] if caused_by_event else ctx.correlation_id,
    )
    if caused_by_event:
        # One level deeper than the event that started this run: a workflow that emits
        # what it listens to stops at the bus's causation limit.
        envelope = envelope.model_copy(
            update={"causation_id": trigger["eventId"], "depth": int(trigger["depth"]) + 1}
        )
    ctx.publish(envelope)
    return NodeResult(output={"eventId": envelope.id})


def run_delay(node: DelayNode, ctx: NodeContext) -> NodeResult:
    if node.config.seconds is not None:
        until = ctx.now + timedelta(seconds=node.config.seconds)
    else:
        text = _render(node.config.until or "", ctx, "until")
        try:
            until = datetime.fromisoformat(text)
        except ValueError as exc:
            raise NodeFailed(
                f"until: '{text[:60]}' is not an ISO 8601 time", retryable=False, field="until"
            ) from exc
        if until.tzinfo is None:
            raise NodeFailed("until: the time needs a UTC offset", retryable=False, field="until")
        from shared.platform.cloud_tasks import (
            FARTHEST,  # how far hops past Cloud Tasks' 30 days carry
        )

        if until - ctx.now > FARTHEST:
            raise NodeFailed(
                f"until: more than {FARTHEST.days} days ahead", retryable=False, field="until"
            )
    return NodeResult(output={"until": until.isoformat()}, wait_until=max(until, ctx.now))


def run_ai(node: AiNode, ctx: NodeContext) -> NodeResult:
    from shared.errors import AuraError

    prompt = prepare_ai(node, ctx)["prompt"]
    request = AIRequest(
        uid=ctx.uid,
        purpose="generate",
        messages=(Message(role="user", content=prompt),),
        max_tokens=2048,
    )
    try:
        if node.config.output == "json":
            result = ctx.gateway().complete(
                request, plan=ctx.plan, json_schema=node.config.json_schema
            )
            try:
                return NodeResult(output=json.loads(result.text))
            except json.JSONDecodeError as exc:
                raise NodeFailed("the AI answer was not valid JSON") from exc
        return NodeResult(output=ctx.gateway().complete(request, plan=ctx.plan).text)
    except AuraError as exc:
        raise NodeFailed(exc.message, retryable=exc.code != "resource-exhausted") from exc


def run_decision(node: DecisionNode, ctx: NodeContext) -> NodeResult:
    """Decide with the decision engine; finish on branch "act", or "ask" when the
    calibrated confidence is below the user's threshold. The request id is the execution
    and node, so a step that runs again answers the decision it made (one decision, one
    model call, one count against the daily limit)."""
    from shared.decisions import service as decisions
    from shared.decisions.models import Decide
    from shared.errors import AuraError

    fields = prepare_decision(node, ctx)
    execution = ctx.scope.get("execution") or {}
    try:
        decision = decisions.decide(
            db=ctx.db,
            gateway=ctx.gateway(),
            uid=ctx.uid,
            plan=ctx.plan,
            command=Decide(
                question=fields["question"],
                context=fields["context"],
                options=fields["options"],
                kind=fields["kind"],
                request_id=f"{ctx.execution_id}:{node.id}",
            ),
            now=ctx.now,
            origin={
                "workflowId": execution.get("workflowId"),
                "executionId": ctx.execution_id,
                "nodeId": node.id,
            },
        )
    except AuraError as exc:
        raise NodeFailed(exc.message, retryable=exc.code != "resource-exhausted") from exc
    branch = "ask" if decision.ask else "act"
    return NodeResult(
        output={
            "decisionId": decision.decision_id,
            "action": decision.action,
            "confidence": decision.confidence,
            "ask": decision.ask,
            "reasoning": decision.reasoning,
        },
        branch=branch,
    )


def run_http(node: HttpNode, ctx: NodeContext) -> NodeResult:
    """An HTTP call to a URL the SSRF guard has cleared, connected to the addresses it
    cleared, within `timeout_seconds` in all and a size cap (see `shared.net.pinned`)."""
    from urllib.parse import urlsplit

    from shared.net import headers as header_policy
    from shared.net import pinned, ssrf

    request = prepare_http(node, ctx)
    url, body = request["url"], request["body"]
    try:
        response = pinned.fetch(
            node.config.method,
            url,
            headers=request["headers"],
            body=body.encode() if body is not None else None,
            max_bytes=node.config.max_response_bytes,
            deadline_s=node.config.timeout_seconds,
            allow_private=ctx.allow_private_urls,
        )
    except ssrf.BlockedURL as exc:
        raise NodeFailed(f"url refused: {exc}", retryable=False) from exc
    except header_policy.BlockedHeader as exc:
        raise NodeFailed(str(exc), retryable=False) from exc
    except pinned.FetchError as exc:
        raise NodeFailed(str(exc), retryable=exc.retryable) from exc
    if response.status >= 400:
        raise NodeFailed(
            f"HTTP {response.status} from {urlsplit(url).hostname}",
            retryable=response.status >= 500 or response.status == 429,
        )
    text = response.text()
    try:
        parsed: Any = json.loads(text) if text else None
    except (json.JSONDecodeError, RecursionError):  # too deep for JSON: kept as text
        parsed = text
    return NodeResult(output={"status": response.status, "body": parsed})


RUNNERS: dict[str, Callable[[Any, NodeContext], NodeResult]] = {
    "transform": run_transform,
    "condition": run_condition,
    "notify": run_notify,
    "task": run_task,
    "event": run_event,
    "delay": run_delay,
    "ai": run_ai,
    "decision": run_decision,
    "http": run_http,
}

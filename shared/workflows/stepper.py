"""Testing one node of a workflow from the editor, without a run (`test_workflow_node`).

The node is evaluated the way a step of a run evaluates it: the same scope (`input`,
`vars`, `nodes.<id>.output`, `trigger`, `execution`), the same template sandbox and CEL
evaluator with their limits, the same runners (`shared.workflows.nodes`). What differs
is what the node may do:

* `transform`, `condition` and `delay` have no side effect: they run, and their output is
  returned (a condition's `{"branch": ...}`, a delay's `{"until": ...}`), cut to the
  size a step's output is stored at (`MAX_OUTPUT_CHARS`).
* `http`, `ai`, `task`, `notify`, `event` and `decision` are not run: their templates
  are rendered by the same `prepare_*` functions the runners use, and `wouldDo` says what
  the step would do (the method and URL, the prompt, the task's fields...). No request
  is sent, no model is called, nothing is written or published. An `http` node's
  headers and URL also go through the checks that need no network (the header policy;
  the SSRF guard's scheme, user-info, metadata-host and literal-address rules; the
  guard's DNS check happens only when a run calls the URL).

`live: true` runs an `http` or `ai` node for real, with the runner a step uses: the
request is sent through the SSRF-pinned client with its limits, or the model is asked
through the AI gateway (the caller's plan and quotas, metered as any call). Their effects
are outside the user's data, which is what a person testing them wants to see. `task`,
`notify`, `event` and `decision` nodes write into the user's own data (or publish on the
bus): a test never does that, and `live` is refused for them (run the workflow).

A template or condition that fails (at its syntax or while evaluating) is not a bad
request: the answer is `ok: false` with `error.field` the failing value's path in the
definition (`nodes[2].config.url`, as `save_workflow` reports it) so the editor can show
it at that field. A request that is not well formed (the definition does not parse, the
node is not in it, sample data over its limits) is `invalid-argument` naming the field.
Without `live` nothing is read or written: a call is pure, so repeating it answers the
same (but for `durationMs`, and a `task`'s `dueAt`, which counts from now).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StrictBool

from shared.errors import InvalidArgument, Unavailable
from shared.validation import Command, Public, storable
from shared.workflows import expressions, nodes, templates
from shared.workflows.executions import (
    MAX_INPUT_BYTES,
    MAX_TOTAL_OUTPUT_BYTES,
    truncate,
)
from shared.workflows.models import (
    MAX_NODES,
    AiNode,
    DecisionNode,
    Definition,
    EventNode,
    HttpNode,
    Node,
    NodeId,
    NotifyNode,
    TaskNode,
    Variables,
)
from shared.workflows.nodes import NodeContext, NodeFailed

if TYPE_CHECKING:  # pragma: no cover
    from shared.ai.gateway import Gateway

# A sample trigger (`trigger.*` in templates): as large as an event's data may be.
MAX_TRIGGER_BYTES = 65_536
# What `wouldDo.request` holds at most (a rendered prompt or body may be long): past this,
# its JSON text cut with a marker, as step outputs are.
MAX_REQUEST_BYTES = 65_536
MAX_SUMMARY_CHARS = 200
TEST_EXECUTION_ID = "test"

SIDE_EFFECT_TYPES = ("http", "ai", "task", "notify", "event", "decision")
# The side-effect nodes a test may run for real (`live`): their effects are outside the
# user's data. The others write into it, which only a run does.
LIVE_TYPES = ("http", "ai")
WouldDoKind = Literal["http", "ai", "task", "notify", "event", "decision"]


class StepTest(Command):
    """Test one node of `definition` (as the editor holds it, saved or not) against sample
    data: `input` (what a run would be started with), `vars` (default: the definition's
    variables), `nodes` (node id -> the output an upstream step gave) and `trigger`
    (default: a manual start)."""

    definition: Definition
    node_id: NodeId
    input: Annotated[dict[str, Any], storable(MAX_INPUT_BYTES)] = Field(default_factory=dict)
    vars: Variables | None = None
    nodes: Annotated[
        dict[str, Any], Field(max_length=MAX_NODES), storable(MAX_TOTAL_OUTPUT_BYTES)
    ] = Field(default_factory=dict)
    trigger: Annotated[dict[str, Any], storable(MAX_TRIGGER_BYTES)] | None = None
    # Run an `http` or `ai` node for real (LIVE_TYPES); refused for any other node.
    live: StrictBool = False


class StepError(Public):
    # The failing value's path in the definition (`nodes[2].config.url`); null when the
    # failure belongs to the node as a whole.
    field: str | None
    message: str


class WouldDo(Public):
    """What a step with a side effect would do, with its templates rendered."""

    kind: WouldDoKind
    summary: str
    # The rendered request: http {method, url, headers, body}; ai {prompt, output, schema};
    # task {title, notes, priority, dueAt}; notify {title, body, link}; event {type, data};
    # decision {question, context, options, kind}. Past MAX_REQUEST_BYTES, its JSON text
    # cut with a marker.
    request: Any = None


class StepTestResult(Public):
    ok: bool
    # transform: the rendered text or JSON; condition: {branch}; delay: {until}; null for
    # the nodes that only say what they would do.
    output: Any = None
    error: StepError | None = None
    would_do: WouldDo | None = None
    # The node ran for real (`live`): `output` is what the request or the model gave.
    live: bool = False
    duration_ms: int


class _Unresolved(Exception):
    """Raised by the stand-in resolver: the URL passed every check that needs no DNS."""


def _no_dns(host: str, port: int) -> list[str]:
    raise _Unresolved


def try_node(
    *,
    uid: str,
    command: StepTest,
    now: datetime,
    allow_private_urls: bool = False,
    gateway: Callable[[], Gateway] | None = None,
    plan: str = "free",
) -> StepTestResult:
    """Evaluate (or describe) one node against sample data. Pure (reads and writes
    nothing) unless `command.live`: then an `http` node's request is sent, or an `ai`
    node's model asked through `gateway` with the caller's `plan`.

    Raises:
        InvalidArgument: `nodeId` is not a node of the definition, `nodes` names one
            that is not, or `live` for a node that is not in LIVE_TYPES.
        Unavailable: the CEL sandbox could not start (transient).
    """
    definition = command.definition
    index = next((i for i, node in enumerate(definition.nodes) if node.id == command.node_id), None)
    if index is None:
        raise InvalidArgument(
            f"nodeId: '{command.node_id}' is not a node of this definition", field="nodeId"
        )
    ids = {node.id for node in definition.nodes}
    for sample in command.nodes:
        if sample not in ids:
            raise InvalidArgument(
                f"nodes.{sample}: '{sample}' is not a node of this definition",
                field=f"nodes.{sample}",
            )
    node = definition.nodes[index]
    if command.live and node.type not in LIVE_TYPES:
        raise InvalidArgument(
            f"live: only {' and '.join(LIVE_TYPES)} steps can be tested for real; a "
            f"{node.type} step writes into your data, which only a run does",
            field="live",
        )
    ctx = _context(
        uid, command, now, allow_private_urls=allow_private_urls, gateway=gateway, plan=plan
    )
    started = time.monotonic()
    try:
        result = _evaluate(node, ctx, live=command.live)
    except NodeFailed as exc:
        where = f"nodes[{index}].config.{exc.field}" if exc.field else f"nodes[{index}]"
        result = StepTestResult(
            ok=False, error=StepError(field=where, message=str(exc)[:1000]), duration_ms=0
        )
    except Exception as exc:
        from shared.platform import logs
        from shared.platform.sandbox import SandboxUnavailable

        if isinstance(exc, SandboxUnavailable):
            raise Unavailable("Conditions cannot be evaluated right now; try again.") from exc
        # As in a run (`executions.run_step`): a node that crashes fails its step.
        message = f"{type(exc).__name__}: {exc}"[:500]
        logs.error("test step crashed", nodeId=node.id, error=message)
        result = StepTestResult(
            ok=False, error=StepError(field=f"nodes[{index}]", message=message), duration_ms=0
        )
    result.duration_ms = round((time.monotonic() - started) * 1000)
    return result


def _context(
    uid: str,
    command: StepTest,
    now: datetime,
    *,
    allow_private_urls: bool,
    gateway: Callable[[], Gateway] | None,
    plan: str,
) -> NodeContext:
    """The scope a step of a run would see, built from the samples: every node of the
    definition is there, as the execution's steps are (those without a sample have not
    run: no output)."""
    definition = command.definition
    outputs = {
        node.id: (
            {"output": command.nodes[node.id], "status": "succeeded"}
            if node.id in command.nodes
            else {"output": None, "status": "waiting"}
        )
        for node in definition.nodes
    }
    return NodeContext(
        uid=uid,
        execution_id=TEST_EXECUTION_ID,
        correlation_id=TEST_EXECUTION_ID,
        plan=plan,  # read by the gateway only, in a live `ai` test
        scope={
            "input": command.input,
            "vars": command.vars if command.vars is not None else definition.variables,
            "nodes": outputs,
            "trigger": command.trigger
            if command.trigger is not None
            else {"type": "manual", "by": uid},
            "execution": {"id": TEST_EXECUTION_ID, "workflowId": None},
        },
        db=None,  # type: ignore[arg-type]  # nothing here reads or writes
        now=now,
        gateway=gateway if command.live and gateway is not None else _refused,
        publish=_refused,
        allow_private_urls=allow_private_urls,
    )


def _refused(*_: Any) -> Any:
    msg = "a test step has no side effects"
    raise AssertionError(msg)


def _evaluate(node: Node, ctx: NodeContext, *, live: bool) -> StepTestResult:
    _check_sources(node)
    if live:  # LIVE_TYPES only (try_node checked): the runner a step uses
        result = nodes.RUNNERS[node.type](node, ctx)
        return StepTestResult(ok=True, output=truncate(result.output), live=True, duration_ms=0)
    if node.type in SIDE_EFFECT_TYPES:
        return StepTestResult(ok=True, would_do=_would_do(node, ctx), duration_ms=0)
    result = nodes.RUNNERS[node.type](node, ctx)
    return StepTestResult(ok=True, output=truncate(result.output), duration_ms=0)


def _check_sources(node: Node) -> None:
    """The save-time checks of the node's templates and conditions (syntax, literal
    limits), so an error in one that the evaluation would not reach is shown too."""
    checkers = {"template": templates.check_template, "condition": expressions.check_condition}
    for kind, where, source in node.config.sources():
        try:
            checkers[kind](source)
        except ValueError as exc:
            raise NodeFailed(str(exc), retryable=False, field=where) from exc


def _would_do(node: Node, ctx: NodeContext) -> WouldDo:
    request: dict[str, Any]
    if isinstance(node, HttpNode):
        request = nodes.prepare_http(node, ctx)
        _check_http(request, allow_private=ctx.allow_private_urls)
        summary = f"{request['method']} {request['url']}"
    elif isinstance(node, AiNode):
        request = nodes.prepare_ai(node, ctx)
        summary = f"Ask the AI ({request['output']}): {_one_line(request['prompt'])}"
    elif isinstance(node, TaskNode):
        request = nodes.prepare_task(node, ctx)
        due = request["dueAt"]
        request["dueAt"] = due.isoformat() if due is not None else None
        summary = f"Create the task '{_one_line(request['title'])}'"
    elif isinstance(node, NotifyNode):
        request = nodes.prepare_notify(node, ctx)
        summary = f"Notify you: '{_one_line(request['title'])}'"
    elif isinstance(node, EventNode):
        request = nodes.prepare_event(node, ctx)
        summary = f"Publish a '{request['type']}' event"
    elif isinstance(node, DecisionNode):
        request = nodes.prepare_decision(node, ctx)
        summary = (
            f"Decide '{_one_line(request['question'])}', then take branch 'act' "
            "(confident enough) or 'ask'"
        )
    else:  # pragma: no cover - SIDE_EFFECT_TYPES lists exactly the types above
        raise AssertionError(node.type)
    return WouldDo(
        kind=node.type,
        summary=summary[:MAX_SUMMARY_CHARS],
        request=truncate(request, MAX_REQUEST_BYTES, ceiling=MAX_REQUEST_BYTES),
    )


def _one_line(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 1]}…"


def _check_http(request: dict[str, Any], *, allow_private: bool) -> None:
    """What `shared.net.pinned.fetch` would refuse before connecting, short of resolving
    the host: the header policy, and the URL's form and literal addresses."""
    from shared.net import headers as header_policy
    from shared.net import ssrf

    try:
        header_policy.check_headers(request["headers"].items())
    except header_policy.BlockedHeader as exc:
        raise NodeFailed(str(exc), retryable=False, field=f"headers.{exc.name}") from exc
    try:
        ssrf.check_url(request["url"], allow_private=allow_private, resolver=_no_dns)
    except _Unresolved:
        pass
    except ssrf.BlockedURL as exc:
        raise NodeFailed(f"url refused: {exc}", retryable=False, field="url") from exc

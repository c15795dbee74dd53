"""Workflow definitions: what `save_workflow` accepts and what `users/{uid}/workflows/{wid}`
holds.

A definition is a graph: `nodes` (steps, one model per `type`, each with its own `config`)
joined by `edges`, started by `triggers`. These models check each value on its own (types,
lengths, ranges, one-of rules); `shared.workflows.validation` checks what needs the whole
graph (ids, edges, cycles, branches) and the syntax of templates, conditions and crons.

Node and trigger unions are discriminated by `type`. Pydantic puts the matched tag into
error paths (`nodes[2].http.config.url`); `_untagged` takes it out again, so a bad value is
reported at the path the client sent (`nodes[2].config.url`) and a bad `type` at
`nodes[2].type`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from shared.accounts.models import Timezone
from shared.events.models import EventType, check_data_size, check_user_type
from shared.ids import check_doc_id
from shared.net.headers import check_header_name
from shared.validation import Command, NotStorable, Public, check_storable

# --- limits --------------------------------------------------------------------------

MAX_NODES = 100
MAX_EDGES = 300
MAX_TRIGGERS = 10
MAX_VARIABLES = 50
MAX_VARIABLES_BYTES = 32_768
MAX_PROMPT_CHARS = 20_000
MAX_TEMPLATE_CHARS = 20_000
MAX_EXPRESSION_CHARS = 1_000
MAX_SCHEMA_BYTES = 16_384
MAX_HEADERS = 30
MAX_CASES = 20
MAX_OPTIONS = 10
MAX_DELAY_SECONDS = 30 * 24 * 3600
MAX_DUE_IN_SECONDS = 10 * 365 * 24 * 3600
MAX_RESPONSE_BYTES = 1_048_576

NODE_TYPES = (
    "ai",
    "http",
    "delay",
    "condition",
    "transform",
    "task",
    "notify",
    "event",
    "decision",
)
TRIGGER_TYPES = ("manual", "webhook", "schedule", "event", "firestore")

Status = Literal["draft", "active", "archived"]
Output = Literal["text", "json"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
FirestoreOp = Literal["create", "update", "delete"]


# --- identifiers ---------------------------------------------------------------------


def _matching(pattern: str, rule: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            msg = f"'{value}' is not valid: {rule}"
            raise ValueError(msg)
        return value

    return check


NodeId = Annotated[
    str,
    Field(min_length=1, max_length=64),
    AfterValidator(
        _matching(
            r"[A-Za-z][A-Za-z0-9_-]{0,63}",
            "start with a letter, then letters, digits, '_' or '-' (at most 64)",
        )
    ),
]
WorkflowId = Annotated[
    str,
    Field(min_length=1, max_length=64),
    AfterValidator(
        _matching(r"[A-Za-z0-9_-]{1,64}", "use letters, digits, '_' or '-' (at most 64)")
    ),
    AfterValidator(check_doc_id),
]
Branch = Annotated[
    str,
    Field(min_length=1, max_length=32),
    AfterValidator(
        _matching(
            r"[a-z][a-z0-9_-]{0,31}",
            "start with a lowercase letter, then lowercase letters, digits, '_' or '-' "
            "(at most 32)",
        )
    ),
]
EventPattern = Annotated[
    str,
    Field(min_length=1, max_length=100),
    AfterValidator(
        _matching(
            r"[a-z][a-z0-9_.*-]+",
            "a type such as 'note.saved', or a pattern such as 'task.*' (lowercase letters, "
            "digits, '_', '.', '-' and '*')",
        )
    ),
]
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# An HTTP header name (RFC 9110 token).
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")


def json_size(value: Any) -> int:
    """Bytes of `value` as compact JSON, at most; NotStorable (a ValueError) if Firestore
    could not store it (too deep, nested arrays, reserved keys, NaN, int64 overflow)."""
    return check_storable(value, max_bytes=1_048_576)  # callers apply their own limits


# --- error paths through discriminated unions ----------------------------------------


def _untagged(kind: str, tags: tuple[str, ...]) -> WrapValidator:
    """Validate a discriminated union, reporting errors without the tag in their path."""
    expected = ", ".join(tags)

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            tag = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
            errors: list[InitErrorDetails] = []
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                message = error["msg"]
                if error["type"] == "union_tag_invalid":
                    loc = ("type",)
                    message = f"'{tag}' is not a {kind} type (one of: {expected})"
                elif error["type"] == "union_tag_not_found":
                    loc = ("type",)
                    message = f"Field required (the {kind} type, one of: {expected})"
                elif loc and tag is not None and loc[0] == tag:
                    loc = loc[1:]
                cause = error.get("ctx", {}).get("error")
                if isinstance(cause, NotStorable):  # point inside the value
                    loc, message = (*loc, *cause.path), cause.problem
                errors.append(
                    {
                        "type": PydanticCustomError(error["type"], message),
                        "loc": loc,
                        "input": error["input"],
                    }
                )
            raise ValidationError.from_exception_data(exc.title, errors) from None

    return WrapValidator(validate)


def field_error(field: str, message: str, value: Any) -> ValidationError:
    """An error at `field` of the model being validated (for checks across fields that
    belong to one of them, so the path names that field rather than the model)."""
    return ValidationError.from_exception_data(
        "Workflow",
        [{"type": PydanticCustomError("value_error", message), "loc": (field,), "input": value}],
    )


# --- node configs --------------------------------------------------------------------


class Part(Command):
    """Base of every piece of a definition: like a command, but text is kept exactly as
    sent (prompts and templates may mean their whitespace)."""

    model_config = ConfigDict(str_strip_whitespace=False)

    def sources(self) -> Iterator[tuple[str, str, str]]:
        """(kind, path relative to this part, text) for every template ("template") and
        CEL condition ("condition") in this part, in field order."""
        return iter(())


def _template_strings(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """Every string inside a JSON value, as a template, with its path."""
    if isinstance(value, str):
        yield "template", path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _template_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _template_strings(item, f"{path}[{index}]")


class AiConfig(Part):
    """Ask the AI gateway; `output: "json"` asks for JSON matching `schema`."""

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    output: Output = "text"
    json_schema: dict[str, Any] | None = Field(default=None, alias="schema")

    @field_validator("json_schema")
    @classmethod
    def _schema_like(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        kind = value.get("type")
        if not (
            isinstance(kind, str)
            or (isinstance(kind, list) and kind and all(isinstance(k, str) for k in kind))
        ):
            msg = 'must be a JSON schema object with a \'type\' (for example {"type": "object"})'
            raise ValueError(msg)
        size = json_size(value)
        if size > MAX_SCHEMA_BYTES:
            msg = f"is {size} bytes; at most {MAX_SCHEMA_BYTES}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _schema_matches_output(self) -> Self:
        if self.output == "json" and self.json_schema is None:
            raise field_error("schema", "is required when output is 'json'", None)
        if self.output != "json" and self.json_schema is not None:
            raise field_error("schema", "is only used when output is 'json'", self.json_schema)
        return self

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "prompt", self.prompt


class HttpConfig(Part):
    """Call an HTTP endpoint; `url`, header values and `body` are templates."""

    method: HttpMethod = "GET"
    url: str = Field(min_length=1, max_length=2_000)
    headers: dict[str, Annotated[str, Field(max_length=8_000)]] = Field(
        default_factory=dict, max_length=MAX_HEADERS
    )
    body: str | None = Field(default=None, max_length=MAX_TEMPLATE_CHARS)
    timeout_seconds: int = Field(default=10, ge=1, le=30)
    max_response_bytes: int = Field(default=262_144, ge=1, le=MAX_RESPONSE_BYTES)

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _HEADER_NAME.fullmatch(name):
                msg = f"'{name}' is not a valid header name"
                raise ValueError(msg)
            # Host, Metadata-Flavor, X-Forwarded-*, hop-by-hop...: the run-time policy,
            # refused at save time too (values are templates, checked when rendered).
            check_header_name(name)
        return value

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "url", self.url
        for name, value in self.headers.items():
            yield "template", f"headers.{name}", value
        if self.body is not None:
            yield "template", "body", self.body


class DelayConfig(Part):
    """Wait `seconds`, or until the time the `until` template renders to; exactly one."""

    seconds: int | None = Field(default=None, ge=1, le=MAX_DELAY_SECONDS)
    until: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.seconds is None) == (self.until is None):
            msg = "give exactly one of: seconds, until"
            raise ValueError(msg)
        return self

    def sources(self) -> Iterator[tuple[str, str, str]]:
        if self.until is not None:
            yield "template", "until", self.until


class Case(Part):
    branch: Branch
    when: str = Field(min_length=1, max_length=MAX_EXPRESSION_CHARS)


class ConditionConfig(Part):
    """Take the branch of the first case whose CEL `when` is true, else `default` (if
    there is none, the workflow ends on this path)."""

    cases: list[Case] = Field(min_length=1, max_length=MAX_CASES)
    default: Branch | None = None

    @property
    def branches(self) -> tuple[str, ...]:
        names = [case.branch for case in self.cases]
        return tuple(names + ([self.default] if self.default is not None else []))

    def sources(self) -> Iterator[tuple[str, str, str]]:
        for index, case in enumerate(self.cases):
            yield "condition", f"cases[{index}].when", case.when


class TransformConfig(Part):
    """Render `template`; `output: "json"` parses the result as JSON."""

    template: str = Field(min_length=1, max_length=MAX_TEMPLATE_CHARS)
    output: Output = "text"

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "template", self.template


class TaskConfig(Part):
    """Create a task for the user."""

    title: str = Field(min_length=1, max_length=500)
    notes: str | None = Field(default=None, max_length=10_000)
    priority: int = Field(default=1, ge=0, le=3)
    due_in_seconds: int | None = Field(default=None, ge=0, le=MAX_DUE_IN_SECONDS)

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "title", self.title
        if self.notes is not None:
            yield "template", "notes", self.notes


def check_link(value: str | None) -> str | None:
    """A link the web app may follow: a path in the app (`/tasks?x=1`) or an https URL.

    Browsers read `//host` and `/\\host` as another site, so a path must not start with
    either; backslashes, whitespace and control characters are refused anywhere.
    """
    if value is None:
        return None
    msg = "must be a path in the app ('/tasks') or an https:// URL"
    if "\\" in value or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(msg)
    parts = urlsplit(value)
    in_app = value.startswith("/") and not value.startswith("//") and not parts.netloc
    external = parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc
    if not (in_app or external):
        raise ValueError(msg)
    return value


class NotifyConfig(Part):
    """Notify the user in the app."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=2_000)
    link: Annotated[str | None, AfterValidator(check_link)] = Field(default=None, max_length=2_000)

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "title", self.title
        yield "template", "body", self.body


class EventConfig(Part):
    """Publish a domain event; every string inside `data` is a template."""

    type: EventType
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _not_a_system_type(cls, value: str) -> str:
        return check_user_type(value, "emitted")

    @field_validator("data")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_data_size(value)

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield from _template_strings(self.data, "data")


DECISION_BRANCHES = ("act", "ask")


class DecisionConfig(Part):
    """Decide with the decision engine (`shared.decisions.service.decide`): the step
    finishes on branch "act" when the calibrated confidence reaches the user's threshold,
    else "ask". `question` and `context` are templates; `kind` groups decisions whose
    outcomes calibrate each other."""

    question: str = Field(min_length=1, max_length=2_000)
    options: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=MAX_OPTIONS
    )
    kind: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$"
    )
    context: str | None = Field(default=None, min_length=1, max_length=8_000)

    @field_validator("options")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for option in value:
            if option in seen:
                msg = f"'{option}' is listed twice"
                raise ValueError(msg)
            seen.add(option)
        return value

    def sources(self) -> Iterator[tuple[str, str, str]]:
        yield "template", "question", self.question
        if self.context is not None:
            yield "template", "context", self.context


# --- nodes ---------------------------------------------------------------------------


class Retry(Part):
    attempts: int = Field(default=1, ge=1, le=10)
    backoff_seconds: int = Field(default=5, ge=1, le=3_600)


MAX_COORDINATE = 100_000.0


class Position(Part):
    """Where the editor's canvas draws a node (its top-left corner, in canvas units).

    Only the editor reads it; a node without one is laid out automatically."""

    x: float = Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE, allow_inf_nan=False)
    y: float = Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE, allow_inf_nan=False)


class NodeBase(Part):
    id: NodeId
    name: str | None = Field(default=None, max_length=100)
    retry: Retry = Field(default_factory=Retry)
    continue_on_error: bool = False
    # The canvas position; definitions saved before the visual editor have none.
    position: Position | None = None


class AiNode(NodeBase):
    type: Literal["ai"]
    config: AiConfig


class HttpNode(NodeBase):
    type: Literal["http"]
    config: HttpConfig


class DelayNode(NodeBase):
    type: Literal["delay"]
    config: DelayConfig


class ConditionNode(NodeBase):
    type: Literal["condition"]
    config: ConditionConfig


class TransformNode(NodeBase):
    type: Literal["transform"]
    config: TransformConfig


class TaskNode(NodeBase):
    type: Literal["task"]
    config: TaskConfig


class NotifyNode(NodeBase):
    type: Literal["notify"]
    config: NotifyConfig


class EventNode(NodeBase):
    type: Literal["event"]
    config: EventConfig


class DecisionNode(NodeBase):
    type: Literal["decision"]
    config: DecisionConfig


Node = Annotated[
    AiNode
    | HttpNode
    | DelayNode
    | ConditionNode
    | TransformNode
    | TaskNode
    | NotifyNode
    | EventNode
    | DecisionNode,
    Field(discriminator="type"),
    _untagged("node", NODE_TYPES),
]


class Edge(Part):
    """`from` -> `to`; edges out of a condition node name the `branch` they follow."""

    source: str = Field(alias="from", min_length=1, max_length=64)
    to: str = Field(min_length=1, max_length=64)
    branch: str | None = Field(default=None, min_length=1, max_length=32)


# --- triggers ------------------------------------------------------------------------


class ManualTrigger(Part):
    type: Literal["manual"]


class WebhookTrigger(Part):
    """Started by a signed POST; the secret lives in `_webhookSecrets` (server-only)."""

    type: Literal["webhook"]


class ScheduleTrigger(Part):
    type: Literal["schedule"]
    cron: str = Field(min_length=1, max_length=200)
    timezone: Timezone


class EventTrigger(Part):
    """Started by domain events whose type matches `typePattern` (and `filter`, a CEL
    expression, if given)."""

    type: Literal["event"]
    type_pattern: EventPattern
    filter: str | None = Field(default=None, min_length=1, max_length=MAX_EXPRESSION_CHARS)


class FirestoreTrigger(Part):
    type: Literal["firestore"]
    collection: Literal["tasks", "calendar"]
    on: list[FirestoreOp] = Field(min_length=1, max_length=3)

    @field_validator("on")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            msg = "must not name an operation twice"
            raise ValueError(msg)
        return value


Trigger = Annotated[
    ManualTrigger | WebhookTrigger | ScheduleTrigger | EventTrigger | FirestoreTrigger,
    Field(discriminator="type"),
    _untagged("trigger", TRIGGER_TYPES),
]


# --- the definition ------------------------------------------------------------------


class WorkflowSettings(Part):
    max_steps: int = Field(default=100, ge=1, le=500)
    deadline_seconds: int = Field(default=3_600, ge=60, le=86_400)
    max_concurrent_executions: int = Field(default=5, ge=1, le=20)


def check_variables(value: dict[str, Any]) -> dict[str, Any]:
    for name in value:
        if not _VARIABLE_NAME.fullmatch(name):
            msg = (
                f"'{name}' is not a valid variable name (a letter or '_', then letters, "
                "digits or '_'; at most 64)"
            )
            raise ValueError(msg)
    size = json_size(value)
    if size > MAX_VARIABLES_BYTES:
        msg = f"are {size} bytes as JSON; at most {MAX_VARIABLES_BYTES}"
        raise ValueError(msg)
    return value


Variables = Annotated[
    dict[str, Any], Field(max_length=MAX_VARIABLES), AfterValidator(check_variables)
]


class Definition(Part):
    """The editable part of a workflow, as sent and as stored."""

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=1_000)
    status: Status = "draft"
    nodes: list[Node] = Field(min_length=1, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
    variables: Variables = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list, max_length=MAX_TRIGGERS)
    settings: WorkflowSettings = Field(default_factory=WorkflowSettings)

    @property
    def has_webhook(self) -> bool:
        return any(trigger.type == "webhook" for trigger in self.triggers)

    def to_firestore(self) -> dict[str, Any]:
        """The definition's fields as stored (camelCase, every default filled in)."""
        return self.model_dump(by_alias=True, include=set(Definition.model_fields))


class SaveWorkflow(Definition):
    """Create (no `id`, or an `id` not yet used) or replace a workflow definition.

    `expectedVersion` is the version the editor loaded (0: "must not exist yet"); when
    given and not the stored one the save is refused, so two editors cannot silently
    overwrite each other.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    id: WorkflowId | None = None
    expected_version: int | None = Field(default=None, ge=0)
    # True: replace the webhook secret with a new one (returned once; the old one stops
    # working). Needs a webhook trigger in this definition.
    rotate_webhook_secret: StrictBool = False


class SaveWorkflowResult(Public):
    id: str
    version: int
    # Returned once, when this save gave the workflow its webhook secret; null after.
    webhook_secret: str | None
    # When its schedule trigger next starts it (null: no schedule, or not active).
    next_run_at: datetime | None = None


class DeleteWorkflow(Command):
    id: WorkflowId


class DeleteWorkflowResult(Public):
    deleted: bool


class WorkflowDoc(Definition):
    """The document at `users/{uid}/workflows/{wid}` (camelCase as stored)."""

    version: int = Field(ge=1)
    created_at: datetime
    updated_at: datetime

    def to_firestore(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)

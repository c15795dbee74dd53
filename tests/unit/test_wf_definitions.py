"""Workflow definitions: parse() and check_workflow() name the first bad field exactly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.errors import InvalidArgument
from shared.validation import parse
from shared.workflows import repository, service
from shared.workflows.models import (
    AiNode,
    ConditionNode,
    HttpNode,
    SaveWorkflow,
    ScheduleTrigger,
    WorkflowDoc,
)
from shared.workflows.validation import MAX_STORED_BYTES, check_workflow

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def node(node_id: str, node_type: str = "transform", **config: Any) -> dict[str, Any]:
    defaults: dict[str, dict[str, Any]] = {
        "transform": {"template": "{{ input.text }}"},
        "notify": {"title": "Done", "body": "{{ nodes.t.output }}"},
        "task": {"title": "Follow up"},
        "http": {"url": "https://api.example.com/items"},
        "ai": {"prompt": "Summarise {{ input.text }}"},
    }
    return {"id": node_id, "type": node_type, "config": config or defaults[node_type]}


def condition(node_id: str, *branches: str, default: str | None = None) -> dict[str, Any]:
    cases = [{"branch": b, "when": f"input.kind == '{b}'"} for b in branches]
    return {"id": node_id, "type": "condition", "config": {"cases": cases, "default": default}}


def edge(source: str, to: str, branch: str | None = None) -> dict[str, Any]:
    return {"from": source, "to": to, **({"branch": branch} if branch else {})}


def workflow(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"name": "Triage", "nodes": nodes, "edges": edges or [], **extra}


def checked(data: dict[str, Any]) -> SaveWorkflow:
    command = parse(SaveWorkflow, data)
    check_workflow(command)
    return command


def refused(data: Any) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        checked(data)
    error = caught.value
    assert error.details == {"field": error.field}
    assert error.message.startswith(f"{error.field}: ")
    return error


def chain(*ids: str) -> list[dict[str, Any]]:
    return [edge(a, b) for a, b in itertools.pairwise(ids)]


# --- valid definitions ---------------------------------------------------------------


def test_transform_condition_notify_with_true_and_false_branches() -> None:
    data = workflow(
        [
            node("t", template="{{ input.amount }}", output="json"),
            {
                "id": "check",
                "type": "condition",
                "name": "Big?",
                "config": {
                    "cases": [{"branch": "true", "when": "nodes.t.output > 100"}],
                    "default": "false",
                },
            },
            node("big", "notify", title="Big one", body="{{ nodes.t.output }}"),
            node("small", "notify", title="Small one", body="ok", link="/workflows"),
        ],
        [edge("t", "check"), edge("check", "big", "true"), edge("check", "small", "false")],
        triggers=[{"type": "manual"}],
    )
    command = checked(data)

    assert isinstance(command.nodes[1], ConditionNode)
    assert command.nodes[1].config.branches == ("true", "false")
    assert command.nodes[0].retry.attempts == 1
    assert command.nodes[0].retry.backoff_seconds == 5
    assert command.status == "draft"
    stored = command.to_firestore()
    assert set(stored) == {
        "name",
        "description",
        "status",
        "nodes",
        "edges",
        "variables",
        "triggers",
        "settings",
    }
    assert stored["edges"][1] == {"from": "check", "to": "big", "branch": "true"}
    assert stored["nodes"][0]["continueOnError"] is False
    assert stored["nodes"][0]["retry"] == {"attempts": 1, "backoffSeconds": 5}
    assert stored["settings"] == {
        "maxSteps": 100,
        "deadlineSeconds": 3600,
        "maxConcurrentExecutions": 5,
    }


def test_ten_branch_fan_out_and_fan_in() -> None:
    branches = [f"b{i}" for i in range(9)]
    nodes = [
        node("start"),
        condition("route", *branches, default="other"),
        *[node(f"task_{b}", "task", title=f"Handle {b}") for b in [*branches, "other"]],
        node("done", "notify", title="All routed", body="{{ input.kind }}"),
    ]
    edges = [
        edge("start", "route"),
        *[edge("route", f"task_{b}", b) for b in [*branches, "other"]],
        *[edge(f"task_{b}", "done") for b in [*branches, "other"]],
    ]
    command = checked(workflow(nodes, edges))

    assert len(command.nodes) == 13
    assert len(command.edges) == 21


def test_plain_fan_out_and_fan_in_without_branches() -> None:
    workers = [node(f"w{i}", "http", url=f"https://api.example.com/{i}") for i in range(10)]
    edges = [edge("start", f"w{i}") for i in range(10)] + [edge(f"w{i}", "join") for i in range(10)]
    checked(workflow([node("start"), *workers, node("join")], edges))


def test_every_node_and_trigger_type_round_trips_through_storage() -> None:
    nodes = [
        node(
            "ask",
            "ai",
            prompt="Classify {{ input.text }}",
            output="json",
            schema={"type": "object"},
        ),
        node(
            "fetch",
            "http",
            method="POST",
            url="https://api.example.com/{{ nodes.ask.output.id }}",
            headers={"Authorization": "Bearer {{ vars.token }}"},
            body='{"q": {{ input.text | tojson }}}',
        ),
        node("wait", "delay", seconds=60),
        node("later", "delay", until="{{ input.due }}"),
        node(
            "todo", "task", title="Call back", notes="{{ input.text }}", priority=3, dueInSeconds=0
        ),
        node("emit", "event", type="lead.scored", data={"score": "{{ nodes.ask.output.score }}"}),
        node("choose", "decision", question="Send it?", options=["yes", "no"]),
        node("tell", "notify", title="Sent", body="done", link="https://example.com/x"),
    ]
    data = workflow(
        nodes,
        chain("ask", "fetch", "wait", "later", "todo", "emit", "choose", "tell"),
        id="lead-scoring_1",
        description="Scores leads",
        status="active",
        variables={"token": "abc", "limits": {"max": 3, "tags": ["a", "b"]}},
        triggers=[
            {"type": "manual"},
            {"type": "webhook"},
            {"type": "schedule", "cron": "0 9 * * MON-FRI", "timezone": "Europe/Berlin"},
            {"type": "event", "typePattern": "task.*", "filter": "event.data.priority > 1"},
            {"type": "firestore", "collection": "tasks", "on": ["create", "update"]},
        ],
        settings={"maxSteps": 20, "deadlineSeconds": 60, "maxConcurrentExecutions": 1},
        expectedVersion=3,
    )
    command = checked(data)

    assert command.id == "lead-scoring_1"
    assert command.expected_version == 3
    assert command.has_webhook
    assert isinstance(command.nodes[0], AiNode)
    assert command.nodes[0].config.json_schema == {"type": "object"}
    assert isinstance(command.nodes[1], HttpNode)
    assert command.nodes[1].config.timeout_seconds == 10
    assert command.nodes[1].config.max_response_bytes == 262_144
    assert isinstance(command.triggers[2], ScheduleTrigger)
    stored = command.to_firestore()
    assert "id" not in stored
    assert "expectedVersion" not in stored
    assert stored["nodes"][0]["config"]["schema"] == {"type": "object"}
    assert stored["triggers"][3] == {
        "type": "event",
        "typePattern": "task.*",
        "filter": "event.data.priority > 1",
    }
    doc = WorkflowDoc.model_validate({**stored, "version": 4, "createdAt": NOW, "updatedAt": NOW})
    assert doc.to_firestore() == {**stored, "version": 4, "createdAt": NOW, "updatedAt": NOW}


def test_text_is_kept_exactly_but_the_name_is_trimmed() -> None:
    command = checked(workflow([node("t", template="  line\n")], name="  Triage  "))
    assert command.name == "Triage"
    assert command.nodes[0].config.template == "  line\n"  # type: ignore[union-attr]


# --- invalid definitions: the exact field and a readable message ---------------------

TOO_MANY_NODES = [node(f"n{i}") for i in range(101)]
ABOUT_64_KB = "x" * 19_000

INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # structure (parse)
    (
        "unknown node type",
        workflow([{"id": "a", "type": "scrape", "config": {}}]),
        "nodes[0].type",
        "'scrape' is not a node type (one of: ai, http, delay, condition",
    ),
    (
        "missing node type",
        workflow([{"id": "a", "config": {}}]),
        "nodes[0].type",
        "Field required (the node type, one of: ai,",
    ),
    (
        "bad config value",
        workflow([node("a"), node("b", "http", url=42)], chain("a", "b")),
        "nodes[1].config.url",
        "valid string",
    ),
    (
        "missing config value",
        workflow([node("a"), node("b", "http", method="GET")], chain("a", "b")),
        "nodes[1].config.url",
        "Field required",
    ),
    (
        "config of another node type",
        workflow([node("a", "task", title="x", url="https://x")]),
        "nodes[0].config.url",
        "is not a known field",
    ),
    (
        "bad http method",
        workflow([node("a", "http", url="https://x", method="TRACE")]),
        "nodes[0].config.method",
        "'GET', 'POST', 'PUT', 'PATCH' or 'DELETE'",
    ),
    (
        "timeout too long",
        workflow([node("a", "http", url="https://x", timeoutSeconds=31)]),
        "nodes[0].config.timeoutSeconds",
        "less than or equal to 30",
    ),
    (
        "bad header name",
        workflow([node("a", "http", url="https://x", headers={"Bad Name": "x"})]),
        "nodes[0].config.headers",
        "'Bad Name' is not a valid header name",
    ),
    (
        "unknown node field",
        workflow([{**node("a"), "timeout": 3}]),
        "nodes[0].timeout",
        "is not a known field",
    ),
    (
        "bad node id",
        workflow([node("1st")]),
        "nodes[0].id",
        "'1st' is not valid: start with a letter",
    ),
    (
        "retry attempts over 10",
        workflow([{**node("a"), "retry": {"attempts": 11}}]),
        "nodes[0].retry.attempts",
        "less than or equal to 10",
    ),
    (
        "ai json output without schema",
        workflow([node("a", "ai", prompt="x", output="json")]),
        "nodes[0].config.schema",
        "is required when output is 'json'",
    ),
    (
        "ai schema without a type",
        workflow([node("a", "ai", prompt="x", output="json", schema={"properties": {}})]),
        "nodes[0].config.schema",
        "must be a JSON schema object with a 'type'",
    ),
    (
        "ai schema with text output",
        workflow([node("a", "ai", prompt="x", schema={"type": "object"})]),
        "nodes[0].config.schema",
        "is only used when output is 'json'",
    ),
    (
        "delay with both",
        workflow([node("a", "delay", seconds=5, until="{{ input.at }}")]),
        "nodes[0].config",
        "give exactly one of: seconds, until",
    ),
    (
        "delay with neither",
        workflow([node("a", "delay", seconds=None)]),
        "nodes[0].config",
        "give exactly one of: seconds, until",
    ),
    (
        "delay over 30 days",
        workflow([node("a", "delay", seconds=2_592_001)]),
        "nodes[0].config.seconds",
        "less than or equal to 2592000",
    ),
    (
        "condition without cases",
        workflow([node("a", "condition", cases=[])]),
        "nodes[0].config.cases",
        "at least 1 item",
    ),
    (
        "bad branch name",
        workflow([condition("c", "Yes")]),
        "nodes[0].config.cases[0].branch",
        "'Yes' is not valid: start with a lowercase letter",
    ),
    (
        "system event type",
        workflow([node("a", "event", type="aura.workflow.done")]),
        "nodes[0].config.type",
        "types starting with 'aura.' are Aura's own",
    ),
    (
        "javascript link",
        workflow([node("a", "notify", title="t", body="b", link="javascript:alert(1)")]),
        "nodes[0].config.link",
        "a path in the app ('/tasks') or an https:// URL",
    ),
    (
        "task priority",
        workflow([node("a", "task", title="t", priority=4)]),
        "nodes[0].config.priority",
        "less than or equal to 3",
    ),
    (
        "repeated decision option",
        workflow([node("a", "decision", question="q", options=["yes", "yes"])]),
        "nodes[0].config.options",
        "'yes' is listed twice",
    ),
    (
        "over 100 nodes",
        workflow(TOO_MANY_NODES),
        "nodes",
        "at most 100 items",
    ),
    (
        "no nodes",
        workflow([]),
        "nodes",
        "at least 1 item",
    ),
    (
        "over 300 edges",
        workflow([node("a"), node("b")], [edge("a", "b")] * 301),
        "edges",
        "at most 300 items",
    ),
    (
        "edge with an unknown field",
        workflow([node("a"), node("b")], [{**edge("a", "b"), "label": "x"}]),
        "edges[0].label",
        "is not a known field",
    ),
    (
        "variables too big",
        workflow([node("a")], variables={"a": ABOUT_64_KB, "b": ABOUT_64_KB}),
        "variables",
        "bytes as JSON; at most 32768",
    ),
    (
        "too many variables",
        workflow([node("a")], variables={f"v{i}": i for i in range(51)}),
        "variables",
        "at most 50 items",
    ),
    (
        "bad variable name",
        workflow([node("a")], variables={"my var": 1}),
        "variables",
        "'my var' is not a valid variable name",
    ),
    (
        "unknown trigger type",
        workflow([node("a")], triggers=[{"type": "email"}]),
        "triggers[0].type",
        "'email' is not a trigger type (one of: manual, webhook, schedule, event, firestore)",
    ),
    (
        "bad time zone",
        workflow(
            [node("a")], triggers=[{"type": "schedule", "cron": "0 9 * * *", "timezone": "CEST"}]
        ),
        "triggers[0].timezone",
        "'CEST' is not an IANA time zone",
    ),
    (
        "bad event pattern",
        workflow([node("a")], triggers=[{"type": "event", "typePattern": "Task.*"}]),
        "triggers[0].typePattern",
        "'Task.*' is not valid",
    ),
    (
        "repeated firestore operation",
        workflow(
            [node("a")],
            triggers=[{"type": "firestore", "collection": "tasks", "on": ["create", "create"]}],
        ),
        "triggers[0].on",
        "must not name an operation twice",
    ),
    (
        "firestore collection not allowed",
        workflow(
            [node("a")], triggers=[{"type": "firestore", "collection": "users", "on": ["create"]}]
        ),
        "triggers[0].collection",
        "'tasks' or 'calendar'",
    ),
    (
        "settings out of range",
        workflow([node("a")], settings={"deadlineSeconds": 59}),
        "settings.deadlineSeconds",
        "greater than or equal to 60",
    ),
    (
        "bad status",
        workflow([node("a")], status="paused"),
        "status",
        "'draft', 'active' or 'archived'",
    ),
    (
        "bad workflow id",
        workflow([node("a")], id="a/b"),
        "id",
        "'a/b' is not valid",
    ),
    (
        "negative expected version",
        workflow([node("a")], expectedVersion=-1),
        "expectedVersion",
        "greater than or equal to 0",
    ),
    (
        "unknown top-level field",
        workflow([node("a")], owner="someone"),
        "owner",
        "is not a known field",
    ),
    # nodes (check_workflow)
    (
        "duplicate node id",
        workflow([node("fetch"), node("b"), node("fetch")], chain("fetch", "b")),
        "nodes[2].id",
        "nodes[2].id: duplicate node id 'fetch' (also nodes[0])",
    ),
    (
        "duplicate case branch",
        workflow([condition("c", "yes", "no", "yes"), node("a")], [edge("c", "a", "yes")]),
        "nodes[0].config.cases[2].branch",
        "duplicate branch 'yes' (also cases[0])",
    ),
    (
        "default that is also a case",
        workflow([condition("c", "yes", default="yes"), node("a")], [edge("c", "a", "yes")]),
        "nodes[0].config.default",
        "'yes' is already the branch of cases[0]",
    ),
    (
        "bad template in a prompt",
        workflow([node("t"), node("ask", "ai", prompt="Hi {{ input.name")], chain("t", "ask")),
        "nodes[1].config.prompt",
        "invalid template",
    ),
    (
        "bad template in a header",
        workflow([node("a", "http", url="https://x", headers={"Authorization": "{% if %}"})]),
        "nodes[0].config.headers.Authorization",
        "invalid template",
    ),
    (
        "bad template deep in event data",
        workflow([node("e", "event", type="lead.new", data={"items": [1, {"name": "{{ x"}]})]),
        "nodes[0].config.data.items[1].name",
        "invalid template",
    ),
    (
        "bad CEL in a case",
        workflow(
            [
                node("t"),
                node("c", "condition", cases=[{"branch": "big", "when": "input.amount >"}]),
                node("n"),
            ],
            [edge("t", "c"), edge("c", "n", "big")],
        ),
        "nodes[1].config.cases[0].when",
        "invalid condition",
    ),
    (
        "list inside a list in event data",
        workflow([node("e", "event", type="lead.new", data={"grid": [[1, 2]]})]),
        "nodes[0].config.data.grid[0]",
        "an array cannot be directly inside an array",
    ),
    # edges
    (
        "dangling edge target",
        workflow([node("a"), node("b")], [edge("a", "b"), edge("b", "nope")]),
        "edges[1].to",
        "edges[1].to: unknown node 'nope'",
    ),
    (
        "dangling edge source",
        workflow([node("a")], [edge("ghost", "a")]),
        "edges[0].from",
        "edges[0].from: unknown node 'ghost'",
    ),
    (
        "self-loop",
        workflow([node("a")], [edge("a", "a")]),
        "edges[0].to",
        "an edge cannot lead from 'a' back to itself",
    ),
    (
        "duplicate edge",
        workflow([node("a"), node("b")], [edge("a", "b"), edge("a", "b")]),
        "edges[1]",
        "duplicate of edges[0] ('a' -> 'b')",
    ),
    (
        "branch that the condition does not have",
        workflow(
            [node("t"), condition("c", "yes", default="no"), node("x")],
            [edge("t", "c"), edge("c", "x", "maybe")],
        ),
        "edges[1].branch",
        "'maybe' is not a branch of condition node 'c' (one of: 'yes', 'no')",
    ),
    (
        "condition edge without a branch",
        workflow([condition("c", "yes"), node("x")], [edge("c", "x")]),
        "edges[0].branch",
        "edges from condition node 'c' need a branch (one of: 'yes')",
    ),
    (
        "two edges on one branch",
        workflow(
            [condition("c", "yes"), node("x"), node("y")],
            [edge("c", "x", "yes"), edge("c", "y", "yes")],
        ),
        "edges[1].branch",
        "branch 'yes' of 'c' already leads to 'x' (edges[0]); a branch has at most one edge",
    ),
    (
        "branch on a plain edge",
        workflow([node("a"), node("b")], [edge("a", "b", "yes")]),
        "edges[0].branch",
        "only edges from a condition or decision node have a branch; 'a' is a transform node",
    ),
    # the graph
    (
        "condition leading nowhere",
        workflow([node("t"), condition("c", "yes")], [edge("t", "c")]),
        "nodes[1]",
        "condition node 'c' has no outgoing edges",
    ),
    (
        "cycle",
        workflow(
            [node("s"), node("a"), node("b"), node("c")],
            [edge("s", "a"), edge("a", "b"), edge("b", "c"), edge("c", "a")],
        ),
        "edges[3]",
        "edges[3]: creates a cycle through 'c' -> 'a' -> 'b' -> 'c'",
    ),
    (
        "cycle with no entry node",
        workflow([node("a"), node("b")], [edge("a", "b"), edge("b", "a")]),
        "edges[1]",
        "creates a cycle through 'b' -> 'a' -> 'b'",
    ),
    (
        "unreachable node",
        workflow(
            [node("start"), node("x"), node("y"), node("z")],
            [edge("start", "x"), edge("y", "z"), edge("z", "y")],
        ),
        "nodes[2]",
        "node 'y' cannot be reached from an entry node ('start')",
    ),
    # triggers
    (
        "bad cron",
        workflow(
            [node("a")], triggers=[{"type": "schedule", "cron": "61 * * * *", "timezone": "UTC"}]
        ),
        "triggers[0].cron",
        "not a valid cron expression",
    ),
    (
        "cron with seconds",
        workflow(
            [node("a")],
            triggers=[
                {"type": "manual"},
                {"type": "schedule", "cron": "0 0 9 * * *", "timezone": "UTC"},
            ],
        ),
        "triggers[1].cron",
        "has a seconds field",
    ),
    (
        "bad CEL filter",
        workflow(
            [node("a")],
            triggers=[{"type": "event", "typePattern": "note.saved", "filter": "event.data. =="}],
        ),
        "triggers[0].filter",
        "invalid condition",
    ),
    (
        "two webhook triggers",
        workflow(
            [node("a")], triggers=[{"type": "webhook"}, {"type": "manual"}, {"type": "webhook"}]
        ),
        "triggers[2].type",
        "at most one webhook trigger (also triggers[0])",
    ),
    # Firestore limits
    (
        "reserved key in variables",
        workflow([node("a")], variables={"cfg": {"__name__": 1}}),
        "variables.cfg.__name__",
        "keys of the form __name__ are reserved",
    ),
    (
        "integer beyond 64 bits",
        workflow([node("a")], variables={"big": 2**64}),
        "variables.big",
        "is an integer outside the 64-bit range",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [pytest.param(data, field, fragment, id=name) for name, data, field, fragment in INVALID],
)
def test_invalid_definition_names_the_field(
    data: dict[str, Any], field: str, fragment: str
) -> None:
    error = refused(data)
    assert error.field == field, error.message
    assert fragment in error.message, error.message


def test_the_first_problem_in_document_order_is_reported() -> None:
    data = workflow(
        [node("a"), node("b"), node("a")],
        [edge("a", "nope"), edge("b", "b")],
        triggers=[{"type": "schedule", "cron": "bad", "timezone": "UTC"}],
    )
    assert refused(data).field == "nodes[2].id"
    data["nodes"].pop()
    assert refused(data).field == "edges[0].to"
    data["edges"].pop(0)
    assert refused(data).field == "edges[0].to"
    data["edges"].pop(0)
    assert refused(data).field == "triggers[0].cron"


def test_a_definition_too_big_to_store_names_its_largest_node() -> None:
    prompt = "p" * 20_000
    nodes = [node(f"n{i}", "ai", prompt=prompt) for i in range(49)]
    nodes.insert(
        7,
        node(
            "big",
            "http",
            url="https://x",
            body="b" * 20_000,
            headers={f"h{i}": "v" * 8_000 for i in range(30)},
        ),
    )
    error = refused(workflow(nodes))

    assert error.field == "nodes[7]"
    assert f"over the {MAX_STORED_BYTES:,} limit" in error.message


def test_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(SaveWorkflow, ["not", "a", "workflow"])
    assert caught.value.field == ""


def test_an_invalid_definition_touches_no_database() -> None:
    class NoDatabase:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the database was used: {name}")

    command = parse(SaveWorkflow, workflow([node("a")], [edge("a", "a")]))
    with pytest.raises(InvalidArgument) as caught:
        service.save_workflow(
            db=NoDatabase(),  # type: ignore[arg-type]
            uid="u1",
            command=command,
            now=NOW,
            enqueuer=NoDatabase(),  # type: ignore[arg-type]
        )
    assert caught.value.field == "edges[0].to"


def test_webhook_secrets_are_keyed_by_user_and_workflow_without_ambiguity() -> None:
    """`a_b` + `c` and `a` + `b_c` joined with `_` were the same document id."""
    assert repository.webhook_secret_id("a_b", "c") != repository.webhook_secret_id("a", "b_c")
    assert repository.webhook_secret_id("uid123", "wf_1") == repository.webhook_secret_id(
        "uid123", "wf_1"
    )


# --- canvas positions ------------------------------------------------------------------


def test_a_node_position_is_saved_with_the_definition() -> None:
    data = workflow([{**node("t"), "position": {"x": 120, "y": -40.5}}])
    stored = checked(data).to_firestore()
    assert stored["nodes"][0]["position"] == {"x": 120.0, "y": -40.5}


def test_a_definition_saved_before_positions_still_loads() -> None:
    old = {**workflow([node("t")]), "version": 3, "createdAt": NOW, "updatedAt": NOW}
    loaded = WorkflowDoc.model_validate(old)
    assert loaded.nodes[0].position is None
    assert loaded.to_firestore()["nodes"][0]["position"] is None


@pytest.mark.parametrize(
    ("position", "field"),
    [
        ({"x": 100_001, "y": 0}, "nodes[0].position.x"),
        ({"x": 0, "y": -100_001}, "nodes[0].position.y"),
        ({"x": float("inf"), "y": 0}, "nodes[0].position.x"),
        ({"x": 0}, "nodes[0].position.y"),
        ({"x": 0, "y": 0, "z": 1}, "nodes[0].position.z"),
        ("top-left", "nodes[0].position"),
    ],
)
def test_a_bad_position_names_its_field(position: Any, field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(SaveWorkflow, workflow([{**node("t"), "position": position}]))
    assert caught.value.field == field

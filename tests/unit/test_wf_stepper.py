"""Testing one node without a run (`shared.workflows.stepper`): the same evaluators and
limits as the engine for the pure nodes, a description and no side effect for the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.ai.models import AIRequest, AIResult, Usage
from shared.errors import InvalidArgument, Unavailable
from shared.platform import sandbox
from shared.platform.sandbox import SandboxUnavailable
from shared.validation import parse
from shared.workflows import executions, nodes, stepper
from shared.workflows.models import Definition
from shared.workflows.stepper import StepTest, StepTestResult

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def definition(*nodes: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The nodes given, after an upstream `fetch` transform (which samples may fill in)."""
    return {
        "name": "Test",
        "nodes": [
            {"id": "fetch", "type": "transform", "config": {"template": "x"}},
            *nodes,
        ],
        "edges": [{"from": "fetch", "to": node["id"]} for node in nodes],
        "variables": {"team": "ops"},
        **overrides,
    }


def step(node: dict[str, Any], **request: Any) -> StepTestResult:
    data = {"definition": definition(node), "nodeId": node["id"], **request}
    return stepper.try_node(uid="u1", command=parse(StepTest, data), now=NOW)


def wire(node: dict[str, Any], **request: Any) -> dict[str, Any]:
    return step(node, **request).to_wire()


def refused(data: dict[str, Any]) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        stepper.try_node(uid="u1", command=parse(StepTest, data), now=NOW)
    return caught.value


# --- the pure nodes run -----------------------------------------------------------------


def test_a_transform_renders_with_the_sample_scope() -> None:
    node = {
        "id": "t",
        "type": "transform",
        "config": {
            "template": "{{ input.name }}/{{ vars.team }}/{{ nodes.fetch.output.n }}"
            "/{{ trigger.type }}",
        },
    }
    result = wire(node, input={"name": "Ada"}, nodes={"fetch": {"n": 3}})
    assert result["ok"] is True
    assert result["output"] == "Ada/ops/3/manual"
    assert result["error"] is None
    assert result["wouldDo"] is None
    assert isinstance(result["durationMs"], int)
    assert result["durationMs"] >= 0


def test_samples_replace_vars_and_trigger() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "{{ vars.team }}"}}
    assert wire(node, vars={"team": "dev"})["output"] == "dev"
    node = {"id": "t", "type": "transform", "config": {"template": "{{ trigger.eventId }}"}}
    assert wire(node, trigger={"type": "event", "eventId": "e9"})["output"] == "e9"


def test_a_json_transform_returns_json() -> None:
    node = {
        "id": "t",
        "type": "transform",
        "config": {"template": '{"twice": {{ input.n * 2 }}}', "output": "json"},
    }
    assert wire(node, input={"n": 4})["output"] == {"twice": 8}


def test_a_node_without_a_sample_has_no_output_as_in_a_run() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "{{ nodes.fetch.status }}"}}
    assert wire(node)["output"] == "waiting"
    assert wire(node, nodes={"fetch": 1})["output"] == "succeeded"


def test_the_output_is_cut_to_a_steps_stored_size() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "{{ 'x' * 50000 }}"}}
    output = wire(node)["output"]
    assert output.endswith(executions.TRUNCATED)
    assert len(output) <= executions.MAX_OUTPUT_CHARS + len(executions.TRUNCATED)


def test_a_condition_names_the_branch_it_takes() -> None:
    node = {
        "id": "c",
        "type": "condition",
        "config": {
            "cases": [
                {"branch": "big", "when": "input.n > 5"},
                {"branch": "mid", "when": "nodes.fetch.output.n > 1"},
            ],
            "default": "small",
        },
    }
    assert wire(node, input={"n": 9})["output"] == {"branch": "big"}
    assert wire(node, input={"n": 0}, nodes={"fetch": {"n": 2}})["output"] == {"branch": "mid"}
    assert wire(node, input={"n": 0}, nodes={"fetch": {"n": 0}})["output"] == {"branch": "small"}


def test_a_delay_says_until_when() -> None:
    node = {"id": "d", "type": "delay", "config": {"seconds": 90}}
    assert wire(node)["output"] == {"until": (NOW + timedelta(seconds=90)).isoformat()}
    node = {"id": "d", "type": "delay", "config": {"until": "{{ input.at }}"}}
    later = (NOW + timedelta(days=2)).isoformat()
    assert wire(node, input={"at": later})["output"] == {"until": later}


# --- errors at their field ----------------------------------------------------------------


def test_a_render_error_is_at_its_field_in_the_definition() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "{{ input.missing.x }}"}}
    result = wire(node)
    assert result["ok"] is False
    assert result["output"] is None
    assert result["error"]["field"] == "nodes[1].config.template"
    assert "undefined" in result["error"]["message"]


def test_a_syntax_error_is_at_its_field_even_where_evaluation_would_not_reach() -> None:
    node = {
        "id": "c",
        "type": "condition",
        "config": {
            "cases": [{"branch": "a", "when": "true"}, {"branch": "b", "when": "1 +"}],
        },
    }
    result = wire(node)
    assert result["ok"] is False
    assert result["error"]["field"] == "nodes[1].config.cases[1].when"
    node = {"id": "n", "type": "notify", "config": {"title": "ok", "body": "{{ oops"}}
    assert wire(node)["error"]["field"] == "nodes[1].config.body"


def test_a_condition_failing_while_evaluated_names_its_case() -> None:
    node = {
        "id": "c",
        "type": "condition",
        "config": {"cases": [{"branch": "a", "when": "input.n > 1"}]},
    }
    result = wire(node, input={"n": "text"})
    assert result["ok"] is False
    assert result["error"]["field"] == "nodes[1].config.cases[0].when"
    assert result["error"]["message"].startswith("case 'a':")


def test_a_delay_until_that_is_not_a_time_is_at_until() -> None:
    node = {"id": "d", "type": "delay", "config": {"until": "{{ input.at }}"}}
    result = wire(node, input={"at": "soon"})
    assert result["error"]["field"] == "nodes[1].config.until"
    assert "ISO 8601" in result["error"]["message"]


def test_the_engines_template_limits_apply() -> None:
    node = {
        "id": "t",
        "type": "transform",
        "config": {"template": "{% for i in range(input.n) %}{{ 'x' * 1000 }}{% endfor %}"},
    }
    result = wire(node, input={"n": 10_000})
    assert result["ok"] is False
    assert result["error"]["field"] == "nodes[1].config.template"


# --- nodes with side effects only say what they would do -----------------------------------


def test_http_would_call_the_rendered_url_and_sends_nothing() -> None:
    node = {
        "id": "h",
        "type": "http",
        "config": {
            "method": "POST",
            "url": "https://api.example.com/items/{{ input.id }}",
            "headers": {"Authorization": "Bearer {{ vars.team }}"},
            "body": '{"n": {{ nodes.fetch.output.n }}}',
        },
    }
    result = wire(node, input={"id": 7}, nodes={"fetch": {"n": 2}})
    assert result["ok"] is True
    assert result["output"] is None
    assert result["wouldDo"] == {
        "kind": "http",
        "summary": "POST https://api.example.com/items/7",
        "request": {
            "method": "POST",
            "url": "https://api.example.com/items/7",
            "headers": {"Authorization": "Bearer ops"},
            "body": '{"n": 2}',
        },
    }


def test_http_refusals_that_need_no_network_are_at_their_field() -> None:
    metadata = {"id": "h", "type": "http", "config": {"url": "http://169.254.169.254/x"}}
    result = wire(metadata)
    assert result["ok"] is False
    assert result["error"]["field"] == "nodes[1].config.url"
    assert "metadata" in result["error"]["message"]
    loopback = {"id": "h", "type": "http", "config": {"url": "http://127.0.0.1:8080/x"}}
    assert wire(loopback)["error"]["field"] == "nodes[1].config.url"
    allowed = stepper.try_node(
        uid="u1",
        command=parse(StepTest, {"definition": definition(loopback), "nodeId": "h"}),
        now=NOW,
        allow_private_urls=True,
    )
    assert allowed.ok is True
    header = {
        "id": "h",
        "type": "http",
        "config": {"url": "https://a.example", "headers": {"X-Note": "{{ input.v }}"}},
    }
    result = wire(header, input={"v": "a\nb"})
    assert result["error"]["field"] == "nodes[1].config.headers.X-Note"


def test_a_header_template_error_names_the_header() -> None:
    node = {
        "id": "h",
        "type": "http",
        "config": {"url": "https://a.example", "headers": {"X-Key": "{{ vars.nope.x }}"}},
    }
    assert wire(node)["error"]["field"] == "nodes[1].config.headers.X-Key"


def test_ai_would_send_the_rendered_prompt() -> None:
    node = {
        "id": "a",
        "type": "ai",
        "config": {
            "prompt": "Summarise: {{ input.text }}",
            "output": "json",
            "schema": {"type": "object"},
        },
    }
    result = wire(node, input={"text": "a long day"})
    assert result["wouldDo"]["kind"] == "ai"
    assert result["wouldDo"]["request"] == {
        "prompt": "Summarise: a long day",
        "output": "json",
        "schema": {"type": "object"},
    }
    assert "Summarise: a long day" in result["wouldDo"]["summary"]


def test_task_notify_event_and_decision_describe_their_fields() -> None:
    task = {
        "id": "k",
        "type": "task",
        "config": {"title": "Call {{ input.who }}", "priority": 2, "dueInSeconds": 3600},
    }
    would = wire(task, input={"who": "Bo"})["wouldDo"]
    assert would["kind"] == "task"
    assert would["summary"] == "Create the task 'Call Bo'"
    assert would["request"] == {
        "title": "Call Bo",
        "notes": None,
        "priority": 2,
        "dueAt": (NOW + timedelta(hours=1)).isoformat(),
    }
    notify = {
        "id": "n",
        "type": "notify",
        "config": {"title": "Hi {{ input.who }}", "body": "b", "link": "/tasks"},
    }
    assert wire(notify, input={"who": "Bo"})["wouldDo"]["request"] == {
        "title": "Hi Bo",
        "body": "b",
        "link": "/tasks",
    }
    event = {
        "id": "e",
        "type": "event",
        "config": {"type": "order.flagged", "data": {"ids": ["{{ input.id }}", 2]}},
    }
    would = wire(event, input={"id": "o1"})["wouldDo"]
    assert would["request"] == {"type": "order.flagged", "data": {"ids": ["o1", 2]}}
    bad_event = {"id": "e", "type": "event", "config": {"type": "x.y", "data": {"a": ["{{ z }}"]}}}
    assert wire(bad_event)["error"]["field"] == "nodes[1].config.data.a[0]"
    decision = {
        "id": "q",
        "type": "decision",
        "config": {"question": "Reply to {{ input.who }}?", "options": ["yes", "no"]},
    }
    would = wire(decision, input={"who": "Bo"})["wouldDo"]
    assert would["kind"] == "decision"
    assert would["request"]["question"] == "Reply to Bo?"
    assert would["request"]["options"] == ["yes", "no"]
    assert "'act'" in would["summary"]
    assert "'ask'" in would["summary"]
    empty = {"id": "q", "type": "decision", "config": {"question": "{{ '' }}"}}
    assert wire(empty)["error"]["field"] == "nodes[1].config.question"


def test_a_long_request_is_cut() -> None:
    node = {"id": "a", "type": "ai", "config": {"prompt": "{{ 'y' * 100000 }}"}}
    request = wire(node)["wouldDo"]["request"]
    assert isinstance(request, str)
    assert request.endswith(executions.TRUNCATED)
    assert len(request) <= stepper.MAX_REQUEST_BYTES + len(executions.TRUNCATED)


def test_no_side_effect_is_reachable() -> None:
    """The context has no database, gateway or publisher: any use would raise."""
    for node in (
        {"id": "a", "type": "ai", "config": {"prompt": "p"}},
        {"id": "n", "type": "notify", "config": {"title": "t", "body": "b"}},
        {"id": "k", "type": "task", "config": {"title": "t"}},
        {"id": "e", "type": "event", "config": {"type": "x.y"}},
        {"id": "q", "type": "decision", "config": {"question": "q?"}},
        {"id": "h", "type": "http", "config": {"url": "https://a.example"}},
    ):
        result = step(node)
        assert result.ok is True, node
        assert result.would_do is not None, node
        assert result.output is None


def test_a_repeat_answers_the_same() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "{{ input.n + 1 }}"}}
    first, second = wire(node, input={"n": 1}), wire(node, input={"n": 1})
    first.pop("durationMs"), second.pop("durationMs")
    assert first == second


# --- bad requests -------------------------------------------------------------------------


def test_bad_requests_name_the_field() -> None:
    node = {"id": "t", "type": "transform", "config": {"template": "x"}}
    good = {"definition": definition(node), "nodeId": "t"}
    assert refused({**good, "nodeId": "ghost"}).field == "nodeId"
    assert refused({**good, "nodes": {"ghost": 1}}).field == "nodes.ghost"
    # Only http and ai steps run for real; the others write into the user's data.
    assert refused({**good, "live": True}).field == "live"
    for other in (
        {"id": "n", "type": "notify", "config": {"title": "a", "body": "b"}},
        {"id": "n", "type": "task", "config": {"title": "a"}},
        {"id": "n", "type": "event", "config": {"type": "x.y", "data": {}}},
    ):
        data = {"definition": definition(other), "nodeId": "n", "live": True}
        assert refused(data).field == "live", other
    with pytest.raises(InvalidArgument) as caught:
        parse(StepTest, {**good, "input": {"big": "x" * 70_000}})
    assert caught.value.field == "input"
    bad_url = definition({"id": "h", "type": "http", "config": {"url": ""}})
    with pytest.raises(InvalidArgument) as caught:
        parse(StepTest, {"definition": bad_url, "nodeId": "h"})
    assert caught.value.field == "definition.nodes[1].config.url"
    with pytest.raises(InvalidArgument) as caught:
        parse(StepTest, {**good, "vars": {"1bad": 1}})
    assert caught.value.field == "vars"
    with pytest.raises(InvalidArgument) as caught:
        parse(StepTest, {"definition": definition(node)})
    assert caught.value.field == "nodeId"


def test_the_definition_need_not_be_finished() -> None:
    """An unconnected condition (refused at save) can still be tested."""
    data = definition(
        {
            "id": "c",
            "type": "condition",
            "config": {"cases": [{"branch": "a", "when": "true"}]},
        }
    )
    data["edges"] = []
    Definition.model_validate(data)  # parses; check_workflow would refuse it
    result = stepper.try_node(
        uid="u1", command=parse(StepTest, {"definition": data, "nodeId": "c"}), now=NOW
    )
    assert result.output == {"branch": "a"}


def test_a_node_that_crashes_fails_its_step_as_in_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(node: Any, ctx: Any) -> Any:
        raise TypeError("boom")

    monkeypatch.setitem(nodes.RUNNERS, "transform", crash)
    result = wire({"id": "t", "type": "transform", "config": {"template": "x"}})
    assert result["ok"] is False
    assert result["error"] == {"field": "nodes[1]", "message": "TypeError: boom"}


def test_no_sandbox_is_unavailable_not_a_failed_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*_: Any, **__: Any) -> Any:
        raise SandboxUnavailable("no worker")

    monkeypatch.setattr(sandbox, "run", down)
    node = {"id": "c", "type": "condition", "config": {"cases": [{"branch": "a", "when": "true"}]}}
    with pytest.raises(Unavailable):
        step(node)


# --- live: http and ai run for real -------------------------------------------------------


class FakeGateway:
    """Answers `answer` and keeps what it was asked, with the plan it was given."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls: list[tuple[AIRequest, str]] = []

    def complete(self, request: AIRequest, *, plan: str, **_: Any) -> AIResult:
        self.calls.append((request, plan))
        return AIResult(text=self.answer, provider="openai", model="m", usage=Usage())


def live_step(node: dict[str, Any], gateway: FakeGateway, **request: Any) -> StepTestResult:
    data = {"definition": definition(node), "nodeId": node["id"], "live": True, **request}
    return stepper.try_node(
        uid="u1", command=parse(StepTest, data), now=NOW, gateway=lambda: gateway, plan="pro"
    )


def test_a_live_ai_step_asks_the_model_with_the_callers_plan() -> None:
    gateway = FakeGateway("A short summary.")
    node = {"id": "sum", "type": "ai", "config": {"prompt": "Sum up {{ input.text }}"}}
    result = live_step(node, gateway, input={"text": "the day"})
    assert result.ok is True
    assert result.live is True
    assert result.would_do is None
    assert result.output == "A short summary."
    ((request, plan),) = gateway.calls
    assert plan == "pro"
    assert request.messages[0].content == "Sum up the day"


def test_without_live_the_model_is_never_asked() -> None:
    gateway = FakeGateway("never")
    node = {"id": "sum", "type": "ai", "config": {"prompt": "Sum up"}}
    data = {"definition": definition(node), "nodeId": "sum"}
    result = stepper.try_node(
        uid="u1", command=parse(StepTest, data), now=NOW, gateway=lambda: gateway
    )
    assert result.live is False
    assert result.would_do is not None
    assert gateway.calls == []


def test_a_live_http_step_goes_through_the_ssrf_guard() -> None:
    # A metadata address is refused before any connection, as in a run.
    node = {"id": "h", "type": "http", "config": {"url": "http://169.254.169.254/latest"}}
    result = live_step(node, FakeGateway("unused"))
    assert result.ok is False
    assert result.error is not None
    assert "refused" in result.error.message

"""`test_workflow_node` on the emulators: one node evaluated against sample data, with the
engine's evaluators, and nothing sent, called or written."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from shared.platform import clients
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


class CountingServer:
    """A local HTTP server that counts every request it gets."""

    def __init__(self) -> None:
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _answer  # noqa: N815 - the handler's method names

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting() -> Iterator[CountingServer]:
    server = CountingServer()
    yield server
    server.close()


def definition(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Draft",
        "nodes": [
            {"id": "fetch", "type": "transform", "config": {"template": "x"}},
            *nodes,
        ],
        "edges": [{"from": "fetch", "to": node["id"]} for node in nodes],
        "variables": {"greeting": "Hello"},
    }


def call(user: emu.User, node: dict[str, Any], **request: Any) -> emu.CallResult:
    data = {"definition": definition(node), "nodeId": node["id"], **request}
    return emu.call("test_workflow_node", data, user.id_token)


def user_data(uid: str) -> dict[str, list[str]]:
    """Every document under users/{uid}, by collection (what a side effect would add to)."""
    user_doc = clients.get_db().document(f"users/{uid}")
    return {
        collection.id: sorted(doc.id for doc in collection.stream())
        for collection in user_doc.collections()
    }


def test_a_transform_runs_against_the_samples(user: emu.User) -> None:
    before = user_data(user.uid)
    node = {
        "id": "greet",
        "type": "transform",
        "config": {
            "template": "{{ vars.greeting }}, {{ input.name }} ({{ nodes.fetch.output.n }})"
        },
    }

    first = call(user, node, input={"name": "Ada"}, nodes={"fetch": {"n": 2}})
    again = call(user, node, input={"name": "Ada"}, nodes={"fetch": {"n": 2}})

    assert first.status == "OK", first.error
    assert set(first.result) == {"ok", "output", "error", "wouldDo", "live", "durationMs"}
    assert first.result["ok"] is True
    assert first.result["output"] == "Hello, Ada (2)"
    assert first.result["error"] is None
    assert first.result["wouldDo"] is None
    assert {**again.result, "durationMs": 0} == {**first.result, "durationMs": 0}
    assert user_data(user.uid) == before


def test_a_condition_names_the_branch(user: emu.User) -> None:
    node = {
        "id": "check",
        "type": "condition",
        "config": {"cases": [{"branch": "big", "when": "input.total > 100"}], "default": "small"},
    }
    assert call(user, node, input={"total": 250}).result["output"] == {"branch": "big"}
    assert call(user, node, input={"total": 5}).result["output"] == {"branch": "small"}


def test_bad_input_names_the_field_and_writes_nothing(user: emu.User) -> None:
    before = user_data(user.uid)
    node = {"id": "greet", "type": "transform", "config": {"template": "x"}}
    cases = [
        ({"nodeId": "ghost"}, "nodeId"),
        ({"live": True}, "live"),
        ({"input": {"big": "x" * 70_000}}, "input"),
        ({"nodes": {"ghost": 1}}, "nodes.ghost"),
    ]
    for extra, field in cases:
        data = {"definition": definition(node), "nodeId": "greet", **extra}
        result = emu.call("test_workflow_node", data, user.id_token)
        assert result.status == "INVALID_ARGUMENT", (extra, result)
        assert result.details["field"] == field
    broken = definition({"id": "h", "type": "http", "config": {"url": ""}})
    result = emu.call("test_workflow_node", {"definition": broken, "nodeId": "h"}, user.id_token)
    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == "definition.nodes[1].config.url"
    assert user_data(user.uid) == before


def test_a_template_error_is_reported_at_its_field(user: emu.User) -> None:
    node = {
        "id": "tell",
        "type": "notify",
        "config": {"title": "Hi", "body": "{{ nodes.fetch.output.missing.deeper }}"},
    }
    result = call(user, node, nodes={"fetch": {}})
    assert result.status == "OK", result.error
    assert result.result["ok"] is False
    assert result.result["error"]["field"] == "nodes[1].config.body"
    assert "undefined" in result.result["error"]["message"]
    syntax = {"id": "greet", "type": "transform", "config": {"template": "{{ oops"}}
    assert call(user, syntax).result["error"]["field"] == "nodes[1].config.template"


def test_http_says_what_it_would_do_and_sends_nothing(
    user: emu.User, counting: CountingServer
) -> None:
    before = user_data(user.uid)
    node = {
        "id": "post",
        "type": "http",
        "config": {
            "method": "POST",
            "url": counting.url + "/items/{{ input.id }}",
            "body": '{"name": "{{ input.name }}"}',
        },
    }
    result = call(user, node, input={"id": 7, "name": "Ada"})
    assert result.status == "OK", result.error
    would = result.result["wouldDo"]
    assert would["kind"] == "http"
    assert would["summary"] == f"POST {counting.url}/items/7"
    assert would["request"]["body"] == '{"name": "Ada"}'
    assert result.result["output"] is None
    assert counting.hits == 0
    assert user_data(user.uid) == before


def test_ai_says_what_it_would_ask_and_the_model_sees_nothing(user: emu.User) -> None:
    node = {"id": "sum", "type": "ai", "config": {"prompt": "Summarise {{ input.text }}"}}
    result = call(user, node, input={"text": "the week"})
    assert result.status == "OK", result.error
    assert result.result["wouldDo"]["kind"] == "ai"
    assert result.result["wouldDo"]["request"]["prompt"] == "Summarise the week"
    emu.standin_quiesce()
    assert emu.standin_requests() == []


def test_live_http_sends_the_request_once_and_writes_nothing(
    user: emu.User, counting: CountingServer
) -> None:
    before = user_data(user.uid)
    node = {"id": "get", "type": "http", "config": {"url": counting.url + "/items/{{ input.id }}"}}
    result = call(user, node, input={"id": 7}, live=True)
    assert result.status == "OK", result.error
    assert result.result["live"] is True
    assert result.result["wouldDo"] is None
    assert result.result["output"] == {"status": 200, "body": {}}
    assert counting.hits == 1
    assert user_data(user.uid) == before


def test_live_ai_asks_the_model_with_the_rendered_prompt(user: emu.User) -> None:
    node = {"id": "sum", "type": "ai", "config": {"prompt": "Summarise {{ input.text }}"}}
    result = call(user, node, input={"text": "the live week"}, live=True)
    assert result.status == "OK", result.error
    assert result.result["live"] is True
    assert isinstance(result.result["output"], str)
    assert result.result["output"]
    emu.standin_quiesce()
    prompts = [str(entry) for entry in emu.standin_requests()]
    assert len(prompts) == 1
    assert "Summarise the live week" in prompts[0]


def test_live_is_refused_for_steps_that_write_and_nothing_is_written(user: emu.User) -> None:
    before = user_data(user.uid)
    for node in (
        {"id": "k", "type": "task", "config": {"title": "Call"}},
        {"id": "n", "type": "notify", "config": {"title": "t", "body": "b"}},
        {"id": "e", "type": "event", "config": {"type": "x.done", "data": {}}},
        {"id": "q", "type": "decision", "config": {"question": "Call?"}},
    ):
        result = call(user, node, live=True)
        assert result.status == "INVALID_ARGUMENT", (node, result)
        assert result.details["field"] == "live"
    emu.standin_quiesce()
    assert emu.standin_requests() == []
    assert user_data(user.uid) == before


def test_task_notify_event_and_decision_write_and_publish_nothing(user: emu.User) -> None:
    before = user_data(user.uid)
    for node in (
        {"id": "k", "type": "task", "config": {"title": "Call {{ input.who }}"}},
        {"id": "n", "type": "notify", "config": {"title": "t", "body": "{{ input.who }}"}},
        {
            "id": "e",
            "type": "event",
            "config": {"type": "x.done", "data": {"w": "{{ input.who }}"}},
        },
        {"id": "q", "type": "decision", "config": {"question": "Call {{ input.who }}?"}},
    ):
        result = call(user, node, input={"who": "Bo"})
        assert result.status == "OK", result.error
        assert result.result["wouldDo"]["kind"] == node["type"]
    emu.standin_quiesce()
    assert emu.standin_requests() == []
    assert user_data(user.uid) == before

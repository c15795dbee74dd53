"""The one validator for "JSON that Firestore can store", and the one id type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.errors import InvalidArgument
from shared.events.models import PublishEvent
from shared.ids import check_doc_id, server_key
from shared.validation import MAX_JSON_DEPTH, NotStorable, check_storable, parse
from shared.workflows.executions import MAX_INPUT_BYTES, RunWorkflow
from shared.workflows.models import SaveWorkflow, check_link


def nested(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("value", "path", "fragment"),
    [
        ({"n": 2**63}, ("n",), "64-bit"),
        ({"n": -(2**63) - 1}, ("n",), "64-bit"),
        ({"m": [[1, 2]]}, ("m", 0), "array cannot be directly inside an array"),
        ({"__name__": 1}, ("__name__",), "reserved"),
        ({"ok": {"__x__": 1}}, ("ok", "__x__"), "reserved"),
        ({"": 1}, (), "cannot be empty"),
        ({"f": float("nan")}, ("f",), "finite"),
        ({"s": "\ud800"}, ("s",), "not valid Unicode"),
        ({"k" * 1501: 1}, (), "longer than 1500"),
        ({"set": {1, 2}}, ("set",), "not a JSON value"),
    ],
)
def test_values_firestore_cannot_store_are_refused_with_their_path(
    value: Any, path: tuple[Any, ...], fragment: str
) -> None:
    with pytest.raises(NotStorable) as caught:
        check_storable(value, max_bytes=10_000)
    assert caught.value.path == path
    assert fragment in str(caught.value)


def test_int64_edges_and_ordinary_json_pass() -> None:
    value = {"max": 2**63 - 1, "min": -(2**63), "list": [1, "a", {"b": [None, True]}], "f": 1.5}
    assert check_storable(value, max_bytes=10_000) >= len(json.dumps(value, separators=(",", ":")))


def test_depth_is_refused_without_recursion() -> None:
    check_storable(nested(MAX_JSON_DEPTH - 1), max_bytes=10_000)  # MAX_JSON_DEPTH maps
    with pytest.raises(NotStorable, match="nested more than"):
        check_storable(nested(MAX_JSON_DEPTH), max_bytes=10_000)
    # far deeper than Python's recursion limit: refused, not a RecursionError
    with pytest.raises(NotStorable, match="nested more than"):
        check_storable(nested(100_000), max_bytes=10_000_000)


def test_size_is_counted_and_a_huge_value_stops_early() -> None:
    with pytest.raises(NotStorable, match="over 1000 bytes"):
        check_storable({"s": "x" * 2000}, max_bytes=1000)
    with pytest.raises(NotStorable, match="over 1000 bytes"):
        check_storable({"l": list(range(10_000_000))}, max_bytes=1000)


def test_run_workflow_input_errors_name_the_path_inside_the_input() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(RunWorkflow, {"workflowId": "w1", "input": {"items": [{"n": 2**64}]}})
    assert caught.value.field == "input.items[0].n"
    with pytest.raises(InvalidArgument) as caught:
        parse(RunWorkflow, {"workflowId": "w1", "input": {"big": "x" * MAX_INPUT_BYTES}})
    assert caught.value.field == "input"


def test_event_data_is_checked_the_same_way() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(PublishEvent, {"type": "note.saved", "data": {"a": [[1]]}})
    assert caught.value.field == "data.a[0]"
    with pytest.raises(InvalidArgument) as caught:
        parse(PublishEvent, {"type": "note.saved", "data": nested(5_000)})
    assert "nested more than" in caught.value.message


def test_workflow_variables_are_storable() -> None:
    base = {"name": "w", "nodes": [{"id": "t", "type": "transform", "config": {"template": "x"}}]}
    with pytest.raises(InvalidArgument) as caught:
        parse(SaveWorkflow, {**base, "variables": {"v": {"__k__": 1}}})
    assert caught.value.field == "variables.v.__k__"


@pytest.mark.parametrize("bad", ["__x__", "____", "a/b", ".", "..", "é", ""])
def test_reserved_and_malformed_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid id"):
        check_doc_id(bad)


def test_ids_of_reserved_form_are_refused_by_every_command() -> None:
    for model, data, field in [
        (RunWorkflow, {"workflowId": "__w__"}, "workflowId"),
        (PublishEvent, {"type": "note.saved", "id": "__abcdefgh__"}, "id"),
        (
            SaveWorkflow,
            {
                "id": "__w__",
                "name": "w",
                "nodes": [{"id": "t", "type": "transform", "config": {"template": "x"}}],
            },
            "id",
        ),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            parse(model, data)
        assert caught.value.field == field


def test_server_keys_are_unambiguous() -> None:
    assert server_key("a_b", "c") != server_key("a", "b_c")
    assert server_key("a", "b") == server_key("a", "b")


@pytest.mark.parametrize(
    "link",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://user@evil.example/",
        "http://example.com",
        "javascript:alert(1)",
        "/ok path",
        "https:///nohost",
        "/x\n",
    ],
)
def test_notify_links_leave_the_app_only_for_https(link: str) -> None:
    with pytest.raises(ValueError, match="path in the app"):
        check_link(link)


@pytest.mark.parametrize("link", ["/tasks", "/workflows/w1?tab=runs#x", "https://example.com/a"])
def test_notify_links_in_the_app_or_https_pass(link: str) -> None:
    assert check_link(link) == link

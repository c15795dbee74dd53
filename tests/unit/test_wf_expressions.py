from __future__ import annotations

import re
from typing import Any

import pytest

from shared.workflows.expressions import (
    MAX_SOURCE_CHARS,
    check_condition,
    evaluate_condition,
    evaluate_filter,
)

CONTEXT: dict[str, Any] = {
    "input": {"amount": 120, "price": 9.5, "tags": ["vip", "eu"], "note": None, "ok": True},
    "vars": {"limit": 100, "region": "eu"},
    "nodes": {
        "fetch": {"output": {"status": 200, "items": [{"n": 1}, {"n": 5}]}},
        "send-mail": {"output": {"sent": False}},
    },
    "trigger": {"kind": "schedule"},
    "event": {"data": {"name": "report.pdf", "size": 2048}},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("input.amount > vars.limit", True),
        ("input.price < 10.0 && input.price > 9", True),
        ("'vip' in input.tags", True),
        ("input.note == null", True),
        ("input.ok", True),
        ("nodes.fetch.output.status == 200", True),
        ("nodes['send-mail'].output.sent", False),
        ("nodes.fetch.output.items.exists(i, i.n > 4)", True),
        ("nodes.fetch.output.items.all(i, i.n > 4)", False),
        ("has(input.missing)", False),
        ("has(input.amount) && input.amount % 2 == 0", True),
        ("trigger.kind == 'schedule' && event.data.name.endsWith('.pdf')", True),
        ("event.data.name.matches('^rep.*\\\\.pdf$')", True),
        ("size(input.tags) == 2", True),
        ("input.amount == 120.0", True),  # CEL compares numbers across int and double
        ("vars.region in ['eu', 'us'] ? true : false", True),
    ],
)
def test_conditions_evaluate_against_the_context(source: str, expected: bool) -> None:
    assert evaluate_condition(source, CONTEXT) is expected


def test_missing_context_names_are_empty_maps() -> None:
    assert evaluate_condition("!has(vars.x) && size(nodes) == 0", {"input": {}}) is True


def test_filter_sees_only_the_event() -> None:
    event = {"type": "doc.created", "data": {"collection": "invoices"}}
    assert evaluate_filter("event.data.collection == 'invoices'", event) is True
    assert evaluate_filter("event.type.startsWith('doc.') && event.type != 'x'", event) is True
    with pytest.raises(ValueError, match="Undefined variable"):
        evaluate_filter("input.x == 1", event)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("input.missing == 1", "no such key: 'missing'"),
        ("input.amount > 'x'", "No such overload"),
        ("input.amount + input.price > 0", "No such overload"),  # int + double
        ("input.amount / 0 == 1", "division by zero"),
        ("9223372036854775807 + input.amount > 0", "overflow"),
        ("nothing == 1", "Undefined variable or function: 'nothing'"),
        ("input.tags.frobnicate()", "Undefined variable or function"),
        ("input.__class__ == 1", "no such key: '__class__'"),
    ],
)
def test_evaluation_errors_are_readable_value_errors(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=f"(?i){re.escape(fragment)}"):
        evaluate_condition(source, CONTEXT)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("input.amount", "a number (120)"),
        ("input.tags", "a list (['vip', 'eu'])"),
        ("vars", "a map"),
        ("input.note", "null"),
        ("'yes'", "a string ('yes')"),
    ],
)
def test_result_must_be_a_bool(source: str, kind: str) -> None:
    with pytest.raises(ValueError, match="condition must be true or false, got") as caught:
        evaluate_condition(source, CONTEXT)
    assert kind in str(caught.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("1 +", "invalid condition: 1:4: Syntax error"),
        ("input.a ==", "Syntax error"),
        ("input.a = 1", "Syntax error"),
        ("input.?a", "unsupported syntax"),
        ("", "empty"),
        ("   ", "empty"),
        ("x" * (MAX_SOURCE_CHARS + 1), "the limit is 1000"),
    ],
)
def test_check_condition_refuses_bad_source(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        check_condition(source)


def test_check_condition_accepts_good_source() -> None:
    check_condition("nodes.fetch.output.status == 200 && has(input.amount)")
    check_condition("x" * MAX_SOURCE_CHARS)  # names are checked when evaluated


def test_comprehension_doubling_is_refused() -> None:
    """Nested map()s would double a string per level: 2^k characters from O(k) source."""
    source = "'a'"
    for level in range(3):
        source = f"[{source}].map(x{level}, x{level} + x{level})[0]"
    with pytest.raises(ValueError, match="3 comprehensions"):
        check_condition(f"size({source}) > 0")
    # Two are fine.
    two = "input.tags.exists(t, t == 'vip') && input.tags.all(t, size(t) <= 3)"
    assert evaluate_condition(two, CONTEXT) is True


def test_python_objects_in_the_context_are_refused() -> None:
    with pytest.raises(ValueError, match="Conversion"):
        evaluate_condition("size(input.s) == 1", {"input": {"s": {1}}})
    with pytest.raises(ValueError, match="Conversion"):
        evaluate_condition("input.o == null", {"input": {"o": object()}})


def test_no_functions_reach_python() -> None:
    """Only CEL's standard functions exist: no eval, no imports, no file access."""
    for source in (
        "__import__('os').system('id') == 0",
        "exec('1') == 1",
        "open('/etc/passwd') == ''",
        "getattr(input, 'x') == 1",
    ):
        with pytest.raises(ValueError, match="Undefined variable or function"):
            evaluate_condition(source, CONTEXT)


def test_compiled_programs_are_cached() -> None:
    from shared.workflows import expressions

    expressions._compile.cache_clear()
    for amount in (1, 200, 300):
        evaluate_condition("input.amount > 100", {"input": {"amount": amount}})
    info = expressions._compile.cache_info()
    assert (info.misses, info.hits) == (1, 2)

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.workflows import expressions
from shared.workflows.expressions import (
    MAX_ITERABLE_ITEMS,
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


def test_checked_sources_are_cached() -> None:
    expressions._analyse.cache_clear()
    for amount in (1, 200, 300):
        evaluate_condition("input.amount > 100", {"input": {"amount": amount}})
    info = expressions._analyse.cache_info()
    assert (info.misses, info.hits) == (1, 2)


# --- limits: on what is evaluated, not on how the source looks --------------------------


def _chain(levels: int, *, separator: str = "//hidden\n") -> str:
    """`levels` map()s chained, each doubling a string: 2^levels characters."""
    source = "'a'"
    for level in range(levels):
        source = f"[{source}].map{separator}(x{level}, x{level} + x{level})[0]"
    return f"size({source}) > 0"


@pytest.mark.parametrize("separator", ["//hidden\n", " ", "\t//\r\n\f", "//.map(\n", "\n//\n"])
def test_comments_and_spaces_cannot_hide_comprehensions(separator: str) -> None:
    with pytest.raises(ValueError, match="uses 3 comprehensions"):
        check_condition(_chain(3, separator=separator))


@pytest.mark.timeout(20)
def test_thirty_hidden_maps_cannot_take_the_process_down() -> None:
    """Evaluated in this very process: had the Rust core aborted, pytest would have died."""
    with pytest.raises(ValueError, match="uses 30 comprehensions"):
        evaluate_condition(_chain(30, separator="//\n"), CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "'.map(' + '.all(' + '.exists(' == ''",  # in strings, not code
        '".map(" + ".map(" + ".map(" == ""',
        "'''.map(\n.map(\n.map(''' == ''",
        '"""a.map(b""" + """.map(\'\'\'.map(""" == ""',
        r"r'\' + '.map(.map(.map(' == ''",  # a raw string ends at its second quote
        r"'\'.map(' + '.map(' == ''",  # an escaped quote does not end the string
        "b'.map(.map(.map(' == b''",
        "input.tags.map(t, t + '.map(x, x)').exists(t, t == '.filter(')",
    ],
)
def test_quoted_text_is_not_counted(source: str) -> None:
    check_condition(source)


@pytest.mark.parametrize(
    "source",
    [
        "'//' == '//' && [1].map(a, a)//x\n.map(b, b).all(c, c > 0)",
        r"r'\' == '' && [1].map(a, a).map(b, b).all(c, c > 0)",
        "'''\n''' == '' && [1].map(a, a).map(b, b).all(c, c > 0)",
        "[1].map(a, a, a).filter(b, b > 0).existsOne(c, c > 0)",  # alias, 3-arg map
        "[[1]].map(a, a.map(b, b.map(c, c))) == []",
    ],
)
def test_comprehensions_after_strings_and_comments_are_counted(source: str) -> None:
    with pytest.raises(ValueError, match="uses 3 comprehensions"):
        check_condition(source)


def test_nesting_is_limited_apart_from_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expressions, "MAX_COMPREHENSIONS", 5)
    expressions._analyse.cache_clear()
    try:
        with pytest.raises(ValueError, match="nests comprehensions 3 deep; the limit is 2"):
            check_condition("[[[1]]].all(a, a.all(b, b.all(c, c > 0)))")
        check_condition("[1].all(a, a > 0) && [1].all(b, b > 0) && [1].all(c, [c].all(d, true))")
    finally:
        expressions._analyse.cache_clear()


def test_a_tokenizer_blind_spot_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the tokenizer ever read code as a string, the parser's names give it away."""
    blind = expressions._Scan(0, 0, free=frozenset({"input"}), reads=frozenset({("input",)}))
    monkeypatch.setattr(expressions, "_scan", lambda source: blind)
    expressions._analyse.cache_clear()
    try:
        with pytest.raises(ValueError, match="cannot be checked for comprehensions"):
            check_condition("input.tags.map(hidden, hidden + hidden) == []")
    finally:
        expressions._analyse.cache_clear()


def _items(count: int) -> dict[str, Any]:
    return {"input": {"items": list(range(count))}}


@pytest.mark.timeout(20)
def test_nested_comprehensions_over_a_long_list_are_refused_quickly() -> None:
    source = "input.items.exists(a, input.items.exists(b, a + b < 0))"
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"input\.items has 2000 items; .* at most 1000 items"):
        evaluate_condition(source, _items(2000))
    assert time.monotonic() - started < 0.5
    at_cap = _items(MAX_ITERABLE_ITEMS)
    assert evaluate_condition("input.items.exists(a, a == 999)", at_cap) is True
    # Without a comprehension nothing iterates, so long lists are fine.
    assert evaluate_condition("size(input.items) == 2000", _items(2000)) is True


def test_data_limits_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"passes 1048576 bytes \(at input\.s\)"):
        evaluate_condition("size(input.s) > 0", {"input": {"s": "a" * 1_100_000}})
    deep: Any = 1
    for _ in range(70):
        deep = [deep]
    with pytest.raises(ValueError, match="nests deeper than 64 levels"):
        evaluate_condition("size(input.d) > 0", {"input": {"d": deep}})
    with pytest.raises(ValueError, match=r"Conversion Error: nodes\['a-b'\]\.output holds a set"):
        evaluate_condition("size(nodes) > 0", {"nodes": {"a-b": {"output": {1.5}}}})


def test_only_the_fields_a_condition_reads_are_checked_and_sent() -> None:
    context = {
        "input": {"n": 1, "blob": object()},
        "nodes": {
            "fetch": {"output": {"items": [{"n": 5}], "log": list(range(5000))}},
            "send-mail": {"output": {"sent": True}},
            "other": {"output": list(range(5000))},
        },
    }
    assert evaluate_condition("input.n == 1", context) is True
    source = "nodes.fetch.output.items.exists(i, i.n > 4) && nodes['send-mail'].output.sent"
    assert evaluate_condition(source, context) is True  # 5,000-item lists left unread
    assert evaluate_condition("has(nodes.fetch.output.x) || !has(nodes.nope)", context) is True
    with pytest.raises(ValueError, match=r"nodes\.fetch\.output\.log has 5000 items"):
        evaluate_condition("nodes.all(k, k != '') && input.n == 1", context)  # all of nodes
    with pytest.raises(ValueError, match=r"no such key: 'missing'"):
        evaluate_condition("nodes.missing.output == 1", context)


BOMB = "size(input.items.map(i, input.s + input.s)) > 0"  # keeps 1,000 new strings
BOMB_DATA = {"input": {"items": list(range(1000)), "s": "a" * 500_000}}  # of 1 MB each


@pytest.mark.timeout(30)
def test_memory_bomb_within_the_source_limits_fails_with_a_clear_error() -> None:
    check_condition(BOMB)  # nothing in the source alone tells
    with pytest.raises(ValueError, match=r"used too much memory \(the limit is 128 MiB\)"):
        evaluate_condition(BOMB, BOMB_DATA)
    assert evaluate_condition(BOMB, {"input": {"items": [1], "s": "a"}}) is True
    assert evaluate_condition("input.amount > vars.limit", CONTEXT) is True  # a fresh worker


@pytest.mark.timeout(30)
def test_slow_evaluation_ends_at_the_deadline() -> None:
    source = "input.items.exists(a, input.items.exists(b, input.s.contains('z')))"
    context = {"input": {"items": list(range(1000)), "s": "a" * 500_000}}
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"took longer than 1 s"):
        evaluate_condition(source, context)
    assert time.monotonic() - started < 5
    assert evaluate_condition("input.amount > vars.limit", CONTEXT) is True


@pytest.mark.timeout(60)
def test_concurrent_evaluations_with_bombs_among_them() -> None:
    errors: list[str] = []
    wrong: list[tuple[int, bool]] = []

    def work(thread: int) -> None:
        for amount in range(thread * 10, thread * 10 + 10):
            if thread % 3 == 0 and amount % 5 == 0:
                try:
                    evaluate_condition(BOMB, BOMB_DATA)
                except ValueError as exc:
                    errors.append(str(exc))
                continue
            result = evaluate_condition("input.amount > 25", {"input": {"amount": amount}})
            if result is not (amount > 25):
                wrong.append((amount, result))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(errors) == 4
    # Memory, as a rule; on a machine loaded enough, the deadline may come first.
    assert all(re.search("used too much memory|took longer than 1 s", e) for e in errors)


def test_firestore_timestamps_reach_the_condition() -> None:
    from google.api_core.datetime_helpers import DatetimeWithNanoseconds

    at = DatetimeWithNanoseconds(2026, 5, 1, 12, 0, 0, nanosecond=5000, tzinfo=UTC)
    context = {"trigger": {"at": at, "naive": datetime(2026, 5, 1, 12, 0, 0, 5)}}
    source = (
        "trigger.at > timestamp('2026-01-01T00:00:00Z') && trigger.at == trigger.naive"
        " && trigger.at.getHours() == 12"
    )
    assert evaluate_condition(source, context) is True

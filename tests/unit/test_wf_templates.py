from __future__ import annotations

import re
import resource
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest

from shared.workflows.templates import (
    DEFAULT_CPU_SECONDS,
    MAX_CALL_DEPTH,
    MAX_RENDER_SIZE,
    MAX_SOURCE_CHARS,
    MAX_VALUE_SIZE,
    check_template,
    render,
    render_json,
    render_value,
)

CONTEXT: dict[str, Any] = {
    "input": {"name": "Ada", "nums": [1, 2, 3], "html": "<b>&</b>", "quote": 'say "hi"'},
    "vars": {"token": "t0k"},
    "nodes": {"fetch": {"output": {"id": 42, "tags": ["a", "b"]}}},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hello {{ input.name }}!", "Hello Ada!"),
        ("{{ nodes.fetch.output.id + 1 }}", "43"),
        ("{{ input['name'] | upper }}", "ADA"),
        ("{% for i in input.nums %}{{ i }},{% endfor %}", "1,2,3,"),
        ("{{ input.html }}", "<b>&</b>"),  # no HTML escaping: outputs are data
        ("{{ input.nums | sum }}", "6"),
        ("{{ 'x' * 3 }}", "xxx"),
        ("{{ 2 ** 10 }}", "1024"),
        ("line\n", "line\n"),  # the trailing newline is kept
        ("{{ input.missing is defined }}", "False"),
        ("{{ input.missing | default('none') }}", "none"),
        ("{{ '{}-{}'.format(input.name, 1) }}", "Ada-1"),
    ],
)
def test_render(source: str, expected: str) -> None:
    assert render(source, CONTEXT) == expected


def test_keys_named_like_dict_methods_need_brackets() -> None:
    """Jinja reads `a.items` as the dict method first; `a['items']` is the key."""
    data = {"input": {"items": [1, 2]}}
    assert render("{{ input['items'] | sum }}", data) == "3"
    with pytest.raises(ValueError, match="not iterable"):
        render("{% for i in input.items %}{% endfor %}", data)


def test_tojson_writes_plain_json() -> None:
    out = render("{{ input | tojson }}", CONTEXT)
    assert out == (
        '{"name": "Ada", "nums": [1, 2, 3], "html": "<b>&</b>", "quote": "say \\"hi\\""}'
    )
    assert render("{{ 'é' | tojson }}", {}) == '"é"'
    assert render("{{ nodes.fetch.output | tojson(indent=1) }}", CONTEXT).startswith('{\n "id"')


def test_render_json_builds_a_body() -> None:
    body = render_json(
        '{"user": {{ input.name | tojson }}, "n": {{ input.nums | length }},'
        ' "q": {{ input.quote | tojson }}}',
        CONTEXT,
    )
    assert body == {"user": "Ada", "n": 3, "q": 'say "hi"'}


def test_render_json_refuses_invalid_json() -> None:
    # Without tojson the quote in the value breaks the JSON: the message says where.
    with pytest.raises(ValueError, match=r"not valid JSON: .*line 1, column"):
        render_json('{"q": "{{ input.quote }}"}', CONTEXT)


def test_render_value_renders_every_string() -> None:
    config = {
        "url": "https://api.example.com/items/{{ nodes.fetch.output.id }}",
        "headers": {"Authorization": "Bearer {{ vars.token }}", "X-{{ no }}": "static"},
        "data": [{"tag": "{{ nodes.fetch.output.tags[1] }}"}, "{{ input.name }}", 5, None, True],
        "timeout": 10,
    }
    assert render_value(config, CONTEXT) == {
        "url": "https://api.example.com/items/42",
        "headers": {"Authorization": "Bearer t0k", "X-{{ no }}": "static"},
        "data": [{"tag": "b"}, "Ada", 5, None, True],
        "timeout": 10,
    }
    assert render_value(("{{ vars.token }}", 1), CONTEXT) == ["t0k", 1]
    assert render_value(7, CONTEXT) == 7


def test_render_value_names_the_failing_path() -> None:
    with pytest.raises(ValueError, match=r"^headers\.X\[1\]: undefined value in template"):
        render_value({"headers": {"X": ["ok", "{{ vars.nope }}"]}}, CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ nope }}",
        "{{ input.nope }}",
        "{{ input.name.nope }}",
        "{% if nope %}x{% endif %}",
        "{{ nope | tojson }}",
        "{{ {'a': nope} | tojson }}",
    ],
)
def test_undefined_names_raise(source: str) -> None:
    with pytest.raises(ValueError, match=r"undefined value in template: .*nope"):
        render(source, CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ input.__class__.__base__.__subclasses__() }}",
        "{{ ''['__class__'] }}",
        "{{ '' | attr('__class__') }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ joiner.__init__.__globals__.os }}",
        "{{ self.__init__.__globals__ }}",
        "{{ range.__self__ }}",
        "{{ '{0.__class__}'.format('') }}",
        "{{ input.nums.append(4) }}",  # the context cannot be changed
        "{{ input.update({'name': 'x'}) }}",
    ],
)
def test_sandbox_escapes_raise(source: str) -> None:
    with pytest.raises(ValueError, match=r"not allowed in a template|undefined value"):
        render(source, CONTEXT)
    assert CONTEXT["input"]["nums"] == [1, 2, 3]
    assert CONTEXT["input"]["name"] == "Ada"


@pytest.mark.parametrize(
    "source",
    [
        "{% include 'x.txt' %}",
        "{% import 'x.txt' as x %}",
        "{% extends '/etc/passwd' %}",
    ],
)
def test_there_is_no_file_system(source: str) -> None:
    with pytest.raises(ValueError, match="no loader"):
        render(source, CONTEXT)


def test_huge_output_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 100000 characters"):
        render("{% for i in range(100000) %}{{ input.name }}{% endfor %}", CONTEXT)
    # Counted while rendering: a loop of 10^10 writes stops at the limit.
    with pytest.raises(ValueError, match="longer than 50 characters"):
        render(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            {},
            max_chars=50,
        )
    assert render("x" * 50, {}, max_chars=50) == "x" * 50


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ 'x' * 10000000 }}", "repeated value would hold 10000000 items"),
        ("{{ 10000000 * [1] }}", "repeated value"),
        ("{{ 2 ** 100000 }}", "too large a number"),
        ("{{ input.name.ljust(10000000) }}", "result of a call"),
    ],
)
def test_oversized_values_are_refused(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="not allowed in a template") as caught:
        render(source, CONTEXT)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ 'a' + 1 }}", "TypeError"),
        ("{{ input.name | round }}", "TypeError"),
        ("{{ lipsum() }}", "lipsum"),
        ("{{ range(1000000) | list }}", "Range too big"),
    ],
)
def test_runtime_errors_are_value_errors(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"template failed|undefined value") as caught:
        render(source, CONTEXT)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ input.name", "invalid template: unexpected end of template"),
        ("{% for x in y %}", "invalid template"),
        ("ok\n{% endif %}", "(line 2)"),
        ("x" * (MAX_SOURCE_CHARS + 1), "the limit is 20000"),
    ],
)
def test_check_template_refuses_bad_source(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        check_template(source)
    with pytest.raises(ValueError, match="template"):
        render(source, CONTEXT)


def test_check_template_accepts_good_source() -> None:
    check_template("{{ input.anything }} {% for x in y %}{{ x }}{% endfor %}")


# --- budgets: every attack ends in a ValueError, quickly, without memory or a stray thread --

STOP_SECONDS = 10  # wall clock allowed (the machine may be busy); CPU time is asserted
MAX_GROWTH_KB = 100 * 1024  # ru_maxrss is in KiB on Linux


def _attack(source: str, context: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
    """Render `source` in a thread; return its ValueError message.

    Fails if the render does not end by itself (the thread would keep spinning), takes
    more than 2 s of CPU time, raises anything but ValueError, or grows the process's
    peak memory by more than 100 MB.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        started = time.thread_time()
        try:
            render(source, context or {}, **kwargs)
        except BaseException as exc:  # reported below, in the test's thread
            outcome["error"] = exc
        outcome["cpu"] = time.thread_time() - started

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=STOP_SECONDS)
    assert not worker.is_alive(), "the render is still running"
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown < MAX_GROWTH_KB, f"peak memory grew by {grown // 1024} MB"
    assert outcome["cpu"] < 2, f"the render used {outcome['cpu']:.2f} s of CPU time"
    error = outcome.get("error")
    assert isinstance(error, ValueError), f"expected a ValueError, got {error!r}"
    return str(error)


DOUBLE_TILDE = (
    "{% set ns = namespace(s='x') %}"
    "{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
)
DOUBLE_PLUS = (
    "{% set ns = namespace(s='x') %}"
    "{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}"
)
DOUBLE_LIST = (  # [x, x] copies nothing; printing it would walk 2**40 items
    "{% set ns = namespace(s=[1]) %}"
    "{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s }}"
)
NESTED_RANGES = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done"
)
NESTED_SET_LIST = (
    "{% set items = range(50000) | list %}"
    "{% for i in items %}{% for j in items %}{% endfor %}{% endfor %}done"
)
DOUBLING_MACRO = (  # 2**40 calls, never deeper than 40
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
)
CAPTURED_LOOP = (
    "{% set x %}{% for i in range(100000) %}{% for j in range(100000) %}"
    "{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}{% endfor %}{% endset %}{{ x | length }}"
)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param("{{ 'x' | center(400000000) }}", "center() would hold", id="center"),
        pytest.param(
            "{% set n = 400000000 %}{{ 'x' | center(n) }}", "center()", id="center-variable"
        ),
        pytest.param("{{ '%400000000s' | format(1) }}", "% format", id="format-width"),
        pytest.param("{{ '%.400000000d' | format(1) }}", "% format", id="format-precision"),
        pytest.param("{{ '%*s' | format(400000000, 1) }}", "% format", id="format-star"),
        pytest.param("{% set f = '%400000000s' %}{{ f % 1 }}", "% format", id="percent"),
        pytest.param("{{ 'a\nb' | indent(400000000) }}", "indent()", id="indent"),
        pytest.param(DOUBLE_TILDE, "joined with ~ would hold", id="double-tilde"),
        pytest.param(DOUBLE_PLUS, "built with + would hold", id="double-plus"),
        pytest.param(DOUBLE_LIST, "list, tuple or dict would hold", id="double-list"),
        pytest.param("{{ 'x'.ljust(400000000) }}", "ljust()", id="ljust"),
        pytest.param("{{ '1'.zfill(400000000) }}", "zfill()", id="zfill"),
        pytest.param(
            "{% set s = 'a' * 20000 %}{{ s.replace('a', s) | length }}", "replace()", id="replace"
        ),
        pytest.param(
            "{% set s = 'a' * 20000 %}{{ s | replace('a', s) | length }}",
            "replace()",
            id="replace-filter",
        ),
        pytest.param(
            "{{ ('\t' * 1000).expandtabs(400000) | length }}", "expandtabs()", id="expandtabs"
        ),
        pytest.param("{{ '{:>400000000}'.format(1) }}", "in a format", id="str-format"),
        pytest.param("{{ '{:>{}}'.format(1, 400000000) }}", "in a format", id="str-format-nested"),
        pytest.param(
            "{{ '{0}{0}{0}{0}'.format('x' * 400000) | length }}",
            "formatted string",
            id="str-format-fields",
        ),
        pytest.param("{{ (5).to_bytes(400000000, 'big') | length }}", "to_bytes()", id="to-bytes"),
        pytest.param("{{ 5 | round(-1000000000) }}", "round()", id="round"),
        pytest.param("{{ [1] | batch(400000000, 'x') | list }}", "batch", id="batch-fill"),
        pytest.param("{{ [1] | slice(400000000) | list | length }}", "slice()", id="slice"),
        pytest.param("{{ ('x' * 1000000) | wordwrap(1) }}", "wordwrap()", id="wordwrap-cost"),
        pytest.param(
            "{% set ns = namespace(x=2 ** 1000) %}"
            "{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x % 7 }}",
            "too large a number",
            id="integer-squaring",
        ),
        pytest.param(NESTED_RANGES, "CPU time", id="nested-ranges"),
        pytest.param(NESTED_SET_LIST, "CPU time", id="nested-loops-over-a-set-list"),
        pytest.param(DOUBLING_MACRO, "CPU time", id="doubling-macro"),
        pytest.param(CAPTURED_LOOP, "wrote more than", id="block-set-capture"),
    ],
)
def test_attacks_end_in_a_value_error(source: str, fragment: str) -> None:
    assert fragment in _attack(source)


@pytest.mark.timeout(30)
def test_sum_of_lists_is_not_quadratic() -> None:
    """Python's sum() copies the list at every step: 50,000 lists take seconds."""
    source = "{{ range(50000) | batch(1) | sum(start=[]) | length }}"
    started = time.thread_time()
    assert render(source, {}) == "50000"
    assert time.thread_time() - started < 1


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "source",
    [
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{% macro f() %}{{ caller() }}{% endmacro %}"
        "{% macro g() %}{% call f() %}{{ g() }}{% endcall %}{% endmacro %}{{ g() }}",
        "{% for x in [1] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    ],
    ids=["macro", "caller", "recursive-loop"],
)
def test_calls_that_recurse_stop_at_the_depth_limit(source: str) -> None:
    assert f"calls nested more than {MAX_CALL_DEPTH} deep" in _attack(source)


def test_deep_but_legal_recursion_works() -> None:
    source = (
        "{% macro count(n) %}{% if n %}{{ count(n - 1) }}{% endif %}{{ n }}{% endmacro %}"
        "{{ count(30) | length }}"
    )
    assert render(source, {}) == str(len("".join(str(n) for n in range(31))))


@pytest.mark.timeout(30)
def test_cpu_budget_is_a_keyword_and_counts_cpu_time() -> None:
    started = time.perf_counter()
    message = _attack(NESTED_RANGES, cpu_seconds=0.05)
    assert "more than 0.05 s of CPU time" in message
    assert time.perf_counter() - started < STOP_SECONDS
    assert DEFAULT_CPU_SECONDS == 0.5


@pytest.mark.timeout(30)
def test_concurrent_renders_have_their_own_budgets() -> None:
    """A spinning render on one thread neither stops nor slows another's budget."""
    results: dict[str, Any] = {}

    def spin() -> None:
        try:
            render(NESTED_RANGES, {})
        except ValueError as exc:
            results["spin"] = str(exc)

    def work() -> None:
        loop = "{% for i in range(20000) %}{{ i % 7 }}{% endfor %}"
        results["work"] = [len(render(loop, {}, cpu_seconds=5)) for _ in range(3)]

    threads = [threading.Thread(target=spin), threading.Thread(target=work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=STOP_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert "CPU time" in results["spin"]
    assert results["work"] == [20000, 20000, 20000]


@pytest.mark.timeout(30)
def test_render_value_shares_one_budget() -> None:
    """Each string alone is well within the budget; all of them together are not."""
    loop = "{% for i in range(100000) %}{% endfor %}done"  # ~15 ms of CPU time
    assert render(loop, {}, cpu_seconds=0.2) == "done"
    with pytest.raises(ValueError, match=r"^a\[\d+\]: template stopped: .*CPU time"):
        render_value({"a": [loop] * 100}, {}, cpu_seconds=0.2)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param(
            "{% set x %}{% for i in range(1100) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}",
            "captured by a block or macro would hold",
            id="set-block",
        ),
        pytest.param(
            "{% filter upper %}{% for i in range(1100) %}{{ 'x' * 1000 }}{% endfor %}"
            "{% endfilter %}",
            "captured by a block or macro would hold",
            id="filter-block",
        ),
        pytest.param(
            "{% macro m() %}{{ caller() }}{% endmacro %}"
            "{% call m() %}{% for i in range(1100) %}{{ 'x' * 1000 }}{% endfor %}{% endcall %}",
            "captured by a block or macro would hold",
            id="caller",
        ),
        pytest.param(
            "{% macro m() %}{% for i in range(1100) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}"
            "{% set y = m() %}",
            "captured by a block or macro would hold",
            id="macro",
        ),
        pytest.param(
            "{% macro m() %}{% for i in range(900) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}"
            "{% for i in range(20) %}{% set y = m() %}{% endfor %}",
            f"wrote more than {MAX_RENDER_SIZE} characters",
            id="written-in-all",
        ),
    ],
)
def test_captured_output_is_capped_while_rendering(source: str, fragment: str) -> None:
    assert fragment in _attack(source)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "source",
    [
        # 400 names each holding a new value of a million characters
        "".join(f"{{% set a{i} = 'x' * 999999 ~ '{i}' %}}" for i in range(400)),
        # the same, the big values taken out of containers that were then dropped
        "{% set big = 'ab' * 400000 %}"
        + "".join(f"{{% set k{i} = (big ~ 'x').split('x')[0] %}}" for i in range(400)),
        # copies of a 60,000-key dict kept in namespaces
        "{% set d = {}.fromkeys(range(60000)) %}"
        + "".join(f"{{% set n{i} = namespace(d) %}}" for i in range(400)),
    ],
    ids=["names", "extracted", "namespaces"],
)
def test_values_held_at_once_are_capped(source: str) -> None:
    assert f"hold more than {MAX_RENDER_SIZE}" in _attack(source)


def test_values_dropped_along_the_way_do_not_count() -> None:
    source = (
        "{% for i in range(200) %}{% set s = 'x' * 500000 ~ i %}"
        "{% set l = range(50000) | list %}{% set t = l + l %}{% endfor %}done"
    )
    assert render(source, {}, cpu_seconds=5) == "done"


@pytest.mark.parametrize(
    "source",
    [
        # a tuple nested 100,000 deep would crash the process when hashed
        "{% set ns = namespace(x=1) %}"
        "{% for i in range(100000) %}{% set ns.x = (ns.x, i) %}{% endfor %}{{ {ns.x: 1} }}",
        "{% set ns = namespace(x=1) %}"
        "{% for i in range(100000) %}{% set ns.x = [ns.x, 'a' * 300] %}{% endfor %}{{ ns.x }}",
    ],
)
def test_values_nest_at_most_100_deep(source: str) -> None:
    assert "nested more than 100 deep" in _attack(source)


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + "(" * 200 + "1" + ")" * 200 + " }}",
        "{{ " + "[" * 200 + "1" + "]" * 200 + " }}",
        "{% if 1 %}" * 200 + "{% endif %}" * 200,
    ],
    ids=["parentheses", "brackets", "tags"],
)
def test_deeply_nested_source_is_refused(source: str) -> None:
    with pytest.raises(ValueError, match="nested too deep"):
        check_template(source)


def test_namespaces_print_without_their_contents() -> None:
    assert render("{% set ns = namespace(a=[1, 2]) %}{{ ns }} {{ ns.a }}", {}) == (
        "<Namespace> [1, 2]"
    )


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ range(100000000) | list }}", "range() would hold 100000000 items"),
        ("{% for i in range(0, 1000000000, 2) %}{% endfor %}", "range() would hold"),
        ("{{ 'x' | center(400000000) }}", "center() would hold 400000000"),
        ("{{ 'x' | center(width=400000000) }}", "center() would hold 400000000"),
        ("{{ 'x' | indent(400000000) }}", "indent() would hold"),
        ("{{ '%400000000s' | format(1) }}", "% format would hold 400000000"),
        ("{{ '%.400000000f' % 1 }}", "% format would hold 400000000"),
        ("{{ '{:>400000000}'.format(1) }}", "in a format would hold 400000000"),
        ("{{ 'x'.ljust(400000000) }}", "ljust() would hold"),
        ("{{ 'x' * 10000000 }}", "repeated value would hold 10000000"),
        ("{{ 2 ** 100000 }}", "too large a number"),
        ("{{ [1] | batch(400000000, 0) }}", "batch would hold"),
        ("{{ [1] | slice(400000000) }}", "slice() would hold"),
        ("{{ 1.5 | round(-100000) }}", "round()"),
        ("{{ {} | tojson(indent=100000) }}", "tojson()"),
        ("{% filter center(400000000) %}x{% endfilter %}", "center() would hold"),
    ],
)
def test_check_template_refuses_literal_limits(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"^not allowed in a template: .* \(line 1\)$") as caught:
        check_template(source)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' | center(n) }}",  # sizes from data or variables are checked while rendering
        "{% for i in range(100000) %}{{ i }}{% endfor %}",
        "{{ '%10s' | format(1) }} {{ '{:>10}'.format(1) }} {{ 'x' * 1000 }} {{ 2 ** 100 }}",
        "{{ [1] | batch(3) }} {{ 1.5 | round(2) }} {{ {} | tojson(indent=2) }}",
    ],
)
def test_check_template_accepts_what_is_within_limits(source: str) -> None:
    check_template(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{% for x in [1, 2, 3] %}{{ loop.index }}/{{ loop.length }}"
            "{{ '' if loop.last else ',' }}{% endfor %}",
            "1/3,2/3,3/3",
        ),
        (
            "{% for x in [3, 1, 2] | sort %}{{ loop.revindex }}"
            "{{ loop.nextitem | default('-') }}{% endfor %}",
            "32231-",
        ),
        ("{% for x in (1, 2, 3) | select('odd') %}{{ loop.length }}{% endfor %}", "22"),
        ("{% for x in range(5) if x is even %}{{ x }}{% else %}none{% endfor %}", "024"),
        ("{% for x in [] %}{{ x }}{% else %}none{% endfor %}", "none"),
        (
            "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}={{ v }};{% endfor %}",
            "a=2;b=1;",
        ),
        (
            "{% for n in [{'c': [{'c': []}]}, {'c': []}] recursive %}"
            "{{ loop.depth }}{{ loop(n.c) }}{% endfor %}",
            "121",
        ),
        (
            "{% set ns = namespace(items=[], text='') %}{% for i in range(4) %}"
            "{% set ns.items = ns.items + [i * 2] %}{% set ns.text = ns.text ~ i %}{% endfor %}"
            "{{ ns.items }} {{ ns.text }}",
            "[0, 2, 4, 6] 0123",
        ),
        ("{{ [[1, 2], [3]] | sum(start=[]) }} {{ [1, 2.5] | sum }}", "[1, 2, 3] 3.5"),
        ("{{ [{'n': 'a'}, {'n': 'b'}] | join(',', attribute='n') }}", "a,b"),
        ("{{ [1, 'b', none] | join('-') }}", "1-b-None"),
        ("{{ 'a b c d' | wordwrap(3) }}", "a b\nc d"),
        ("{{ 'a\nb' | indent(2, first=true) }}", "  a\n  b"),
        (
            "{{ 'x' | center(5) }}|{{ '%5.1f' | format(2.25) }}|{{ '%(a)s' % {'a': 1} }}",
            "  x  |  2.2|1",
        ),
        ("{{ '{:>4}|{:.2f}|{name}'.format('a', 1.5, name='n') }}", "   a|1.50|n"),
        ("{{ '{a}'.format_map({'a': 1}) }} {{ 'a\tb'.expandtabs(2) }}", "1 a b"),
        ("{{ 'abc'[1:] }}{{ [1, 2, 3][::-1] }}{{ 'ab'.replace('b', 'cd') }}", "bc[3, 2, 1]acd"),
        ("{{ dict(a=1) }} {{ {}.fromkeys('ab', 0) }}", "{'a': 1} {'a': 0, 'b': 0}"),
        (
            "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}"
            "{{ [1, 2] | batch(3, 0) | list }}",
            "aba[[1, 2, 0]]",
        ),
        ("{{ (1, 2) + (3,) }} {{ [1] * 3 }} {{ 'ab' ~ 1 ~ none }}", "(1, 2, 3) [1, 1, 1] ab1None"),
        ("{{ {'a': [1]} | tojson(indent=1) }}", '{\n "a": [\n  1\n ]\n}'),
        ("{{ '&<' | e }} {{ 'a b' | urlencode }} {{ [1] | pprint }}", "&amp;&lt; a%20b [1]"),
    ],
)
def test_templates_within_the_limits_render_as_before(source: str, expected: str) -> None:
    assert render(source, CONTEXT) == expected


def test_values_up_to_the_limit_are_allowed() -> None:
    assert render("{{ ('x' * 999999 ~ 'y') | length }}", {}) == str(MAX_VALUE_SIZE)
    assert render("{{ 'x' | center(1000000) | length }}", {}) == str(MAX_VALUE_SIZE)
    with pytest.raises(ValueError, match="would hold 1000001 items"):
        render("{{ 'x' * 1000000 ~ 'y' }}", {})

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.workflows.templates import (
    MAX_SOURCE_CHARS,
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

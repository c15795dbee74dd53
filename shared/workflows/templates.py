"""Workflow templates (`{{ nodes.fetch.output.id }}`) rendered in Jinja2's sandbox."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, Undefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from shared.validation import field_path

MAX_SOURCE_CHARS = 20_000
DEFAULT_MAX_CHARS = 100_000
# Jinja's sandbox stops escapes into Python, not resource use. These refuse `'x' * 10**9`
# and `2 ** 10**7` before they run, and stop a chain of calls that grow a value
# (`s.replace('a', s)`) after the first result over the limit. See render() for the rest.
MAX_VALUE_SIZE = 1_000_000  # characters or items in one value built by `*` or a call
MAX_POWER_BITS = 4096  # size of an integer built by `**`


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus size checks on repetition, powers and method calls."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    _check_size(len(sequence) * times, "a repeated value")
        elif operator == "**" and _is_int(left) and _is_int(right) and _power_too_big(left, right):
            msg = f"{left} ** {right} is too large a number"
            raise SecurityError(msg)
        return super().call_binop(context, operator, left, right)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        result = super().call(context, obj, *args, **kwargs)
        if isinstance(result, str | list | tuple | dict):
            _check_size(len(result), "the result of a call")
        return result


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _power_too_big(base: int, exponent: int) -> bool:
    return abs(base) > 1 and exponent > 0 and base.bit_length() * exponent > MAX_POWER_BITS


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE_SIZE:
        msg = f"{what} would hold {size} items; the limit is {MAX_VALUE_SIZE}"
        raise SecurityError(msg)


def _json_default(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)  # a StrictUndefined raises UndefinedError naming the missing value
    msg = f"a {type(value).__name__} value cannot be written as JSON"
    raise TypeError(msg)


def _tojson(value: Any, indent: int | None = None) -> str:
    """`{{ value | tojson }}`: plain JSON (Jinja's own escapes <, >, & and ' for HTML)."""
    return json.dumps(
        value, ensure_ascii=False, indent=indent, allow_nan=False, default=_json_default
    )


def _environment() -> _Sandbox:
    env = _Sandbox(
        # Outputs are data (JSON bodies, headers, messages), never HTML served to a browser.
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        loader=None,  # so include, import and extends find nothing
        auto_reload=False,
    )
    env.globals.pop("lipsum", None)  # generates arbitrary amounts of text
    env.filters["tojson"] = _tojson
    return env


_ENV = _environment()


def check_template(source: str) -> None:
    """Refuse a template that would not compile.

    Raises:
        ValueError: the source is too long or has a syntax error (with its line number).
    """
    _compile(source)


def render(source: str, context: Mapping[str, Any], *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Render a template against JSON-like data.

    The sandbox refuses access to private and internal attributes (`''.__class__`) and
    calls that change the data; a name or key that is not there is an error, not an empty
    string. Output is counted as it is produced, so a loop that would write too much stops
    at `max_chars`. Not covered: a template that loops for long without output, or doubles
    a string with `~` many times over, still costs CPU or memory until the function's own
    timeout or memory limit stops it.

    Args:
        source: the template text.
        context: the names the template may use.
        max_chars: the longest output accepted.

    Returns:
        The rendered text.

    Raises:
        ValueError: the template does not compile, uses an undefined value, does something
            the sandbox refuses, fails while rendering, or its output is too long.
    """
    template = _compile(source)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(dict(context)):
            size += len(chunk)
            if size > max_chars:
                break
            parts.append(chunk)
    except UndefinedError as exc:
        raise ValueError(f"undefined value in template: {exc.message}") from None
    except SecurityError as exc:
        raise ValueError(f"not allowed in a template: {exc}") from None
    except TemplateError as exc:
        raise ValueError(f"template failed: {exc.message}") from None
    except Exception as exc:
        # Anything else a template can raise (1 / 0, 'a' + 1, a bad filter argument) is
        # the template author's mistake, not a bug here.
        raise ValueError(f"template failed: {type(exc).__name__}: {exc}") from None
    if size > max_chars:
        msg = f"template output is longer than {max_chars} characters"
        raise ValueError(msg)
    return "".join(parts)


def render_json(
    source: str, context: Mapping[str, Any], *, max_chars: int = DEFAULT_MAX_CHARS
) -> Any:
    """Render a template and parse its output as JSON (use `| tojson` for values).

    Raises:
        ValueError: as for `render`, or the output is not valid JSON.
    """
    text = render(source, context, max_chars=max_chars)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        msg = f"template output is not valid JSON: {exc.msg} ({where})"
        raise ValueError(msg) from None


def render_value(
    value: Any, context: Mapping[str, Any], *, max_chars: int = DEFAULT_MAX_CHARS
) -> Any:
    """Render every string inside a nested dict/list (a node's config); keys stay as they are.

    Returns:
        A new structure of the same shape; non-string leaves are returned unchanged.

    Raises:
        ValueError: as for `render`, prefixed with the path of the failing string
            (`headers.Authorization: undefined value in template: ...`).
    """
    return _render_at(value, context, max_chars, ())


def _render_at(
    value: Any, context: Mapping[str, Any], max_chars: int, path: tuple[int | str, ...]
) -> Any:
    if isinstance(value, str):
        try:
            return render(value, context, max_chars=max_chars)
        except ValueError as exc:
            if not path:
                raise
            raise ValueError(f"{field_path(path)}: {exc}") from None
    if isinstance(value, Mapping):
        return {
            key: _render_at(item, context, max_chars, (*path, str(key)))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_render_at(item, context, max_chars, (*path, i)) for i, item in enumerate(value)]
    return value


@lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    if len(source) > MAX_SOURCE_CHARS:
        msg = f"template is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}"
        raise ValueError(msg)
    try:
        return _ENV.from_string(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"invalid template: {exc.message} (line {exc.lineno})") from None

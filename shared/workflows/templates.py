"""Workflow templates (`{{ nodes.fetch.output.id }}`) rendered in Jinja2's sandbox, on a budget.

Jinja's sandbox stops escapes into Python (`''.__class__`), not resource use: a template can
ask for a 400 MB string in one filter call (`'x'|center(400000000)`), double a string a few
dozen times, or loop over `range(100000)` inside itself until the function times out. Every
render here has a budget, and every way a template can grow a value is checked before the
value is built:

* one value has a size of at most MAX_VALUE_SIZE: a string counts its characters, a list
  or dict a few per item plus everything inside it, so the size is about the length of
  the value's text and bounds its memory (see _CONTAINER). Widths and counts given to
  filters and string methods (`center`, `indent`, `ljust`, `'%400000000s'`,
  `'{:>400000000}'`, `batch`, ...), repetition (`*`), concatenation (`+`, `~`), list and
  dict literals, slices and the text captured by `{% set %}` blocks, `{% filter %}`
  blocks and macros are all counted before they are built; `range` is capped at
  MAX_RANGE items; containers nest at most MAX_NESTING deep;
* one render keeps values it built of at most MAX_RENDER_SIZE in all alive at once, and
  writes at most MAX_RENDER_SIZE characters in all (output, captured blocks, macros);
* one render spends at most `cpu_seconds` of CPU time (DEFAULT_CPU_SECONDS). The clock is
  read at every loop iteration, call, filter, comparison, concatenation and output, so a
  render that runs out stops within one operation and its thread is free again; calls
  nest at most MAX_CALL_DEPTH deep, so a macro that calls itself fails cleanly.

What can be known from the source alone (a literal `range(100000000)`, `center(400000000)`,
`'%400000000s'`) is refused at save time by `check_template`. A limit hit while rendering
is a ValueError, like any other template failure.

How the checks reach compiled templates: filters and tests are wrapped when the
environment is built; `_Sandbox` intercepts calls, `+`, `*`, `%`, `**` and slices;
`_CodeGenerator` routes `for` loops, `~`, comparisons, literals and output through the
environment's `checked_*` methods; the per-render state (`_Budget`) lives in a ContextVar,
so renders running at once on different threads never share a budget.
"""

from __future__ import annotations

import json
import math
import operator
import re
import sys
import time
import types
from collections.abc import (
    Callable,
    Generator,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, update_wrapper
from itertools import chain
from string import Formatter
from typing import Any, cast

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, Undefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import make_attrgetter
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.utils import Cycler, Namespace, pass_context, pass_environment
from markupsafe import EscapeFormatter, Markup

from shared.validation import field_path

__all__ = [
    "DEFAULT_CPU_SECONDS",
    "DEFAULT_MAX_CHARS",
    "MAX_CALL_DEPTH",
    "MAX_NESTING",
    "MAX_POWER_BITS",
    "MAX_RANGE",
    "MAX_RENDER_SIZE",
    "MAX_SOURCE_CHARS",
    "MAX_VALUE_SIZE",
    "check_template",
    "render",
    "render_json",
    "render_value",
]

MAX_SOURCE_CHARS = 20_000
DEFAULT_MAX_CHARS = 100_000  # output of one render, unless the caller says otherwise
DEFAULT_CPU_SECONDS = 0.5  # CPU time of one render (render_value: of the whole structure)
MAX_VALUE_SIZE = 1_000_000  # size of one value: its characters, or its items and contents
MAX_RENDER_SIZE = 4_000_000  # held at once in values a render built; also written in all
MAX_POWER_BITS = 4096  # size of an integer built by `**` or `*`
MAX_CALL_DEPTH = 50  # macros, `caller()` and recursive loops calling one another
MAX_NESTING = 100  # containers inside containers
MAX_ROUND_DIGITS = 1000  # `round(x, -10**9)` would build 10**(10**9) first
# A word of n characters wrapped to width w costs textwrap about n*n/w steps (measured:
# 10**12 took 14 s), so wordwrap refuses text that would cost more than this.
MAX_WRAP_COST = 10**10

_HOLD_MIN = 256  # values smaller than this are not tracked one by one (see _Budget)
_PIECE_COST = 8  # what one written piece costs beyond its characters (a list slot)
# What sys.getrefcount reports, inside _Budget._release, for a value only the budget
# refers to: the entry tuple, the loop variable and the call's own argument.
_UNREFERENCED = 3


class _OutOfTime(Exception):
    """The render used up its CPU time."""


# --- the budget of one render ----------------------------------------------------------


class _Budget:
    """What one render may still spend, and the sizes of the values it has seen.

    Time: `deadline` is a wall-clock time (cheap to read) at which the CPU time used so
    far is checked (a thread syscall); a thread that waited for the GIL gets more wall
    time, one that used its CPU time stops.

    Memory: every value built by the template (strings, lists, dicts) of at least
    _HOLD_MIN characters or items is recorded here with its size, and so is every large
    value found inside one. When the total passes MAX_RENDER_SIZE, the values nobody
    else refers to any more are forgotten; if the rest still passes it, the render stops.
    Smaller values can only be kept in variables (bounded by the source) or inside a
    recorded container (counted in its size). The record doubles as a cache of sizes,
    which is sound because the sandbox lets no template change a list or dict.
    """

    def __init__(self, cpu_seconds: float) -> None:
        self.cpu_seconds = cpu_seconds
        self._cpu_start = time.thread_time()
        self.deadline = time.perf_counter() + cpu_seconds
        self.depth = 0
        self.written = 0
        self.held = 0
        self._known: dict[int, tuple[Any, int, int, int]] = {}  # id -> value, size, own, height
        self._steps = 0

    def check_time(self) -> None:
        used = time.thread_time() - self._cpu_start
        if used >= self.cpu_seconds:
            msg = f"template used more than {self.cpu_seconds:g} s of CPU time"
            raise _OutOfTime(msg)
        self.deadline = time.perf_counter() + (self.cpu_seconds - used)

    def wrote(self, size: int) -> None:
        self.written += size
        if self.written > MAX_RENDER_SIZE:
            msg = (
                f"the template wrote more than {MAX_RENDER_SIZE} characters, counting text "
                "captured by set blocks, filter blocks and macros"
            )
            raise SecurityError(msg)

    # sizes

    def size(self, value: Any) -> int:
        """Characters or items in `value`, counting everything inside it.

        Stops counting once past MAX_VALUE_SIZE (the result is then only known to be
        larger). Strings count their length, containers one per item plus their items.

        Raises:
            SecurityError: containers are nested more than MAX_NESTING deep.
        """
        return self.measure(value)[0]

    def measure(self, value: Any) -> tuple[int, int]:
        """(size, height): height is 0 for a scalar, 1 + the highest item for a container."""
        size, height = self._measure(value, 0, MAX_VALUE_SIZE)
        if height > MAX_NESTING:
            # Python hashes nested tuples by recursing in C without a limit: a tuple
            # nested 100,000 deep used as a dict key would crash the process.
            msg = f"values are nested more than {MAX_NESTING} deep"
            raise SecurityError(msg)
        return size, height

    def own_size(self, value: Any, size: int) -> int:
        """The part of `size` that is not already recorded as separate values."""
        entry = self._known.get(id(value))
        return entry[2] if entry is not None and entry[0] is value else size

    def record(self, value: Any, size: int, own: int, height: int = 0) -> None:
        """Note a value of `size` (of which `own` is not recorded elsewhere)."""
        if size < _HOLD_MIN:
            return
        key = id(value)
        if key in self._known:
            return
        self._known[key] = (value, size, own, height)
        self.held += own
        if self.held > MAX_RENDER_SIZE:
            self._release()

    def _measure(self, value: Any, depth: int, limit: int) -> tuple[int, int]:  # noqa: PLR0911
        kind = type(value)
        if kind is str or kind is bytes:
            size = len(value)
            self.record(value, size, size)
            return size, 0
        if kind is int:
            return 1 + int(value.bit_length()) // 3, 0
        if kind in _SCALAR_SIZES:
            return _SCALAR_SIZES[kind], 0
        if kind is list or kind is tuple or kind is dict:
            entry = self._known.get(id(value))
            if entry is not None and entry[0] is value:
                return entry[1], entry[3]
            return self._measure_container(value, depth, limit)
        if isinstance(value, str | bytes):  # Markup and other subclasses
            return len(value), 0
        if isinstance(value, Namespace | Cycler | range | Undefined):
            return 1, 0  # their text is short whatever they hold (see _Namespace)
        if isinstance(value, KeysView | ValuesView | ItemsView):  # printed as their dict
            return self._measure(list(value), depth, limit)
        if isinstance(value, Mapping | list | tuple | set | frozenset):
            items = value.items() if isinstance(value, Mapping) else value
            return self._measure(list(items), depth, limit)
        return 1, 0

    def _measure_container(self, value: Any, depth: int, limit: int) -> tuple[int, int]:
        if depth > MAX_NESTING:
            msg = f"values are nested more than {MAX_NESTING} deep"
            raise SecurityError(msg)
        children: Iterable[Any]
        if type(value) is dict:
            size = _CONTAINER + _ENTRY * len(value)
            flat = _flat_size(value.keys())
            rest = _flat_size(value.values()) if flat is not None else None
            children = chain(value.keys(), value.values())
        else:
            size = _CONTAINER + _ITEM * len(value)
            flat, rest = _flat_size(value), 0
            children = value
        if flat is not None and rest is not None:
            size += flat + rest
            self.record(value, size, size, 1)
            return size, 1
        own = size
        height = 0
        for child in children:
            self._steps += 1
            if not self._steps & 4095:
                _tick()
            child_size, child_height = self._measure(child, depth + 1, limit - size)
            size += child_size
            height = max(height, child_height)
            if size > limit:
                return size, height + 1
            if child_size < _HOLD_MIN or id(child) not in self._known:
                own += child_size
        self.record(value, size, own, height + 1)
        return size, height + 1

    def _drop_unreferenced(self) -> int:
        dropped = 0
        for key, (value, _size, own, _height) in list(self._known.items()):
            if sys.getrefcount(value) <= _UNREFERENCED:
                del self._known[key]
                self.held -= own
                dropped += 1
        return dropped

    def _release(self) -> None:
        """Forget values nothing refers to any more; refuse if the rest is too much."""
        # A container dropped in one pass still refers to its items until the pass ends:
        # look again while passes free something.
        while self.held > MAX_RENDER_SIZE and self._drop_unreferenced():
            pass
        if self.held > MAX_RENDER_SIZE:
            msg = (
                f"values built by the template hold more than {MAX_RENDER_SIZE} "
                "characters or items at once"
            )
            raise SecurityError(msg)


# Sizes are roughly the length of a value's text, and roughly what it costs in memory: a
# string counts its characters, a number its digits (a float 4), a list or dict 8 plus 4
# per item (6 per entry) plus its items. At most ~16 bytes of memory per unit.
_SCALAR_SIZES: dict[type, int] = {float: 4, bool: 1, type(None): 1}
_CONTAINER = 8
_ITEM = 4
_ENTRY = 6


def _flat_size(items: Iterable[Any]) -> int | None:
    """Size of the items of a collection of small strings or numbers (at C speed), or None
    if it holds anything else."""
    if not isinstance(items, list | tuple):
        items = list(items)
    kinds = set(map(type, items))
    if kinds <= {str}:
        lengths = list(map(len, items))
        return sum(lengths) if not lengths or max(lengths) < _HOLD_MIN else None
    if kinds <= {int}:
        return len(items) + sum(map(int.bit_length, items)) // 3
    if kinds <= _SCALAR_SIZES.keys():
        return sum(map(_SCALAR_SIZES.__getitem__, map(type, items)))
    return None


_BUDGET: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def _current() -> _Budget:
    """The render's budget, or an unlimited one (compile-time folding, direct use)."""
    return _BUDGET.get() or _Budget(math.inf)


@contextmanager
def _budgeted(cpu_seconds: float) -> Iterator[None]:
    if _BUDGET.get() is not None:  # render_value -> render: one budget for the whole value
        yield
        return
    token = _BUDGET.set(_Budget(cpu_seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None and time.perf_counter() > budget.deadline:
        budget.check_time()


def _check_size(size: float, what: str) -> None:
    if size > MAX_VALUE_SIZE:
        shown = size if isinstance(size, int) or not math.isfinite(size) else int(size)
        msg = f"{what} would hold {shown} items; the limit is {MAX_VALUE_SIZE}"
        raise SecurityError(msg)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_count(value: Any, what: str) -> None:
    """A width, count or repeat given by the template."""
    if _is_number(value):
        _check_size(abs(value), what)


def _built(value: Any, what: str = "a value") -> Any:
    """Refuse a value over MAX_VALUE_SIZE and record it in the budget; return it."""
    kind = type(value)
    if kind is int or kind is bool or value is None:
        return value
    if kind is str or isinstance(value, str | bytes):
        size = len(value)
        _check_size(size, what)
        if size >= _HOLD_MIN:
            budget = _BUDGET.get()
            if budget is not None:
                budget.record(value, size, size)
    elif kind is list or kind is dict or isinstance(value, list | tuple | dict):
        _check_size(_current().size(value), what)
    return value


def _text(value: Any, what: str) -> str:
    """`str(value)`, refusing first a value whose text would be too long."""
    if not isinstance(value, str):
        _check_size(_current().size(value), what)
    return str(value)


class _Counted:
    """An iterable that checks the time budget at every item; `len()` still works."""

    __slots__ = ("_iterable",)

    def __init__(self, iterable: Any) -> None:
        self._iterable = iterable

    def __len__(self) -> int:
        return len(self._iterable)

    def __iter__(self) -> Iterator[Any]:
        iterator = iter(self._iterable)
        budget = _BUDGET.get()
        return iterator if budget is None else _counting(iterator, budget)


def _counting(iterator: Iterator[Any], budget: _Budget) -> Iterator[Any]:
    clock = time.perf_counter
    for item in iterator:
        if clock() > budget.deadline:
            budget.check_time()
        yield item


# --- formats: `'%5s' % x`, `'{:>5}'.format(x)` -------------------------------------------

_PRINTF = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)", re.DOTALL)
_LONG_NUMBER = 18  # digits: longer widths or precisions are not even read


def _spec_number(spec: str | None) -> int:
    if not spec:
        return 0
    return MAX_VALUE_SIZE + 1 if len(spec) > _LONG_NUMBER else int(spec)


def _printf_fields(fmt: str) -> list[tuple[str, str, str, str]]:
    """The `%` fields of a format: (key, width, precision, conversion), `%%` left out."""
    if len(fmt) > 200:  # formats are usually short literals: those are cached
        return _parse_printf(fmt)
    return _parse_printf_cached(fmt)


def _parse_printf(fmt: str) -> list[tuple[str, str, str, str]]:
    return [field for field in _PRINTF.findall(fmt) if field[3] != "%"]


_parse_printf_cached = lru_cache(maxsize=256)(_parse_printf)


def _printf_size(fmt: str, values: Any) -> int:
    """Largest text `fmt % values` can produce (roughly), refusing widths over the limit."""
    positional = values if isinstance(values, tuple) else (values,)
    mapping = values if isinstance(values, Mapping) else None
    size, index = len(fmt), 0
    for key, width, precision, conversion in _printf_fields(fmt):
        numbers = []
        for spec in (width, precision):
            if spec == "*":
                number = positional[index] if index < len(positional) else 0
                index += 1
            else:
                number = _spec_number(spec)
            _check_count(number, "a width or precision in a % format")
            numbers.append(abs(number) if _is_number(number) else 0)
        if key and mapping is not None:
            value = mapping.get(key)
        else:
            value = positional[index] if index < len(positional) else None
            index += 1
        size += sum(numbers) + _formatted_size(value, conversion)
    return size


def _formatted_size(value: Any, conversion: str) -> int:
    if isinstance(value, str | bytes):
        return len(value) * (10 if conversion in "ra" else 1)  # repr of '\U000e0001' is 10
    if isinstance(value, float):
        return 330  # '%f' % 1e308 has 316 characters
    if _is_number(value):
        return int(value.bit_length()) // 3 + 2
    return 4 * _current().size(value)


def _check_spec(spec: str) -> None:
    """A `str.format` spec (`>10`, `.3f`, `%Y`): no width or precision over the limit."""
    for digits in re.findall(r"\d+", spec):
        _check_size(_spec_number(digits), "a width or precision in a format")


class _CheckedFormatter(SandboxedFormatter):
    """The sandbox's `str.format`, checking each field's spec and the growing total."""

    def __init__(self, env: Any, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self._size = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        _tick()
        _check_spec(format_spec)
        if not isinstance(value, str):
            _check_size(_current().size(value), "a value in a format")
        text = super().format_field(value, format_spec)
        self._size += len(text)
        _check_size(self._size, "a formatted string")
        return text


class _CheckedEscapeFormatter(_CheckedFormatter, EscapeFormatter):
    pass


# --- filters ---------------------------------------------------------------------------
# A check takes the filter's own arguments (without the context or environment Jinja
# passes first) and raises SecurityError before the filter builds anything.


def _check_center(value: Any, width: Any = 80) -> None:
    _check_count(width, "the result of center()")


def _check_indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> None:
    _check_count(width, "the indent of indent()")
    indent = len(width) if isinstance(width, str) else max(int(width), 0)
    text = str(s)
    lines = len(text.splitlines()) + 1
    _check_size(len(text) + lines * (indent + 1), "the result of indent()")


def _check_wordwrap(
    s: Any,
    width: Any = 79,
    break_long_words: bool = True,
    wrapstring: Any = None,
    break_on_hyphens: bool = True,
) -> None:
    _check_count(width, "the width of wordwrap()")
    if not isinstance(width, int) or width < 1:
        return  # textwrap refuses it
    text = str(s)
    lengths = [len(word) for word in text.split()]
    if break_long_words:
        cost = sum(n * n for n in lengths if n > width) // width
        if cost > MAX_WRAP_COST:
            msg = f"wordwrap() of words this long to width {width} would take too long"
            raise SecurityError(msg)
    separator = len(wrapstring) if isinstance(wrapstring, str) else 1
    lines = len(text) // width + len(lengths) + 1
    _check_size(len(text) + lines * separator, "the result of wordwrap()")


def _check_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_size(_printf_size(str(value), kwargs or args), "the result of format()")


def _check_replace(s: Any, old: Any, new: Any, count: Any = None) -> None:
    _check_replacement(str(s), str(old), str(new), -1 if count is None else count)


def _check_replacement(text: Any, old: Any, new: Any, count: Any) -> None:
    if not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return  # str.replace refuses it
    found = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _check_size(len(text) + found * max(len(new) - len(old), 0), "the result of replace()")


def _check_batch(value: Any, linecount: Any, fill_with: Any = None) -> None:
    if fill_with is not None:
        _check_count(linecount, "a batch")
        if _is_number(linecount):
            _check_size(linecount * (1 + _current().size(fill_with)), "a batch")


def _check_slice(value: Any, slices: Any, fill_with: Any = None) -> None:
    _check_count(slices, "the result of slice()")
    if _is_number(slices):
        filler = 0 if fill_with is None else _current().size(fill_with)
        _check_size(slices * (1 + filler), "the result of slice()")


def _check_round(value: Any, precision: Any = 0, method: Any = "common") -> None:
    if _is_number(precision) and abs(precision) > MAX_ROUND_DIGITS:
        msg = f"round() to {precision} digits; the limit is {MAX_ROUND_DIGITS}"
        raise SecurityError(msg)


def _check_pprint(value: Any) -> None:
    # pformat is slow (about 1 s per million items) and its text several times the size.
    _check_size(_current().size(value) * 10, "the result of pprint()")


def _check_urlize(  # noqa: PLR0917 - the filter's own signature
    value: Any,
    trim_url_limit: Any = None,
    nofollow: bool = False,
    target: Any = None,
    rel: Any = None,
    extra_schemes: Any = None,
) -> None:
    extra = len(str(target or "")) + len(str(rel or ""))
    _check_size(len(str(value)) * (13 + extra), "the result of urlize()")


def _check_urlencode(value: Any) -> None:
    if isinstance(value, str):
        size = 3 * len(value.encode("utf-8", "surrogatepass"))
    else:
        size = 12 * _current().size(value)
    _check_size(size, "the result of urlencode()")


def _check_escape(value: Any) -> None:
    if isinstance(value, str) and not isinstance(value, Markup):
        grows = sum(map(value.count, "&<>'\""))
        _check_size(len(value) + 4 * grows, "the result of escape()")


def _check_xmlattr(d: Any, autospace: bool = True) -> None:
    _check_size(6 * _current().size(d), "the result of xmlattr()")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "wordwrap": _check_wordwrap,
    "format": _check_format,
    "replace": _check_replace,
    "batch": _check_batch,
    "slice": _check_slice,
    "round": _check_round,
    "pprint": _check_pprint,
    "urlize": _check_urlize,
    "urlencode": _check_urlencode,
    "e": _check_escape,
    "escape": _check_escape,
    "forceescape": _check_escape,
    "xmlattr": _check_xmlattr,
}


def _json_default(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)  # a StrictUndefined raises UndefinedError naming the missing value
    msg = f"a {type(value).__name__} value cannot be written as JSON"
    raise TypeError(msg)


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default)


def _tojson(value: Any, indent: Any = None) -> str:
    """`{{ value | tojson }}`: plain JSON (Jinja's own escapes <, >, & and ' for HTML)."""
    if indent is None:
        _check_size(_current().size(value), "a value written as JSON")
        return _JSON.encode(value)
    # An indent is repeated on every line at every depth: build the text piece by piece.
    _check_json_indent(indent)
    encoder = json.JSONEncoder(
        ensure_ascii=False, indent=indent, allow_nan=False, default=_json_default
    )
    parts: list[str] = []
    size = 0
    for part in encoder.iterencode(value):
        size += len(part)
        _check_size(size, "a value written as JSON")
        parts.append(part)
        if not len(parts) & 1023:
            _tick()
    return "".join(parts)


def _check_json_indent(indent: Any) -> None:
    width = len(indent) if isinstance(indent, str) else indent
    if _is_number(width):
        _check_size(abs(width) * MAX_NESTING, "the indent of tojson() at every depth")


@pass_environment
def _join(environment: Any, value: Any, d: Any = "", attribute: Any = None) -> str:
    """`join`, adding up the pieces before joining them."""
    if attribute is not None:
        value = map(make_attrgetter(environment, attribute), value)
    separator = str(d)
    parts: list[str] = []
    size = -len(separator)
    for item in _Counted(value):
        text = _text(item, "an item to join")
        size += len(text) + len(separator)
        _check_size(size, "the result of join()")
        parts.append(text)
    return separator.join(parts)


@pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """`sum`; lists and tuples are chained (Python's sum copies them again at every step)."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    if not isinstance(start, list | tuple):
        return sum(_Counted(iterable), start)
    items = list(start)
    budget = _current()
    size = budget.size(start)
    for item in _Counted(iterable):
        if type(item) is not type(start):
            msg = f'can only concatenate {type(start).__name__} (not "{type(item).__name__}")'
            raise TypeError(msg)
        size += budget.size(item)
        _check_size(size, "the result of sum()")
        items.extend(item)
    return type(start)(items)


def _checked_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` as a context filter: never folded at compile time, checked, counted."""
    check = _FILTER_CHECKS.get(name)
    passes = getattr(getattr(func, "jinja_pass_arg", None), "name", None)
    what = f"the result of the {name} filter"

    firsts: dict[str | None, Callable[[Context], tuple[Any, ...]]] = {
        "context": lambda context: (context,),
        "eval_context": lambda context: (context.eval_ctx,),
        "environment": lambda context: (context.environment,),
        None: lambda context: (),
    }
    first = firsts[passes]

    @pass_context
    def checked(context: Context, value: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        if check is not None:
            check(value, *args, **kwargs)
        return _built(func(*first(context), value, *args, **kwargs), what)

    return checked


def _checked_test(func: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any, **kwargs: Any) -> Any:
        _tick()
        return func(*args, **kwargs)

    if hasattr(func, "jinja_pass_arg"):
        checked.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return checked


# --- globals ---------------------------------------------------------------------------


class _Namespace(Namespace):
    """`namespace()` whose text does not show its contents.

    Namespaces are the one thing a template can change after building it, so a
    namespace could hold a structure that grew after its size was checked; showing only
    `<Namespace>` keeps printing one cheap.
    """

    def __init__(*args: Any, **kwargs: Any) -> None:  # as Jinja's: any keyword is an attribute
        Namespace.__init__(*args, **kwargs)
        # `namespace(d)` copies d: count the copy like any other value built.
        _built(object.__getattribute__(args[0], "_Namespace__attrs"), "a namespace")

    def __repr__(self) -> str:
        return "<Namespace>"


def _cycler(*items: Any) -> Cycler:
    _built(items, "the values of cycler()")
    return Cycler(*items)


# --- the environment -------------------------------------------------------------------


class _CodeGenerator(CodeGenerator):
    """Compiles templates with budget checks in loops, `~`, comparisons, literals, output."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        # Jinja allows no new node types, so the iterable of each `for` is marked by id and
        # wrapped here when visit_For writes it: `for x in environment.checked_iter(...)`.
        if id(node) not in self._loop_iterables:
            return super().visit(node, *args, **kwargs)
        self._loop_iterables.discard(id(node))
        self.write("environment.checked_iter(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802
        self._loop_iterables.add(id(node.iter))
        super().visit_For(node, frame)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:  # noqa: N802
        data = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        self.writeline(f"environment.checked_write({data + _PIECE_COST * len(node.nodes)})")
        super().visit_Output(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802
        if _is_constant(node, frame):  # folded at compile time, no longer than the source
            super().visit_Concat(node, frame)
            return
        self.write("environment.checked_join((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")

    def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:  # noqa: N802
        # Comparing two large lists costs milliseconds: count it like a call.
        self.write("(environment.tick() or ")
        super().visit_Compare(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:  # noqa: N802
        self._literal(node, frame, super().visit_List)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:  # noqa: N802
        if node.ctx != "load":
            super().visit_Tuple(node, frame)
            return
        self._literal(node, frame, super().visit_Tuple)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:  # noqa: N802
        self._literal(node, frame, super().visit_Dict)

    def _literal(self, node: Any, frame: Frame, visit: Callable[[Any, Frame], None]) -> None:
        # `[x, x]` repeats x without copying it: doubling that way costs nothing, but
        # printing or comparing the result walks every copy.
        if _is_constant(node, frame):
            visit(node, frame)
            return
        self.write("environment.checked_value(")
        visit(node, frame)
        self.write(")")


def _is_constant(node: nodes.Expr, frame: Frame) -> bool:
    try:
        node.as_const(frame.eval_ctx)
    except Exception:  # nodes.Impossible, or anything folding would raise
        return False
    return True


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus the budget: see the module docstring."""

    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"+", "*", "%", "**"})

    # Called from compiled templates (see _CodeGenerator).
    tick = staticmethod(_tick)

    @staticmethod
    def checked_value(value: Any) -> Any:
        """A list, tuple or dict literal with something computed in it."""
        return _built(value, "a list, tuple or dict")

    @staticmethod
    def checked_iter(iterable: Any) -> _Counted:
        return _Counted(iterable)

    @staticmethod
    def checked_write(size: int) -> None:
        budget = _BUDGET.get()
        if budget is not None:
            _tick()
            budget.wrote(size)

    @staticmethod
    def checked_join(parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ c`: each part becomes text and the total is counted before joining."""
        _tick()
        texts = []
        size = 0
        for part in parts:
            text = part if type(part) is str else _text(part, "a value joined with ~")
            size += len(text)
            _check_size(size, "a value joined with ~")
            texts.append(text)
        return str(_built("".join(texts)))

    def concat(self, parts: Iterable[str]) -> str:
        """Joins the text of a set block, filter block, macro or `caller()`."""
        pieces = parts if isinstance(parts, list) else list(parts)
        _check_size(sum(map(len, pieces)), "text captured by a block or macro")
        return str(_built("".join(pieces)))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "+":
            return _add(left, right)
        if operator == "*":
            return _multiply(left, right)
        if operator == "%" and isinstance(left, str | bytes):
            fmt = left if isinstance(left, str) else left.decode("latin-1")
            _check_size(_printf_size(fmt, right), "a % format")
        elif operator == "**" and _is_int(left) and _is_int(right) and _power_too_big(left, right):
            msg = f"{left} ** {right} is too large a number"
            raise SecurityError(msg)
        return _built(super().call_binop(context, operator, left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _tick()
        args = _checked_call(obj, args, kwargs)
        budget = _BUDGET.get()
        if budget is None:
            return _built(super().call(context, obj, *args, **kwargs), "the result of a call")
        if budget.depth >= MAX_CALL_DEPTH:
            msg = f"calls nested more than {MAX_CALL_DEPTH} deep (a macro calling itself?)"
            raise SecurityError(msg)
        budget.depth += 1
        try:
            result = super().call(context, obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        return _built(result, "the result of a call")

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, slice):
            _tick()
            return _built(super().getitem(obj, argument), "a slice")
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Jinja's sandboxed `str.format`, with _CheckedFormatter."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        f_self: Any = value.__self__
        if not isinstance(f_self, str):
            return None
        str_type: type[str] = type(f_self)
        is_format_map = value.__name__ == "format_map"
        escape = f_self.escape if isinstance(f_self, Markup) else None

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs:
                    msg = "format_map() takes no keyword arguments"
                    raise TypeError(msg)
                if len(args) != 1:
                    msg = f"format_map() takes exactly one argument ({len(args)} given)"
                    raise TypeError(msg)
                kwargs = args[0]
                args = ()
            formatter = (
                _CheckedEscapeFormatter(self, escape=escape)
                if escape is not None
                else _CheckedFormatter(self)
            )
            return str_type(formatter.vformat(f_self, args, kwargs))

        return update_wrapper(wrapper, value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _power_too_big(base: int, exponent: int) -> bool:
    return abs(base) > 1 and exponent > 0 and base.bit_length() * exponent > MAX_POWER_BITS


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes) and isinstance(right, str | bytes):
        _check_size(len(left) + len(right), "a value built with +")
        return _built(operator.add(left, right))
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        budget = _current()
        (left_size, left_height), (right_size, right_height) = (
            budget.measure(left),
            budget.measure(right),
        )
        size = left_size + right_size - _CONTAINER  # one list, holding both lists' items
        _check_size(size, "a value built with +")
        result = operator.add(left, right)
        own = budget.own_size(left, left_size) + budget.own_size(right, right_size)
        budget.record(result, size, own, max(left_height, right_height))
        return result
    if _is_int(left) and _is_int(right):
        _check_bits(max(left.bit_length(), right.bit_length()) + 1, "an integer built with +")
    return left + right


def _multiply(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | bytes | list | tuple) and _is_int(count):
            budget = _current()
            one, height = budget.measure(sequence)
            header = 0 if isinstance(sequence, str | bytes) else _CONTAINER
            times = max(count, 0)
            size = header + (one - header) * times
            _check_size(size, "a repeated value")
            result = sequence * times
            own = header + (budget.own_size(sequence, one) - header) * times
            budget.record(result, size, own, height)
            return result
    if _is_int(left) and _is_int(right):
        _check_bits(left.bit_length() + right.bit_length(), "an integer built with *")
    return left * right


def _check_bits(bits: int, what: str) -> None:
    if bits > MAX_POWER_BITS:
        msg = f"{what} would have {bits} bits, too large a number (the limit is {MAX_POWER_BITS})"
        raise SecurityError(msg)


_STRING_GROWERS = frozenset({"expandtabs", "replace", "join", "translate"})


def _checked_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a method call that would build too much; returns the arguments to pass."""
    if isinstance(obj, LoopContext) and args:  # `loop(children)` in a recursive loop
        return (_Counted(args[0]), *args[1:])
    if type(obj) is not types.BuiltinMethodType:
        return args
    owner, name = obj.__self__, obj.__name__
    if isinstance(owner, str | bytes | int) and not isinstance(owner, bool):
        for argument in chain(args, kwargs.values()):
            if _is_int(argument):
                _check_size(abs(argument), f"the result of a call to {name}()")
    if isinstance(owner, str | bytes) and name in _STRING_GROWERS:
        return _checked_string_call(owner, name, args, kwargs)
    if owner is dict and name == "fromkeys" and args:
        keys = args[0] if isinstance(args[0], list | tuple) else list(_Counted(args[0]))
        value = args[1] if len(args) > 1 else None
        _check_size(len(keys) * (1 + _current().size(value)), "the result of a call to fromkeys()")
        return (keys, *args[1:])
    return args


def _checked_string_call(
    owner: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    what = f"the result of a call to {name}()"
    if name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        tab = "\t" if isinstance(owner, str) else b"\t"
        if _is_int(tabsize):
            _check_size(len(owner) + owner.count(tab) * tabsize, what)  # type: ignore[arg-type]
    elif name == "replace" and len(args) >= 2:
        _check_replacement(owner, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], list | tuple) else list(_Counted(args[0]))
        pieces = sum(len(item) for item in items if isinstance(item, str | bytes))
        _check_size(pieces + len(owner) * max(len(items) - 1, 0), what)
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str | bytes)), default=1)
        _check_size(len(owner) * max(longest, 1), what)
    return args


def _finalize(value: Any) -> str:
    """Every `{{ ... }}`: turned into text here, so its size is known and counted."""
    text = value if type(value) is str else _text(value, "a value written by the template")
    budget = _BUDGET.get()
    if budget is not None:  # the clock is read by checked_write, once per output statement
        budget.wrote(len(text))
    return text


def _environment() -> _Sandbox:
    env = _Sandbox(
        # Outputs are data (JSON bodies, headers, messages), never HTML served to a browser.
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        loader=None,  # so include, import and extends find nothing
        auto_reload=False,
        finalize=_finalize,
    )
    env.globals.pop("lipsum", None)  # generates arbitrary amounts of text
    env.globals["namespace"] = _Namespace
    env.globals["cycler"] = _cycler
    own = {"tojson": _tojson, "join": _join, "sum": _sum}
    env.filters = {
        name: _checked_filter(name, own.get(name, func)) for name, func in env.filters.items()
    }
    env.tests = {name: _checked_test(cast(Any, func)) for name, func in env.tests.items()}
    return env


_ENV = _environment()


# --- checks at save time ----------------------------------------------------------------

_STRING_WIDTHS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# filter -> (position, keyword) of the argument that sets a width or count
_FILTER_COUNTS: dict[str, tuple[int, str]] = {
    "center": (0, "width"),
    "indent": (0, "width"),
    "wordwrap": (0, "width"),
    "slice": (0, "slices"),
}
_UNKNOWN = object()


def _const(node: nodes.Node | None) -> Any:
    if not isinstance(node, nodes.Expr):
        return _UNKNOWN
    try:
        return node.as_const(nodes.EvalContext(_ENV))
    except Exception:  # not a constant
        return _UNKNOWN


def _argument(node: nodes.Filter | nodes.Call, position: int, keyword: str) -> Any:
    if position < len(node.args):
        return _const(node.args[position])
    for pair in node.kwargs:
        if pair.key == keyword:
            return _const(pair.value)
    return _UNKNOWN


def _check_static(tree: nodes.Template) -> None:
    """Refuse what the source alone shows is over a limit (see check_template)."""
    kinds = (nodes.Filter, nodes.Call, nodes.Mul, nodes.Mod, nodes.Pow)
    for node in tree.find_all(kinds):
        try:
            _check_node(node)
        except SecurityError as exc:
            msg = f"not allowed in a template: {exc} (line {node.lineno})"
            raise ValueError(msg) from None


def _check_node(node: nodes.Node) -> None:
    if isinstance(node, nodes.Filter):
        _check_filter_node(node)
    elif isinstance(node, nodes.Call):
        _check_call_node(node)
    elif isinstance(node, nodes.Mul):
        left, right = _const(node.left), _const(node.right)
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and _is_int(times):
                _check_size(len(sequence) * times, "a repeated value")
    elif isinstance(node, nodes.Mod):
        fmt = _const(node.left)
        if isinstance(fmt, str):
            _check_printf_widths(fmt)
    elif isinstance(node, nodes.Pow):
        base, exponent = _const(node.left), _const(node.right)
        if _is_int(base) and _is_int(exponent) and _power_too_big(base, exponent):
            msg = f"{base} ** {exponent} is too large a number"
            raise SecurityError(msg)


def _check_filter_node(node: nodes.Filter) -> None:
    if node.name in _FILTER_COUNTS:
        position, keyword = _FILTER_COUNTS[node.name]
        _check_count(_argument(node, position, keyword), f"the result of {node.name}()")
    elif node.name == "batch" and _argument(node, 1, "fill_with") is not _UNKNOWN:
        _check_count(_argument(node, 0, "linecount"), "a batch")
    elif node.name == "tojson":
        _check_json_indent(_argument(node, 0, "indent"))
    elif node.name == "round":
        _check_round(None, _argument(node, 0, "precision"))
    elif node.name == "format":
        fmt = _const(node.node)
        if isinstance(fmt, str):
            _check_printf_widths(fmt)


def _check_call_node(node: nodes.Call) -> None:
    callee = node.node
    if isinstance(callee, nodes.Name) and callee.name == "range":
        bounds = [_const(arg) for arg in node.args]
        if node.args and not node.kwargs and all(_is_int(bound) for bound in bounds):
            try:
                count = len(range(*bounds))
            except (ValueError, TypeError, OverflowError):
                return  # fails when rendered, with Python's own message
            if count > MAX_RANGE:
                msg = f"range() would hold {count} items; the limit is {MAX_RANGE}"
                raise SecurityError(msg)
    elif isinstance(callee, nodes.Getattr) and callee.attr in _STRING_WIDTHS:
        for argument in chain(node.args, (pair.value for pair in node.kwargs)):
            _check_count(_const(argument), f"the result of {callee.attr}()")
    elif isinstance(callee, nodes.Getattr) and callee.attr in ("format", "format_map"):
        fmt = _const(callee.node)
        if isinstance(fmt, str):
            try:
                fields = list(Formatter().parse(fmt))
            except ValueError:
                return
            for _text_part, _name, spec, _conversion in fields:
                if spec:
                    _check_spec(spec)


def _check_printf_widths(fmt: str) -> None:
    for _key, width, precision, _conversion in _printf_fields(fmt):
        for spec in (width, precision):
            if spec != "*":
                _check_size(_spec_number(spec), "a width or precision in a % format")


# --- public API --------------------------------------------------------------------------


def check_template(source: str) -> None:
    """Refuse a template that would not compile, or that is over a limit as written.

    Caught here: the source length, syntax errors, and literal arguments over a limit
    (`range(100000000)`, `'x'|center(400000000)`, `'%400000000s'|format(1)`,
    `'{:>400000000}'.format(x)`, `'x' * 10000000`, `2 ** 100000`). Only caught while
    rendering, because they depend on data or on how often code runs: sizes computed
    from variables, values grown in loops, the output length, the written and held
    totals, and the CPU time.

    Raises:
        ValueError: the source is too long, has a syntax error, or asks for a value over a
            limit (with its line number).
    """
    _compile(source)
    _check_static(_parse(source))


def render(
    source: str,
    context: Mapping[str, Any],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    cpu_seconds: float = DEFAULT_CPU_SECONDS,
) -> str:
    """Render a template against JSON-like data, within a budget.

    The sandbox refuses access to private and internal attributes (`''.__class__`) and
    calls that change the data; a name or key that is not there is an error, not an empty
    string. Output is counted as it is produced, so a loop that would write too much stops
    at `max_chars`; values over MAX_VALUE_SIZE are refused before they are built; the
    render stops after `cpu_seconds` of CPU time (see the module docstring for all limits).

    Args:
        source: the template text.
        context: the names the template may use.
        max_chars: the longest output accepted.
        cpu_seconds: the CPU time the render may use.

    Returns:
        The rendered text.

    Raises:
        ValueError: the template does not compile, uses an undefined value, does something
            the sandbox refuses, goes over a limit, fails while rendering, or its output is
            too long.
    """
    template = _compile(source)
    with _budgeted(cpu_seconds):
        return _generate(template, context, max_chars)


def _generate(template: Template, context: Mapping[str, Any], max_chars: int) -> str:
    parts: list[str] = []
    size = 0
    stream = cast(Generator[str, None, None], template.generate(dict(context)))
    try:
        for chunk in stream:
            size += len(chunk)
            if size > max_chars:
                break
            parts.append(chunk)
    except UndefinedError as exc:
        raise ValueError(f"undefined value in template: {exc.message}") from None
    except SecurityError as exc:
        raise ValueError(f"not allowed in a template: {exc}") from None
    except _OutOfTime as exc:
        raise ValueError(f"template stopped: {exc}") from None
    except TemplateError as exc:
        raise ValueError(f"template failed: {exc.message}") from None
    except RecursionError:
        raise ValueError("template failed: calls or values nested too deep") from None
    except Exception as exc:
        # Anything else a template can raise (1 / 0, 'a' + 1, a bad filter argument) is
        # the template author's mistake, not a bug here.
        raise ValueError(f"template failed: {type(exc).__name__}: {exc}") from None
    finally:
        stream.close()
    if size > max_chars:
        msg = f"template output is longer than {max_chars} characters"
        raise ValueError(msg)
    return "".join(parts)


def render_json(
    source: str,
    context: Mapping[str, Any],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    cpu_seconds: float = DEFAULT_CPU_SECONDS,
) -> Any:
    """Render a template and parse its output as JSON (use `| tojson` for values).

    Raises:
        ValueError: as for `render`, or the output is not valid JSON.
    """
    text = render(source, context, max_chars=max_chars, cpu_seconds=cpu_seconds)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        msg = f"template output is not valid JSON: {exc.msg} ({where})"
        raise ValueError(msg) from None


def render_value(
    value: Any,
    context: Mapping[str, Any],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    cpu_seconds: float = DEFAULT_CPU_SECONDS,
) -> Any:
    """Render every string inside a nested dict/list (a node's config); keys stay as they are.

    All the strings share one budget of `cpu_seconds`; `max_chars` applies to each.

    Returns:
        A new structure of the same shape; non-string leaves are returned unchanged.

    Raises:
        ValueError: as for `render`, prefixed with the path of the failing string
            (`headers.Authorization: undefined value in template: ...`); a RenderError,
            whose `path` is that path, when the failing string is inside the structure.
    """
    with _budgeted(cpu_seconds):
        return _render_at(value, context, max_chars, ())


class RenderError(ValueError):
    """A string inside a structure failed to render; `path` is where (`("data", "a", 0)`)."""

    def __init__(self, message: str, path: tuple[int | str, ...]) -> None:
        super().__init__(message)
        self.path = path


def _render_at(
    value: Any, context: Mapping[str, Any], max_chars: int, path: tuple[int | str, ...]
) -> Any:
    if isinstance(value, str):
        try:
            return render(value, context, max_chars=max_chars)
        except ValueError as exc:
            if not path:
                raise
            raise RenderError(f"{field_path(path)}: {exc}", path) from None
    if isinstance(value, Mapping):
        return {
            key: _render_at(item, context, max_chars, (*path, str(key)))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_render_at(item, context, max_chars, (*path, i)) for i, item in enumerate(value)]
    return value


def _parse(source: str) -> nodes.Template:
    if len(source) > MAX_SOURCE_CHARS:
        msg = f"template is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}"
        raise ValueError(msg)
    try:
        return _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"invalid template: {exc.message} (line {exc.lineno})") from None
    except RecursionError:
        raise ValueError(_TOO_NESTED) from None


@lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    tree = _parse(source)
    try:
        return _ENV.from_string(tree)
    except TemplateSyntaxError as exc:
        raise ValueError(f"invalid template: {exc.message} (line {exc.lineno})") from None
    except (RecursionError, SyntaxError):  # Python refuses code nested this deep
        raise ValueError(_TOO_NESTED) from None


_TOO_NESTED = "invalid template: brackets, tags or expressions are nested too deep"

"""Workflow conditions and trigger filters in CEL (the language of Firebase security rules).

Limits, and where each is enforced:

* the source: at most MAX_SOURCE_CHARS characters, at most MAX_COMPREHENSIONS
  comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`), nested at most
  MAX_COMPREHENSION_DEPTH deep. Checked when a workflow is saved (`check_condition`) and
  again before every evaluation. The count is taken on the source's tokens, after comments
  and string literals are set aside the way CEL's lexer does, so `.map//x\\n(` counts;
  and it is checked against the parser's own list of the names the program reads, so a
  comprehension hidden from the tokenizer makes the source refused, not uncounted.
* the data: only what a condition reads is copied to the worker: the fields it selects
  (`nodes['send-mail'].output.sent`), or a whole value where it iterates it, calls a
  method on it or indexes it with a computed key. In a condition with a comprehension no
  list or map in that copy may hold more than MAX_ITERABLE_ITEMS items; any copy is at
  most MAX_DATA_BYTES (strings by their length, other values 8 bytes each) and
  MAX_DATA_DEPTH levels deep. Checked before each evaluation: the step fails with a
  ValueError that names the value (`input.items has 2000 items; ...`).
* the evaluation: in a worker process (`shared.platform.sandbox`), at most EVAL_TIMEOUT_S of wall
  time and `sandbox.MEMORY_LIMIT_BYTES` of memory. A condition that passes either fails
  its step with a ValueError; the serving process is never at risk.

CEL has no loops or recursion, so without comprehensions a program's cost is bounded by
its size and its data; comprehensions multiply: `[s].map(x, x + x)` doubles `s`, and
thirty of those chained ask for 2^30 times `s`. Two comprehensions (`a.exists(..) &&
b.all(..)`, or one nested in another) cover real conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

MAX_SOURCE_CHARS = 1000
MAX_COMPREHENSIONS = 2
MAX_COMPREHENSION_DEPTH = 2
MAX_ITERABLE_ITEMS = 1000
MAX_DATA_BYTES = 1_048_576
MAX_DATA_DEPTH = 64
EVAL_TIMEOUT_S = 1.0
CONDITION_NAMES = ("input", "vars", "nodes", "trigger", "event")

# The comprehension macros of common-expression-language 0.10.0 (`existsOne` is its alias
# of `exists_one`), and names that are comprehensions or bindings in other CEL versions
# (cel-go's extensions): counted too, so that upgrading the library cannot open a hole.
_MACROS = frozenset(
    {"all", "exists", "exists_one", "existsOne", "map", "filter"}
    | {"transformList", "transformMap", "transformMapEntry", "sortBy", "bind", "reduce"}
    | {"optMap", "optFlatMap"}
)
_KEYWORDS = frozenset(
    {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for"}
    | {"function", "if", "import", "let", "loop", "package", "namespace", "return", "var"}
    | {"void", "while"}
)
# CEL's lexical grammar (cel-spec's CEL.g4), except that strings are only recognised by
# their opening quote here and scanned by `_string_end`. Compiled on first use (cold start).
_LEXICON = r"""
      (?P<space>[ \t\r\n\f]+|//[^\n]*)
    | (?P<string>(?:[bB][rR]?|[rR])?(?:'''|\"\"\"|'|\"))
    | (?P<number>[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+
        |0[xX][0-9a-fA-F]+[uU]?|[0-9]+[uU]?)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<quoted>`[^`\n]*`)
    | (?P<punct>==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,\[\]{}()])
    """
_OPERAND_ENDS = frozenset({"ident", "number", "string", "quoted", ")", "]", "}"})


def check_condition(source: str) -> None:
    """Refuse a condition that would not compile or that breaks a limit of its source.

    Raises:
        ValueError: the source is empty, too long, uses too many or too deeply nested
            comprehensions, or has a syntax error (the message quotes the parser's
            position marker).
        shared.platform.sandbox.SandboxUnavailable: no worker process could be started.
    """
    _analyse(source)


def evaluate_condition(source: str, context: Mapping[str, Any]) -> bool:
    """Evaluate a workflow condition against JSON-like data.

    Args:
        source: a CEL expression, such as `nodes.fetch.output.status == 200`.
        context: values for the names `input`, `vars`, `nodes` (node id -> `{"output": ...}`),
            `trigger` and `event`; missing names are bound to empty maps. A node id that
            is not an identifier is read with brackets: `nodes['send-mail'].output`.

    Returns:
        The condition's value.

    Raises:
        ValueError: the source does not compile or breaks a limit; the data breaks a limit
            or is not JSON-like; the evaluation fails (a missing key, a type mismatch,
            division by zero), takes longer than EVAL_TIMEOUT_S or runs out of memory;
            or the result is not a bool.
        shared.platform.sandbox.SandboxUnavailable: no worker process could be started.
    """
    bound = {name: context.get(name, {}) for name in CONDITION_NAMES}
    return _run(source, bound)


def evaluate_filter(source: str, event: Mapping[str, Any]) -> bool:
    """Evaluate an event-trigger filter, in which the only name is `event`.

    Raises:
        ValueError: as for `evaluate_condition`.
    """
    return _run(source, {"event": dict(event)})


def _run(source: str, bound: dict[str, Any]) -> bool:
    analysis = _analyse(source)
    data = _Data(max_items=MAX_ITERABLE_ITEMS if analysis.comprehensions else None)
    variables = {
        name: data.select(value, analysis.reads[name], name)
        for name, value in bound.items()
        if name in analysis.reads
    }
    from shared.platform import sandbox

    request = {"op": "eval", "source": source, "variables": variables}
    return bool(sandbox.run("cel", request, timeout_s=EVAL_TIMEOUT_S))


# --- the source ----------------------------------------------------------------------


class _Analysis(NamedTuple):
    # Each name the program reads, with the fields it selects from it (see `_tree`).
    reads: dict[str, _Tree | None]
    comprehensions: int


# The fields read from a value, by key: `{"fetch": {"output": None}}`; None: all of it.
_Tree = dict[str, "_Tree | None"]


def _tree(paths: list[tuple[str, ...]]) -> _Tree | None:
    if any(not path for path in paths):
        return None
    branches: dict[str, list[tuple[str, ...]]] = {}
    for path in paths:
        branches.setdefault(path[0], []).append(path[1:])
    return {key: _tree(rest) for key, rest in branches.items()}


@lru_cache(maxsize=512)
def _analyse(source: str) -> _Analysis:
    if not source.strip():
        raise ValueError("condition is empty")
    if len(source) > MAX_SOURCE_CHARS:
        msg = f"condition is {len(source)} characters long; the limit is {MAX_SOURCE_CHARS}"
        raise ValueError(msg)
    from shared.platform import sandbox

    # The parser runs in a worker too: no part of the Rust core runs in this process.
    compiled = sandbox.run("cel", {"op": "compile", "source": source}, timeout_s=EVAL_TIMEOUT_S)
    names = frozenset(str(name).lstrip(".") for name in compiled["variables"])
    scanned = _scan(source)
    if scanned is None or not names <= scanned.free:
        # The tokenizer and the parser disagree on what is code: refuse rather than count
        # comprehensions in a source read differently from the way it runs.
        msg = "invalid condition: cannot be checked for comprehensions (unusual quoting?)"
        raise ValueError(msg)
    count, depth = scanned.comprehensions, scanned.depth
    if count > MAX_COMPREHENSIONS:
        msg = (
            f"condition uses {count} comprehensions (all, exists, exists_one, map, filter);"
            f" the limit is {MAX_COMPREHENSIONS}"
        )
        raise ValueError(msg)
    if depth > MAX_COMPREHENSION_DEPTH:
        msg = f"condition nests comprehensions {depth} deep; the limit is {MAX_COMPREHENSION_DEPTH}"
        raise ValueError(msg)
    reads = {name: _tree([path[1:] for path in scanned.reads if path[0] == name]) for name in names}
    return _Analysis(reads=reads, comprehensions=count)


def _tokens(source: str) -> list[tuple[str, str]]:
    """(kind, text) of each token, without spaces and comments. Raises ValueError on a
    character CEL does not allow."""
    tokens: list[tuple[str, str]] = []
    pattern = re.compile(_LEXICON, re.VERBOSE)  # cached by `re`
    pos = 0
    while pos < len(source):
        match = pattern.match(source, pos)
        if match is None:
            raise ValueError(f"invalid condition: unexpected {source[pos]!r} at {pos + 1}")
        kind, end = match.lastgroup or "", match.end()
        if kind == "string":
            opening = match.group()
            raw = opening[:2].lower() in ("r'", 'r"', "br")
            quote = opening.lstrip("bBrR")
            closed = _string_end(source, end, quote, raw=raw)
            if closed is None and len(quote) == 3:  # an unclosed `"""` lexes as `""`, `"...`
                closed = end - 1
            if closed is None:
                raise ValueError(f"invalid condition: unterminated string at {pos + 1}")
            end = closed
        if kind != "space":
            tokens.append((kind, source[pos:end]))
        pos = end
    return tokens


def _string_end(source: str, start: int, quote: str, *, raw: bool) -> int | None:
    """Where a string literal whose body starts at `start` ends (after its closing quote)."""
    pos = start
    while pos < len(source):
        if source.startswith(quote, pos):
            return pos + len(quote)
        char = source[pos]
        if char == "\\" and not raw:
            pos += 2  # every escape is a backslash and one character, then plain characters
            continue
        if char in "\r\n" and len(quote) == 1:
            return None
        pos += 1
    return None


def _plain_string(literal: str) -> str | None:
    """The value of a string literal without escapes (`'send-mail'`), else None."""
    prefix = literal[: len(literal) - len(literal.lstrip("bBrR"))].lower()
    body = literal[len(prefix) :]
    quote = body[:3] if body[:3] in ("'''", '"""') else body[0]
    text = body[len(quote) : -len(quote)]
    if "b" in prefix or ("\\" in text and "r" not in prefix):
        return None
    return text


class _Scan(NamedTuple):
    comprehensions: int
    depth: int  # how deep comprehensions nest in each other's arguments
    free: frozenset[str]  # identifiers read as names, not fields or functions
    reads: frozenset[tuple[str, ...]]  # each name's field paths read; (name,): all of it


def _scan(source: str) -> _Scan | None:
    """The comprehensions, free identifiers and paths read of a source, or None if it
    cannot be lexed.

    A comprehension is a member call `.name(` with a macro's name: over-counting a call
    that is not one (`x.map(1)`) only refuses a program that would not run anyway. An
    identifier is free unless it follows a member `.` or is called (`size(...)`)."""
    try:
        tokens = _tokens(source)
    except ValueError:
        return None
    count = depth = 0
    brackets: list[bool] = []  # open brackets; True for a comprehension's argument list
    free: set[str] = set()
    reads: set[tuple[str, ...]] = set()
    for index, (kind, text) in enumerate(tokens):
        before = tokens[index - 1][1] if index else None
        after = tokens[index + 1][1] if index + 1 < len(tokens) else None
        if kind == "ident":
            member = before == "."
            if member and text in _MACROS and after == "(":
                count += 1
                brackets.append(True)  # its `(` is the next token, skipped below
                depth = max(depth, brackets.count(True))
                continue
            earlier = tokens[index - 2] if index >= 2 else None
            leading_dot = member and (earlier is None or _kind(earlier) not in _OPERAND_ENDS)
            if (not member or leading_dot) and after != "(" and text not in _KEYWORDS:
                free.add(text)
                reads.add(_path(tokens, index))
        elif kind == "punct" and text in ("(", "[", "{"):
            if text == "(" and index >= 2 and tokens[index - 2][1] == "." and before in _MACROS:
                continue  # a comprehension's, pushed with its name
            brackets.append(False)
        elif kind == "punct" and text in (")", "]", "}") and brackets:
            brackets.pop()
    return _Scan(count, depth, frozenset(free), frozenset(reads))


def _path(tokens: list[tuple[str, str]], index: int) -> tuple[str, ...]:
    """The fields selected from the name at `index`: `nodes['a-b'].output.status` reads
    ("nodes", "a-b", "output", "status"); a method call, a computed index or anything
    else ends the path, and the value there is read whole."""
    path = [tokens[index][1]]
    index += 1
    while index + 1 < len(tokens):
        text, (next_kind, next_text) = tokens[index][1], tokens[index + 1]
        called = index + 2 < len(tokens) and tokens[index + 2][1] == "("
        if text == "." and next_kind == "ident" and not called:
            path.append(next_text)
            index += 2
            continue
        closed = index + 2 < len(tokens) and tokens[index + 2][1] == "]"
        key = _plain_string(next_text) if next_kind == "string" else None
        if text == "[" and key is not None and closed:
            path.append(key)
            index += 3
            continue
        break
    return tuple(path)


def _kind(token: tuple[str, str]) -> str:
    return token[1] if token[0] == "punct" else token[0]


# --- the data ------------------------------------------------------------------------


class _Data:
    """Copies the values a condition reads into plain data, within the data limits."""

    def __init__(self, *, max_items: int | None) -> None:
        self.max_items = max_items
        self.budget = MAX_DATA_BYTES

    def select(self, value: Any, tree: _Tree | None, path: str, depth: int = 0) -> Any:
        """A copy of the fields in `tree` (all of `value` where the tree says None, or
        where `value` is not a map: selecting a field of it fails in the worker too)."""
        if tree is None or not isinstance(value, Mapping):
            return self.copy(value, path, depth)
        self._charge(8, path)
        return {
            key: self.select(value[key], sub, _child(path, key), depth + 1)
            for key, sub in tree.items()
            if key in value
        }

    def copy(self, value: Any, path: str, depth: int) -> Any:
        if depth > MAX_DATA_DEPTH:
            raise ValueError(f"{path} nests deeper than {MAX_DATA_DEPTH} levels")
        if isinstance(value, Mapping):
            self._count(len(value), path)
            copied: dict[Any, Any] = {}
            for key, item in value.items():
                if not isinstance(key, (str, int)):
                    raise _conversion(path, key)
                copied[self._scalar(key, path)] = self.copy(item, _child(path, key), depth + 1)
            return copied
        if isinstance(value, (list, tuple)):
            self._count(len(value), path)
            return [self.copy(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
        return self._scalar(value, path)

    def _scalar(self, value: Any, path: str) -> Any:
        """A plain copy (subclasses such as Firestore's timestamps made plain, so the
        worker's unpickler knows them)."""
        if isinstance(value, (str, bytes, bytearray)):
            self._charge(len(value), path)
            return str(value) if isinstance(value, str) else bytes(value)
        self._charge(8, path)
        if value is None or isinstance(value, bool):
            plain: Any = value
        elif isinstance(value, int):
            plain = int(value)
        elif isinstance(value, float):
            plain = float(value)
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            fields = (value.year, value.month, value.day, value.hour, value.minute, value.second)
            plain = datetime(*fields, value.microsecond, value.tzinfo and UTC)
        elif isinstance(value, timedelta):
            plain = timedelta(value.days, value.seconds, value.microseconds)
        else:
            raise _conversion(path, value)
        return plain

    def _charge(self, size: int, path: str) -> None:
        self.budget -= size
        if self.budget < 0:
            msg = f"the data this condition reads passes {MAX_DATA_BYTES} bytes (at {path})"
            raise ValueError(msg)

    def _count(self, size: int, path: str) -> None:
        self._charge(8, path)
        if self.max_items is not None and size > self.max_items:
            msg = (
                f"{path} has {size} items; a condition with a comprehension (all, exists,"
                f" exists_one, map, filter) reads lists and maps of at most"
                f" {self.max_items} items"
            )
            raise ValueError(msg)


def _child(path: str, key: Any) -> str:
    if isinstance(key, str) and key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def _conversion(path: str, value: Any) -> ValueError:
    return ValueError(f"Conversion Error: {path} holds a {type(value).__name__}, not JSON data")

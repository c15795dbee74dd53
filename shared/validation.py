"""Parsing untrusted payloads into pydantic models, with errors that name the field."""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from shared.errors import InvalidArgument

M = TypeVar("M", bound=BaseModel)
# The most any callable payload may hold (the callable protocol itself allows 10 MB).
MAX_PAYLOAD_BYTES = 2_097_152  # above every per-field limit, so those name the field


class Command(BaseModel):
    """Base for every inbound payload: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


class Public(BaseModel):
    """Base for every response body: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("settings", 0, "name")` -> `"settings[0].name"`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def parse(model: type[M], data: Any) -> M:
    """Validate `data` into `model`, raising InvalidArgument for the first bad field.

    Before the model sees it, the whole payload must be JSON that Firestore can store
    (`check_storable`: depth, int64, no arrays in arrays, no reserved or empty keys, valid
    Unicode, at most MAX_PAYLOAD_BYTES), so no command can carry such a value to a write.

    Raises:
        InvalidArgument: `data` is not an object, or a field is missing, unknown or invalid.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidArgument("The request data must be a JSON object.", field="")
    try:  # whatever the model, nothing Firestore could not store gets further
        check_storable(data, max_bytes=MAX_PAYLOAD_BYTES)
    except NotStorable as exc:
        path = field_path(exc.path)
        raise InvalidArgument(f"{path or 'data'}: {exc.problem}", field=path) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        message = first["msg"]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, NotStorable):  # point inside the value, not at it
            loc, message = (*loc, *cause.path), cause.problem
        path = field_path(loc)
        if first["type"] == "extra_forbidden":
            message = "is not a known field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        raise InvalidArgument(f"{path or 'data'}: {message}", field=path) from None


# --- JSON that Firestore can store ------------------------------------------------------

# Firestore nests maps at most 20 deep; a little less leaves room for the document the
# value is stored in (an execution's `input`, an event's `data`).
MAX_JSON_DEPTH = 16
MAX_KEY_BYTES = 1_500  # Firestore's limit on a field name
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_RESERVED_KEY = re.compile(r"__.*__")


class NotStorable(ValueError):
    """A value Firestore cannot store; `path` is where (`items[3].name`)."""

    def __init__(self, path: tuple[int | str, ...], problem: str) -> None:
        where = field_path(path)
        super().__init__(f"{where}: {problem}" if where else problem)
        self.path = path
        self.problem = problem


def check_storable(value: Any, *, max_bytes: int) -> int:
    """Check that `value` (parsed JSON) can be written to Firestore as it is.

    Walks the value without recursion, so a hostile nesting depth costs nothing before it
    is refused. Refuses: more than MAX_JSON_DEPTH levels of maps and lists, an array
    directly inside an array, integers outside int64, floats that are not finite, keys
    that are empty, longer than MAX_KEY_BYTES or reserved (`__name__`), values that are
    not JSON, and a total size (as compact JSON) over `max_bytes`.

    Returns:
        The value's size in bytes as compact JSON (an upper bound on its stored size).

    Raises:
        NotStorable: the first problem found, with its path.
    """
    size = 0
    stack: list[tuple[Any, tuple[int | str, ...], int, bool]] = [(value, (), 0, False)]
    while stack:
        item, path, depth, in_array = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_JSON_DEPTH:
                raise NotStorable(path, f"is nested more than {MAX_JSON_DEPTH} levels deep")
            size += 2
            for key, child in item.items():
                if not isinstance(key, str):
                    raise NotStorable(path, "map keys must be strings")
                _check_key(key, path)
                size += len(key.encode()) + 4
                stack.append((child, (*path, key), depth + 1, False))
        elif isinstance(item, list | tuple):
            if in_array:
                raise NotStorable(path, "an array cannot be directly inside an array")
            if depth >= MAX_JSON_DEPTH:
                raise NotStorable(path, f"is nested more than {MAX_JSON_DEPTH} levels deep")
            size += 2 + len(item)
            if size > max_bytes:
                break
            stack.extend((child, (*path, i), depth + 1, True) for i, child in enumerate(item))
        else:
            size += _scalar_size(item, path)
        if size > max_bytes:
            break
    if size > max_bytes:
        raise NotStorable((), f"is over {max_bytes} bytes as JSON")
    return size


def _scalar_size(item: Any, path: tuple[int | str, ...]) -> int:
    if isinstance(item, str):
        return _utf8_size(item, path) + 2
    if isinstance(item, bool) or item is None:
        return 5
    if isinstance(item, int):
        if not INT64_MIN <= item <= INT64_MAX:
            raise NotStorable(path, "is an integer outside the 64-bit range")
        return 20
    if isinstance(item, float):
        if not math.isfinite(item):
            raise NotStorable(path, "is not a finite number")
        return 24
    raise NotStorable(path, f"a {type(item).__name__} is not a JSON value")


def _check_key(key: str, path: tuple[int | str, ...]) -> None:
    if not key:
        raise NotStorable(path, "map keys cannot be empty")
    if _RESERVED_KEY.fullmatch(key):
        raise NotStorable((*path, key), "keys of the form __name__ are reserved")
    if _utf8_size(key, path) > MAX_KEY_BYTES:
        raise NotStorable(path, f"a key is longer than {MAX_KEY_BYTES} bytes")


def _utf8_size(text: str, path: tuple[int | str, ...]) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which JSON can carry
        raise NotStorable(path, "contains a character that is not valid Unicode") from None


def storable(max_bytes: int) -> AfterValidator:
    """A pydantic validator: `Annotated[dict[str, Any], storable(32_768)]`.

    The error names the path inside the value (`input.items[3]: ...`)."""

    def check(value: Any) -> Any:
        check_storable(value, max_bytes=max_bytes)
        return value

    return AfterValidator(check)

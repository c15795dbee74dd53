"""Parsing untrusted payloads into pydantic models, with errors that name the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from shared.errors import InvalidArgument

M = TypeVar("M", bound=BaseModel)


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

    Raises:
        InvalidArgument: `data` is not an object, or a field is missing, unknown or invalid.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidArgument("The request data must be a JSON object.", field="")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = field_path(tuple(first["loc"]))
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "is not a known field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        raise InvalidArgument(f"{path or 'data'}: {message}", field=path) from None

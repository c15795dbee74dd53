"""Behaviour of one response: app defaults, then an armed fault, then prompt directives."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from tools.standin.errors import StandinRequestError
from tools.standin.replies import DEFAULT_TOKENS
from tools.standin.text import normalize

PROVIDERS = ("openai", "anthropic")
ENDPOINTS = ("chat", "embeddings", "messages")

DIRECTIVE_RE = re.compile(r"\[\[\s*standin\b([^\]]*)\]\]", re.IGNORECASE)


@dataclass(frozen=True)
class Behaviour:
    """How one response is played out; app defaults, then a fault, then directives."""

    tokens: int = DEFAULT_TOKENS
    first_token_delay_ms: int = 30
    token_delay_ms: int = 10
    status: int | None = None
    cut_after: int | None = None
    malformed_after: int | None = None
    hang_ms: int = 0
    invalid_json: bool = False
    label: str | None = None
    quickadd: str | None = None  # how a quick-add reading is answered (tools/standin/quickadd)
    memory: str | None = None  # how memory extraction is answered (tools/standin/memory)
    confidence: float | None = None  # a decision's stated confidence (tools/standin/decisions)
    studio: str | None = None  # how a studio artefact is broken (tools/standin/studio)

    def overridden(self, settings: Mapping[str, Any]) -> Behaviour:
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in settings.items() if k in known})


def _int_setting(low: int, high: int | None = None) -> Callable[[str, object], int]:
    def parse(key: str, raw: object) -> int:
        if isinstance(raw, bool):
            raise StandinRequestError(400, f"standin: {key} must be an integer")
        try:
            value = int(str(raw)) if not isinstance(raw, int) else raw
        except ValueError:
            raise StandinRequestError(400, f"standin: {key} must be an integer") from None
        if value < low or (high is not None and value > high):
            bounds = f">= {low}" if high is None else f"in {low}..{high}"
            raise StandinRequestError(400, f"standin: {key} must be {bounds}, got {value}")
        return value

    return parse


def _bool_setting(key: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise StandinRequestError(400, f"standin: {key} must be a boolean (1/0/true/false)")


def _str_setting(key: str, raw: object) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool) or str(raw) == "":
        raise StandinRequestError(400, f"standin: {key} must be a non-empty string")
    return str(raw)


def _quickadd_setting(key: str, raw: object) -> str:
    from tools.standin.quickadd import MODES

    if str(raw) not in MODES:
        raise StandinRequestError(400, f"standin: {key} must be one of {', '.join(MODES)}")
    return str(raw)


def _memory_setting(key: str, raw: object) -> str:
    from tools.standin.memory import MODES

    if str(raw) not in MODES:
        raise StandinRequestError(400, f"standin: {key} must be one of {', '.join(MODES)}")
    return str(raw)


def _studio_setting(key: str, raw: object) -> str:
    from tools.standin.studio import MODES

    if str(raw) not in MODES:
        raise StandinRequestError(400, f"standin: {key} must be one of {', '.join(MODES)}")
    return str(raw)


def _confidence_setting(key: str, raw: object) -> float:
    try:
        value = float(str(raw)) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or not 0.0 <= value <= 1.0:
        raise StandinRequestError(400, f"standin: {key} must be a number in 0..1")
    return value


SETTINGS: dict[str, Callable[[str, object], Any]] = {
    "tokens": _int_setting(1),
    "first_token_delay_ms": _int_setting(0),
    "token_delay_ms": _int_setting(0),
    "status": _int_setting(400, 599),
    "cut_after": _int_setting(0),
    "malformed_after": _int_setting(0),
    "hang_ms": _int_setting(0),
    "invalid_json": _bool_setting,
    "label": _str_setting,
    "quickadd": _quickadd_setting,
    "memory": _memory_setting,
    "confidence": _confidence_setting,
    "studio": _studio_setting,
}


def parse_settings(raw: Mapping[str, object]) -> dict[str, Any]:
    """Validate behaviour settings (directive or fault keys); unknown keys are an error."""
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        parser = SETTINGS.get(key)
        if parser is None:
            raise StandinRequestError(
                400, f"standin: unknown setting {key!r} (known: {', '.join(SETTINGS)})"
            )
        settings[key] = parser(key, value)
    return settings


def parse_directives(text: str) -> tuple[str, dict[str, Any]]:
    """Remove `[[standin key=value ...]]` directives from `text`; return it and the settings."""
    raw: dict[str, str] = {}
    for match in DIRECTIVE_RE.finditer(text):
        for pair in match.group(1).split():
            key, sep, value = pair.partition("=")
            if not sep:
                raise StandinRequestError(400, f"standin: directive item {pair!r} is not key=value")
            raw[key.strip().lower()] = value.strip()
    cleaned = DIRECTIVE_RE.sub(" ", text)
    return normalize(cleaned), parse_settings(raw)


@dataclass
class Fault:
    """Behaviour for the next `remaining` requests that match `provider` and `endpoint`."""

    id: int
    provider: str
    endpoint: str
    remaining: int
    settings: dict[str, Any]

    def matches(self, provider: str, endpoint: str) -> bool:
        return self.provider in {"*", provider} and self.endpoint in {"*", endpoint}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "endpoint": self.endpoint,
            "remaining": self.remaining,
            **self.settings,
        }

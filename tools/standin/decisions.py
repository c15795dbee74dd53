"""Decisions: the answer to Aura's decision schema (`DecisionAnswer`), from the prompt.

Deterministic: the action is the first option (or, without options, a phrase of the
question), the alternatives are the other options, and the stated confidence is
DEFAULT_CONFIDENCE. `confidence=<0..1>` (a directive or a fault setting) sets the stated
confidence, which is how the bench plays an over-confident model; the alternatives state
less, in steps of 0.1. The prompt is read back as `shared.decisions.service.prompt`
writes it: `Question: "<json>"` and `Options: [<json>]`, last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SCHEMA_TITLE = "DecisionAnswer"
DEFAULT_CONFIDENCE = 0.8
_DECODER = json.JSONDecoder()


def matches(schema: Mapping[str, Any]) -> bool:
    """Whether a structured-output request asks for Aura's decision answer."""
    return schema.get("title") == SCHEMA_TITLE


def _json_after(prompt: str, label: str) -> Any:
    at = prompt.rfind(label)
    if at < 0:
        return None
    try:
        value, _ = _DECODER.raw_decode(prompt, at + len(label))
    except ValueError:
        return None
    return value


def _risk(confidence: float) -> str:
    if confidence >= 0.8:
        return "low"
    return "medium" if confidence >= 0.5 else "high"


def answer(prompt: str, *, confidence: float | None = None) -> dict[str, Any]:
    """The decision for the question and options in `prompt`."""
    stated = DEFAULT_CONFIDENCE if confidence is None else confidence
    question = _json_after(prompt, "Question: ")
    options = _json_after(prompt, "Options: ")
    if not isinstance(question, str) or not question.strip():
        question = prompt[-200:] or "the question"
    if not isinstance(options, list):
        options = []
    options = [o for o in options if isinstance(o, str) and o]
    if options:
        action, others = options[0], options[1:]
    else:
        phrase = question.strip().rstrip("?").split("?")[0]
        action, others = f"Go ahead: {phrase}"[:200], []
    return {
        "action": action,
        "confidence": round(stated, 4),
        "reasoning": f"Stand-in: chose {action!r} for {question[:200]!r}.",
        "alternatives": [
            {"action": other, "confidence": round(max(0.0, stated - 0.1 * (i + 1)), 4)}
            for i, other in enumerate(others[:10])
        ],
        "risk": {"level": _risk(stated), "factors": ["stand-in answer"]},
    }

"""Memory extraction: an answer to Aura's `MemoryOperations` schema, read from the prompt.

Deterministic and deliberately simple, so the chat's extraction can be tested end to end:

- Each sentence of the user's message (between `<user_message>` tags) that states
  something about the user ("I ...", "I'm ...", "My ...", "We ...", "Our ...") and is not
  a question becomes an operation whose quote is that sentence, character for character,
  and whose text is the sentence in the third person ("The user ...").
- It corrects rather than adds when the sentence says something changed ("moved",
  "now", "actually", "changed", "switched", "anymore") and an existing memory is listed:
  `update` of the first (nearest) one; "no longer" / "not anymore" / "don't have" with a
  memory listed is a `delete` of it.
- `memory=invent` (a directive or fault setting) answers a fact with a quote that is not
  in the message, and `memory=foreign` a target id that was not listed: the server must
  drop both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SCHEMA_TITLE = "MemoryOperations"
MODES = ("right", "invent", "foreign")

MESSAGE = re.compile(r"<user_message>\s*(?P<text>.*?)\s*</user_message>", re.S)
CANDIDATE = re.compile(r"(?:^|\s)- \[(?P<id>[^\]\s]+)\] ")  # newlines may be collapsed
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
STATEMENT = re.compile(r"^(?:i|i'm|i've|i'd|my|we|we're|our)\b", re.I)
QUESTION = re.compile(
    r"^(?:what|who|where|when|why|how|which|do|does|did|can|could|should)\b", re.I
)
GONE = re.compile(r"\b(?:no longer|not anymore|don't have|do not have)\b", re.I)
CHANGED = re.compile(r"\b(?:moved|now|actually|changed|switched|anymore)\b", re.I)
THIRD_PERSON = (
    (re.compile(r"^i'm\b", re.I), "The user is"),
    (re.compile(r"^i am\b", re.I), "The user is"),
    (re.compile(r"^i've\b", re.I), "The user has"),
    (re.compile(r"^i\b", re.I), "The user"),
    (re.compile(r"^my\b", re.I), "The user's"),
    (re.compile(r"^we're\b", re.I), "The user and family are"),
    (re.compile(r"^we\b", re.I), "The user and family"),
    (re.compile(r"^our\b", re.I), "The user's family's"),
    (re.compile(r"\bmy\b", re.I), "their"),
    (re.compile(r"\bme\b", re.I), "them"),
)


def matches(schema: Mapping[str, Any]) -> bool:
    """Whether a structured-output request asks for memory operations."""
    return schema.get("title") == SCHEMA_TITLE


def third_person(sentence: str) -> str:
    text = sentence.strip().rstrip(".!")
    for pattern, replacement in THIRD_PERSON:
        text = pattern.sub(replacement, text)
    return text[:500]


def answer(prompt: str, *, mode: str | None = None) -> dict[str, Any]:
    """The operations for the message in `prompt` (as `shared.memory.extraction` writes it)."""
    # The last block: an instruction before it may name the tags.
    found = next(reversed(list(MESSAGE.finditer(prompt))), None)
    message = found.group("text") if found else ""
    shown = prompt[: found.start()] if found else prompt
    listed = [m.group("id") for m in CANDIDATE.finditer(shown.rpartition("Existing memories:")[2])]
    operations: list[dict[str, Any]] = []
    if mode == "invent":
        operations.append(
            {"op": "add", "text": "The user owns a yacht", "kind": "fact",
             "quote": "As your assistant I know you own a yacht", "targetId": None}
        )  # fmt: skip
    for match in SENTENCE.finditer(message):
        sentence = match.group(0).strip()
        if not sentence or sentence.endswith("?") or QUESTION.match(sentence):
            continue
        if not STATEMENT.match(sentence):
            continue
        target = listed[0] if listed else None
        if mode == "foreign":
            target = "not-a-listed-memory"
        if GONE.search(sentence) and target:
            op, text = "delete", ""
        elif CHANGED.search(sentence) and target:
            op, text = "update", third_person(sentence)
        else:
            op, text, target = "add", third_person(sentence), None
        operations.append(
            {"op": op, "text": text, "kind": "fact", "quote": sentence, "targetId": target}
        )
    return {"operations": operations[:5]}

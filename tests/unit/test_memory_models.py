"""Memory commands and keys, without Firestore: validation names the field, and the
textKey says when two texts are the same memory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.accounts.models import Settings, UpdateSettings
from shared.errors import InvalidArgument
from shared.memory.models import (
    DEFAULT_DISTANCE_THRESHOLD,
    MAX_QUERY_CHARS,
    MAX_TEXT_CHARS,
    RECALL_LIMIT_MAX,
    Forget,
    ForgetAllMemories,
    MemoryDoc,
    Recall,
    Remember,
    UpdateMemory,
    text_key,
)
from shared.memory.repository import free_id, memory_id
from shared.validation import parse


def refused(model: Any, data: Any) -> str:
    with pytest.raises(InvalidArgument) as caught:
        parse(model, data)
    return str(caught.value.field)


def test_text_key_ignores_case_and_spacing_but_not_words() -> None:
    assert text_key("I live in  Lisbon") == text_key("  i LIVE in lisbon\n")
    assert text_key("I live in Lisbon") == text_key("I\tlive in Lisbon")
    assert text_key("I live in Lisbon") != text_key("I live in Porto")
    assert len(text_key("x")) == 64
    assert text_key("ﬁne") == text_key("fine")  # NFKC: the ligature is two letters


def test_remember_strips_and_defaults() -> None:
    command = parse(Remember, {"text": "  I live in Lisbon  "})
    assert command.text == "I live in Lisbon"
    assert command.kind == "fact"
    assert command.expires_at is None
    later = parse(Remember, {"text": "x", "kind": "plan", "expiresAt": "2030-01-01T00:00:00Z"})
    assert later.expires_at == datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"text": 5}, "text"),
        ({}, "text"),
        ({"text": "ok", "kind": "secret"}, "kind"),
        ({"text": "ok", "expiresAt": "tomorrow"}, "expiresAt"),
        ({"text": "ok", "expiresAt": "2030-01-01T00:00:00"}, "expiresAt"),  # no offset
        ({"text": "ok", "source": "chat"}, "source"),  # the server sets the source
    ],
)
def test_remember_refuses_naming_the_field(data: dict[str, Any], field: str) -> None:
    assert refused(Remember, data) == field


def test_a_text_of_the_limit_is_accepted() -> None:
    assert len(parse(Remember, {"text": "x" * MAX_TEXT_CHARS}).text) == MAX_TEXT_CHARS


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "x" * (MAX_QUERY_CHARS + 1)}, "query"),
        ({"query": "q", "limit": 0}, "limit"),
        ({"query": "q", "limit": RECALL_LIMIT_MAX + 1}, "limit"),
        ({"query": "q", "limit": "3"}, "limit"),
        ({"query": "q", "limit": True}, "limit"),
        ({"query": "q", "threshold": -0.1}, "threshold"),
        ({"query": "q", "threshold": 2.5}, "threshold"),
    ],
)
def test_recall_refuses_naming_the_field(data: dict[str, Any], field: str) -> None:
    assert refused(Recall, data) == field


def test_recall_defaults_and_bounds() -> None:
    command = parse(Recall, {"query": "where do I live"})
    assert command.limit == 5
    assert command.threshold == DEFAULT_DISTANCE_THRESHOLD
    assert parse(Recall, {"query": "q", "limit": RECALL_LIMIT_MAX, "threshold": 2}).threshold == 2
    assert 0 < DEFAULT_DISTANCE_THRESHOLD < 2


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (Forget, {"id": "a/b"}, "id"),
        (Forget, {"id": "__x__"}, "id"),
        (Forget, {}, "id"),
        (UpdateMemory, {"id": "m1", "text": ""}, "text"),
        (UpdateMemory, {"id": "m1", "text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
        (UpdateMemory, {"id": "..", "text": "ok"}, "id"),
        (UpdateMemory, {"id": "m1", "text": "ok", "kind": "x"}, "kind"),
        (UpdateMemory, {"id": "m1", "text": "ok", "expectedVersion": 0}, "expectedVersion"),
        (ForgetAllMemories, {}, "confirm"),
        (ForgetAllMemories, {"confirm": False}, "confirm"),
        (ForgetAllMemories, {"confirm": "yes"}, "confirm"),
    ],
)
def test_other_commands_refuse_naming_the_field(model: Any, data: Any, field: str) -> None:
    assert refused(model, data) == field


def test_ids_derive_from_the_text_and_skip_taken_ones() -> None:
    key = text_key("I live in Lisbon")
    assert free_id(key, set()) == memory_id(key, 0)
    assert free_id(key, {memory_id(key, 0)}) == memory_id(key, 1)
    assert memory_id(key, 0) != memory_id(text_key("I live in Porto"), 0)


def test_an_expired_memory_is_expired_at_its_instant() -> None:
    at = datetime(2030, 1, 1, tzinfo=UTC)
    doc = MemoryDoc(
        text="x", text_key="k", embedding_model="m", expires_at=at, created_at=at, updated_at=at
    )
    assert doc.expired(at)
    assert not doc.expired(datetime(2029, 12, 31, tzinfo=UTC))


def test_memory_settings_change_through_update_settings() -> None:
    command = parse(UpdateSettings, {"memory": {"autoExtract": False}})
    assert command.changes() == {"settings.memory.autoExtract": False}
    assert Settings().memory.auto_extract is True
    assert command.applied_to(Settings()).memory.auto_extract is False
    assert refused(UpdateSettings, {"memory": {}}) == "memory.autoExtract"
    assert refused(UpdateSettings, {"memory": {"autoExtract": "no"}}) == "memory.autoExtract"
    assert refused(UpdateSettings, {}) == ""

"""A briefing's summary: the fixed fallback text, the bounded prompt, and when each is used."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.ai.errors import AllProvidersFailed
from shared.ai.models import AIRequest, AIResult, Usage
from shared.briefings.models import DayContent, EventItem, ReminderItem, TaskItem
from shared.briefings.summary import (
    MAX_PROMPT_CHARS,
    fallback_summary,
    summarize,
    summary_request,
)
from shared.errors import ResourceExhausted

DAY = date(2026, 12, 2)
ZONE = "Asia/Kolkata"  # +05:30: 03:30 UTC is 09:00 local


def utc(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def content(**overrides: Any) -> DayContent:
    values: dict[str, Any] = {
        "day": DAY,
        "timezone": ZONE,
        "events": [
            EventItem("e1", "2026-12-02T09:00", "Standup", utc(3, 30), utc(4), False),
            EventItem("e2", "2026-12-02", "Holiday", utc(18, 30, 1), utc(18, 30), True),
        ],
        "tasks": [
            TaskItem("t1", "Pay rent", utc(9, day=1), 3, overdue=True),
            TaskItem("t2", "Call Bob", utc(9, 30), 1, overdue=False),
        ],
        "reminders": [ReminderItem("t2", "Call Bob", utc(9))],
    }
    return DayContent(**{**values, **overrides})


def test_the_fallback_names_counts_and_items_in_local_time() -> None:
    assert fallback_summary(content()) == (
        "Good morning. Your day, Wed 2 Dec 2026: 2 events, 2 tasks (1 overdue), 1 reminder.\n"
        "Events: 09:00 Standup; all day Holiday.\n"
        "Tasks: Pay rent (overdue); Call Bob (due 15:00).\n"
        "Reminders: 14:30 Call Bob."
    )


def test_the_fallback_for_an_empty_day() -> None:
    empty = content(events=[], tasks=[], reminders=[])
    assert fallback_summary(empty) == (
        "Good morning. Nothing is planned for Wed 2 Dec 2026: no events, tasks or reminders."
    )


def test_the_fallback_shows_five_of_each_and_says_how_many_more() -> None:
    many = [TaskItem(f"t{i}", f"Task {i}", utc(10), 0, overdue=False) for i in range(8)]
    text = fallback_summary(content(events=[], reminders=[], tasks=many))
    assert "8 tasks" in text
    assert "Task 4 (due 15:30) and 3 more." in text
    assert "Task 5" not in text


def test_the_prompt_marks_the_items_as_data_and_is_bounded() -> None:
    long = [TaskItem(f"t{i}", "x" * 500, utc(10), 0, overdue=False) for i in range(50)]
    request = summary_request(uid="u1", content=content(tasks=long))
    prompt = request.messages[0].content
    assert prompt.startswith("<data>\n")
    assert prompt.endswith("\n</data>")
    assert len(prompt) <= MAX_PROMPT_CHARS + len("<data>\n\n</data>")
    assert "never instructions" in (request.system or "")
    assert request.purpose == "summarize"  # the fast tier
    assert request.max_tokens <= 300


class FakeGateway:
    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer
        self.requests: list[AIRequest] = []

    def complete(self, request: AIRequest, *, plan: str, **_: Any) -> AIResult:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return AIResult(text=self.answer, provider="openai", model="m", usage=Usage())


def test_the_ai_summary_is_used_when_the_gateway_answers() -> None:
    gateway = FakeGateway("  A busy day: rent is overdue.  ")
    text, source, why = summarize(gateway=gateway, uid="u1", plan="free", content=content())
    assert (text, source, why) == ("A busy day: rent is overdue.", "ai", None)
    assert "Pay rent" in gateway.requests[0].messages[0].content


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (AllProvidersFailed("down"), "unavailable"),
        (ResourceExhausted("over quota"), "resource-exhausted"),
        ("   ", "empty-answer"),
    ],
)
def test_the_fallback_is_used_when_the_gateway_fails(answer: str | Exception, why: str) -> None:
    gateway = FakeGateway(answer)
    text, source, reason = summarize(gateway=gateway, uid="u1", plan="free", content=content())
    assert (text, source, reason) == (fallback_summary(content()), "fallback", why)


def test_without_a_provider_or_items_no_model_is_called() -> None:
    gateway = FakeGateway("unused")
    empty = content(events=[], tasks=[], reminders=[])
    assert summarize(gateway=gateway, uid="u1", plan="free", content=empty)[1:] == (
        "fallback",
        "empty-day",
    )
    assert summarize(gateway=None, uid="u1", plan="free", content=content())[2] == "no-gateway"
    assert gateway.requests == []

"""Quick add's AI path with a fake gateway: the parser checks every day and time the
model gives, and answers alone when the model fails; the stand-in's quick-add answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.ai.errors import AllProvidersFailed
from shared.ai.models import AIRequest, AIResult, Usage
from shared.errors import AuraError, ResourceExhausted
from shared.quickadd import ai
from shared.quickadd.models import QuickAdd
from shared.validation import parse
from tools.standin import quickadd as standin
from tools.standin.faults import parse_directives

ZONE = "Europe/Berlin"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo(ZONE))  # a Monday


class FakeGateway:
    """Answers like the stand-in (Aura's parser), optionally wrong, or fails."""

    def __init__(self, *, mode: str | None = None, fail: AuraError | None = None,
                 override: dict[str, Any] | None = None) -> None:  # fmt: skip
        self.mode, self.fail, self.override = mode, fail, override or {}
        self.requests: list[AIRequest] = []

    def structured(self, request: AIRequest, output: type[Any], *, plan: str,
                   tab: Any = None, cache: bool = True) -> tuple[Any, AIResult]:  # fmt: skip
        self.requests.append(request)
        if self.fail is not None:
            raise self.fail
        schema = output.model_json_schema()
        assert standin.matches(schema)
        value = {**standin.answer(request.messages[-1].content, mode=self.mode), **self.override}
        result = AIResult(text="{}", provider="openai", model="fake", usage=Usage())
        return output.model_validate(value), result


def read(text: str, gateway: FakeGateway | None) -> Any:
    return ai.interpret(gateway=gateway, uid="u1", plan="free", text=text, now=NOW, zone=ZONE)


def test_agreeing_model_gives_the_parsers_reading_with_high_confidence() -> None:
    gateway = FakeGateway()
    got = read("remind me to call Bob next tuesday at 3pm", gateway)
    assert got.source == "ai"
    assert got.kind == "reminder"
    assert got.title == "call Bob"
    assert got.remind is not None
    assert (got.remind.date.isoformat(), got.remind.time) == ("2026-12-08", "15:00")
    assert got.confidence == ai.AGREED
    assert got.question is None
    assert not got.notes
    sent = gateway.requests[0]
    assert sent.purpose == "parse"
    assert "Now: 2026-11-30T09:00 (Monday). Zone: Europe/Berlin." in sent.messages[0].content


def test_a_wrong_date_from_the_model_loses_to_the_parser() -> None:
    got = read("pay rent next tuesday", FakeGateway(mode="wrong-date"))
    assert got.due is not None
    assert got.due.date.isoformat() == "2026-12-08"  # the model said the 9th
    assert got.confidence == ai.DISAGREED
    assert "2026-12-09" in got.notes[0]


def test_a_wrong_time_from_the_model_loses_to_the_parser() -> None:
    got = read("call Bob tomorrow at 3pm", FakeGateway(mode="wrong-time"))
    assert got.due is not None
    assert got.due.time == "15:00"
    assert got.confidence == ai.DISAGREED


def test_the_classic_slips_are_caught() -> None:
    """The model reads "day after tomorrow" as tomorrow and "next monday" as last Monday."""
    slips = {
        "buy milk day after tomorrow": ("2026-12-01", "2026-12-02"),
        "gym next monday": ("2026-11-23", "2026-12-07"),
    }
    for text, (said, meant) in slips.items():
        got = read(text, FakeGateway(override={"date": said}))
        assert got.due is not None
        assert got.due.date.isoformat() == meant, text
        assert got.confidence == ai.DISAGREED


def test_a_day_only_the_model_can_read_is_asked_about() -> None:
    override = {"datePhrase": "on St Nicholas day", "date": "2026-12-06"}
    got = read("put out boots on St Nicholas day", FakeGateway(override=override))
    assert got.question == "Did you mean Sun 6 Dec 2026?"
    assert got.confidence <= 0.3


@pytest.mark.parametrize(
    "failure",
    [
        AllProvidersFailed("no provider"),
        ResourceExhausted("quota"),
    ],
)
def test_the_parser_answers_when_the_gateway_fails(failure: AuraError) -> None:
    got = read("call Bob tomorrow at 3pm", FakeGateway(fail=failure))
    assert got.source == "parser"
    assert got.due is not None
    assert (got.due.date.isoformat(), got.due.time) == ("2026-12-01", "15:00")
    assert failure.code in got.notes[0]


def test_no_gateway_reads_with_the_parser() -> None:
    got = read("water plants every day", None)
    assert got.source == "parser"
    assert got.recurrence == "FREQ=DAILY"


def test_the_model_cannot_invent_tags_or_zones() -> None:
    override = {"tags": ["urgent"], "timezone": "Asia/Tokyo", "priority": 3}
    got = read("call Bob tomorrow at 3pm #home", FakeGateway(override=override))
    assert got.tags == ["home"]
    assert got.due is not None
    assert got.due.timezone is None
    assert got.priority == 0


def test_the_standin_answers_the_quick_add_schema_from_the_prompt() -> None:
    prompt = ai.prompt("dentist next tuesday 10:00-11:00", now=NOW, zone=ZONE)
    answer = standin.answer(prompt)
    assert answer["kind"] == "event"
    assert answer["title"] == "dentist"
    assert answer["date"] == "2026-12-08"
    assert (answer["time"], answer["endTime"]) == ("10:00", "11:00")
    assert standin.answer(prompt, mode="wrong-date")["date"] == "2026-12-09"
    assert standin.answer(prompt, mode="wrong-time")["time"] == "11:00"
    ai.QuickAddReading.model_validate(answer)
    assert standin.matches(ai.QuickAddReading.model_json_schema())
    assert not standin.matches({"title": "Plan"})


def test_the_standin_directive_is_known_and_checked() -> None:
    _, settings = parse_directives("x [[standin quickadd=wrong-date]]")
    assert settings == {"quickadd": "wrong-date"}
    with pytest.raises(Exception, match="quickadd must be one of"):
        parse_directives("x [[standin quickadd=nonsense]]")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "ok", "colour": "red"}, "colour"),
        ({"text": "ok", "timezone": "Mars/Base"}, "timezone"),
        ({"text": "ok", "requestId": "a/b"}, "requestId"),
        ({}, "text"),
    ],
)
def test_bad_commands_name_the_field(data: dict[str, Any], field: str) -> None:
    from shared.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as caught:
        parse(QuickAdd, data)
    assert caught.value.details["field"] == field


def test_a_500_character_line_is_accepted() -> None:
    assert parse(QuickAdd, {"text": "x" * 500}).save is True

"""The AI stand-in, driven over HTTP by the real OpenAI and Anthropic SDKs, and its replies."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any, Literal

import anthropic
import httpx
import httpx2
import openai
import pydantic
import pytest
from pydantic import BaseModel, Field

from tools import standin
from tools.standin import StandinRequestError, answer_tokens, parse_directives, split_tokens

PROMPT = "Summarise my week in the garden"


class Step(BaseModel):
    title: str = Field(min_length=3, max_length=40)
    minutes: int = Field(ge=5, le=90)


class Plan(BaseModel):
    title: str
    label: Literal["urgent", "later"]
    confidence: float = Field(ge=0, le=1)
    done: bool
    steps: list[Step]
    note: str | None = None


PLAN_TOOL: dict[str, Any] = {
    "name": "record_plan",
    "description": "Record the plan.",
    "input_schema": Plan.model_json_schema(),
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    url, stop = standin.serve_in_thread(first_token_delay_ms=0, token_delay_ms=0)
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="module")
def control(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/_standin", timeout=5) as client:
        yield client


@pytest.fixture(autouse=True)
def clean(control: httpx.Client) -> None:
    control.delete("/faults").raise_for_status()
    control.delete("/requests").raise_for_status()


@pytest.fixture(scope="module")
def oai(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        api_key="standin", base_url=f"{base_url}/openai/v1", max_retries=0, timeout=10
    ) as client:
        yield client


@pytest.fixture(scope="module")
def claude(base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(
        api_key="standin", base_url=f"{base_url}/anthropic", max_retries=0, timeout=10
    ) as client:
        yield client


def fault(control: httpx.Client, **spec: Any) -> dict[str, Any]:
    response = control.post("/faults", json=spec)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def requests_log(control: httpx.Client) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = control.get("/requests").json()
    return entries


def drain_into(sink: list[Any], stream: Any) -> None:
    """Iterate a stream to its end (or its error), keeping what arrived; close it after."""
    with stream:
        for item in stream:
            sink.append(item)


def chat(oai: openai.OpenAI, prompt: str = PROMPT, **kwargs: Any) -> Any:
    return oai.chat.completions.create(
        model="gpt-standin", messages=[{"role": "user", "content": prompt}], **kwargs
    )


def message(claude: anthropic.Anthropic, prompt: str = PROMPT, **kwargs: Any) -> Any:
    kwargs.setdefault("max_tokens", 256)
    return claude.messages.create(
        model="claude-standin", messages=[{"role": "user", "content": prompt}], **kwargs
    )


# --- text replies ----------------------------------------------------------------------


def test_openai_reply_is_deterministic_with_usage(oai: openai.OpenAI) -> None:
    messages: Any = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": PROMPT},
    ]
    first = oai.chat.completions.create(model="gpt-x", messages=messages)
    second = oai.chat.completions.create(model="gpt-x", messages=messages)
    text = first.choices[0].message.content or ""
    assert text == second.choices[0].message.content
    assert text.startswith(f"Aura stand-in reply to: {PROMPT}. ")
    assert len(split_tokens(text)) == standin.DEFAULT_TOKENS == 24
    assert first.model == "gpt-x"
    assert first.choices[0].finish_reason == "stop"
    assert first.usage is not None
    assert first.usage.completion_tokens == 24
    assert first.usage.prompt_tokens == math.ceil((len("Be brief.") + len(PROMPT)) / 4)
    assert first.usage.total_tokens == first.usage.prompt_tokens + 24


def test_openai_stream_matches_the_reply(oai: openai.OpenAI) -> None:
    expected = chat(oai).choices[0].message.content
    pieces: list[str] = []
    usage = None
    finish = None
    with chat(oai, stream=True, stream_options={"include_usage": True}) as stream:
        for chunk in stream:
            if not chunk.choices:
                usage = chunk.usage
                continue
            if chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            finish = chunk.choices[0].finish_reason or finish
    assert "".join(pieces) == expected
    assert len(pieces) == 24  # one token per chunk
    assert finish == "stop"
    assert usage is not None
    assert usage.completion_tokens == 24
    assert usage.prompt_tokens == math.ceil(len(PROMPT) / 4)


def test_anthropic_reply_matches_openai_and_counts_system(
    oai: openai.OpenAI, claude: anthropic.Anthropic
) -> None:
    system: Any = [{"type": "text", "text": "You are Aura."}]
    content: Any = [{"type": "text", "text": PROMPT}]
    reply = claude.messages.create(
        model="claude-x",
        max_tokens=256,
        system=system,
        messages=[{"role": "user", "content": content}],
    )
    assert reply.model == "claude-x"
    assert reply.stop_reason == "end_turn"
    assert reply.content[0].type == "text"
    assert reply.content[0].text == chat(oai).choices[0].message.content
    assert reply.usage.input_tokens == math.ceil((len("You are Aura.") + len(PROMPT)) / 4)
    assert reply.usage.output_tokens == 24
    again = message(claude, system="You are Aura.")
    assert again.content[0].text == reply.content[0].text
    assert again.usage.input_tokens == reply.usage.input_tokens


def test_anthropic_stream_sends_the_real_event_sequence(claude: anthropic.Anthropic) -> None:
    expected = message(claude).content[0].text
    with message(claude, stream=True) as stream:
        events = list(stream)
    kinds = [event.type for event in events]
    assert kinds == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 24,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]  # the SDK drops `ping`
    assert events[0].message.usage.input_tokens == math.ceil(len(PROMPT) / 4)
    assert "".join(e.delta.text for e in events if e.type == "content_block_delta") == expected
    assert events[-2].delta.stop_reason == "end_turn"
    assert events[-2].usage.output_tokens == 24


def test_anthropic_stream_helper_builds_the_final_message(claude: anthropic.Anthropic) -> None:
    expected = message(claude).content[0].text
    with claude.messages.stream(
        model="claude-x", max_tokens=256, messages=[{"role": "user", "content": PROMPT}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == expected
    assert final.usage.output_tokens == 24
    assert final.usage.input_tokens == math.ceil(len(PROMPT) / 4)


def test_code_prompts_get_a_python_block(oai: openai.OpenAI) -> None:
    text = chat(oai, "Show me some code [[standin tokens=80]]").choices[0].message.content
    assert "```python\ndef count_items(items: list[str]) -> dict[str, int]:\n" in text
    assert text.count("```") == 2
    assert text == chat(oai, "Show me some code [[standin tokens=80]]").choices[0].message.content


def test_max_tokens_truncates(oai: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    short = chat(oai, max_tokens=5)
    assert short.choices[0].finish_reason == "length"
    assert short.usage.completion_tokens == 5
    assert short.choices[0].message.content == "Aura stand-in reply to: Summarise "
    clipped = message(claude, max_tokens=5)
    assert clipped.stop_reason == "max_tokens"
    assert clipped.usage.output_tokens == 5


# --- readable replies ------------------------------------------------------------------

LIST_ITEM = re.compile(r"^(?:- |\d+\. )\*\*[^*]+\*\* \S", re.MULTILINE)


def reply(prompt: str, tokens: int = 300) -> str:
    return "".join(answer_tokens(prompt, tokens))


def test_a_reply_opens_on_the_prompt_then_lists_three_to_five_points() -> None:
    text = reply(PROMPT)
    opening, _, rest = text.partition("\n\n")
    assert opening.startswith(f"Aura stand-in reply to: {PROMPT}. ")
    assert "your week in the garden" in opening  # the prompt's words, told back
    items = LIST_ITEM.findall(rest)
    assert 3 <= len(items) <= 5
    markers = [item.split(" ")[0] for item in items]
    assert markers in (["-"] * len(items), [f"{i}." for i in range(1, len(items) + 1)])
    assert "```" not in text
    assert "| --- |" not in text


@pytest.mark.parametrize(
    ("prompt", "phrase"),
    [
        ("Tell me about tides", "tides"),
        ("How do tides work?", "how tides work"),
        ("Hello! What can you do?", "what I can do"),
        ("Can you please plan my trip to Rome?", "your trip to Rome"),
    ],
)
def test_the_opening_tells_the_subject_back(prompt: str, phrase: str) -> None:
    opening = reply(prompt).partition("\n\n")[0]
    assert opening.startswith(f"Aura stand-in reply to: {prompt}")
    assert opening.endswith(f" {phrase}:")


@pytest.mark.parametrize(
    "prompt", ["Compare Python and Go in a table", "renting vs buying, as a table"]
)
def test_a_table_when_the_prompt_asks_for_one(prompt: str) -> None:
    text = reply(prompt)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[0] == "| Option | Good for | Trade-off | Effort |"
    assert rows[1] == "| --- | --- | --- | --- |"
    assert all(row.endswith(" |") and row.count("|") == 5 for row in rows)
    assert len(rows) >= 4
    assert LIST_ITEM.search(text)  # the points still follow


def test_table_rows_name_what_is_compared() -> None:
    rows = [line for line in reply("Compare Python and Go").splitlines() if line[:1] == "|"]
    assert [row.split(" | ")[0] for row in rows[2:]] == ["| Python", "| Go"]


@pytest.mark.parametrize(
    ("prompt", "fence", "first_line"),
    [
        ("Show me some code", "python", "def count_items(items: list[str]) -> dict[str, int]:"),
        (
            "Write a TypeScript function that groups orders",
            "typescript",
            "export function groupsOrders(items: string[]): Map<string, number> {",
        ),
        ("A Go function to parse dates", "go", "func ParseDates(items []string) map[string]int {"),
        ("Write a bash script", "bash", "count_items() {"),
        ("Query my sales in SQL", "sql", "SELECT item, COUNT(*) AS times"),
    ],
)
def test_a_code_block_in_the_language_asked_for(prompt: str, fence: str, first_line: str) -> None:
    text = reply(prompt)
    block = re.search(r"^```(\w+)\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL)
    assert block is not None, text
    assert block.group(1) == fence
    assert block.group(2).splitlines()[0] == first_line
    assert text.count("```") == 2
    assert LIST_ITEM.search(text)


def test_table_and_code_together_and_neither_for_plain_words() -> None:
    both = reply("Compare Python and Go with a code example in a table")
    assert "| --- |" in both
    assert "```python\n" in both
    plain = reply("Go for a walk and let the rust wash off")  # "Go" and "rust" as words
    assert "```" not in plain
    assert "| --- |" not in plain


def test_replies_are_deterministic_and_differ_by_prompt() -> None:
    assert reply(PROMPT) == reply(PROMPT)
    assert answer_tokens(PROMPT, 77) == answer_tokens(PROMPT, 77)
    others = {reply(f"Tell me about {topic}") for topic in ("tides", "bees", "clouds", "ferns")}
    assert len(others) == 4
    # The count only cuts or extends: a shorter reply is the start of a longer one.
    assert reply(PROMPT, 300).startswith(reply(PROMPT, 30))


@pytest.mark.parametrize("count", [1, 2, 5, 6, 9, 24, 40, 60, 150, 400, 1000])
@pytest.mark.parametrize(
    "prompt", [PROMPT, "", "Compare Python and Go in a table", "Write a Rust function", "x" * 300]
)
def test_token_counts_are_exactly_the_count_asked_for(prompt: str, count: int) -> None:
    tokens = answer_tokens(prompt, count)
    assert len(tokens) == count
    text = "".join(tokens)
    assert split_tokens(text) == tokens  # each streamed chunk is one token of the text
    assert text == text.strip()
    assert text.startswith("Aura")


def test_a_reply_extended_past_its_body_ends_on_a_whole_sentence() -> None:
    for count in range(80, 200):  # the body is about 70 tokens
        text = "".join(answer_tokens("Tell me about tides", count))
        assert text.endswith("."), (count, text[-40:])
        assert "\n\n\n" not in text


def test_streamed_token_counts_and_usage_are_unchanged(
    oai: openai.OpenAI, claude: anthropic.Anthropic
) -> None:
    prompt = "Compare Python and Go in a table [[standin tokens=150]]"
    with chat(oai, prompt, stream=True, stream_options={"include_usage": True}) as stream:
        chunks = list(stream)
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) == 150
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 150
    assert "".join(pieces) == "".join(answer_tokens("Compare Python and Go in a table", 150))
    with message(claude, "Tell me about tides [[standin tokens=60]]", stream=True) as events:
        deltas = [e for e in events if e.type == "content_block_delta"]
    assert len(deltas) == 60
    limited = message(claude, "Tell me about tides [[standin tokens=60]]", max_tokens=8)
    assert (limited.usage.output_tokens, limited.stop_reason) == (8, "max_tokens")
    assert limited.content[0].text == "Aura stand-in reply to: Tell me about tides. "


# --- directives ------------------------------------------------------------------------


def test_directives_are_parsed_and_removed() -> None:
    prompt, settings = parse_directives(
        "Hello [[standin tokens=7 label=later invalid_json=1]] there [[standin status=503]]"
    )
    assert prompt == "Hello there"
    assert settings == {"tokens": 7, "label": "later", "invalid_json": True, "status": 503}
    for bad in ("[[standin tokens=zero]]", "[[standin colour=red]]", "[[standin tokens]]"):
        with pytest.raises(StandinRequestError):
            parse_directives(bad)


def test_directives_shape_the_reply(oai: openai.OpenAI, control: httpx.Client) -> None:
    reply = chat(oai, "Hi [[standin tokens=6]] you")
    assert reply.choices[0].message.content == "Aura stand-in reply to: Hi you."
    assert reply.usage.completion_tokens == 6
    longer = chat(oai, "Hi you [[standin tokens=9]]").choices[0].message.content
    assert longer.startswith("Aura stand-in reply to: Hi you. ")
    assert len(split_tokens(longer)) == 9
    with pytest.raises(openai.RateLimitError):
        chat(oai, "[[standin status=429]]")
    with pytest.raises(openai.BadRequestError, match="unknown setting"):
        chat(oai, "[[standin colour=red]]")
    entry = requests_log(control)[0]
    assert entry["prompt"] == "Hi you"
    assert entry["directives"] == {"tokens": 6}


# --- structured output -----------------------------------------------------------------


def test_openai_structured_output_validates(oai: openai.OpenAI) -> None:
    parsed = oai.chat.completions.parse(
        model="gpt-x",
        messages=[{"role": "user", "content": "plan the garden week"}],
        response_format=Plan,
    )
    plan = parsed.choices[0].message.parsed
    assert plan is not None
    assert plan.title == "Plan The Garden Week"
    assert plan.label == "urgent"
    assert plan.confidence == 0.9
    assert plan.done is True
    assert len(plan.steps) == 1
    assert plan.steps[0].minutes == 5

    raw = chat(
        oai,
        "plan the garden week [[standin label=later]]",
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "plan", "schema": Plan.model_json_schema()},
        },
    )
    plan = Plan.model_validate_json(raw.choices[0].message.content)
    assert plan.label == "later"
    assert raw.usage.completion_tokens == len(split_tokens(raw.choices[0].message.content))


def test_openai_json_object_and_streamed_json(oai: openai.OpenAI) -> None:
    reply = chat(oai, response_format={"type": "json_object"})
    answer = json.loads(reply.choices[0].message.content)["answer"]
    assert answer == chat(oai).choices[0].message.content
    schema_format: Any = {
        "type": "json_schema",
        "json_schema": {"name": "plan", "schema": Plan.model_json_schema()},
    }
    whole = chat(oai, response_format=schema_format).choices[0].message.content
    with chat(oai, response_format=schema_format, stream=True) as stream:
        streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert streamed == whole


def test_invalid_json_fault_breaks_parsing(oai: openai.OpenAI, control: httpx.Client) -> None:
    fault(control, provider="openai", invalid_json=True)
    with pytest.raises(pydantic.ValidationError, match="json_invalid"):
        oai.chat.completions.parse(
            model="gpt-x", messages=[{"role": "user", "content": "plan"}], response_format=Plan
        )
    repaired = oai.chat.completions.parse(
        model="gpt-x", messages=[{"role": "user", "content": "plan"}], response_format=Plan
    )
    assert repaired.choices[0].message.parsed is not None


def test_invalid_json_fault_for_anthropic_tool_use(
    claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    forced: dict[str, Any] = {
        "tools": [PLAN_TOOL],
        "tool_choice": {"type": "tool", "name": "record_plan"},
    }
    fault(control, provider="anthropic", invalid_json=True, count=2)
    # Not streamed: the broken document arrives as a string `input`, which fails validation.
    broken = message(claude, "plan", **forced).content[0].input
    assert isinstance(broken, str)
    assert broken.endswith("}}}")
    with pytest.raises(pydantic.ValidationError):
        Plan.model_validate(broken)
    # Streamed: the garbage trails the input_json_delta events; the SDK's accumulator
    # (jiter in partial mode) ignores trailing characters, so the final input is intact.
    events: list[Any] = []
    drain_into(events, message(claude, "plan", stream=True, **forced))
    partial = "".join(e.delta.partial_json for e in events if e.type == "content_block_delta")
    assert partial.endswith("}}}")
    with pytest.raises(json.JSONDecodeError):
        json.loads(partial)


def test_anthropic_forced_tool_use(claude: anthropic.Anthropic) -> None:
    reply = message(
        claude,
        "plan the garden week [[standin label=later]]",
        tools=[PLAN_TOOL],
        tool_choice={"type": "tool", "name": "record_plan"},
    )
    assert reply.stop_reason == "tool_use"
    block = reply.content[0]
    assert block.type == "tool_use"
    assert block.name == "record_plan"
    plan = Plan.model_validate(block.input)
    assert plan.label == "later"
    assert plan.title == "Plan The Garden Week"
    assert reply.usage.output_tokens > 0

    with claude.messages.stream(
        model="claude-x",
        max_tokens=256,
        messages=[{"role": "user", "content": "plan the garden week [[standin label=later]]"}],
        tools=[PLAN_TOOL],  # type: ignore[list-item]
        tool_choice={"type": "tool", "name": "record_plan"},
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].type == "tool_use"
    assert final.content[0].input == block.input
    assert final.stop_reason == "tool_use"


def test_anthropic_output_format_parse(claude: anthropic.Anthropic) -> None:
    parsed = claude.messages.parse(
        model="claude-x",
        max_tokens=256,
        messages=[{"role": "user", "content": "plan the garden week"}],
        output_format=Plan,
    )
    plan = parsed.parsed_output
    assert plan is not None
    assert plan.steps[0].minutes == 5  # `ge=5` travels in the description; it is honoured


def test_schema_generator_edge_cases() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "short": {"type": "string", "maxLength": 4},
            "long": {"type": "string", "minLength": 60},
            "ratio": {"type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 2},
            "count": {"type": "integer", "minimum": 10},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "tree": {"$ref": "#/$defs/Node"},
        },
        "required": ["id"],
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                },
            }
        },
    }
    value = standin.generate_from_schema(schema, prompt="hello world")
    assert value == standin.generate_from_schema(schema, prompt="hello world")
    assert len(value["id"]) == 36
    assert len(value["short"]) <= 4
    assert len(value["long"]) >= 60
    assert 1 < value["ratio"] < 2
    assert value["count"] == 10
    assert value["tags"] == ["hello world", "hello world 2"]
    assert isinstance(value["tree"]["children"], list)  # recursion stops


# --- embeddings ------------------------------------------------------------------------


def test_embeddings_are_deterministic_unit_vectors(oai: openai.OpenAI) -> None:
    # The SDK asks for base64 by default and decodes it; floats must agree exactly.
    packed = oai.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta", "alpha"])
    floats = oai.embeddings.create(
        model="text-embedding-3-small", input=["alpha", "beta"], encoding_format="float"
    )
    vectors = [d.embedding for d in packed.data]
    assert len(vectors[0]) == 256  # WordLlama's size when none is asked (OpenAI: 1536)
    assert vectors[0] == vectors[2] == floats.data[0].embedding
    assert vectors[1] == floats.data[1].embedding
    assert vectors[0] != vectors[1]
    for vector in vectors:
        assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, abs_tol=1e-5)
    assert packed.usage.prompt_tokens == 2 + 1 + 2
    assert packed.model == "text-embedding-3-small"
    small = oai.embeddings.create(model="m", input="alpha", dimensions=64)
    assert len(small.data[0].embedding) == 64


# --- faults ----------------------------------------------------------------------------


def test_errors_raise_the_sdk_types(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    fault(control, provider="openai", status=500)
    with pytest.raises(openai.InternalServerError) as server_error:
        chat(oai)
    assert server_error.value.status_code == 500
    assert server_error.value.type == "server_error"
    assert server_error.value.response.headers["x-should-retry"] == "false"

    fault(control, provider="openai", status=429)
    with pytest.raises(openai.RateLimitError) as rate_limited:
        chat(oai)
    assert rate_limited.value.code == "rate_limit_exceeded"

    fault(control, provider="anthropic", status=529)
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        message(claude)
    assert isinstance(overloaded.value, anthropic.InternalServerError)
    assert overloaded.value.status_code == 529
    assert overloaded.value.type == "overloaded_error"

    fault(control, provider="anthropic", status=500)
    with pytest.raises(anthropic.InternalServerError) as api_error:
        message(claude, stream=True)  # errors come before the stream, as headers
    assert api_error.value.type == "api_error"

    fault(control, provider="anthropic", status=429)
    with pytest.raises(anthropic.RateLimitError):
        message(claude)


def test_should_retry_false_is_honoured(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    # One failure only: an SDK that retried would succeed on its second attempt.
    fault(control, provider="*", status=503, count=2)
    with pytest.raises(openai.InternalServerError):
        chat(oai.with_options(max_retries=3))
    with pytest.raises(anthropic.ServiceUnavailableError):
        message(claude.with_options(max_retries=3))
    assert len(requests_log(control)) == 2


def test_fault_count_and_provider_filter(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    armed = fault(control, provider="openai", status=500, count=2)
    assert armed["remaining"] == 2
    with pytest.raises(openai.InternalServerError):
        chat(oai)
    assert message(claude).stop_reason == "end_turn"  # not for this provider
    assert control.get("/faults").json()[0]["remaining"] == 1
    with pytest.raises(openai.InternalServerError):
        chat(oai)
    assert control.get("/faults").json() == []
    assert chat(oai).choices[0].finish_reason == "stop"

    fault(control, provider="*", endpoint="embeddings", status=500)
    assert chat(oai).choices[0].finish_reason == "stop"  # not for this endpoint
    with pytest.raises(openai.InternalServerError):
        oai.embeddings.create(model="m", input="x")

    fault(control, provider="*", status=400, count=5)
    assert control.delete("/faults").json() == {"cleared": 1}
    assert chat(oai).choices[0].finish_reason == "stop"

    for bad in ({"provider": "gemini"}, {"count": 0}, {"status": 200}, {"colour": "red"}):
        assert control.post("/faults", json=bad).status_code == 400


def test_cut_after_ends_the_stream_abruptly(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    # OpenAI wraps the truncated body in APIConnectionError; Anthropic lets httpx2's
    # RemoteProtocolError through unwrapped.
    chunks: list[Any] = []
    with pytest.raises(openai.APIConnectionError) as cut:
        drain_into(chunks, chat(oai, "[[standin cut_after=3]] hi", stream=True))
    assert "incomplete chunked read" in str(cut.value.__cause__)
    assert [c.choices[0].delta.content for c in chunks] == ["", "Aura ", "stand-in ", "reply "]

    fault(control, provider="anthropic", cut_after=2)
    events: list[Any] = []
    with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
        drain_into(events, message(claude, stream=True))
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
    ]

    for entry in requests_log(control):
        assert entry["status"] == 200
        assert entry["completed"] is False
        assert entry["client_closed"] is False
    assert [e["tokens_sent"] for e in requests_log(control)] == [3, 2]


def test_malformed_after_breaks_the_sdk_parser(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    received: list[Any] = []
    with pytest.raises(json.JSONDecodeError):
        drain_into(received, chat(oai, "[[standin malformed_after=2]]", stream=True))
    assert len(received) == 3  # the role chunk and two tokens
    fault(control, provider="anthropic", malformed_after=0)
    with pytest.raises(json.JSONDecodeError):
        drain_into([], message(claude, stream=True))
    entries = requests_log(control)
    assert [e["tokens_sent"] for e in entries] == [2, 0]
    assert not any(e["completed"] for e in entries)


def test_client_closing_a_stream_is_logged(oai: openai.OpenAI, control: httpx.Client) -> None:
    stream = chat(oai, "long [[standin tokens=100 token_delay_ms=50]]", stream=True)
    for index, _ in enumerate(stream):
        if index == 2:
            break
    stream.close()
    deadline = time.monotonic() + 1
    entry = requests_log(control)[0]
    while not entry["client_closed"] and time.monotonic() < deadline:
        time.sleep(0.02)
        entry = requests_log(control)[0]
    assert entry["client_closed"] is True
    assert entry["completed"] is False
    assert entry["tokens_sent"] < 100
    assert entry["ended_at"] is not None


def test_hang_lets_a_client_time_out(oai: openai.OpenAI, control: httpx.Client) -> None:
    fault(control, provider="openai", hang_ms=3000)
    with pytest.raises(openai.APITimeoutError):
        chat(oai.with_options(timeout=0.3))
    deadline = time.monotonic() + 1
    entry = requests_log(control)[0]
    while not entry["client_closed"] and time.monotonic() < deadline:
        time.sleep(0.02)
        entry = requests_log(control)[0]
    assert entry["client_closed"] is True
    assert entry["status"] is None  # nothing was sent


# --- control API -----------------------------------------------------------------------


def test_request_log_and_health(
    oai: openai.OpenAI, claude: anthropic.Anthropic, control: httpx.Client
) -> None:
    assert control.get("/health").json() == {"ok": True}
    chat(oai, "x" * 300)
    drain_into([], message(claude, stream=True))
    oai.embeddings.create(model="emb", input="hello")
    first, second, third = requests_log(control)
    assert first["provider"] == "openai"
    assert first["endpoint"] == "chat"
    assert first["model"] == "gpt-standin"
    assert first["stream"] is False
    assert first["prompt"] == "x" * 200
    assert first["status"] == 200
    assert first["tokens_sent"] == 24
    assert first["completed"] is True
    assert first["client_closed"] is False
    assert first["started_at"] <= first["ended_at"]
    assert (second["provider"], second["endpoint"], second["stream"]) == (
        "anthropic",
        "messages",
        True,
    )
    assert second["tokens_sent"] == 24
    assert second["completed"] is True
    assert (third["endpoint"], third["prompt"]) == ("embeddings", "hello")
    assert control.delete("/requests").json() == {"cleared": 3}
    assert requests_log(control) == []


def test_unknown_provider_paths_are_typed_404s(
    oai: openai.OpenAI, claude: anthropic.Anthropic
) -> None:
    with pytest.raises(openai.NotFoundError):
        oai.models.list()
    with pytest.raises(anthropic.NotFoundError):
        claude.models.list()


# --- the package -----------------------------------------------------------------------


def test_public_surface() -> None:
    assert set(standin.__all__) == {
        "DEFAULT_TOKENS",
        "Behaviour",
        "StandinRequestError",
        "StandinState",
        "answer_tokens",
        "create_app",
        "embedding_vector",
        "estimate_tokens",
        "generate_from_schema",
        "main",
        "normalize",
        "parse_directives",
        "parse_settings",
        "read_prompt",
        "serve_in_thread",
        "split_tokens",
    }
    for name in standin.__all__:
        assert getattr(standin, name) is not None


def test_the_module_runs_the_server() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.standin", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--first-token-delay-ms" in result.stdout

"""The AI gateway in-process against the stand-in and the Firestore emulator."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shared.ai.errors import StreamInterrupted, StructuredOutputInvalid
from shared.ai.models import AIRequest, Message
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

pytestmark = pytest.mark.usefixtures("standin")


def request(text: str, **kwargs: object) -> AIRequest:
    return AIRequest(
        uid="gateway-user",
        purpose="classify",
        temperature=0.0,
        messages=(Message(role="user", content=text),),
        **kwargs,  # type: ignore[arg-type]
    )


def calls() -> int:
    return len(emu.standin_requests())


def test_identical_deterministic_request_is_served_from_cache() -> None:
    gateway = local_gateway()
    first = gateway.complete(request("cache me"), plan="free")
    made = calls()
    second = gateway.complete(request("cache me"), plan="free")

    assert first.cached is False
    assert second.cached is True
    assert second.text == first.text
    assert calls() == made == 1


def test_non_deterministic_requests_are_not_cached() -> None:
    gateway = local_gateway()
    warm = request("fresh each time").model_copy(update={"temperature": 0.7})
    gateway.complete(warm, plan="free")
    gateway.complete(warm, plan="free")
    assert calls() == 2


def test_fast_purposes_use_the_fast_tier() -> None:
    result = local_gateway().complete(request("which tier"), plan="free")
    assert result.model == "gpt-4o-mini"
    assert result.usage.cost_usd > 0


class Verdict(BaseModel):
    label: str
    confidence: float


def test_structured_output_is_repaired_once() -> None:
    emu.standin_fault(provider="openai", invalid_json=True, count=1)
    verdict, result = local_gateway().structured(request("judge this"), Verdict, plan="free")

    assert 0 <= verdict.confidence <= 1
    assert calls() == 2  # the broken answer, then the repair
    assert result.cached is False


def test_structured_output_invalid_twice_fails_clearly() -> None:
    emu.standin_fault(provider="*", invalid_json=True, count=2)
    with pytest.raises(StructuredOutputInvalid):
        local_gateway().structured(request("judge that"), Verdict, plan="free")


def test_a_stream_that_stalls_midway_is_cut_instead_of_awaited() -> None:
    gateway = local_gateway(stall_s=1.0)
    stalled = request("Stall midway [[standin tokens=4 token_delay_ms=4000]]").model_copy(
        update={"purpose": "chat"}
    )
    received: list[str] = []

    with pytest.raises(StreamInterrupted):
        received.extend(gateway.stream(stalled, plan="free"))

    assert received, "the first token arrives before the stall"
    request_log = emu.wait_for(
        lambda: [
            r
            for r in emu.standin_requests()
            if "Stall midway" in r["prompt"] and r["client_closed"]
        ],
        timeout=10,
    )
    assert request_log[0]["tokens_sent"] < 4

"""`Gateway.embed` in-process against the stand-in's WordLlama vectors and the Firestore
emulator: meaning, the cache, the usage ledger, retries."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.ai import repository
from shared.ai.config import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL
from shared.ai.errors import AllProvidersFailed
from shared.platform import clients
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

pytestmark = pytest.mark.usefixtures("standin")

UID = "embed-user"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def embedding_calls() -> list[dict[str, Any]]:
    return [r for r in emu.standin_requests() if r["endpoint"] == "embeddings"]


def ledger() -> dict[str, Any]:
    snapshot = repository.usage_ref(clients.get_db(), UID, datetime.now(UTC)).get()
    return snapshot.to_dict() or {}


def test_vectors_follow_meaning_and_a_repeat_costs_no_call() -> None:
    gateway = local_gateway()
    texts = ["I have a dog named Rex", "my pet is a dog", "the stock market fell"]
    first = gateway.embed(texts, uid=UID, plan="free")

    dog, pet, market = first.vectors
    assert cosine(dog, pet) > cosine(dog, market) + 0.3
    assert all(len(v) == EMBEDDING_DIMENSIONS for v in first.vectors)
    assert all(math.isclose(cosine(v, v), 1.0, abs_tol=1e-5) for v in first.vectors)
    calls = embedding_calls()
    assert len(calls) == 1
    assert calls[0]["model"] == EMBEDDING_MODEL
    assert first.cached == 0
    assert first.usage.input_tokens > 0
    assert first.usage.cost_usd > 0

    after_first = ledger()
    assert after_first["requests"] == 1
    assert after_first["inputTokens"] == first.usage.input_tokens
    assert after_first["outputTokens"] == 0
    assert after_first["costUsd"] == pytest.approx(first.usage.cost_usd)
    assert not after_first.get("reservations")

    again = local_gateway().embed(list(reversed(texts)), uid=UID, plan="free")
    assert len(embedding_calls()) == 1  # no stand-in request: all three from the cache
    assert again.vectors == list(reversed(first.vectors))
    assert again.cached == 3
    assert again.usage.input_tokens == 0
    assert ledger()["requests"] == 1  # nothing reserved or metered for a cache hit


def test_a_failing_provider_is_retried_and_a_dead_one_releases_the_quota() -> None:
    emu.standin_fault(provider="openai", endpoint="embeddings", status=503, count=1)
    result = local_gateway().embed(["retried once"], uid=UID, plan="free")
    assert len(result.vectors[0]) == EMBEDDING_DIMENSIONS
    assert [c["status"] for c in embedding_calls()] == [503, 200]

    emu.standin_fault(provider="openai", endpoint="embeddings", status=500, count=2)
    with pytest.raises(AllProvidersFailed):
        local_gateway().embed(["never answered"], uid=UID, plan="free")
    after = ledger()
    assert after["requests"] == 1  # only the call that succeeded
    assert not after.get("reservations")  # the failed call's hold is given back

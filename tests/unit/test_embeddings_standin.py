"""The stand-in's embeddings: WordLlama vectors computed offline (meaning, size, format,
determinism, no network), served over HTTP to the real OpenAI SDK."""

from __future__ import annotations

import logging
import math
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tools import standin
from tools.standin import embeddings

DOG, PET, MARKET = "I have a dog named Rex", "my pet is a dog", "the stock market fell"


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(vector: Sequence[float]) -> float:
    return math.sqrt(sum(v * v for v in vector))


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    url, stop = standin.serve_in_thread(first_token_delay_ms=0, token_delay_ms=0)
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="module")
def oai(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        api_key="standin", base_url=f"{base_url}/openai/v1", max_retries=0, timeout=10
    ) as client:
        yield client


@pytest.fixture
def control(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/_standin", timeout=5) as client:
        client.delete("/faults").raise_for_status()
        yield client
        client.delete("/faults").raise_for_status()


# --- the vectors -----------------------------------------------------------------------


def test_the_model_is_wordllama_not_the_hash_fallback() -> None:
    assert embeddings.semantic()
    assert embeddings.max_dimensions() == 256


def test_vectors_follow_meaning() -> None:
    dog, pet, market = embeddings.embed_texts([DOG, PET, MARKET], 256)
    assert cosine(dog, pet) > cosine(dog, market) + 0.3
    for question, fact, unrelated in [
        ("what is my dog called", DOG, "the stock market fell"),
        ("when is my sister's birthday", "my sister was born on 3 May", "I work at a bank"),
        ("which food am I allergic to", "I am allergic to peanuts", "my car is blue"),
    ]:
        q, f, u = embeddings.embed_texts([question, fact, unrelated], 256)
        assert cosine(q, f) > cosine(q, u), question


def test_vectors_are_256_unit_floats_and_deterministic() -> None:
    first = embeddings.embed_texts([DOG, MARKET])
    again = embeddings.embed_texts([MARKET, DOG])
    assert first == [again[1], again[0]]  # the same text, the same vector, in any batch
    for vector in first:
        assert len(vector) == 256
        assert all(isinstance(v, float) and math.isfinite(v) for v in vector)
        assert norm(vector) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("dimensions", [64, 128, 200])
def test_fewer_dimensions_are_the_normalised_prefix(dimensions: int) -> None:
    (full,) = embeddings.embed_texts([DOG], 256)
    (short,) = embeddings.embed_texts([DOG], dimensions)
    assert len(short) == dimensions
    assert norm(short) == pytest.approx(1.0, abs=1e-5)
    prefix = full[:dimensions]
    scale = norm(prefix)
    assert short == pytest.approx([v / scale for v in prefix], abs=1e-6)
    dog, pet, market = embeddings.embed_texts([DOG, PET, MARKET], dimensions)
    assert cosine(dog, pet) > cosine(dog, market)  # Matryoshka: still meaningful


def test_the_model_loads_from_its_wheel_with_no_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    attempts: list[Any] = []

    def no_network(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("network is off in this test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path))  # WordLlama's default cache is ~/.cache
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    started = time.perf_counter()
    model = embeddings.load_model()
    elapsed = time.perf_counter() - started

    vectors = model.embed([DOG, PET], norm=True)
    assert vectors.shape == (2, 256)
    assert attempts == []
    assert list(tmp_path.iterdir()) == []  # nothing downloaded or cached
    assert elapsed < 5.0


def test_hash_vectors_only_when_wordllama_cannot_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Any:
        raise FileNotFoundError("weights missing")

    monkeypatch.setattr(embeddings._Loaded, "model", None)
    monkeypatch.setattr(embeddings._Loaded, "error", None)
    monkeypatch.setattr(embeddings, "load_model", broken)
    with caplog.at_level(logging.ERROR, logger="aura.ai_standin"):
        vectors = embeddings.embed_texts([DOG, PET], 512)
    assert not embeddings.semantic()
    assert embeddings.max_dimensions() is None
    assert vectors == [embeddings.embedding_vector(DOG, 512), embeddings.embedding_vector(PET, 512)]
    assert any("HASH vectors" in r.getMessage() for r in caplog.records)


# --- over HTTP, through the SDK -------------------------------------------------------


def test_the_sdk_gets_semantic_vectors_in_base64_and_float_alike(oai: openai.OpenAI) -> None:
    # The SDK asks for base64 unless told otherwise, and decodes it.
    packed = oai.embeddings.create(
        model="text-embedding-3-small", input=[DOG, PET, MARKET], dimensions=256
    )
    floats = oai.embeddings.create(
        model="text-embedding-3-small", input=[DOG], dimensions=256, encoding_format="float"
    )
    dog, pet, market = (d.embedding for d in packed.data)
    assert dog == floats.data[0].embedding
    assert dog == embeddings.embed_texts([DOG], 256)[0]
    assert cosine(dog, pet) > cosine(dog, market) + 0.3
    assert [d.index for d in packed.data] == [0, 1, 2]
    assert packed.usage.prompt_tokens == packed.usage.total_tokens > 0
    small = oai.embeddings.create(model="text-embedding-3-small", input=DOG, dimensions=64)
    assert len(small.data[0].embedding) == 64


def test_what_the_model_cannot_give_is_a_400(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="at most 256"):
        oai.embeddings.create(model="text-embedding-3-small", input=DOG, dimensions=1536)
    with pytest.raises(openai.BadRequestError, match="empty"):
        oai.embeddings.create(model="text-embedding-3-small", input=[DOG, ""])


def test_faults_apply_to_embeddings(oai: openai.OpenAI, control: httpx.Client) -> None:
    control.post(
        "/faults", json={"provider": "openai", "endpoint": "embeddings", "status": 503}
    ).raise_for_status()
    with pytest.raises(openai.InternalServerError) as unavailable:
        oai.embeddings.create(model="text-embedding-3-small", input=DOG, dimensions=256)
    assert unavailable.value.status_code == 503
    ok = oai.embeddings.create(model="text-embedding-3-small", input=DOG, dimensions=256)
    assert len(ok.data[0].embedding) == 256
    with pytest.raises(openai.RateLimitError):
        oai.embeddings.create(model="m", input="[[standin status=429]] hello", dimensions=256)

"""`Gateway.embed` in memory: limits, cache keys, batching, quota, retries, pricing, and
the Anthropic-only refusal (a fake provider client and a fake Firestore; the real ones
are in tests/integration/test_embeddings.py)."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.ai import embeddings, quotas
from shared.ai import gateway as gateway_module
from shared.ai.config import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, GatewayConfig
from shared.ai.errors import AllProvidersFailed, ProviderError
from shared.ai.gateway import CircuitBreaker, Gateway, cost_usd
from shared.ai.models import Usage
from shared.ai.providers import EmbeddingClient, OpenAIClient, build_clients
from shared.errors import FailedPrecondition, InvalidArgument

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
_original_batches = embeddings.batches

# --- fakes --------------------------------------------------------------------------


@dataclass
class Snap:
    id: str
    data: dict[str, Any] | None

    @property
    def exists(self) -> bool:
        return self.data is not None

    def to_dict(self) -> dict[str, Any] | None:
        return self.data


@dataclass
class Ref:
    store: dict[str, dict[str, Any]]
    path: str

    @property
    def id(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class Batch:
    def __init__(self, db: FakeDb) -> None:
        self._db = db
        self._writes: list[tuple[Ref, dict[str, Any]]] = []

    def set(self, ref: Ref, data: dict[str, Any]) -> None:
        self._writes.append((ref, data))

    def commit(self) -> None:
        self._db.commits.append(len(self._writes))
        for ref, data in self._writes:
            self._db.docs[ref.path] = data


class Collection:
    def __init__(self, db: FakeDb, name: str) -> None:
        self._db = db
        self._name = name

    def document(self, key: str) -> Ref:
        return Ref(self._db.docs, f"{self._name}/{key}")


@dataclass
class FakeDb:
    """Just what the embeddings cache uses: documents, `get_all`, batches."""

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)

    def collection(self, name: str) -> Collection:
        return Collection(self, name)

    def get_all(self, refs: Iterable[Ref]) -> list[Snap]:
        refs = list(refs)
        self.reads.append(len(refs))
        return [Snap(r.id, self.docs.get(r.path)) for r in reversed(refs)]  # any order

    def batch(self) -> Batch:
        return Batch(self)


def fake_vector(text: str, dimensions: int) -> list[float]:
    raw = [float((hash(text) >> i) % 7 + 1) for i in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in raw))
    return [v / norm for v in raw]


class FakeEmbedder:
    name = "openai"

    def __init__(self, failures: Sequence[ProviderError] = ()) -> None:
        self.calls: list[list[str]] = []
        self.failures = list(failures)

    def embed(self, texts: list[str], model: str, dimensions: int) -> tuple[list[list[float]], int]:
        assert (model, dimensions) == (EMBEDDING_MODEL, EMBEDDING_DIMENSIONS)
        self.calls.append(list(texts))
        if self.failures:
            raise self.failures.pop(0)
        return [fake_vector(t, dimensions) for t in texts], sum(len(t) for t in texts)


@dataclass
class Ledger:
    reserved: list[dict[str, Any]] = field(default_factory=list)
    settled: list[tuple[Usage, int]] = field(default_factory=list)
    released: int = 0


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """The quota calls the gateway makes, recorded instead of written."""
    book = Ledger()

    def reserve(db: Any, **kwargs: Any) -> quotas.Reservation:
        book.reserved.append(kwargs)
        return quotas.Reservation(
            ref=None,  # type: ignore[arg-type]
            id="r1",
            tokens=kwargs["estimate"],
            requests=kwargs.get("requests", 1),
        )

    def settle(reservation: quotas.Reservation, usage: Usage, now: datetime, **kw: Any) -> None:
        book.settled.append((usage, kw.get("requests", 1)))

    def release(reservation: quotas.Reservation, now: datetime) -> None:
        book.released += 1

    monkeypatch.setattr(quotas, "reserve", reserve)
    monkeypatch.setattr(quotas, "settle", settle)
    monkeypatch.setattr(quotas, "release", release)
    return book


def make_gateway(
    client: Any, db: FakeDb | None = None, **config: Any
) -> tuple[Gateway, list[float]]:
    slept: list[float] = []
    gateway = Gateway(
        config=GatewayConfig(providers={}, **config),
        db=db or FakeDb(),  # type: ignore[arg-type]
        clients={"openai": client},
        breaker=CircuitBreaker(threshold=3, cooldown_s=30.0),
        now=lambda: NOW,
        sleep=slept.append,
    )
    return gateway, slept


# --- limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "field_name"),
    [
        ([], "texts"),
        ("one string", "texts"),
        (["ok", ""], "texts[1]"),
        (["  \n"], "texts[0]"),
        (["ok", "x" * 8_001], "texts[1]"),
        ([3], "texts[0]"),
        (["a"] * 2_049, "texts"),
    ],
)
def test_bad_texts_are_refused_naming_the_field_before_any_call(
    ledger: Ledger, texts: Any, field_name: str
) -> None:
    client = FakeEmbedder()
    db = FakeDb()
    gateway, _ = make_gateway(client, db)
    with pytest.raises(InvalidArgument) as refused:
        gateway.embed(texts, uid="u", plan="free")
    assert refused.value.field == field_name
    assert client.calls == []
    assert ledger.reserved == []
    assert db.reads == []


def test_a_text_of_exactly_the_limit_is_accepted(ledger: Ledger) -> None:
    gateway, _ = make_gateway(FakeEmbedder())
    result = gateway.embed(["é" * embeddings.MAX_TEXT_CHARS], uid="u", plan="free")
    assert len(result.vectors[0]) == EMBEDDING_DIMENSIONS


def test_the_refusal_says_how_long_a_text_may_be() -> None:
    with pytest.raises(InvalidArgument, match="at most 8,000 characters") as refused:
        embeddings.check_texts(["x" * 9_000])
    assert refused.value.details["maxChars"] == 8_000


# --- cache keys and batches ----------------------------------------------------------


def test_cache_keys_depend_on_model_dimensions_and_text_only() -> None:
    key = embeddings.cache_key("text-embedding-3-small", 256, "I have a dog")
    assert key == embeddings.cache_key("text-embedding-3-small", 256, "I have a dog")
    assert len(key) == 64
    assert int(key, 16) >= 0
    others = {
        embeddings.cache_key("text-embedding-3-large", 256, "I have a dog"),
        embeddings.cache_key("text-embedding-3-small", 128, "I have a dog"),
        embeddings.cache_key("text-embedding-3-small", 256, "I have a dog "),
        embeddings.cache_key("text-embedding-3-small", 256, "i have a dog"),
    }
    assert key not in others
    assert len(others) == 4


def test_batches_keep_order_and_hold_the_input_count() -> None:
    texts = [f"t{i}" for i in range(5_000)]
    runs = list(embeddings.batches(texts))
    assert [len(r) for r in runs] == [2_048, 2_048, 904]
    assert [t for run in runs for t in run] == texts


def test_batches_hold_the_token_budget_counted_in_utf8_bytes() -> None:
    # 8,000 three-byte characters are 24,000 bytes: at most 12 such texts in 300,000.
    texts = ["語" * 8_000] * 30
    runs = list(embeddings.batches(texts))
    assert [len(r) for r in runs] == [12, 12, 6]
    assert all(sum(embeddings.token_bound(t) for t in r) <= 300_000 for r in runs)
    assert embeddings.token_bound("語") == 3
    assert embeddings.token_bound("a") == 1
    assert list(embeddings.batches(["abc", "de"], max_tokens=2)) == [["abc"], ["de"]]


# --- the call ------------------------------------------------------------------------


def test_vectors_come_in_order_and_each_distinct_text_is_sent_once(ledger: Ledger) -> None:
    client = FakeEmbedder()
    gateway, _ = make_gateway(client)
    result = gateway.embed(["dog", "cat", "dog"], uid="u", plan="pro")

    assert client.calls == [["dog", "cat"]]
    assert result.vectors[0] == result.vectors[2] == fake_vector("dog", EMBEDDING_DIMENSIONS)
    assert result.vectors[1] == fake_vector("cat", EMBEDDING_DIMENSIONS)
    assert (result.model, result.dimensions, result.cached) == (EMBEDDING_MODEL, 256, 0)
    assert ledger.reserved == [
        {"uid": "u", "plan": "pro", "estimate": 2, "requests": 1, "now": NOW}
    ]
    assert ledger.settled == [(result.usage, 1)]
    assert result.usage.input_tokens == 6
    assert result.usage.output_tokens == 0


def test_a_repeated_text_costs_no_call_and_no_quota(ledger: Ledger) -> None:
    client = FakeEmbedder()
    db = FakeDb()
    gateway, _ = make_gateway(client, db)
    first = gateway.embed(["my pet is a dog", "rex"], uid="u", plan="free")
    again = gateway.embed(["rex", "my pet is a dog"], uid="u", plan="free")

    assert len(client.calls) == 1
    assert again.vectors == [first.vectors[1], first.vectors[0]]
    assert again.cached == 2
    assert again.usage == Usage()
    assert len(ledger.reserved) == 1
    assert len(ledger.settled) == 1
    key = embeddings.cache_key(EMBEDDING_MODEL, EMBEDDING_DIMENSIONS, "rex")
    stored = db.docs[f"_aiCache/{key}"]
    assert stored["model"] == EMBEDDING_MODEL
    assert stored["dimensions"] == 256
    assert stored["expiresAt"] == NOW + timedelta(days=30)


def test_only_the_texts_missing_from_the_cache_are_sent(ledger: Ledger) -> None:
    client = FakeEmbedder()
    gateway, _ = make_gateway(client)
    gateway.embed(["a"], uid="u", plan="free")
    mixed = gateway.embed(["a", "b", "c"], uid="u", plan="free")
    assert client.calls == [["a"], ["b", "c"]]
    assert mixed.cached == 1
    assert mixed.usage.input_tokens == 2


def test_expired_or_wrongly_sized_cache_entries_are_ignored(ledger: Ledger) -> None:
    db = FakeDb()
    for text, entry in {
        "old": {"embedding": [1.0] * 256, "expiresAt": NOW - timedelta(seconds=1)},
        "short": {"embedding": [1.0] * 64, "expiresAt": NOW + timedelta(days=1)},
    }.items():
        db.docs[f"_aiCache/{embeddings.cache_key(EMBEDDING_MODEL, 256, text)}"] = entry
    client = FakeEmbedder()
    gateway, _ = make_gateway(client, db)
    gateway.embed(["old", "short"], uid="u", plan="free")
    assert client.calls == [["old", "short"]]


def test_many_texts_go_in_batches_under_one_reservation(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "batches", functools.partial(_original_batches, max_inputs=2))
    client = FakeEmbedder()
    db = FakeDb()
    gateway, _ = make_gateway(client, db)
    result = gateway.embed(["a", "b", "c", "d", "e"], uid="u", plan="free")

    assert client.calls == [["a", "b"], ["c", "d"], ["e"]]
    assert len(result.vectors) == 5
    assert len(ledger.reserved) == 1
    assert ledger.reserved[0]["requests"] == 3
    assert ledger.settled == [(result.usage, 3)]
    assert db.reads == [5]  # one read for every text


def test_cost_comes_from_the_price_table() -> None:
    assert cost_usd("text-embedding-3-small", 1_000_000, 0) == pytest.approx(0.02)
    assert cost_usd("text-embedding-3-small", 500, 0) == pytest.approx(0.00001)
    assert gateway_module.PRICES[EMBEDDING_MODEL]["input"] > 0


def test_usage_is_metered_at_the_embedding_price(ledger: Ledger) -> None:
    gateway, _ = make_gateway(FakeEmbedder())
    result = gateway.embed(["x" * 4_000], uid="u", plan="free")
    assert result.usage.input_tokens == 4_000
    assert result.usage.cost_usd == pytest.approx(4_000 * 0.02 / 1_000_000)
    assert ledger.reserved[0]["estimate"] == 1_000  # ~4 characters a token


# --- failures ------------------------------------------------------------------------


def test_a_retryable_failure_is_retried_with_backoff(ledger: Ledger) -> None:
    client = FakeEmbedder([ProviderError("openai", "HTTP 503", retryable=True, status=503)])
    gateway, slept = make_gateway(client, backoff_s=0.2)
    result = gateway.embed(["retry me"], uid="u", plan="free")
    assert len(client.calls) == 2
    assert slept == [0.2]
    assert ledger.settled == [(result.usage, 1)]
    assert ledger.released == 0


def test_a_non_retryable_failure_fails_at_once_and_releases_the_quota(ledger: Ledger) -> None:
    client = FakeEmbedder([ProviderError("openai", "HTTP 400", retryable=False, status=400)])
    db = FakeDb()
    gateway, slept = make_gateway(client, db)
    with pytest.raises(AllProvidersFailed):
        gateway.embed(["bad"], uid="u", plan="free")
    assert len(client.calls) == 1
    assert slept == []
    assert ledger.released == 1
    assert ledger.settled == []
    assert db.commits == []


def test_repeated_failures_open_the_circuit(ledger: Ledger) -> None:
    errors = [ProviderError("openai", "HTTP 500", retryable=True, status=500)] * 4
    client = FakeEmbedder(errors)
    breaker = CircuitBreaker(threshold=3, cooldown_s=30.0)
    gateway = Gateway(
        config=GatewayConfig(providers={}),
        db=FakeDb(),  # type: ignore[arg-type]
        clients={"openai": client},  # type: ignore[dict-item]
        breaker=breaker,
        sleep=lambda _s: None,
    )
    for _ in range(2):
        with pytest.raises(AllProvidersFailed):
            gateway.embed(["down"], uid="u", plan="free")
    assert breaker.is_open("openai", time.monotonic())
    assert ledger.released == 2


def test_a_batch_failing_after_others_succeeded_keeps_and_meters_them(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "batches", functools.partial(_original_batches, max_inputs=1))
    failure = ProviderError("openai", "HTTP 400", retryable=False, status=400)

    class SecondFails(FakeEmbedder):
        def embed(
            self, texts: list[str], model: str, dimensions: int
        ) -> tuple[list[list[float]], int]:
            if len(self.calls) == 1:
                self.calls.append(list(texts))
                raise failure
            return super().embed(texts, model, dimensions)

    client = SecondFails()
    db = FakeDb()
    gateway, _ = make_gateway(client, db)
    with pytest.raises(AllProvidersFailed):
        gateway.embed(["first", "second"], uid="u", plan="free")
    assert ledger.settled == [(Usage(input_tokens=5, cost_usd=cost_usd(EMBEDDING_MODEL, 5, 0)), 1)]
    assert len(db.docs) == 1  # "first" is cached: a retry sends only "second"
    gateway.embed(["first", "second"], uid="u", plan="free")
    assert client.calls[-1] == ["second"]


# --- providers -----------------------------------------------------------------------


def test_with_only_an_anthropic_key_embeddings_refuse_clearly(ledger: Ledger) -> None:
    config = GatewayConfig.load(env={}, keys={"anthropic": "sk-ant"})
    gateway = Gateway(config=config, db=FakeDb(), clients=build_clients(config))  # type: ignore[arg-type]
    with pytest.raises(FailedPrecondition, match="OpenAI key") as refused:
        gateway.embed(["anything"], uid="u", plan="free")
    assert refused.value.code == "failed-precondition"
    assert "Anthropic has no embeddings API" in refused.value.message
    assert ledger.reserved == []


def test_the_openai_client_embeds_and_the_anthropic_client_does_not() -> None:
    config = GatewayConfig.load(env={}, keys={"openai": "k", "anthropic": "k"})
    clients = build_clients(config)
    assert isinstance(clients["openai"], EmbeddingClient)
    assert isinstance(clients["openai"], OpenAIClient)
    assert not isinstance(clients["anthropic"], EmbeddingClient)

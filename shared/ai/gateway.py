"""The AI gateway: every model call in Aura goes through here.

Per call: reserve an estimate of its tokens against the user's plan quota (atomically,
before any provider is called; `shared/ai/quotas.py`), route by purpose and input size
to a tier and a model, try providers in order (retrying retryable errors, falling back
to the other provider, skipping one whose circuit is open), serve deterministic requests
from an exact-match cache, and settle the reservation with the tokens and cost actually
used in `users/{uid}/usage/{yyyy-mm-dd}` afterwards (or release it when the call failed).

Several calls of one task (a chat turn: its reply, then the message's intent and the
conversation's title) may share one reservation, a `Tab`: one ledger read and write
before the first call and one settle after the last, instead of one of each per call.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.ai import embeddings, quotas, repository
from shared.ai.config import (
    EMBEDDING_DIMENSIONS,
    EMBEDDING_MODEL,
    EMBEDDING_PROVIDER,
    GatewayConfig,
)
from shared.ai.errors import (
    AllProvidersFailed,
    ProviderError,
    StreamInterrupted,
    StructuredOutputInvalid,
)
from shared.ai.models import (
    FAST_PURPOSES,
    PROVIDERS,
    AIRequest,
    AIResult,
    Embeddings,
    Message,
    Provider,
    Tier,
    Usage,
)
from shared.ai.providers import EmbeddingClient, ProviderClient, TextStream
from shared.errors import FailedPrecondition
from shared.platform import analytics, logs

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

M = TypeVar("M", bound=BaseModel)
PRICES: dict[str, dict[str, float]] = {
    k: v
    for k, v in json.loads((Path(__file__).parent / "prices.json").read_text()).items()
    if not k.startswith("_")
}


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    """Cost from the price table (USD per 1M tokens); unknown models cost 0."""
    price = PRICES.get(model)
    if price is None:
        return 0.0
    total = input_tokens * price["input"] + output_tokens * price["output"]
    return round(total / 1_000_000, 8)


def estimate_tokens(chars: int) -> int:
    """About four characters a token: used only when a provider reports no usage."""
    return math.ceil(chars / 4)


def estimate_call(request: AIRequest) -> int:
    """Tokens to reserve for a call: its input (about four characters a token) plus the
    most it may answer. An upper bound in practice, so a reservation rarely undercounts."""
    return estimate_tokens(request.input_chars()) + request.max_tokens


class CircuitBreaker:
    """Per-instance breaker: after `threshold` failures in a row a provider is skipped for
    `cooldown_s` (unless every provider is skipped). Instance-local on purpose: it only
    saves time, correctness never depends on it."""

    def __init__(self, threshold: int = 3, cooldown_s: float = 30.0) -> None:
        self._threshold = threshold
        self._cooldown_s = cooldown_s
        self._failures: dict[str, int] = {}
        self._opened_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_open(self, provider: str, now: float) -> bool:
        with self._lock:
            opened = self._opened_at.get(provider)
            return opened is not None and now - opened < self._cooldown_s

    def success(self, provider: str) -> None:
        with self._lock:
            self._failures[provider] = 0
            self._opened_at.pop(provider, None)

    def failure(self, provider: str, now: float) -> None:
        with self._lock:
            self._failures[provider] = self._failures.get(provider, 0) + 1
            if self._failures[provider] >= self._threshold:
                self._opened_at[provider] = now


class Tab:
    """One reservation for several calls (`Gateway.open_tab`); close it once, after them.

    A call made on the tab while it still holds a call uses that hold (no ledger write of
    its own) and adds its usage here; `Gateway.close_tab` settles the total, or releases
    the reservation when no call used it. A call beyond what the tab holds reserves for
    itself as usual."""

    def __init__(self, reservation: quotas.Reservation) -> None:
        self.reservation = reservation
        self._left = reservation.requests
        self.calls = 0
        self.usage = Usage()
        self.by_model: dict[tuple[str, str], tuple[int, Usage]] = {}  # for analytics
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Claim one of the calls the tab holds; False when it holds no more."""
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def add(self, usage: Usage, provider: str = "", model: str = "") -> None:
        """What one call on the tab used (once per call that reached a provider)."""
        with self._lock:
            self.calls += 1
            self.usage = _plus(self.usage, usage)
            calls, used = self.by_model.get((provider, model), (0, Usage()))
            self.by_model[(provider, model)] = (calls + 1, _plus(used, usage))


def _plus(a: Usage, b: Usage) -> Usage:
    return Usage(
        input_tokens=a.input_tokens + b.input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        cost_usd=round(a.cost_usd + b.cost_usd, 8),
    )


class Gateway:
    def __init__(
        self,
        *,
        config: GatewayConfig,
        db: Client,
        clients: Mapping[Provider, ProviderClient],
        breaker: CircuitBreaker | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._db = db
        self._clients = clients
        self._breaker = breaker or CircuitBreaker()
        self._now = now
        self._sleep = sleep

    # --- routing ---------------------------------------------------------------------

    def tier_for(self, request: AIRequest) -> Tier:
        if request.purpose in FAST_PURPOSES:
            if request.input_chars() > self._config.large_input_chars:
                return "strong"
            return "fast"
        return "strong"

    def route(self, request: AIRequest) -> list[tuple[Provider, str]]:
        """Providers to try, in order, each with its model for the request's tier."""
        tier = self.tier_for(request)
        order = list(PROVIDERS)
        if request.preferred_provider in order:
            order.remove(request.preferred_provider)
            order.insert(0, request.preferred_provider)
        available = [p for p in order if p in self._clients]
        clock = time.monotonic()
        closed = [p for p in available if not self._breaker.is_open(p, clock)]
        chosen = closed or available  # every circuit open: try anyway rather than fail
        return [(p, self._config.providers[p].models[tier]) for p in chosen]

    # --- quota and metering ----------------------------------------------------------

    def reserve(self, request: AIRequest, plan: str) -> quotas.Reservation:
        """Hold quota for `request` before any provider is called.

        Raises:
            ResourceExhausted: today's quota cannot hold this call on top of the others.
        """
        return quotas.reserve(
            self._db, uid=request.uid, plan=plan, estimate=estimate_call(request), now=self._now()
        )

    def settle(self, reservation: quotas.Reservation, usage: Usage) -> None:
        quotas.settle(reservation, usage, self._now())

    def _meter(self, used: dict[tuple[str, str], tuple[int, Usage]]) -> None:
        """Usage analytics: {(provider, model): (requests, usage)} in one write, where the
        usage is settled (best effort: never raises)."""
        analytics.record_ai(self._db, used, now=self._now())

    def open_tab(self, requests: Sequence[AIRequest], *, plan: str) -> Tab:
        """One reservation for `requests` (the first is the one that matters: when they do
        not all fit, the tab holds the first alone).

        Raises:
            ResourceExhausted: not even the first fits today's quota.
        """
        first, *rest = requests
        estimate = estimate_call(first)
        reservation = quotas.reserve(
            self._db,
            uid=first.uid,
            plan=plan,
            estimate=estimate + sum(estimate_call(r) for r in rest),
            requests=len(requests),
            fallback=(estimate, 1) if rest else None,
            now=self._now(),
        )
        return Tab(reservation)

    def close_tab(self, tab: Tab) -> None:
        """Settle what the tab's calls used in one write (release it if none ran). Never
        raises: like a lost release, a lost settle is logged (the hold expires anyway)."""
        try:
            if tab.calls:
                quotas.settle(tab.reservation, tab.usage, self._now(), requests=tab.calls)
                self._meter(tab.by_model)
            else:
                quotas.release(tab.reservation, self._now())
        except Exception as exc:
            logs.error("chat usage not recorded", error=repr(exc))

    def release(self, reservation: quotas.Reservation) -> None:
        """Give a reservation back. Never raises: it runs while another error is on its way
        out, and an unreleased reservation stops counting after RESERVATION_TTL_S anyway."""
        try:
            quotas.release(reservation, self._now())
        except Exception as exc:
            logs.error("quota reservation not released", error=repr(exc))

    # --- cache -----------------------------------------------------------------------

    def _cache_key(self, request: AIRequest, extra: dict[str, Any] | None) -> str:
        tier = self.tier_for(request)
        body = request.fingerprint({"tier": tier, **(extra or {})})
        return hashlib.sha256(body.encode()).hexdigest()

    def _cache_get(self, key: str) -> AIResult | None:
        snapshot = repository.cache_ref(self._db, key).get()
        if not snapshot.exists:
            return None
        data = snapshot.to_dict() or {}
        expires = data.get("expiresAt")
        if expires is None or expires <= self._now():
            return None
        return AIResult.model_validate({**data["result"], "cached": True})

    def _cache_put(self, key: str, result: AIResult, *, uid: str) -> None:
        """Keep `result` under `key`, with the uid of the request that wrote it (so
        account erasure finds the entries a user's requests wrote; one write)."""
        expires = self._now() + timedelta(seconds=self._config.cache_ttl_s)
        repository.cache_ref(self._db, key).set(
            {"result": result.model_dump(), "expiresAt": expires, "uid": uid}
        )

    # --- calls -----------------------------------------------------------------------

    def _attempts(self, request: AIRequest) -> Iterator[tuple[Provider, str, ProviderClient]]:
        """Yield (provider, model, client) per attempt: retries, then fallback."""
        for provider, model in self.route(request):
            for attempt in range(self._config.attempts_per_provider):
                if attempt:
                    self._sleep(self._config.backoff_s * 2 ** (attempt - 1))
                yield provider, model, self._clients[provider]

    # --- embeddings ------------------------------------------------------------------

    def embed(self, texts: Sequence[str], *, uid: str, plan: str) -> Embeddings:
        """A unit vector per text (`EMBEDDING_MODEL` at `EMBEDDING_DIMENSIONS`), in order.

        Texts already in the cache cost nothing; the rest (each distinct text once) are
        sent in batches within the API's limits under one quota reservation, settled
        with the tokens the provider reported, and cached. Retries and the circuit
        breaker as for completions; there is no fallback provider.

        Raises:
            InvalidArgument: no texts, too many, or one empty or too long (`texts[i]`).
            FailedPrecondition: no OpenAI key (Anthropic has no embeddings API).
            ResourceExhausted: over quota (no provider is called).
            AllProvidersFailed: the provider kept failing (vectors of the batches that
                succeeded are cached and metered).
        """
        embeddings.check_texts(texts)
        client = self._clients.get(EMBEDDING_PROVIDER)
        if not isinstance(client, EmbeddingClient):
            raise FailedPrecondition(
                "Embeddings need an OpenAI key: Anthropic has no embeddings API, so memory "
                "search is off until OPENAI_API_KEY is set.",
                details={"provider": EMBEDDING_PROVIDER, "model": EMBEDDING_MODEL},
            )
        model, dimensions = EMBEDDING_MODEL, EMBEDDING_DIMENSIONS
        keys = {text: embeddings.cache_key(model, dimensions, text) for text in texts}
        found = embeddings.cache_get(
            self._db, list(keys.values()), dimensions=dimensions, now=self._now()
        )
        missing = [text for text in keys if keys[text] not in found]
        usage = Usage()
        if missing:
            fresh, usage = self._embed_uncached(client, missing, uid=uid, plan=plan)
            found.update({keys[text]: vector for text, vector in fresh.items()})
        return Embeddings(
            vectors=[found[keys[text]] for text in texts],
            model=model,
            dimensions=dimensions,
            usage=usage,
            cached=sum(1 for text in texts if text not in missing),
        )

    def _embed_uncached(
        self, client: EmbeddingClient, texts: list[str], *, uid: str, plan: str
    ) -> tuple[dict[str, list[float]], Usage]:
        """Call the provider for `texts` (distinct, none cached) under one reservation."""
        model, dimensions = EMBEDDING_MODEL, EMBEDDING_DIMENSIONS
        runs = list(embeddings.batches(texts))
        reservation = quotas.reserve(
            self._db,
            uid=uid,
            plan=plan,
            estimate=sum(estimate_tokens(len(text)) for text in texts),
            requests=len(runs),
            now=self._now(),
        )
        vectors: dict[str, list[float]] = {}
        tokens = calls = 0
        try:
            for run in runs:
                batch_vectors, batch_tokens = self._embed_batch(client, run, model, dimensions)
                vectors.update(zip(run, batch_vectors, strict=True))
                tokens += batch_tokens
                calls += 1
        finally:
            usage = Usage(input_tokens=tokens, cost_usd=cost_usd(model, tokens, 0))
            if calls:
                try:
                    expires = self._now() + timedelta(seconds=self._config.embedding_cache_ttl_s)
                    keys = {
                        embeddings.cache_key(model, dimensions, t): v for t, v in vectors.items()
                    }
                    embeddings.cache_put(
                        self._db,
                        keys,
                        model=model,
                        dimensions=dimensions,
                        expires=expires,
                        uid=uid,
                    )
                finally:
                    quotas.settle(reservation, usage, self._now(), requests=calls)
                    self._meter({(EMBEDDING_PROVIDER, model): (calls, usage)})
            else:
                self.release(reservation)
        return vectors, usage

    def _embed_batch(
        self, client: EmbeddingClient, texts: list[str], model: str, dimensions: int
    ) -> tuple[list[list[float]], int]:
        """One batch with the completions' retry policy (`attempts_per_provider` tries
        with backoff; a non-retryable error stops at once) and circuit breaker (an open
        circuit is tried anyway: there is no other provider to route to)."""
        errors: list[str] = []
        provider = client.name
        for attempt in range(self._config.attempts_per_provider):
            if attempt:
                self._sleep(self._config.backoff_s * 2 ** (attempt - 1))
            try:
                result = client.embed(texts, model, dimensions)
            except ProviderError as exc:
                self._breaker.failure(provider, time.monotonic())
                errors.append(str(exc))
                logs.warning("ai embeddings failed", provider=provider, model=model, error=str(exc))
                if not exc.retryable:
                    break
                continue
            self._breaker.success(provider)
            return result
        raise AllProvidersFailed(
            "The embeddings provider is unavailable right now; please try again shortly.",
            details={"attempts": errors[-4:]},
        )

    def _run(
        self,
        request: AIRequest,
        call: Callable[[ProviderClient, str], tuple[str, int, int]],
    ) -> AIResult:
        errors: list[str] = []
        skip: set[str] = set()
        for provider, model, client in self._attempts(request):
            if provider in skip:
                continue
            try:
                text, tokens_in, tokens_out = call(client, model)
            except ProviderError as exc:
                self._breaker.failure(provider, time.monotonic())
                errors.append(str(exc))
                logs.warning("ai provider failed", provider=provider, model=model, error=str(exc))
                if not exc.retryable:
                    skip.add(provider)
                continue
            self._breaker.success(provider)
            usage = Usage(
                input_tokens=tokens_in,
                output_tokens=tokens_out,
                cost_usd=cost_usd(model, tokens_in, tokens_out),
            )
            return AIResult(text=text, provider=provider, model=model, usage=usage)
        raise AllProvidersFailed(
            "The AI providers are unavailable right now; please try again shortly.",
            details={"attempts": errors[-4:]},
        )

    def complete(
        self,
        request: AIRequest,
        *,
        plan: str,
        json_schema: dict[str, Any] | None = None,
        tab: Tab | None = None,
        cache: bool = True,
    ) -> AIResult:
        """One answer, not streamed. Deterministic requests may come from the cache (unless
        `cache` is False: a one-off text, not worth a cache read and write). On `tab`, the
        call uses the tab's reservation while it holds one.

        Raises:
            ResourceExhausted: over quota (no provider is called).
            AllProvidersFailed: every provider failed.
        """
        cached = cache and request.deterministic
        key = self._cache_key(request, {"schema": json_schema}) if cached else None
        if key is not None and (hit := self._cache_get(key)) is not None:
            return hit
        if tab is not None and tab.take():
            result = self._run(
                request, lambda client, model: client.complete(request, model, json_schema)
            )
            tab.add(result.usage, result.provider, result.model)  # a failed call: nothing
        else:
            reservation = self.reserve(request, plan)
            try:
                result = self._run(
                    request, lambda client, model: client.complete(request, model, json_schema)
                )
            except BaseException:
                self.release(reservation)
                raise
            self.settle(reservation, result.usage)
            self._meter({(result.provider, result.model): (1, result.usage)})
        if key is not None:
            self._cache_put(key, result, uid=request.uid)
        return result

    def structured(
        self,
        request: AIRequest,
        output: type[M],
        *,
        plan: str,
        tab: Tab | None = None,
        cache: bool = True,
    ) -> tuple[M, AIResult]:
        """An answer parsed into `output`; one repair attempt if the JSON is invalid.
        `tab` and `cache` as for `complete` (a repair beyond the tab reserves its own)."""
        schema = output.model_json_schema()
        result = self.complete(request, plan=plan, json_schema=schema, tab=tab, cache=cache)
        try:
            return output.model_validate_json(result.text), result
        except ValidationError as first_error:
            repair = request.model_copy(
                update={
                    "messages": (
                        *request.messages,
                        Message(role="assistant", content=result.text[:4000]),
                        Message(
                            role="user",
                            content=(
                                "That was not valid JSON for the schema. Errors: "
                                f"{first_error.errors(include_url=False)[:3]}. "
                                "Answer again with only the corrected JSON."
                            ),
                        ),
                    )
                }
            )
            repaired = self.complete(repair, plan=plan, json_schema=schema, tab=tab, cache=cache)
            try:
                return output.model_validate_json(repaired.text), repaired
            except ValidationError as exc:
                raise StructuredOutputInvalid(
                    "The AI answer could not be understood; please try again."
                ) from exc

    def stream(self, request: AIRequest, *, plan: str, tab: Tab | None = None) -> ReplyStream:
        """A streamed answer. Falls back to another provider until the first token; after
        that a failure raises StreamInterrupted (the caller keeps the partial text).

        Quota is reserved here, before any provider is called (or taken from `tab`);
        `ReplyStream.finish()` settles it (the stream settles itself when it fails), or
        adds the usage to the tab, which settles when closed.

        Raises:
            ResourceExhausted: over quota (no provider is called).
        """
        if tab is not None and tab.take():
            return ReplyStream(self, request, None, tab)
        return ReplyStream(self, request, self.reserve(request, plan))

    def _open_stream(
        self, request: AIRequest
    ) -> tuple[Provider, str, TextStream, Iterator[str], str]:
        errors: list[str] = []
        skip: set[str] = set()
        for provider, model, client in self._attempts(request):
            if provider in skip:
                continue
            stream: TextStream | None = None
            try:
                stream = client.stream(request, model)
                deltas = iter(stream)
                first = next(deltas, "")
            except ProviderError as exc:
                if stream is not None:
                    stream.close()
                self._breaker.failure(provider, time.monotonic())
                errors.append(str(exc))
                logs.warning("ai stream failed to start", provider=provider, error=str(exc))
                if not exc.retryable:
                    skip.add(provider)
                continue
            self._breaker.success(provider)
            return provider, model, stream, deltas, first
        raise AllProvidersFailed(
            "The AI providers are unavailable right now; please try again shortly.",
            details={"attempts": errors[-4:]},
        )


class ReplyStream:
    """Iterate text deltas; `close()` from any thread stops the provider stream; `finish()`
    meters what was generated (provider-reported usage, else an estimate) in place of the
    quota reservation, or releases the reservation when no provider stream ever opened."""

    def __init__(
        self,
        gateway: Gateway,
        request: AIRequest,
        reservation: quotas.Reservation | None,
        tab: Tab | None = None,
    ) -> None:
        self._gateway = gateway
        self._request = request
        self._reservation = reservation
        self._tab = tab
        self.provider: Provider | None = None
        self.model: str | None = None
        self._stream: TextStream | None = None
        self._chars = 0
        self._closed = threading.Event()
        self._finished: Usage | None = None

    def __iter__(self) -> Iterator[str]:
        try:
            provider, model, stream, deltas, first = self._gateway._open_stream(self._request)
        except BaseException:
            self.finish()  # releases the reservation: nothing was generated
            raise
        self.provider, self.model, self._stream = provider, model, stream
        if self._closed.is_set():
            stream.close()
            return
        if first:
            self._chars += len(first)
            yield first
        try:
            for delta in deltas:
                self._chars += len(delta)
                yield delta
        except ProviderError as exc:
            if self._closed.is_set():
                return
            stream.close()  # let go of the connection now, not when it is collected
            self.finish()  # bill what was generated, whether or not the caller does
            raise StreamInterrupted(
                "The answer was interrupted by the AI provider; try again.",
                details={"provider": provider},
            ) from exc

    def close(self) -> None:
        self._closed.set()
        if self._stream is not None:
            self._stream.close()

    def finish(self) -> Usage:
        """Meter the call once (settle or release its reservation); safe to call more
        than once."""
        if self._finished is not None:
            return self._finished
        reported_in, reported_out = self._stream.usage if self._stream else (None, None)
        tokens_in = reported_in or estimate_tokens(self._request.input_chars())
        tokens_out = reported_out if reported_out is not None else estimate_tokens(self._chars)
        if self._stream is None:
            tokens_in = tokens_out = 0
        usage = Usage(
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=cost_usd(self.model or "", tokens_in, tokens_out),
        )
        self._finished = usage
        if self._tab is not None:
            if self._stream is not None:  # settled with the tab's other calls
                self._tab.add(usage, self.provider or "", self.model or "")
        elif self._reservation is not None:
            if self._stream is not None:
                self._gateway.settle(self._reservation, usage)
                self._gateway._meter({(self.provider or "", self.model or ""): (1, usage)})
            else:
                self._gateway.release(self._reservation)
        return usage

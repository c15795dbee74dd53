"""Bursts against the Firestore emulator: the rate limiter admits exactly its limit, and
the AI quota admits exactly the calls that fit, however many arrive at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from shared.ai import quotas, repository
from shared.ai.errors import AllProvidersFailed
from shared.ai.gateway import Tab, estimate_call
from shared.ai.models import AIRequest, AIResult, Message
from shared.errors import ResourceExhausted
from shared.platform import clients, ratelimit
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

T = TypeVar("T")
BURST = 12


def burst(fn: Callable[[int], T], n: int = BURST) -> list[T | Exception]:
    """`fn(i)` for i in range(n) on n threads at once; exceptions are returned."""

    def guarded(i: int) -> T | Exception:
        try:
            return fn(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(guarded, range(n)))


def window_docs(key: str, window_s: int, now: datetime, shards: int) -> list[dict[str, Any]]:
    index = ratelimit.window_of(now, window_s).index
    refs = [
        clients.get_db()
        .collection(ratelimit.COLLECTION)
        .document(ratelimit.doc_id(key, window_s, index, shard))
        for shard in range(shards)
    ]
    return [ref.get().to_dict() or {} for ref in refs]


# --- the rate limiter -----------------------------------------------------------------


def test_a_burst_gets_exactly_the_limit() -> None:
    now = datetime.now(UTC)
    key = f"test:{uuid.uuid4().hex}"
    decisions = burst(
        lambda _: ratelimit.hit(clients.get_db(), key=key, limit=5, window_s=60, now=now), 30
    )

    assert not [d for d in decisions if isinstance(d, Exception)]
    allowed = [d for d in decisions if isinstance(d, ratelimit.Decision) and d.allowed]
    assert len(allowed) == 5
    assert sorted(d.remaining for d in allowed) == [0, 1, 2, 3, 4]
    denied = [d for d in decisions if isinstance(d, ratelimit.Decision) and not d.allowed]
    assert all(0 < d.retry_after_s <= 60 for d in denied)
    (doc,) = window_docs(key, 60, now, 1)
    assert doc["count"] == 30
    assert doc["expiresAt"] == ratelimit.window_of(now, 60).end


def test_the_next_window_starts_afresh() -> None:
    now = datetime.now(UTC)
    key = f"test:{uuid.uuid4().hex}"
    db = clients.get_db()
    assert ratelimit.hit(db, key=key, limit=1, window_s=60, now=now).allowed
    assert not ratelimit.hit(db, key=key, limit=1, window_s=60, now=now).allowed
    later = now + timedelta(seconds=60)
    assert ratelimit.hit(db, key=key, limit=1, window_s=60, now=later).allowed


def test_a_costly_hit_that_does_not_fit_leaves_room_for_a_smaller_one() -> None:
    now = datetime.now(UTC)
    key = f"test:{uuid.uuid4().hex}"
    db = clients.get_db()
    costs = [8, 5, 2, 1]
    allowed = [
        ratelimit.hit(db, key=key, limit=10, window_s=60, now=now, cost=c).allowed for c in costs
    ]
    assert allowed == [True, False, True, False]


def test_a_sharded_key_never_admits_more_than_the_limit() -> None:
    now = datetime.now(UTC)
    key = f"test:{uuid.uuid4().hex}"
    decisions = burst(
        lambda _: ratelimit.hit(clients.get_db(), key=key, limit=8, window_s=60, now=now, shards=4),
        40,
    )
    allowed = [d for d in decisions if isinstance(d, ratelimit.Decision) and d.allowed]
    assert 1 <= len(allowed) <= 8
    docs = window_docs(key, 60, now, 4)
    assert sum(int(d.get("count", 0)) for d in docs) == 40
    assert sum(1 for d in docs if d) >= 2, "the hits spread over the shards"


# --- the AI quota ---------------------------------------------------------------------


def ask(text: str, max_tokens: int = 200) -> AIRequest:
    return AIRequest(
        uid="burst-user",
        purpose="classify",
        temperature=0.7,  # not cached: every call reaches the quota
        max_tokens=max_tokens,
        messages=(Message(role="user", content=text),),
    )


def ledger() -> dict[str, Any]:
    ref = repository.usage_ref(clients.get_db(), "burst-user", datetime.now(UTC))
    return ref.get().to_dict() or {}


def set_ledger(**fields: Any) -> None:
    ref = repository.usage_ref(clients.get_db(), "burst-user", datetime.now(UTC))
    ref.set({"requests": 0, "inputTokens": 0, "outputTokens": 0, "costUsd": 0.0, **fields})


def prompts_seen(fragment: str) -> int:
    return sum(1 for r in emu.standin_requests() if fragment in r["prompt"])


@pytest.mark.usefixtures("standin")
def test_a_burst_of_calls_passes_exactly_as_many_requests_as_the_quota_has_left() -> None:
    free = quotas.QUOTAS["free"]
    set_ledger(requests=free.requests - 3)
    gateway = local_gateway()

    results = burst(lambda i: gateway.complete(ask(f"request burst {i}"), plan="free"))

    passed = [r for r in results if isinstance(r, AIResult)]
    refused = [r for r in results if isinstance(r, ResourceExhausted)]
    assert (len(passed), len(refused)) == (3, BURST - 3), results
    assert prompts_seen("request burst") == 3
    assert refused[0].message.startswith("You have used today's AI quota of the free plan")
    assert refused[0].details["tokenQuota"] == free.tokens
    after = ledger()
    assert after["requests"] == free.requests
    assert after["reservations"] == {}
    assert after["outputTokens"] == sum(r.usage.output_tokens for r in passed)


@pytest.mark.usefixtures("standin")
def test_a_burst_of_calls_passes_exactly_as_many_as_the_tokens_left_hold() -> None:
    # Each call holds its estimate while it runs (slow answers keep them all in flight).
    prompt = "token burst [[standin tokens=5 token_delay_ms=400]]"
    estimate = estimate_call(ask(prompt))
    free = quotas.QUOTAS["free"]
    before = free.tokens - 4 * estimate - estimate // 2
    set_ledger(requests=10, inputTokens=before)
    gateway = local_gateway()

    results = burst(lambda _: gateway.complete(ask(prompt), plan="free"))

    passed = [r for r in results if isinstance(r, AIResult)]
    refused = [r for r in results if isinstance(r, ResourceExhausted)]
    assert (len(passed), len(refused)) == (4, BURST - 4), results
    assert prompts_seen("token burst") == 4
    after = ledger()
    assert after["reservations"] == {}
    assert after["requests"] == 14
    # Settled with what was used, which is less than what was held.
    used = (
        after["inputTokens"] + after["outputTokens"] - (free.tokens - 4 * estimate - estimate // 2)
    )
    assert 0 < used < 4 * estimate


@pytest.mark.usefixtures("standin")
def test_a_failed_call_gives_its_reservation_back() -> None:
    set_ledger(requests=5)
    emu.standin_fault(provider="*", status=500, count=10)
    with pytest.raises(AllProvidersFailed):
        local_gateway().complete(ask("nobody answers"), plan="free")

    after = ledger()
    assert after["reservations"] == {}
    assert after["requests"] == 5


@pytest.mark.usefixtures("standin")
# The fallback reaches Anthropic, whose SDK warns that the default strong model is
# deprecated; pytest would turn that warning into the failure.
def test_a_stream_settles_on_finish_and_a_stream_that_never_opens_releases() -> None:
    set_ledger(requests=0)
    gateway = local_gateway()
    stream = gateway.stream(ask("stream me").model_copy(update={"purpose": "chat"}), plan="free")
    assert ledger()["reservations"] != {}, "held from before the first token"
    text = "".join(stream)
    usage = stream.finish()
    after = ledger()
    assert text
    assert after["reservations"] == {}
    assert (after["requests"], after["outputTokens"]) == (1, usage.output_tokens)

    emu.standin_fault(provider="*", status=500, count=10)
    failing = gateway.stream(
        ask("nobody streams").model_copy(update={"purpose": "chat"}), plan="free"
    )
    with pytest.raises(AllProvidersFailed):
        list(failing)
    assert ledger()["reservations"] == {}
    assert ledger()["requests"] == 1


@pytest.mark.usefixtures("standin")
def test_a_reservation_whose_caller_died_stops_counting() -> None:
    free = quotas.QUOTAS["free"]
    long_ago = datetime.now(UTC) - timedelta(seconds=quotas.RESERVATION_TTL_S + 60)
    set_ledger(
        requests=free.requests - 1,
        reservations={"rdead": {"tokens": 1000, "at": long_ago}},
    )
    result = local_gateway().complete(ask("after a crash"), plan="free")

    assert result.text
    after = ledger()
    assert "rdead" not in after["reservations"]
    assert after["requests"] == free.requests


# --- a chat turn's tab: one reservation for its reply and enrichment ----------------------


@pytest.mark.usefixtures("standin")
def test_a_tab_holds_its_calls_and_settles_them_in_one_write() -> None:
    free = quotas.QUOTAS["free"]
    set_ledger(requests=0)
    gateway = local_gateway()
    reply = ask("tab reply").model_copy(update={"purpose": "chat"})
    calls = [reply, ask("tab intent"), ask("tab title")]
    tab = gateway.open_tab(calls, plan="free")
    held = ledger()["reservations"]
    assert [(r["tokens"], r["requests"]) for r in held.values()] == [
        (sum(estimate_call(c) for c in calls), 3)
    ]
    stream = gateway.stream(reply, plan="free", tab=tab)
    "".join(stream)
    stream.finish()
    gateway.complete(calls[1], plan="free", tab=tab)
    assert ledger()["reservations"] == held, "nothing settled before the tab closes"
    gateway.close_tab(tab)  # the title was never asked: two calls settle
    after = ledger()
    assert after["reservations"] == {}
    assert after["requests"] == 2
    assert after["outputTokens"] == tab.usage.output_tokens > 0

    # A tab counts every call it holds: with room for two requests, a three-call turn
    # holds its reply alone (decided on the same read), and a fourth call reserves itself.
    set_ledger(requests=free.requests - 2)
    tab = gateway.open_tab(calls, plan="free")
    assert tab.reservation.requests == 1
    assert tab.reservation.tokens == estimate_call(reply)
    gateway.complete(calls[1], plan="free", tab=tab)  # the tab's one call
    gateway.complete(calls[2], plan="free", tab=tab)  # beyond it: its own reservation
    assert len(ledger()["reservations"]) == 1  # the tab's, still held
    with pytest.raises(ResourceExhausted):
        gateway.complete(ask("one too many"), plan="free", tab=tab)
    gateway.close_tab(tab)
    assert (ledger()["requests"], ledger()["reservations"]) == (free.requests, {})


@pytest.mark.usefixtures("standin")
def test_a_burst_of_tabs_admits_exactly_the_calls_that_fit() -> None:
    free = quotas.QUOTAS["free"]
    set_ledger(requests=free.requests - 7)  # room for two three-call turns, and one more call
    gateway = local_gateway()

    def turn(i: int) -> Tab:
        calls = [ask(f"turn {i}"), ask(f"intent {i}"), ask(f"title {i}")]
        return gateway.open_tab(calls, plan="free")

    tabs = burst(turn, 6)
    opened = [t for t in tabs if isinstance(t, Tab)]
    held = sorted((t.reservation.requests for t in opened), reverse=True)
    assert held == [3, 3, 1]  # two whole turns, then one reply alone: 7, exactly the room
    assert all(isinstance(t, ResourceExhausted) for t in tabs if not isinstance(t, Tab))
    for tab in opened:
        gateway.close_tab(tab)
    assert ledger()["reservations"] == {}

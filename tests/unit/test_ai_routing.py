"""The gateway's routing and circuit breaker, in memory (no provider, no Firestore)."""

from __future__ import annotations

import time

from shared.ai.config import GatewayConfig
from shared.ai.gateway import CircuitBreaker, Gateway
from shared.ai.models import AIRequest, Message
from shared.ai.providers import build_clients


def gateway(breaker: CircuitBreaker) -> Gateway:
    config = GatewayConfig.load(env={}, keys={"openai": "k", "anthropic": "k"})
    return Gateway(config=config, db=None, clients=build_clients(config), breaker=breaker)  # type: ignore[arg-type]


CHAT = AIRequest(uid="u", purpose="chat", messages=(Message(role="user", content="hi"),))


def test_a_provider_opens_after_its_threshold_and_closes_after_the_cooldown() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown_s=30.0)
    for at in (0.0, 1.0):
        breaker.failure("openai", at)
    assert not breaker.is_open("openai", 2.0)  # two failures: still closed
    breaker.failure("openai", 2.0)
    assert breaker.is_open("openai", 2.0)
    assert breaker.is_open("openai", 31.9)
    assert not breaker.is_open("openai", 32.1)  # cooled down
    assert not breaker.is_open("anthropic", 2.0)  # per provider


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown_s=30.0)
    breaker.failure("openai", 0.0)
    breaker.success("openai")
    breaker.failure("openai", 1.0)
    assert not breaker.is_open("openai", 1.0)


def test_routing_skips_an_open_provider_but_never_routes_to_nothing() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown_s=3600.0)
    router = gateway(breaker)
    assert [p for p, _ in router.route(CHAT)] == ["openai", "anthropic"]
    breaker.failure("openai", time.monotonic())
    assert [p for p, _ in router.route(CHAT)] == ["anthropic"]
    breaker.failure("anthropic", time.monotonic())
    assert [p for p, _ in router.route(CHAT)] == ["openai", "anthropic"]  # all open: try all

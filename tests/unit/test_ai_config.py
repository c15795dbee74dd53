"""Configuration logic: real keys and no base URL mean the real APIs (no network here)."""

from __future__ import annotations

from shared.ai.config import GatewayConfig
from shared.ai.models import AIRequest, Message
from shared.ai.providers import AnthropicClient, OpenAIClient, build_clients
from tools.stack import ai_env


def test_keys_without_base_url_talk_to_the_real_apis() -> None:
    config = GatewayConfig.load(env={}, keys={"openai": "sk-real", "anthropic": "sk-ant-real"})
    clients = build_clients(config)

    assert {p.mode for p in config.providers.values()} == {"real"}
    openai_sdk = clients["openai"]._client()  # type: ignore[attr-defined]
    anthropic_sdk = clients["anthropic"]._client()  # type: ignore[attr-defined]
    assert str(openai_sdk.base_url).startswith("https://api.openai.com")
    assert str(anthropic_sdk.base_url).startswith("https://api.anthropic.com")
    assert openai_sdk.max_retries == 0
    assert isinstance(clients["openai"], OpenAIClient)
    assert isinstance(clients["anthropic"], AnthropicClient)


def test_base_url_points_the_same_sdk_at_the_stand_in() -> None:
    config = GatewayConfig.load(
        env={"AURA_OPENAI_BASE_URL": "http://127.0.0.1:8790/openai/v1"},
        keys={"openai": "stand-in", "anthropic": ""},
    )
    clients = build_clients(config)

    assert config.providers["openai"].mode == "stand-in"
    assert config.providers["anthropic"].mode == "missing"
    assert set(clients) == {"openai"}
    assert str(clients["openai"]._client().base_url).startswith("http://127.0.0.1:8790")  # type: ignore[attr-defined]


def test_local_stack_uses_the_stand_in_only_for_providers_without_a_real_key() -> None:
    env = ai_env({"OPENAI_API_KEY": "sk-real"})
    assert "AURA_OPENAI_BASE_URL" not in env
    assert "OPENAI_API_KEY" not in env
    assert env["AURA_ANTHROPIC_BASE_URL"].endswith("/anthropic")


def test_routing_prefers_the_users_provider_and_skips_unconfigured() -> None:
    from shared.ai.gateway import Gateway

    config = GatewayConfig.load(env={}, keys={"openai": "k", "anthropic": "k"})
    gateway = Gateway(config=config, db=None, clients=build_clients(config))  # type: ignore[arg-type]
    chat = AIRequest(
        uid="u",
        purpose="chat",
        messages=(Message(role="user", content="hi"),),
        preferred_provider="anthropic",
    )
    assert gateway.route(chat) == [("anthropic", "claude-sonnet-4-6"), ("openai", "gpt-4o")]
    title = chat.model_copy(update={"purpose": "title", "preferred_provider": None})
    assert gateway.route(title) == [("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5")]
    huge = title.model_copy(update={"messages": (Message(role="user", content="x" * 200_000),)})
    assert gateway.route(huge)[0] == ("openai", "gpt-4o")

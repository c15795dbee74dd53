"""Which providers Aura talks to, with which keys, base URLs and models.

With a key and no base URL, a provider's official SDK talks to the real API. The local
stack sets `AURA_OPENAI_BASE_URL` / `AURA_ANTHROPIC_BASE_URL` to the stand-in server
(tools/standin/) for any provider without a real key; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared.ai.models import PROVIDERS, Provider, Tier

BASE_URL_ENV: dict[Provider, str] = {
    "openai": "AURA_OPENAI_BASE_URL",
    "anthropic": "AURA_ANTHROPIC_BASE_URL",
}
DEFAULT_MODELS: dict[Provider, dict[Tier, str]] = {
    "openai": {"fast": "gpt-4o-mini", "strong": "gpt-4o"},
    "anthropic": {"fast": "claude-haiku-4-5", "strong": "claude-sonnet-4-6"},
}
Mode = Literal["real", "stand-in", "missing"]
# Embeddings (`shared/ai/embeddings.py`): one model and one size everywhere, because
# vectors of different models or sizes cannot be compared, and the Firestore vector
# index declares the dimension. Changing either means re-embedding every stored vector.
EMBEDDING_PROVIDER: Provider = "openai"  # Anthropic has no embeddings API
EMBEDDING_MODEL = "text-embedding-3-small"
EMBEDDING_DIMENSIONS = 256


@dataclass(frozen=True)
class ProviderConfig:
    name: Provider
    api_key: str
    base_url: str | None
    models: Mapping[Tier, str]

    @property
    def configured(self) -> bool:
        return bool(self.api_key.strip())

    @property
    def mode(self) -> Mode:
        if not self.configured:
            return "missing"
        return "stand-in" if self.base_url else "real"


@dataclass(frozen=True)
class GatewayConfig:
    providers: Mapping[Provider, ProviderConfig]
    timeout_s: float = 60.0
    # A stream that sends nothing for this long is treated as cut: the reply ends in an
    # error instead of hanging until the function's deadline.
    stall_s: float = 20.0
    attempts_per_provider: int = 2
    backoff_s: float = 0.2
    cache_ttl_s: int = 24 * 3600
    # Above this many input characters (~32k tokens) a fast-tier call goes to the strong
    # tier, whose models take longer contexts.
    large_input_chars: int = 128_000
    # An embedding depends only on (model, dimensions, text): it may be kept far longer
    # than an answer.
    embedding_cache_ttl_s: int = 30 * 24 * 3600
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str],
        keys: Mapping[Provider, str],
        models: Mapping[Provider, Mapping[Tier, str]] | None = None,
    ) -> GatewayConfig:
        """Build the config from the environment and the secret values.

        Args:
            env: the process environment (base URLs come from here).
            keys: the API key per provider, read from SecretParams at run time.
            models: model names per provider and tier (params with defaults).
        """
        chosen = models or DEFAULT_MODELS
        return cls(
            providers={
                name: ProviderConfig(
                    name=name,
                    api_key=keys.get(name, ""),
                    base_url=env.get(BASE_URL_ENV[name]) or None,
                    models=chosen.get(name, DEFAULT_MODELS[name]),
                )
                for name in PROVIDERS
            }
        )

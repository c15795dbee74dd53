"""The AI gateway for this instance, built on first use from params and secrets."""

from __future__ import annotations

import functools
import os

from functions.params import (
    ANTHROPIC_API_KEY,
    ANTHROPIC_FAST_MODEL,
    ANTHROPIC_STRONG_MODEL,
    OPENAI_API_KEY,
    OPENAI_FAST_MODEL,
    OPENAI_STRONG_MODEL,
)
from shared import runtime
from shared.ai.config import GatewayConfig
from shared.ai.gateway import Gateway
from shared.ai.providers import build_clients


@functools.cache
def gateway() -> Gateway:
    """Read secrets at run time (never at import) and reuse the clients per instance."""
    config = GatewayConfig.load(
        env=os.environ,
        keys={"openai": OPENAI_API_KEY.value, "anthropic": ANTHROPIC_API_KEY.value},
        models={
            "openai": {"fast": OPENAI_FAST_MODEL.value, "strong": OPENAI_STRONG_MODEL.value},
            "anthropic": {
                "fast": ANTHROPIC_FAST_MODEL.value,
                "strong": ANTHROPIC_STRONG_MODEL.value,
            },
        },
    )
    return Gateway(
        config=config,
        db=runtime.get_db(),
        clients=build_clients(config),
    )

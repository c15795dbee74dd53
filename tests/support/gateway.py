"""An in-process AI gateway pointed at the local stand-in (for tests and the bench)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.ai.config import GatewayConfig
from shared.ai.gateway import Gateway
from shared.ai.providers import build_clients
from shared.platform import clients
from tools.stack import STANDIN_PORT

BASE = f"http://127.0.0.1:{STANDIN_PORT}"


def local_gateway(**overrides: Any) -> Gateway:
    """`overrides` replace GatewayConfig fields (a short `stall_s`, say)."""
    config = GatewayConfig.load(
        env={
            "AURA_OPENAI_BASE_URL": f"{BASE}/openai/v1",
            "AURA_ANTHROPIC_BASE_URL": f"{BASE}/anthropic",
        },
        keys={"openai": "stand-in", "anthropic": "stand-in"},
    )
    config = replace(config, **overrides)
    return Gateway(
        config=config,
        db=clients.get_db(),
        clients=build_clients(config),
    )

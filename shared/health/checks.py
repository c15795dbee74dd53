"""The concrete dependency checks Aura reports on."""

from __future__ import annotations

import os

from shared.ai.config import GatewayConfig
from shared.health.service import Check
from shared.platform import clients

PROBE_TIMEOUT_S = 3.0
EVENTS_TOPIC = "aura-events"


def firestore_check() -> str:
    """One read (of a document that need not exist) proves reachability and credentials."""
    clients.get_db().collection("_health").document("probe").get(timeout=PROBE_TIMEOUT_S)
    return "reachable"


def pubsub_check(topic_id: str = EVENTS_TOPIC) -> str:
    """The domain event topic exists (infra/ provisions it; the local stack creates it)."""
    publisher = clients.get_publisher()
    topic = publisher.topic_path(clients.project_id(), topic_id)
    publisher.get_topic(topic=topic, timeout=PROBE_TIMEOUT_S)
    return f"topic {topic_id} exists"


def ai_providers_check(config: GatewayConfig) -> Check:
    """Which AI providers are configured, and how (real API or local stand-in).

    Critical: with no provider, chat and generation cannot work.
    """

    def run() -> str:
        modes = {name: p.mode for name, p in config.providers.items()}
        if all(mode == "missing" for mode in modes.values()):
            msg = "no AI provider configured (set OPENAI_API_KEY or ANTHROPIC_API_KEY)"
            raise RuntimeError(msg)
        return ", ".join(f"{name}: {mode}" for name, mode in sorted(modes.items()))

    return Check(run=run)


def auth_emulator_check() -> str:
    """FIREBASE_AUTH_EMULATOR_HOST makes the Admin SDK accept unsigned ID tokens.

    Fine inside the emulator; in production it would let anyone act as anyone.
    """
    host = os.environ.get("FIREBASE_AUTH_EMULATOR_HOST")
    if clients.tokens_unverified():
        msg = "FIREBASE_AUTH_EMULATOR_HOST is set outside the emulator: tokens are not verified"
        raise RuntimeError(msg)
    return "emulator" if host else "verifying ID tokens"


def default_checks(*, ai: GatewayConfig) -> dict[str, Check]:
    return {
        "firestore": Check(run=firestore_check),
        "pubsub": Check(run=pubsub_check),
        "auth": Check(run=auth_emulator_check),
        "ai": ai_providers_check(ai),
    }

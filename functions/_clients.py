"""The composition root: every client a function needs, built once per instance on first
use from params, secrets and the environment (never at import: the CLI imports main.py
to discover functions, and every cold start pays for what importing does).

    gateway_config()    the AI providers' keys, models and base URLs
    gateway()           the AI gateway over them (chat, `ai` and `decision` nodes)
    workflow_runtime()  Firestore, Cloud Tasks, the gateway and Pub/Sub, for the engine
    timer_kinds()       every feature's timers, by kind (fired by `firetimer`, repaired
                        by `sweep`): a feature with timers adds its kind here
    flags()             the feature-flag evaluator: the `flags/` collection cached for
                        AURA_FLAGS_TTL_S seconds (default 30; the local stack sets 0,
                        so a change is seen at once by every emulated function)
    stripe_config()     billing's Stripe keys and price (reads the Stripe secrets)
    app_origins()       the origins billing's return URLs may lead to
    email_origin()      the origin links in emails lead to
    smtp_config()       the SMTP relay's settings (reads SMTP_PASSWORD)
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

from functions.params import (
    ANTHROPIC_API_KEY,
    ANTHROPIC_FAST_MODEL,
    ANTHROPIC_STRONG_MODEL,
    APP_ORIGIN,
    OPENAI_API_KEY,
    OPENAI_FAST_MODEL,
    OPENAI_STRONG_MODEL,
    STRIPE_PRO_PRICE,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
)
from shared.ai.config import GatewayConfig
from shared.billing.stripe_api import StripeConfig
from shared.platform import clients as platform

if TYPE_CHECKING:  # pragma: no cover
    from shared.ai.gateway import Gateway
    from shared.email.smtp import SmtpConfig
    from shared.platform.flags import FlagEvaluator
    from shared.platform.timers import TimerKind
    from shared.workflows.executions import WorkflowServices


def gateway_config() -> GatewayConfig:
    """Reads the secrets: call it only from functions that declare them."""
    return GatewayConfig.load(
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


@functools.cache
def gateway() -> Gateway:
    from shared.ai.gateway import Gateway
    from shared.ai.providers import build_clients

    config = gateway_config()
    return Gateway(config=config, db=platform.get_db(), clients=build_clients(config))


def _publish(envelope: Any) -> None:
    from shared.events import service as events

    events.publish(
        publisher=platform.get_publisher(), project=platform.project_id(), envelope=envelope
    )


@functools.cache
def workflow_runtime() -> WorkflowServices:
    from shared.platform.cloud_tasks import CloudTasks
    from shared.workflows.executions import WorkflowServices

    return WorkflowServices(
        db=platform.get_db(),
        enqueuer=CloudTasks(),
        gateway=gateway,
        publish=_publish,
        # The local stack's test servers live on loopback; production refuses private URLs.
        allow_private_urls=platform.in_emulator(),
    )


@functools.cache
def timer_kinds() -> dict[str, TimerKind]:
    from shared.calendar import reminders as event_reminders
    from shared.tasks import reminders as task_reminders
    from shared.workflows import schedules

    db, enqueuer = platform.get_db(), workflow_runtime().enqueuer
    kinds = [
        schedules.timer_kind(workflow_runtime()),
        task_reminders.timer_kind(db, enqueuer),
        event_reminders.timer_kind(db, enqueuer),
    ]
    return {kind.name: kind for kind in kinds}


@functools.cache
def flags() -> FlagEvaluator:
    from shared.platform import flags as feature_flags

    db = platform.get_db()
    ttl_s = float(os.environ.get("AURA_FLAGS_TTL_S", feature_flags.CACHE_TTL_S))
    return feature_flags.FlagEvaluator(load=lambda: feature_flags.load_flags(db), ttl_s=ttl_s)


def stripe_config() -> StripeConfig:
    """Reads the Stripe secrets: call it only from functions that declare them.
    Unavailable when billing is not configured."""
    return StripeConfig.load(
        env=os.environ,
        secret_key=STRIPE_SECRET_KEY.value,
        webhook_secret=STRIPE_WEBHOOK_SECRET.value,
        pro_price=STRIPE_PRO_PRICE.value,
    )


def app_origins() -> frozenset[str]:
    from shared.net import origins

    return origins.app_origins(project=platform.project_id(), app_origin=APP_ORIGIN.value)


def email_origin() -> str:
    """The web app's origin for links in emails: APP_ORIGIN, else the project's default
    Hosting site; inside the Functions emulator the first of AURA_APP_ORIGINS (the stack's
    Hosting emulator) comes first."""
    from functions.params import APP_ORIGIN
    from shared.net import origins

    if platform.in_emulator() and (local := origins.listed_origins()):
        return local[0]
    return APP_ORIGIN.value or f"https://{platform.project_id()}.web.app"


def smtp_config() -> SmtpConfig:
    """Reads SMTP_PASSWORD: call it only from functions that declare it."""
    from functions import params
    from shared.email.smtp import SmtpConfig

    return SmtpConfig.load(
        params={
            "SMTP_HOST": params.SMTP_HOST.value,
            "SMTP_PORT": params.SMTP_PORT.value,
            "SMTP_SECURITY": params.SMTP_SECURITY.value,
            "SMTP_USERNAME": params.SMTP_USERNAME.value,
            "EMAIL_FROM": params.EMAIL_FROM.value,
        },
        password=params.SMTP_PASSWORD.value,
        env=os.environ,
        in_emulator=platform.in_emulator(),
    )

"""Per-user rate limits of every callable, by function and plan: the one table.

The edge (`functions/_edge.py` `call`) applies them, once per call, after the caller is
known and before the handler runs: one `shared.platform.ratelimit.hit` keyed
`fn:{function}:{uid}`. Over the limit the call answers `resource-exhausted` with
`details {reason: "rate-limit", function, limit, windowSeconds, retryAfterSeconds}` and
the handler never runs. The plan is the caller's `plan` token claim (`free` when absent
or unknown): no read.

These are burst guards against one user exhausting shared capacity, not quotas: the AI
quota, decisions and generations per day, executions started per minute and the chat
limit stay where they are and still apply. The numbers are generous enough for any
person using the app (and for the test suites and `make bench`); functions that call a
model, embed text or fan out into many writes get lower ones.

HTTP functions are not callables and limit by their own key (see `HTTP`): a caller there
is not a signed-in user.

For tests only: `AURA_RATE_LIMIT_OVERRIDES` (JSON, `{"function": {"free": n, "pro": m}}`)
replaces entries of this table, and is read only inside the Functions emulator
(`FUNCTIONS_EMULATOR=true`), so no deployment can loosen or tighten a limit through its
environment. The test stack sets it (tests/conftest.py) to prove refusals on the
emulator with a small limit.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

from shared.platform import clients

PLANS = ("free", "pro")
DEFAULT_PLAN = "free"
WINDOW_S = 60
OVERRIDES_ENV = "AURA_RATE_LIMIT_OVERRIDES"
# Admitted hits per second one window document takes at most before the key is sharded
# (Firestore sustains about one write a second per document; short bursts are fine).
WRITES_PER_SHARD_PER_S = 2


@dataclass(frozen=True)
class Limit:
    """Calls allowed per user per `window_s` seconds, per plan."""

    free: int
    pro: int
    window_s: int = WINDOW_S

    def for_plan(self, plan: str) -> int:
        return self.pro if plan == "pro" else self.free


DEFAULT = Limit(free=120, pro=600)

# Functions that call a model, embed text, parse uploads or start runs: lower limits.
FUNCTIONS: dict[str, Limit] = {
    "generate": Limit(free=10, pro=60),  # a model streaming up to 16k tokens (20/200 a day)
    "decide": Limit(free=20, pro=200),  # a model call plus recall (50/500 a day)
    "quick_add": Limit(free=30, pro=120),  # a fast-tier model call
    "remember": Limit(free=30, pro=120),  # an embedding and a vector search
    "update_memory": Limit(free=30, pro=120),  # the same
    "recall": Limit(free=60, pro=300),  # an embedding (cached per text) and a search
    "retry_reply": Limit(free=20, pro=60),  # a chat reply (chat allows 20 a minute)
    "import_calendar": Limit(free=5, pro=20),  # up to 1 MiB parsed and 2,000 writes
    "run_workflow": Limit(free=30, pro=120),  # a run (60 starts a minute per user)
    "retry_execution": Limit(free=30, pro=120),  # the same
    # CEL in the sandbox and templates on a CPU budget; reads and writes nothing.
    "test_workflow_node": Limit(free=60, pro=300),
    "forget_all_memories": Limit(free=10, pro=30),  # deletes in batches
    "delete_my_account": Limit(free=5, pro=5),  # disables the account, queues the erasure
    "export_my_data": Limit(free=5, pro=10, window_s=3_600),  # reads the whole account
    # Each makes a Stripe API call (the first checkout also creates the customer).
    "start_checkout": Limit(free=10, pro=10),
    "open_billing_portal": Limit(free=10, pro=10),
}

# HTTP functions: who calls them is not a signed-in user, so each limits by its own key
# (or, for health, not at all); the reasons are in docs/security.md.
HTTP: dict[str, str] = {
    "webhook": "60 a minute per workflow (shared/workflows/webhooks.py, key webhook:{uid}/{wid})",
    "ical": "60 a minute per feed token (shared/calendar/feed.py, counted for a valid token)",
    "health": "none: public, read-only, no key that cannot be forged (docs/security.md)",
    "stripe_webhook": "none: only Stripe can sign; an unsigned request is refused before any "
    "read or write (shared/billing/stripe_api.py verify_event, docs/security.md)",
    "unsubscribe": "none: a forged link costs one HMAC; a valid one writes only a change",
}

# Emails sent per user (shared/email/service.py `send`, key `email:{uid}`, counted once
# per email on its first attempt); over it the email is `dropped` with reason
# `rate-limit`. A test stack may override it as `sendemail` in AURA_RATE_LIMIT_OVERRIDES.
EMAIL = Limit(free=20, pro=60, window_s=3_600)


def email_limit(plan: str) -> tuple[int, int]:
    """(emails per window, window seconds) for a user on `plan`."""
    spec = overrides().get("sendemail") or EMAIL
    return spec.for_plan(plan), spec.window_s


def overrides() -> dict[str, Limit]:
    """The test stack's overrides (empty outside the Functions emulator)."""
    raw = os.environ.get(OVERRIDES_ENV)
    if not raw or not clients.in_emulator():
        return {}
    parsed: dict[str, dict[str, int]] = json.loads(raw)
    return {
        name: Limit(
            free=int(spec["free"]),
            pro=int(spec.get("pro", spec["free"])),
            window_s=int(spec.get("windowSeconds", WINDOW_S)),
        )
        for name, spec in parsed.items()
    }


def limit_of(function: str) -> Limit:
    """The limits of one callable (its entry, else the default)."""
    return overrides().get(function) or FUNCTIONS.get(function, DEFAULT)


def plan_of(claims: dict[str, object]) -> str:
    """The caller's plan from the token's `plan` claim; `free` when absent or unknown."""
    plan = claims.get("plan")
    return plan if isinstance(plan, str) and plan in PLANS else DEFAULT_PLAN


def shards_for(limit: int, window_s: int) -> int:
    """Window documents for a limit: enough that none admits more than
    WRITES_PER_SHARD_PER_S a second at the limit (1 for every free limit here)."""
    return max(1, min(limit, math.ceil(limit / (WRITES_PER_SHARD_PER_S * window_s))))


def key_of(function: str, uid: str) -> str:
    return f"fn:{function}:{uid}"

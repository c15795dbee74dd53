"""Daily plan quotas (UTC days) and the usage ledger that enforces them.

The ledger is `users/{uid}/usage/{yyyy-mm-dd}`::

    requests, inputTokens, outputTokens, costUsd   settled usage (Increment only)
    reservations.{id}: {tokens, at, requests?}    calls in flight (one entry per
                                                  reservation; `requests` when it holds
                                                  more than one call)
    updatedAt

Before a model call the gateway `reserve`s an estimate (input tokens + the request's
`max_tokens`): a conditional write admits it only if settled usage, every live
reservation and this estimate together stay within the plan's quota. After the call it
`settle`s (one update: drop the reservation, add the actual usage with `Increment`), or
`release`s on failure. So a burst of concurrent calls cannot overrun the quota: exactly
those that fit pass.

Why a conditional write (read, then write with the read's `update_time` as precondition,
again on a conflict) and not a transaction: measured on the Firestore emulator, ten
concurrent transactions on one document took 10 s and six of them failed ("Failed to
commit transaction in 5 attempts"); the same ten compare-and-set writes finish in about
0.1 s, exactly as many admitted. A reservation older than RESERVATION_TTL_S (its caller
died before settling) stops counting and is dropped by the next reservation.

Quota numbers are data, documented in docs/decisions.md.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.ai.models import Usage
from shared.ai.repository import usage_ref
from shared.errors import ResourceExhausted, Unavailable

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference


@dataclass(frozen=True)
class Quota:
    requests: int
    tokens: int


QUOTAS: dict[str, Quota] = {
    "free": Quota(requests=300, tokens=200_000),
    "pro": Quota(requests=3_000, tokens=3_000_000),
}

# Longer than any AI function's timeout (300 s): a reservation this old belongs to a call
# whose instance died, and stops holding quota.
RESERVATION_TTL_S = 900
CAS_ATTEMPTS = 50  # conflicting writers of one user's ledger; in practice two or three


@dataclass(frozen=True)
class Reservation:
    """Quota held for one call: settle or release it exactly once."""

    ref: DocumentReference  # the ledger of the day the call started, even past midnight
    id: str
    tokens: int
    requests: int = 1  # calls it holds (a chat turn holds its reply and its enrichment)


def quota_of(plan: str) -> Quota:
    return QUOTAS.get(plan, QUOTAS["free"])


def live_reservations(ledger: dict[str, Any], now: datetime) -> dict[str, dict[str, Any]]:
    """The ledger's reservations still holding quota (not older than RESERVATION_TTL_S)."""
    oldest = now - timedelta(seconds=RESERVATION_TTL_S)
    held: dict[str, dict[str, Any]] = ledger.get("reservations") or {}
    return {rid: r for rid, r in held.items() if r.get("at") is not None and r["at"] >= oldest}


def fits(
    ledger: dict[str, Any], quota: Quota, estimate: int, now: datetime, requests: int = 1
) -> bool:
    """Whether `requests` more calls of `estimate` tokens in all fit beside what is used
    and held."""
    held = live_reservations(ledger, now)
    calls = (
        int(ledger.get("requests", 0))
        + sum(int(r.get("requests", 1)) for r in held.values())
        + requests
    )
    tokens = (
        int(ledger.get("inputTokens", 0))
        + int(ledger.get("outputTokens", 0))
        + sum(int(r.get("tokens", 0)) for r in held.values())
        + estimate
    )
    return calls <= quota.requests and tokens <= quota.tokens


def reserve(
    db: Client,
    *,
    uid: str,
    plan: str,
    estimate: int,
    now: datetime,
    requests: int = 1,
    fallback: tuple[int, int] | None = None,
) -> Reservation:
    """Hold `estimate` tokens and `requests` requests of today's quota for calls about to
    start; when they do not fit, hold `fallback` (tokens, requests) instead if that fits,
    decided on the same read (a chat turn: its reply and enrichment, else the reply alone).

    Raises:
        ResourceExhausted: it does not fit (no provider may be called).
        Unavailable: the ledger kept changing under us (CAS_ATTEMPTS conflicts).
    """
    from google.api_core import exceptions as gcp
    from google.cloud import firestore

    quota = quota_of(plan)
    ref = usage_ref(db, uid, now)
    rid = f"r{uuid.uuid4().hex}"  # a letter first: a plain field name, no quoting
    options = [(estimate, requests), *([fallback] if fallback else [])]
    for attempt in range(CAS_ATTEMPTS):
        snapshot = ref.get()
        ledger = snapshot.to_dict() or {}
        chosen = next((o for o in options if fits(ledger, quota, o[0], now, o[1])), None)
        if chosen is None:
            used = int(ledger.get("inputTokens", 0)) + int(ledger.get("outputTokens", 0))
            raise ResourceExhausted(
                f"You have used today's AI quota of the {plan} plan; it resets at midnight UTC.",
                details={"plan": plan, "tokensUsed": used, "tokenQuota": quota.tokens},
            )
        tokens, held = chosen
        entry: dict[str, Any] = {"tokens": tokens, "at": now}
        if held != 1:
            entry["requests"] = held
        stale = set(ledger.get("reservations") or {}) - set(live_reservations(ledger, now))
        try:
            if not snapshot.exists:
                ref.create({"reservations": {rid: entry}, "updatedAt": now})
            else:
                changes: dict[str, Any] = {f"reservations.{rid}": entry, "updatedAt": now}
                changes.update({f"reservations.{old}": firestore.DELETE_FIELD for old in stale})
                ref.update(changes, option=db.write_option(last_update_time=snapshot.update_time))
        except (gcp.FailedPrecondition, gcp.AlreadyExists, gcp.NotFound, gcp.Aborted):
            # Someone wrote the ledger since we read it: read again and decide again.
            time.sleep(random.uniform(0, min(0.05, 0.002 * (attempt + 1))))  # noqa: S311
            continue
        return Reservation(ref=ref, id=rid, tokens=tokens, requests=held)
    raise Unavailable("Usage accounting is busy right now; please try again.")


def settle(reservation: Reservation, usage: Usage, now: datetime, *, requests: int = 1) -> None:
    """Replace the reservation by what its calls (`requests` of them) actually used (one
    write; a merge, so it lands even if the ledger went in between)."""
    from google.cloud import firestore

    reservation.ref.set(
        {
            "reservations": {reservation.id: firestore.DELETE_FIELD},
            "requests": firestore.Increment(requests),
            "inputTokens": firestore.Increment(usage.input_tokens),
            "outputTokens": firestore.Increment(usage.output_tokens),
            "costUsd": firestore.Increment(usage.cost_usd),
            "updatedAt": now,
        },
        merge=True,
    )


def release(reservation: Reservation, now: datetime) -> None:
    """Give the quota back: the call never reached a provider that answered."""
    from google.api_core import exceptions as gcp
    from google.cloud import firestore

    with contextlib.suppress(gcp.NotFound):  # the ledger is gone: nothing is held
        reservation.ref.update(
            {f"reservations.{reservation.id}": firestore.DELETE_FIELD, "updatedAt": now}
        )

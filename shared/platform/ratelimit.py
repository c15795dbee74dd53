"""A fixed-window rate limiter on Firestore, shared by every function that limits callers.

One window of `window_s` seconds per key is one document (or one per shard) in the
server-only `_rateLimits` collection::

    _rateLimits/{server_key(key, window_s, window index, shard)}
        count          hits (their costs) so far in the window, denied ones included
        windowStart    when the window began
        windowSeconds  its length
        expiresAt      when it ended: a TTL policy on this field deletes old windows
        uid            the user the key is about, for per-user keys (`subject`), so
                       account erasure finds the user's windows; absent otherwise

A hit is one write: `Increment(cost)` on the window's document, whose result (the count
after this hit, which Firestore returns with the commit) decides. Increments on one
document are serialised by Firestore, so every hit sees a distinct count and exactly the
first `limit` hits of a window pass, however many arrive at once; no read, no
transaction, nothing to retry. A denied hit of cost 1 is left counted (the window is full
for good, so it changes nothing); a denied hit of a larger cost gives its cost back, so a
smaller hit may still fit (until it does, a concurrent hit may be refused too early:
this errs on the side of refusing, never of admitting).

Fixed windows let a caller spend one window's limit at the end of it and the next one's
at the start of the next: up to twice the limit within `window_s`, never more.

Sharding (`shards=N`, for keys whose admitted hits would exceed about one write a second
on one document, Firestore's sustained rate per document): each hit goes to one of N
documents at random, and shard i admits its share of the limit (the shares add up to
`limit`). The total admitted never exceeds `limit`; a hit may be refused while another
shard still has room, so the limit is reached only approximately under light traffic,
which is why sharding is for hot keys only. `remaining` is then the shard's.

Calls are not idempotent: call `hit` once per event, behind the event's own idempotency
guard (the chat reply's `create()` precondition, say), so a redelivery does not count
twice. Keys are free text (`"chat:{uid}"`); the document id hashes them with the window
and shard, so no two keys share a document and ids stay short.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from shared.ids import server_key

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client

COLLECTION = "_rateLimits"  # closed to clients in firestore.rules, like every `_` collection


@dataclass(frozen=True)
class Decision:
    """What one hit decided. `retry_after_s` is 0 when allowed, else seconds until the
    window ends."""

    allowed: bool
    remaining: int
    retry_after_s: float

    @property
    def retry_after_header(self) -> str:
        """The value for an HTTP `Retry-After` header (whole seconds, at least 1)."""
        return str(max(1, math.ceil(self.retry_after_s)))


@dataclass(frozen=True)
class Window:
    index: int
    start: datetime
    end: datetime


def window_of(now: datetime, window_s: int) -> Window:
    """The fixed window `now` falls in: windows are aligned to the Unix epoch."""
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    index = math.floor(now.timestamp() / window_s)
    start = datetime.fromtimestamp(index * window_s, UTC)
    return Window(index=index, start=start, end=start + timedelta(seconds=window_s))


def shard_limits(limit: int, shards: int) -> list[int]:
    """Each shard's share of `limit`; the shares add up to `limit` exactly."""
    if not 1 <= shards <= limit:
        msg = f"shards must be between 1 and the limit ({limit}), not {shards}"
        raise ValueError(msg)
    base, extra = divmod(limit, shards)
    return [base + (1 if i < extra else 0) for i in range(shards)]


def doc_id(key: str, window_s: int, index: int, shard: int) -> str:
    """The id of one window's (shard's) document: a hash, never a join of the parts."""
    return server_key(key, str(window_s), str(index), str(shard))


def hit(
    db: Client,
    *,
    key: str,
    limit: int,
    window_s: int,
    now: datetime,
    cost: int = 1,
    shards: int = 1,
    subject: str | None = None,
) -> Decision:
    """Count one hit of `cost` against `key`'s current window and decide it.

    Args:
        key: what is limited (`"chat:{uid}"`, `"webhook:{uid}/{workflowId}"`).
        limit: hits (total cost) allowed per window.
        window_s: the window's length in seconds.
        now: the current time (timezone-aware).
        cost: what this hit counts for.
        shards: documents to spread the key over (hot keys only; see the module).
        subject: the uid a per-user key is about: stored as `uid` in the same write.

    Returns:
        The decision. A denied hit is not an error here: the caller says no in its own
        terms (a 429, a reply that asks to slow down).

    Raises:
        ValueError: a limit, window or cost below 1, or more shards than the limit.
    """
    from google.cloud import firestore

    if limit < 1 or window_s < 1 or cost < 1:
        msg = "limit, window_s and cost must be positive"
        raise ValueError(msg)
    allowances = shard_limits(limit, shards)
    shard = secrets.randbelow(shards) if shards > 1 else 0
    allowance = allowances[shard]
    window = window_of(now, window_s)
    ref = db.collection(COLLECTION).document(doc_id(key, window_s, window.index, shard))
    fields: dict[str, object] = {
        "count": firestore.Increment(cost),
        "windowStart": window.start,
        "windowSeconds": window_s,
        "expiresAt": window.end,
    }
    if subject is not None:
        fields["uid"] = subject
    result = ref.set(fields, merge=True)
    count = _count_after(result)
    allowed = count <= allowance
    if not allowed and cost > 1:
        ref.update({"count": firestore.Increment(-cost)})
        count -= cost
    return Decision(
        allowed=allowed,
        remaining=max(0, allowance - count),
        retry_after_s=0.0 if allowed else max(0.0, (window.end - now).total_seconds()),
    )


def _count_after(result: object) -> int:
    """The count after our increment: the commit's one transform result."""
    value = result.transform_results[0]  # type: ignore[attr-defined]
    if "double_value" in value:
        return math.ceil(float(value.double_value))
    return int(value.integer_value)

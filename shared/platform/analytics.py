"""Usage analytics: daily counters, sharded, in the server-only `_analytics` collection.

Documents (days are UTC, `YYYY-MM-DD`)::

    _analytics/usage-{day}-{shard}      one of USAGE_SHARDS counter shards of the day
        day, shard                      which day and shard (the range query reads `day`)
        calls.{function}                callable calls that ran their handler (signed in,
                                        within the rate limit)
        errors.{function}               of those, the ones that ended in an error
        ai.{provider~model}             {requests, inputTokens, outputTokens, costUsd}
                                        (`.` in a model name stored as `%2E`)
        activeUsers                     distinct signed-in users of the day (see below)
        updatedAt
    _analytics/active-{day}-{h}         create-once marker: this user was active that day;
                                        `h` = sha256(day, uid)[:40] (no uid stored, and
                                        the same user has unrelated ids on other days)
        expiresAt                       day + MARKER_TTL_DAYS (TTL policy / retention)
    _analytics/events-{day}-{shard}     events per type: written by shared/events (read here)

Sharding: Firestore takes about one sustained write per second per document. The design
load is DESIGN_LOAD_PER_S counted writes a second at peak (callable calls plus AI
requests); each write goes to a random one of USAGE_SHARDS = DESIGN_LOAD_PER_S shards,
so a shard takes about one a second. A range read is `days x shards` documents at most
(92 x 16 = 1,472 plus the event shards), one query on `day`.

Active users: the first call of (day, uid) creates the marker (`create`: fails if it
exists) and, only when that create succeeded, the call's counter write also increments
`activeUsers`: a sharded counter fed by the marker's first create, so the read is a sum like every
other counter, not an aggregation per day. Each instance remembers the (day, uid) pairs
it has marked, so a user's later calls on that instance write nothing more.

Counting is best effort: every recorder catches and logs its own failure and never fails
the call it counts. A crash between the marker and the counter loses one active user;
counters are not idempotent (a retried call counts again): they are statistics.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from pydantic import Field, model_validator

from shared.errors import InvalidArgument, PermissionDenied
from shared.events.repository import ANALYTICS
from shared.platform import logs
from shared.validation import Command, Public

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

    from shared.ai.models import Usage

COLLECTION = ANALYTICS
DESIGN_LOAD_PER_S = 16  # counted writes a second at peak: the documented design load
USAGE_SHARDS = DESIGN_LOAD_PER_S  # about one write a second per shard at that load
MARKER_TTL_DAYS = 2  # active markers matter only on their own day
MAX_RANGE_DAYS = 92
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_marked: set[tuple[str, str]] = set()  # (day, uid) this instance has marked
_marked_lock = threading.Lock()


def day_of(now: datetime) -> str:
    """The UTC day of `now`, `YYYY-MM-DD`."""
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def usage_doc_id(day: str, shard: int) -> str:
    if not 0 <= shard < USAGE_SHARDS:
        msg = f"shard {shard} outside 0..{USAGE_SHARDS - 1}"
        raise ValueError(msg)
    return f"usage-{day}-{shard}"


def marker_doc_id(day: str, uid: str) -> str:
    digest = hashlib.sha256(f"{day}\x00{uid}".encode()).hexdigest()[:40]
    return f"active-{day}-{digest}"


def ai_key(provider: str, model: str) -> str:
    return f"{provider}~{model}".replace("%", "%25").replace(".", "%2E")


def ai_key_parts(key: str) -> tuple[str, str]:
    provider, _, model = key.replace("%2E", ".").replace("%25", "%").partition("~")
    return provider, model


def _shard_ref(db: Client, day: str, shard: int | None = None) -> DocumentReference:
    pick = secrets.randbelow(USAGE_SHARDS) if shard is None else shard
    ref: DocumentReference = db.collection(COLLECTION).document(usage_doc_id(day, pick))
    return ref


def _increment(db: Client, now: datetime, fields: dict[str, Any]) -> None:
    day = day_of(now)
    ref = _shard_ref(db, day)
    shard = int(ref.id.rsplit("-", 1)[1])
    ref.set({"day": day, "shard": shard, "updatedAt": now, **fields}, merge=True)


# --- recording (best effort) ------------------------------------------------------------


def record_call(db: Client, *, function: str, uid: str, ok: bool, now: datetime) -> None:
    """Count one call of `function` (and its error), and mark `uid` active today.
    Never raises."""
    from google.cloud import firestore

    try:
        fields: dict[str, Any] = {"calls": {function: firestore.Increment(1)}}
        if not ok:
            fields["errors"] = {function: firestore.Increment(1)}
        if first_today(db, uid=uid, now=now):
            fields["activeUsers"] = firestore.Increment(1)
        _increment(db, now, fields)
    except Exception as exc:
        logs.warning("usage not counted", function=function, error=repr(exc)[:300])


def first_today(db: Client, *, uid: str, now: datetime) -> bool:
    """Create today's marker for `uid` once: True when this call created it (the caller
    then counts one active user, in the same write as the call)."""
    from google.api_core.exceptions import AlreadyExists

    day = day_of(now)
    with _marked_lock:
        if (day, uid) in _marked:
            return False
    expires = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC) + timedelta(
        days=MARKER_TTL_DAYS
    )
    try:
        db.collection(COLLECTION).document(marker_doc_id(day, uid)).create({"expiresAt": expires})
    except AlreadyExists:
        counted = False
    else:
        counted = True
    with _marked_lock:
        if len(_marked) > 100_000:  # a long-lived instance: forget old days
            _marked.clear()
        _marked.add((day, uid))
    return counted


def record_ai(db: Client, used: dict[tuple[str, str], tuple[int, Usage]], *, now: datetime) -> None:
    """Count AI calls, `{(provider, model): (requests, usage)}`, in one write (a chat
    turn's calls together). Never raises."""
    from google.cloud import firestore

    try:
        counted = {
            ai_key(provider, model): {
                "requests": firestore.Increment(requests),
                "inputTokens": firestore.Increment(usage.input_tokens),
                "outputTokens": firestore.Increment(usage.output_tokens),
                "costUsd": firestore.Increment(usage.cost_usd),
            }
            for (provider, model), (requests, usage) in used.items()
            if requests > 0
        }
        if counted:
            _increment(db, now, {"ai": counted})
    except Exception as exc:
        logs.warning("ai usage not counted", models=sorted(map(str, used)), error=repr(exc)[:300])


# --- reading ------------------------------------------------------------------------------


class QueryAnalytics(Command):
    """`query_analytics` input: UTC days `from` .. `to`, both inclusive, at most
    MAX_RANGE_DAYS days."""

    from_: str = Field(alias="from", max_length=10)
    to: str = Field(max_length=10)

    @model_validator(mode="after")
    def _check(self) -> Self:
        days: list[date] = []
        for name, value in (("from", self.from_), ("to", self.to)):
            try:
                if not _DAY.match(value):
                    raise ValueError(value)
                days.append(date.fromisoformat(value))
            except ValueError:
                raise InvalidArgument(
                    f"`{name}` must be a day as YYYY-MM-DD (got '{value}').", field=name
                ) from None
        first, last = days
        if last < first:
            raise InvalidArgument("`to` must not be before `from`.", field="to")
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise InvalidArgument(
                f"At most {MAX_RANGE_DAYS} days at a time.",
                field="to",
                details={"maxDays": MAX_RANGE_DAYS},
            )
        return self


class AiUsagePublic(Public):
    provider: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class DayUsagePublic(Public):
    day: str
    calls: dict[str, int]
    errors: dict[str, int]
    ai: list[AiUsagePublic]
    events: dict[str, int]
    active_users: int


class QueryAnalyticsResult(Public):
    """`query_analytics` output: one entry per day of the range, oldest first (days with
    nothing counted included, all zero)."""

    days: list[DayUsagePublic]


def _add(into: dict[str, Any], values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, int | float):
            into[key] = into.get(key, 0) + value


def aggregate(day: str, docs: list[tuple[str, dict[str, Any]]]) -> DayUsagePublic:
    """Sum the shard documents `(id, data)` of one day: usage shards and event shards
    (other documents are ignored)."""
    usage: dict[str, Any] = {}
    events: dict[str, Any] = {}
    for doc_id, data in docs:
        if doc_id.startswith(f"usage-{day}-"):
            _add(
                usage,
                {k: data.get(k, {}) for k in ("calls", "errors", "ai")}
                | {"activeUsers": data.get("activeUsers", 0)},
            )
        elif doc_id.startswith(f"events-{day}-"):
            _add(events, data.get("byType", {}))
    ai = [
        AiUsagePublic(
            provider=ai_key_parts(key)[0],
            model=ai_key_parts(key)[1],
            requests=int(v.get("requests", 0)),
            input_tokens=int(v.get("inputTokens", 0)),
            output_tokens=int(v.get("outputTokens", 0)),
            cost_usd=round(float(v.get("costUsd", 0.0)), 6),
        )
        for key, v in sorted(usage.get("ai", {}).items())
    ]
    return DayUsagePublic(
        day=day,
        calls={k: int(v) for k, v in sorted(usage.get("calls", {}).items())},
        errors={k: int(v) for k, v in sorted(usage.get("errors", {}).items())},
        ai=ai,
        # shared/events stores a type's dots as underscores; shown as stored
        events={k: int(v) for k, v in sorted(events.items())},
        active_users=int(usage.get("activeUsers", 0)),
    )


def days_between(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def query_analytics(
    *, db: Client, actor_is_admin: bool, command: QueryAnalytics
) -> QueryAnalyticsResult:
    """The range's counters, per day, shards summed: one query on `day`.

    Raises:
        PermissionDenied: the caller is not an admin (nothing is read).
    """
    from google.cloud.firestore_v1.base_query import FieldFilter

    if not actor_is_admin:
        raise PermissionDenied("Only an admin can read usage analytics.")
    by_day: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    query = (
        db.collection(COLLECTION)
        .where(filter=FieldFilter("day", ">=", command.from_))
        .where(filter=FieldFilter("day", "<=", command.to))
    )
    for snapshot in query.stream():
        data = snapshot.to_dict() or {}
        by_day.setdefault(str(data.get("day")), []).append((snapshot.id, data))
    return QueryAnalyticsResult(
        days=[
            aggregate(day, by_day.get(day, [])) for day in days_between(command.from_, command.to)
        ]
    )

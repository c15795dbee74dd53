"""Feature flags at `flags/{key}`: sticky, monotonic percentage rollout and targeting.

A flag document (admin-read in `firestore.rules`; users ask `evaluate_flags`)::

    flags/{key}         key: a slug, [a-z0-9-], at most 40 characters, no leading or
                        trailing hyphen (`quickadd-ai`)
        enabled         off switch: false turns the flag off for everyone, targets included
        rolloutPercent  0..100: the share of users (by bucket) who get it
        targetUids      at most 500 uids who get it whatever their bucket
        targetPlans     plans (`free`, `pro`) whose users get it whatever their bucket
        description     at most 500 characters, for the admin page
        version         1 on create, +1 per change (optimistic concurrency: expectedVersion)
        updatedAt, updatedBy

Evaluation, first match wins: no document -> the flag's default in KNOWN_FLAGS (False for
an unknown key); disabled -> off; uid in targetUids -> on; plan in targetPlans -> on;
else `bucket(key, uid) <= rolloutPercent`.

The bucket is Unleash's and flagd's normalisation: MurmurHash3 x86 32-bit, seed 0, of the
UTF-8 string `"{key}:{uid}"` (Unleash hashes `"{groupId}:{userId}"`; the flag key is
the group), unsigned, `% 100 + 1`, so 1..100. It depends on nothing but the key and the
uid, so it is the same on every call and every instance (sticky), and because "on" is
`bucket <= percent`, raising the percentage keeps everyone who had the flag and lowering
it removes only the users in the highest buckets (monotonic). Two flags with different
keys bucket the same user independently.

Server code reads flags through one `FlagEvaluator` per instance, which holds the whole
collection (at most MAX_FLAGS documents) for CACHE_TTL_S seconds: one read of the
collection per TTL per instance, however many requests ask. A change reaches every
instance within the TTL (the instance that wrote it at once: `set_flag` invalidates).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Self

import mmh3
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
)
from pydantic.alias_generators import to_camel

from shared import audit
from shared.accounts.models import Plan, Uid
from shared.errors import PermissionDenied, ResourceExhausted, stale_version
from shared.validation import Command, Public

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

FLAGS = "flags"
USERS = "users"
KEY_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"  # a slug of 1..40 characters
MAX_KEY_CHARS = 40
MAX_TARGET_UIDS = 500
MAX_DESCRIPTION_CHARS = 500
MAX_FLAGS = 100  # documents in `flags/`; the evaluator holds them all
CACHE_TTL_S = 30.0  # how long an instance serves flags from its cache
REACH_SCAN_CAP = 10_000  # profiles `list_flags` reads to count each flag's reach
BUCKETS = 100

FlagKey = Annotated[str, Field(min_length=1, max_length=MAX_KEY_CHARS, pattern=KEY_PATTERN)]


@dataclass(frozen=True)
class KnownFlag:
    """A flag the code asks about, with the value it has while no document exists."""

    key: str
    default: bool
    description: str


QUICKADD_AI = "quickadd-ai"

KNOWN_FLAGS: dict[str, KnownFlag] = {
    flag.key: flag
    for flag in (
        KnownFlag(
            QUICKADD_AI,
            default=True,
            description="Quick add reads the line with the AI model (cross-checked by the "
            "parser); off: the deterministic parser alone.",
        ),
    )
}


def bucket(key: str, uid: str) -> int:
    """The user's bucket for flag `key`, 1..100 (MurmurHash3 x86 32, seed 0, unsigned, of
    `"{key}:{uid}"` in UTF-8, `% 100 + 1`: Unleash's `normalizedValue`)."""
    return int(mmh3.hash(f"{key}:{uid}", 0, signed=False)) % BUCKETS + 1


class FlagRule(BaseModel):
    """What evaluation reads from a flag document."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    enabled: bool
    rollout_percent: int = Field(ge=0, le=100)
    target_uids: tuple[str, ...] = ()
    target_plans: tuple[Plan, ...] = ()
    description: str = ""


class FlagDoc(FlagRule):
    """The document at `flags/{key}` (camelCase as stored)."""

    version: int = Field(ge=1)
    updated_at: datetime
    updated_by: str

    def to_firestore(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True)
        data["targetUids"] = list(self.target_uids)
        data["targetPlans"] = list(self.target_plans)
        return data


def default_of(key: str) -> bool:
    """The value of `key` while it has no document: its KNOWN_FLAGS default, else off."""
    known = KNOWN_FLAGS.get(key)
    return known.default if known is not None else False


def evaluate(key: str, rule: FlagRule | None, *, uid: str, plan: str) -> bool:
    """Whether flag `key` is on for the user `uid` on `plan` (the order in the module
    docstring: missing -> default, disabled -> off, uid, plan, then the bucket)."""
    if rule is None:
        return default_of(key)
    if not rule.enabled:
        return False
    if uid in rule.target_uids:
        return True
    if plan in rule.target_plans:
        return True
    return bucket(key, uid) <= rule.rollout_percent


def evaluate_all(rules: Mapping[str, FlagRule], *, uid: str, plan: str) -> dict[str, bool]:
    """Every known flag and every flag document, evaluated for one user."""
    keys = sorted({*KNOWN_FLAGS, *rules})
    return {key: evaluate(key, rules.get(key), uid=uid, plan=plan) for key in keys}


# --- reading -----------------------------------------------------------------------------


def load_flags(db: Client) -> dict[str, FlagDoc]:
    """Every flag document (at most MAX_FLAGS). A document that does not parse is left out,
    so its flag takes its default rather than failing every request that asks."""
    found: dict[str, FlagDoc] = {}
    for snapshot in db.collection(FLAGS).limit(MAX_FLAGS).stream():
        try:
            found[snapshot.id] = FlagDoc.model_validate(snapshot.to_dict() or {})
        except ValidationError:
            continue
    return found


class FlagEvaluator:
    """Flags for server code, from a per-instance cache of the whole `flags/` collection.

    The cache is loaded on first use and again when it is older than `ttl_s` (one load at
    a time: concurrent requests wait for it rather than each reading the collection).
    `ttl_s` 0 reads the collection on every call. `clock` is monotonic seconds.
    """

    def __init__(
        self,
        *,
        load: Callable[[], Mapping[str, FlagRule]],
        ttl_s: float = CACHE_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: Mapping[str, FlagRule] = {}
        self._loaded_at: float | None = None

    def rules(self) -> Mapping[str, FlagRule]:
        """The flag documents, from the cache while it is fresh."""
        with self._lock:
            now = self._clock()
            if self._loaded_at is None or now - self._loaded_at >= self._ttl_s:
                self._rules = dict(self._load())
                self._loaded_at = now
            return self._rules

    def invalidate(self) -> None:
        """Forget the cache: the next call reads the collection."""
        with self._lock:
            self._loaded_at = None

    def is_on(self, key: str, *, uid: str, plan: str) -> bool:
        return evaluate(key, self.rules().get(key), uid=uid, plan=plan)

    def all_for(self, *, uid: str, plan: str) -> dict[str, bool]:
        return evaluate_all(self.rules(), uid=uid, plan=plan)


class Flags(Protocol):
    """What a feature needs to ask about one flag (a FlagEvaluator is one)."""

    def is_on(self, key: str, *, uid: str, plan: str) -> bool: ...


# --- commands and answers ------------------------------------------------------------------


def _canonical(values: Iterable[str]) -> tuple[str, ...]:
    """Sorted, without repeats: the same targets in another order are the same flag."""
    return tuple(sorted(set(values)))


class SetFlag(Command):
    """`set_flag` input: the whole flag (fields left out take these defaults).

    `expectedVersion` (optional): the version the admin edited; 0 means "create, it must
    not exist yet"; a mismatch is `failed-precondition`.
    """

    key: FlagKey
    enabled: StrictBool
    rollout_percent: StrictInt = Field(default=0, ge=0, le=100)
    target_uids: tuple[Uid, ...] = Field(default=(), max_length=MAX_TARGET_UIDS)
    target_plans: tuple[Plan, ...] = Field(default=(), max_length=2)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_CHARS)
    expected_version: StrictInt | None = Field(default=None, ge=0)

    @field_validator("target_uids", "target_plans")
    @classmethod
    def _sorted_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _canonical(value)

    def rule(self) -> FlagRule:
        return FlagRule(
            enabled=self.enabled,
            rollout_percent=self.rollout_percent,
            target_uids=self.target_uids,
            target_plans=self.target_plans,
            description=self.description,
        )


class EvaluateFlags(Command):
    """`evaluate_flags` input: nothing (the caller is the user evaluated)."""


class ListFlags(Command):
    """`list_flags` input: nothing."""


class FlagPublic(Public):
    """A flag as the admin page shows it. `stored` false: no document, the code default
    (`enabled` = `defaultValue`, rolloutPercent 100 or 0) applies."""

    key: str
    enabled: bool
    rollout_percent: int
    target_uids: list[str]
    target_plans: list[Plan]
    description: str
    version: int
    updated_at: datetime | None
    updated_by: str | None
    stored: bool
    known: bool
    default_value: bool | None

    @classmethod
    def of(cls, key: str, doc: FlagDoc | None) -> Self:
        known = KNOWN_FLAGS.get(key)
        if doc is None:
            default = default_of(key)
            return cls(
                key=key,
                enabled=default,
                rollout_percent=100 if default else 0,
                target_uids=[],
                target_plans=[],
                description=known.description if known else "",
                version=0,
                updated_at=None,
                updated_by=None,
                stored=False,
                known=known is not None,
                default_value=known.default if known else None,
            )
        return cls(
            key=key,
            enabled=doc.enabled,
            rollout_percent=doc.rollout_percent,
            target_uids=list(doc.target_uids),
            target_plans=list(doc.target_plans),
            description=doc.description,
            version=doc.version,
            updated_at=doc.updated_at,
            updated_by=doc.updated_by,
            stored=True,
            known=known is not None,
            default_value=known.default if known else None,
        )


class SetFlagResult(Public):
    """`set_flag` output: the flag as stored; `changed` false when it already was so
    (nothing written, nothing audited)."""

    flag: FlagPublic
    changed: bool


class EvaluateFlagsResult(Public):
    """`evaluate_flags` output: every known flag and every flag document, on or off for
    the caller."""

    flags: dict[str, bool]


class FlagReach(FlagPublic):
    """A flag with how many of the scanned users it is on for."""

    reach: int


class ListFlagsResult(Public):
    """`list_flags` output. Reach counts the first `usersScanned` profiles (at most
    `scanCap`); `capped` true means there were more, and reach is a lower bound."""

    flags: list[FlagReach]
    users_scanned: int
    scan_cap: int
    capped: bool


# --- use cases ---------------------------------------------------------------------------


def set_flag(
    *,
    db: Client,
    actor: str,
    actor_is_admin: bool,
    command: SetFlag,
    now: datetime,
) -> SetFlagResult:
    """Create or replace `flags/{key}`, audited in the same transaction.

    Idempotent: a flag already stored exactly so is not written and not audited
    (`changed` false, same version).

    Raises:
        PermissionDenied: the actor is not an admin.
        FailedPrecondition: `expectedVersion` is not the stored version.
        ResourceExhausted: creating one more flag than MAX_FLAGS.
    """
    from google.cloud import firestore

    if not actor_is_admin:
        raise PermissionDenied("Only an admin can change feature flags.")
    ref = db.collection(FLAGS).document(command.key)
    wanted = command.rule()

    @firestore.transactional
    def apply(transaction: Transaction) -> tuple[FlagDoc, bool]:
        snapshot = ref.get(transaction=transaction)
        existing = FlagDoc.model_validate(snapshot.to_dict() or {}) if snapshot.exists else None
        current = existing.version if existing else 0
        expected = command.expected_version
        if expected is not None and expected != current:
            raise stale_version("Flag", command.key, expected=expected, current=current)
        if existing is not None and FlagRule.model_validate(existing.model_dump()) == wanted:
            return existing, False
        if existing is None and _count_flags(db) >= MAX_FLAGS:
            raise ResourceExhausted(
                f"There are already {MAX_FLAGS} flags, the most Aura keeps; delete one first.",
                details={"limit": MAX_FLAGS},
            )
        doc = FlagDoc(**wanted.model_dump(), version=current + 1, updated_at=now, updated_by=actor)
        transaction.set(ref, doc.to_firestore())
        audit.append(
            db=db,
            transaction=transaction,
            entry=audit.AuditEntry(
                actor=actor,
                action="flag.set",
                target=f"{FLAGS}/{command.key}",
                time=now,
                details={
                    "from": _audited(existing) if existing else None,
                    "to": _audited(doc),
                    "version": doc.version,
                },
            ),
        )
        return doc, True

    doc, changed = apply(db.transaction())
    return SetFlagResult(flag=FlagPublic.of(command.key, doc), changed=changed)


def _audited(rule: FlagRule) -> dict[str, Any]:
    return {
        "enabled": rule.enabled,
        "rolloutPercent": rule.rollout_percent,
        "targetUids": list(rule.target_uids),
        "targetPlans": list(rule.target_plans),
        "description": rule.description,
    }


def _count_flags(db: Client) -> int:
    return sum(1 for _ in db.collection(FLAGS).select([]).limit(MAX_FLAGS).stream())


def evaluate_flags(*, flags: FlagEvaluator, uid: str, plan: str) -> EvaluateFlagsResult:
    """Every known flag and flag document, on or off for `uid` on `plan`."""
    return EvaluateFlagsResult(flags=flags.all_for(uid=uid, plan=plan))


def list_flags(
    *, db: Client, actor_is_admin: bool, scan_cap: int = REACH_SCAN_CAP
) -> ListFlagsResult:
    """Every known flag and flag document, each with its reach: how many of the first
    `scan_cap` profiles in `users` it is on for (read fresh, not from the cache; only
    each profile's `plan` is read).

    Raises:
        PermissionDenied: the actor is not an admin.
    """
    if not actor_is_admin:
        raise PermissionDenied("Only an admin can list feature flags.")
    docs = load_flags(db)
    keys = sorted({*KNOWN_FLAGS, *docs})
    reach = dict.fromkeys(keys, 0)
    scanned, capped = 0, False
    profiles = db.collection(USERS).select(["plan"]).limit(scan_cap + 1).stream()
    for snapshot in profiles:
        if scanned == scan_cap:
            capped = True
            break
        scanned += 1
        plan = str((snapshot.to_dict() or {}).get("plan") or "free")
        for key in keys:
            if evaluate(key, docs.get(key), uid=snapshot.id, plan=plan):
                reach[key] += 1
    return ListFlagsResult(
        flags=[
            FlagReach(**FlagPublic.of(key, docs.get(key)).model_dump(), reach=reach[key])
            for key in keys
        ],
        users_scanned=scanned,
        scan_cap=scan_cap,
        capped=capped,
    )

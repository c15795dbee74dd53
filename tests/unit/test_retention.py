"""The retention table and its arithmetic; deletes against Firestore run on the emulator
in tests/integration/test_retention.py."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared import audit, registry
from shared.billing import service as billing_service
from shared.platform import retention

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def rule(name: str) -> retention.Rule:
    return next(r for r in retention.RULES if r.name == name)


def test_the_documented_ages() -> None:
    ages = {r.name: (r.path, r.field, r.max_age) for r in retention.RULES}
    assert ages == {
        "events": ("events", "time", timedelta(days=90)),
        "execution-logs": ("executions/*/logs", "time", timedelta(days=30)),
        "notifications": ("notifications", "readAt", timedelta(days=90)),
        "ai-cache": ("_aiCache", "expiresAt", timedelta(0)),
        "rate-limits": ("_rateLimits", "expiresAt", timedelta(0)),
        "active-markers": ("_analytics", "expiresAt", timedelta(0)),
        "audit": ("audit", "time", timedelta(days=retention.AUDIT_RETENTION_DAYS)),
        "exports": ("exports", "expiresAt", timedelta(0)),
        "email-outbox": ("_outbox", "expiresAt", timedelta(0)),
        "stripe-events": ("_stripeEvents", "receivedAt", timedelta(days=90)),
    }
    assert audit.AUDIT_RETENTION_DAYS == retention.AUDIT_RETENTION_DAYS


def test_stripe_event_records_outlive_every_redelivery_and_are_dated_by_arrival() -> None:
    # Stripe retries a delivery for 3 days and keeps (can resend) events for 30.
    assert rule("stripe-events").max_age > timedelta(days=30)
    assert rule("stripe-events").cutoff(NOW) == datetime(2026, 9, 2, 12, 0, tzinfo=UTC)
    # The field the rule ranges over is the one the webhook writes, as a timestamp
    # (`created` is Stripe's integer seconds, which a datetime range never matches).
    record = billing_service._record(
        {"id": "evt_1", "type": "x", "created": 1},
        uid=None,
        subscription_id=None,
        outcome="ignored",
        reason=None,
        now=NOW,
    )
    assert record["receivedAt"] == NOW


def test_bounds_fit_firestore_batches() -> None:
    assert 0 < retention.BATCH <= 500
    assert 0 < retention.PER_RULE <= retention.PER_RUN


def test_cutoffs() -> None:
    assert rule("events").cutoff(NOW) == datetime(2026, 9, 2, 12, 0, tzinfo=UTC)
    assert rule("execution-logs").cutoff(NOW) == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert rule("rate-limits").cutoff(NOW) == NOW  # past its own expiry
    assert rule("ai-cache").cutoff(NOW) == NOW
    with pytest.raises(ValueError, match="timezone-aware"):
        rule("events").cutoff(datetime(2026, 12, 1))


def test_every_rule_names_a_registered_place() -> None:
    user = {c.path for c in registry.USER_COLLECTIONS}
    server = {c.name for c in registry.SERVER_COLLECTIONS}
    for r in retention.RULES:
        assert (r.path in user) != (r.path in server), r.name
        assert r.per_user == (r.path in user)
    assert [r.name for r in retention.RULES if r.per_user] == [
        "execution-logs",
        "notifications",
        "exports",
    ]


def test_collection_group_ids_are_unambiguous() -> None:
    """A collection-group query finds every collection with the id: each per-user rule's
    id must name that one registered place, or the cleanup would skip strangers."""
    every = [c.path.rsplit("/", 1)[-1] for c in registry.USER_COLLECTIONS]
    every += [c.name for c in registry.SERVER_COLLECTIONS]
    for r in retention.RULES:
        if r.per_user:
            assert every.count(r.group) == 1, r.group


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("events", "events/e1", True),
        ("events", "users/u/events/e1", False),
        ("execution-logs", "users/u1/executions/e1/logs/l1", True),
        ("execution-logs", "users/u1/workflows/e1/logs/l1", False),
        ("execution-logs", "other/u1/executions/e1/logs/l1", False),
        ("execution-logs", "users/u1/logs/l1", False),
        ("notifications", "users/u1/notifications/n1", True),
        ("notifications", "teams/t1/notifications/n1", False),
        ("rate-limits", "_rateLimits/abc", True),
    ],
)
def test_matches_only_the_rules_own_place(name: str, path: str, expected: bool) -> None:
    assert rule(name).matches(path) is expected


def test_collection_group_rules_have_their_index() -> None:
    """Production refuses a collection-group range query without a collection-group
    index on its field (the emulator does not check): firestore.indexes.json has one."""
    overrides = json.loads((ROOT / "firestore.indexes.json").read_text())["fieldOverrides"]
    for r in retention.RULES:
        if not r.per_user:
            continue
        found = [
            o for o in overrides if (o["collectionGroup"], o["fieldPath"]) == (r.group, r.field)
        ]
        assert len(found) == 1, r.name
        scopes = {(i.get("order"), i["queryScope"]) for i in found[0]["indexes"]}
        assert ("ASCENDING", "COLLECTION_GROUP") in scopes
        assert ("ASCENDING", "COLLECTION") in scopes  # an override replaces the defaults
        assert found[0].get("ttl") is not True


def test_provisioned_ttl_policies_match_the_expiry_rules() -> None:
    script = (ROOT / "infra" / "provision.sh").read_text()
    loop = re.search(
        r"for group in ([^;]+); do\n\s+gcloud firestore fields ttls update (\w+)", script
    )
    assert loop is not None
    groups = set(loop.group(1).split())
    # A rule that expires instead of deleting (exports: the archive object goes first)
    # must not have a TTL policy, which would delete the document and leave the object.
    ttl = [r for r in retention.RULES if r.max_age == timedelta(0) and r.expire is None]
    assert groups == {r.path for r in ttl}
    assert {r.field for r in ttl} == {loop.group(2)}
    assert "exports" not in groups


def test_report() -> None:
    report = retention.Report(
        deleted={"events": 3, "audit": 0}, more={"events": True, "audit": False}
    )
    assert report.total == 3
    assert report.any_more
    assert report.as_log() == {
        "deleted": {"events": 3, "audit": 0},
        "total": 3,
        "more": ["events"],
        "failed": [],
    }

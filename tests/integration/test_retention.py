"""Retention on the emulator: `cleanup` deletes exactly what is past each rule's age,
within its per-run bounds, and a second run is harmless; `cleanup_retention` runs it.

The emulator runs no TTL, so these deletes are all that ever removes the documents here.
Seeds are written in-process with the Admin SDK into collections no trigger watches, and
kept small (bounds are monkeypatched low). Most tests run `cleanup` at a `NOW` ten years
ahead, so the deployed function, which the local clock fires at :40 of each hour with the
real time, cannot delete their seeds (they are all in its future) and race the counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.platform import clients, retention
from tests.support import emulators as emu

NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3650)
HOUR = timedelta(hours=1)


def db() -> Any:
    return clients.get_db()


def put(path: str, data: dict[str, Any]) -> None:
    db().document(path).set(data)


def ids(collection: str) -> set[str]:
    return {ref.id for ref in db().collection(collection).list_documents()}


def group_paths(group: str) -> set[str]:
    return {snapshot.reference.path for snapshot in db().collection_group(group).stream()}


def group_docs(group: str) -> dict[str, dict[str, Any]]:
    return {s.reference.path: s.to_dict() or {} for s in db().collection_group(group).stream()}


def age(name: str) -> timedelta:
    return next(r for r in retention.RULES if r.name == name).max_age


def seed_every_rule(now: datetime) -> None:
    """Per rule: two documents past its age (`old-*`), two within it (`new-*`)."""
    events = age("events")
    put("events/old-1", {"uid": "u1", "type": "x.y", "time": now - events - HOUR})
    put("events/old-2", {"uid": "u2", "type": "x.y", "time": now - events - 100 * HOUR})
    put("events/new-1", {"uid": "u1", "type": "x.y", "time": now - events + HOUR})
    put("events/new-2", {"uid": "u1", "type": "x.y", "time": now})

    logs = age("execution-logs")
    put("users/u1/executions/e1/logs/old-1", {"time": now - logs - HOUR, "message": "a"})
    put("users/u2/executions/e2/logs/old-2", {"time": now - logs - 50 * HOUR, "message": "b"})
    put("users/u1/executions/e1/logs/new-1", {"time": now - logs + HOUR, "message": "c"})
    put("users/u2/executions/e2/logs/new-2", {"time": now, "message": "d"})
    # A `logs` collection elsewhere is not the rule's: a collection-group query finds it,
    # the cleanup leaves it alone.
    put("users/u1/workflows/w1/logs/stranger", {"time": now - 10 * logs})

    read = age("notifications")
    put(
        "users/u1/notifications/old-1",
        {"read": True, "createdAt": now - 2 * read, "readAt": now - read - HOUR},
    )
    put(
        "users/u2/notifications/old-2",
        {"read": True, "createdAt": now - 3 * read, "readAt": now - read - 30 * HOUR},
    )
    # Read recently (created long ago): its 90 days run from the reading.
    put(
        "users/u1/notifications/new-1",
        {"read": True, "createdAt": now - 2 * read, "readAt": now - read + HOUR},
    )
    # Never read, however old: kept.
    put("users/u2/notifications/new-2", {"read": False, "createdAt": now - 10 * read})

    # A day's analytics counters carry no `expiresAt`: the markers' rule never takes them.
    put("_analytics/usage-2026-01-01-0", {"day": "2026-01-01", "calls": {"health": 1}})
    for collection in ("_aiCache", "_rateLimits", "_analytics", "_outbox"):
        put(f"{collection}/old-1", {"expiresAt": now - timedelta(seconds=1), "count": 1})
        put(f"{collection}/old-2", {"expiresAt": now - 48 * HOUR, "embedding": [0.1]})
        put(f"{collection}/new-1", {"expiresAt": now + timedelta(seconds=30), "count": 1})
        put(f"{collection}/new-2", {"expiresAt": now + 24 * HOUR, "embedding": [0.2]})

    # Exports past their link's expiry are not deleted but marked expired (their object
    # goes): the rule's count is of exports it expired.
    for i, expires in enumerate((now - timedelta(seconds=1), now - 48 * HOUR), start=1):
        put(f"users/u{i}/exports/old-{i}", {"status": "done", "expiresAt": expires})
    for i, expires in enumerate((now + timedelta(seconds=30), now + 24 * HOUR), start=1):
        put(f"users/u{i}/exports/new-{i}", {"status": "done", "expiresAt": expires})

    stripe = age("stripe-events")
    for name, received in (
        ("old-1", now - stripe - HOUR),
        ("old-2", now - 2 * stripe),
        ("new-1", now - stripe + HOUR),
        ("new-2", now),
    ):
        put(
            f"_stripeEvents/{name}",
            {"uid": "u1", "type": "customer.subscription.updated", "receivedAt": received},
        )

    kept = age("audit")
    put("audit/old-1", {"actor": "a", "action": "x", "target": "t", "time": now - kept - HOUR})
    put("audit/old-2", {"actor": "a", "action": "x", "target": "t", "time": now - 2 * kept})
    put("audit/new-1", {"actor": "a", "action": "x", "target": "t", "time": now - kept + HOUR})
    put("audit/new-2", {"actor": "a", "action": "x", "target": "t", "time": now})


def assert_only_new_ones_left() -> None:
    for collection in ("events", "_aiCache", "_rateLimits", "_outbox", "_stripeEvents", "audit"):
        assert ids(collection) == {"new-1", "new-2"}, collection
    assert ids("_analytics") == {"new-1", "new-2", "usage-2026-01-01-0"}
    exports = {
        path: (doc.get("status"), doc.get("expiresAt") is None)
        for path, doc in group_docs("exports").items()
    }
    assert exports == {
        "users/u1/exports/old-1": ("expired", True),
        "users/u2/exports/old-2": ("expired", True),
        "users/u1/exports/new-1": ("done", False),
        "users/u2/exports/new-2": ("done", False),
    }
    assert group_paths("logs") == {
        "users/u1/executions/e1/logs/new-1",
        "users/u2/executions/e2/logs/new-2",
        "users/u1/workflows/w1/logs/stranger",
    }
    assert group_paths("notifications") == {
        "users/u1/notifications/new-1",
        "users/u2/notifications/new-2",
    }


def test_each_rule_deletes_exactly_what_is_past_its_age() -> None:
    seed_every_rule(NOW)

    report = retention.cleanup(db(), now=NOW)

    assert report.deleted == {r.name: 2 for r in retention.RULES}
    assert not report.any_more
    assert report.failed == []
    assert_only_new_ones_left()


def test_running_twice_is_harmless() -> None:
    seed_every_rule(NOW)
    retention.cleanup(db(), now=NOW)

    again = retention.cleanup(db(), now=NOW)

    assert again.deleted == {r.name: 0 for r in retention.RULES}
    assert not again.any_more
    assert_only_new_ones_left()


def test_what_ages_past_the_rule_later_goes_in_a_later_run() -> None:
    seed_every_rule(NOW)
    retention.cleanup(db(), now=NOW)

    later = retention.cleanup(db(), now=NOW + 2 * HOUR)

    # new-1 of every rule was one hour inside its age; two hours on, it is past it (the
    # unread notification and the stranger stay).
    assert later.deleted == {r.name: 1 for r in retention.RULES}
    for collection in ("events", "_aiCache", "_rateLimits", "_outbox", "_stripeEvents", "audit"):
        assert ids(collection) == {"new-2"}, collection
    assert group_paths("notifications") == {"users/u2/notifications/new-2"}


def test_per_rule_bound_oldest_first_and_the_next_run_continues(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retention, "PER_RULE", 3)
    monkeypatch.setattr(retention, "BATCH", 2)  # several batches per rule
    cutoff = NOW - age("events")
    for i in range(7):  # old-0 is the oldest
        put(f"events/old-{i}", {"uid": "u1", "type": "x.y", "time": cutoff - (10 - i) * HOUR})
    put("events/new", {"uid": "u1", "type": "x.y", "time": NOW})

    first = retention.cleanup(db(), now=NOW)
    assert (first.deleted["events"], first.more["events"]) == (3, True)
    assert ids("events") == {"old-3", "old-4", "old-5", "old-6", "new"}  # oldest went first

    second = retention.cleanup(db(), now=NOW)
    assert (second.deleted["events"], second.more["events"]) == (3, True)
    assert ids("events") == {"old-6", "new"}

    third = retention.cleanup(db(), now=NOW)
    assert (third.deleted["events"], third.more["events"]) == (1, False)
    assert ids("events") == {"new"}


def test_the_run_budget_spans_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "PER_RULE", 3)
    for i in range(5):
        put(f"events/old-{i}", {"uid": "u1", "type": "x.y", "time": NOW - 1000 * HOUR * 24})
        put(f"_rateLimits/old-{i}", {"expiresAt": NOW - HOUR, "count": 1})

    report = retention.cleanup(db(), now=NOW, budget=4)

    assert report.deleted["events"] == 3
    assert report.deleted["rate-limits"] == 1
    assert report.total == 4
    assert report.more["events"]
    assert report.more["rate-limits"]
    assert report.deleted["audit"] == 0  # no budget left: looked (one read), deleted none
    assert len(ids("events")) == 2
    assert len(ids("_rateLimits")) == 4


def test_a_failing_rule_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    seed_every_rule(NOW)
    apply = retention.apply

    def flaky(db: Any, rule: retention.Rule, **kwargs: Any) -> tuple[int, bool]:
        if rule.name == "events":
            msg = "index missing"
            raise RuntimeError(msg)
        return apply(db, rule, **kwargs)

    monkeypatch.setattr(retention, "apply", flaky)
    report = retention.cleanup(db(), now=NOW)

    assert report.failed == ["events"]
    assert "events" not in report.deleted
    assert report.deleted["audit"] == 2
    assert ids("events") == {"old-1", "old-2", "new-1", "new-2"}


def test_the_scheduled_function_cleans_up() -> None:
    """`cleanup_retention` as Cloud Scheduler runs it (the local clock fires it), with
    the real time: what is past its age goes, the rest stays."""
    now = datetime.now(UTC)
    put("events/old", {"uid": "u1", "type": "x.y", "time": now - age("events") - HOUR})
    put("events/new", {"uid": "u1", "type": "x.y", "time": now})
    put("_rateLimits/old", {"expiresAt": now - HOUR, "count": 1})
    put("_rateLimits/new", {"expiresAt": now + HOUR, "count": 1})

    emu.clock_fire("cleanup_retention")

    emu.wait_for(lambda: ids("events") == {"new"} and ids("_rateLimits") == {"new"})

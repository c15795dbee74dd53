"""Usage analytics arithmetic: days, shard ids, AI keys, input checks and the sum of
shard documents. Writes against Firestore run in tests/integration/test_analytics.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.errors import InvalidArgument, PermissionDenied
from shared.platform import analytics
from shared.validation import parse


def test_the_day_is_the_utc_day_whatever_the_zone() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert analytics.day_of(late) == "2026-12-02"
    assert analytics.day_of(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == "2026-12-01"
    with pytest.raises(ValueError, match="timezone-aware"):
        analytics.day_of(datetime(2026, 12, 1))


def test_shard_ids_stay_within_the_documented_shards() -> None:
    assert analytics.USAGE_SHARDS == analytics.DESIGN_LOAD_PER_S  # ~1 write/s a shard
    assert analytics.usage_doc_id("2026-12-01", 0) == "usage-2026-12-01-0"
    last = analytics.USAGE_SHARDS - 1
    assert analytics.usage_doc_id("2026-12-01", last) == f"usage-2026-12-01-{last}"
    for bad in (-1, analytics.USAGE_SHARDS):
        with pytest.raises(ValueError, match="outside"):
            analytics.usage_doc_id("2026-12-01", bad)


def test_markers_name_no_uid_and_differ_per_day() -> None:
    one = analytics.marker_doc_id("2026-12-01", "alice")
    assert one.startswith("active-2026-12-01-")
    assert "alice" not in one
    assert one == analytics.marker_doc_id("2026-12-01", "alice")
    assert one.rsplit("-", 1)[1] != analytics.marker_doc_id("2026-12-02", "alice").rsplit("-", 1)[1]


@pytest.mark.parametrize(
    ("provider", "model"), [("openai", "gpt-4.1-mini"), ("anthropic", "claude-3.5%x~y")]
)
def test_ai_keys_hold_no_dot_and_round_trip(provider: str, model: str) -> None:
    key = analytics.ai_key(provider, model)
    assert "." not in key
    assert analytics.ai_key_parts(key) == (provider, model)


def test_shards_of_a_day_are_summed_and_other_days_ignored() -> None:
    gpt = analytics.ai_key("openai", "gpt-4.1")
    docs = [
        ("usage-2026-12-01-0", {"calls": {"save_task": 2}, "activeUsers": 1}),
        (
            "usage-2026-12-01-7",
            {
                "calls": {"save_task": 3, "recall": 1},
                "errors": {"save_task": 1},
                "activeUsers": 2,
                "ai": {gpt: {"requests": 2, "inputTokens": 10, "outputTokens": 5, "costUsd": 0.5}},
            },
        ),
        (
            "usage-2026-12-01-9",
            {"ai": {gpt: {"requests": 1, "inputTokens": 1, "outputTokens": 1, "costUsd": 0.25}}},
        ),
        ("events-2026-12-01-3", {"total": 2, "byType": {"task_created": 2}}),
        ("events-2026-12-01-4", {"total": 1, "byType": {"task_created": 1}}),
        ("usage-2026-12-02-0", {"calls": {"save_task": 100}}),
    ]
    day = analytics.aggregate("2026-12-01", docs)
    assert day.calls == {"recall": 1, "save_task": 5}
    assert day.errors == {"save_task": 1}
    assert day.active_users == 3
    assert day.events == {"task_created": 3}
    [ai] = day.ai
    assert (ai.provider, ai.model, ai.requests) == ("openai", "gpt-4.1", 3)
    assert (ai.input_tokens, ai.output_tokens, ai.cost_usd) == (11, 6, 0.75)


def test_an_empty_day_is_all_zero() -> None:
    day = analytics.aggregate("2026-12-01", [])
    assert day.to_wire() == {
        "day": "2026-12-01",
        "calls": {},
        "errors": {},
        "ai": [],
        "events": {},
        "activeUsers": 0,
    }


def test_days_between_is_inclusive() -> None:
    assert analytics.days_between("2026-11-30", "2026-12-02") == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "2026-12-01"}, "from"),
        ({"from": "2026-12-01"}, "to"),
        ({"from": "yesterday", "to": "2026-12-01"}, "from"),
        ({"from": "2026-02-30", "to": "2026-12-01"}, "from"),
        ({"from": "2026-12-01", "to": "2026-11-30"}, "to"),
        ({"from": "2026-01-01", "to": "2026-04-03"}, "to"),  # 93 days
        ({"from": "2026-12-01", "to": "2026-12-01", "extra": 1}, "extra"),
    ],
)
def test_bad_input_names_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(analytics.QueryAnalytics, payload)
    assert caught.value.field == field


def test_ninety_two_days_are_allowed() -> None:
    command = parse(analytics.QueryAnalytics, {"from": "2026-01-01", "to": "2026-04-02"})
    assert len(analytics.days_between(command.from_, command.to)) == 92


def test_non_admins_read_nothing() -> None:
    command = parse(analytics.QueryAnalytics, {"from": "2026-12-01", "to": "2026-12-01"})
    with pytest.raises(PermissionDenied):
        analytics.query_analytics(db=object(), actor_is_admin=False, command=command)  # type: ignore[arg-type]


def test_recorders_never_raise() -> None:
    class Broken:
        def collection(self, name: str) -> None:
            raise RuntimeError("firestore is down")

    now = datetime(2026, 12, 1, tzinfo=UTC)
    analytics.record_call(Broken(), function="recall", uid="u1", ok=True, now=now)  # type: ignore[arg-type]
    from shared.ai.models import Usage

    analytics.record_ai(Broken(), {("openai", "m"): (1, Usage())}, now=now)  # type: ignore[arg-type]


class _Recorder:
    """A Firestore stand-in recording `set(merge=True)` calls by document id."""

    def __init__(self) -> None:
        self.sets: list[tuple[str, dict[str, object]]] = []
        self.created: set[str] = set()

    def collection(self, name: str) -> _Recorder:
        assert name == "_analytics"
        return self

    def document(self, doc_id: str) -> _Doc:
        return _Doc(self, doc_id)


class _Doc:
    def __init__(self, db: _Recorder, doc_id: str) -> None:
        self.db, self.id = db, doc_id

    def set(self, data: dict[str, object], merge: bool = False) -> None:
        assert merge
        self.db.sets.append((self.id, data))

    def create(self, data: dict[str, object]) -> None:
        from google.api_core.exceptions import AlreadyExists

        if self.id in self.db.created:
            raise AlreadyExists(self.id)
        self.db.created.add(self.id)


def test_a_users_first_call_of_the_day_counts_them_once_in_the_same_write() -> None:
    db = _Recorder()
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    analytics._marked.clear()
    analytics.record_call(db, function="recall", uid="u1", ok=True, now=now)  # type: ignore[arg-type]
    analytics.record_call(db, function="recall", uid="u1", ok=False, now=now)  # type: ignore[arg-type]
    analytics._marked.clear()  # another instance: the marker exists, no second count
    analytics.record_call(db, function="recall", uid="u1", ok=True, now=now)  # type: ignore[arg-type]
    assert db.created == {analytics.marker_doc_id("2026-12-01", "u1")}
    assert len(db.sets) == 3  # one counter write per call
    assert ["activeUsers" in data for _, data in db.sets] == [True, False, False]
    assert ["errors" in data for _, data in db.sets] == [False, True, False]


def test_a_chat_turns_ai_calls_are_counted_in_one_write() -> None:
    from shared.ai.gateway import Tab
    from shared.ai.models import Usage

    tab = Tab.__new__(Tab)
    Tab.__init__(tab, reservation=type("R", (), {"requests": 3})())  # type: ignore[arg-type]
    tab.add(Usage(input_tokens=10, output_tokens=5, cost_usd=0.5), "openai", "gpt-4.1")
    tab.add(Usage(input_tokens=2, output_tokens=1, cost_usd=0.25), "openai", "gpt-4.1")
    tab.add(Usage(input_tokens=1), "anthropic", "claude")
    db = _Recorder()
    analytics.record_ai(db, tab.by_model, now=datetime(2026, 12, 1, 12, tzinfo=UTC))  # type: ignore[arg-type]
    [(doc_id, data)] = db.sets
    assert doc_id.startswith("usage-2026-12-01-")
    assert data["day"] == "2026-12-01"
    ai = data["ai"]
    assert isinstance(ai, dict)
    assert set(ai) == {
        analytics.ai_key("openai", "gpt-4.1"),
        analytics.ai_key("anthropic", "claude"),
    }
    gpt = ai[analytics.ai_key("openai", "gpt-4.1")]
    assert gpt["requests"].value == 2
    assert gpt["inputTokens"].value == 12
    assert gpt["costUsd"].value == 0.75


def test_nothing_is_written_for_no_ai_calls() -> None:
    db = _Recorder()
    analytics.record_ai(db, {}, now=datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[arg-type]
    assert db.sets == []


def test_shards_are_spread_over_every_shard() -> None:
    db = _Recorder()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for _ in range(2000):
        analytics._increment(db, now, {})  # type: ignore[arg-type]
    shards = {int(doc_id.rsplit("-", 1)[1]) for doc_id, _ in db.sets}
    assert shards == set(range(analytics.USAGE_SHARDS))

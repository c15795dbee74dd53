"""Usage analytics through the Functions emulator: calls of a few callables (and their
errors), the AI calls they make, events and active users come back from
`query_analytics` for today; admins only; bad input names the field and reads nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.platform import analytics, clients
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def query(admin: emu.User, **data: Any) -> emu.CallResult:
    return emu.call("query_analytics", {"from": today(), "to": today(), **data}, admin.id_token)


def test_calls_errors_ai_and_active_users_are_counted_for_today(
    user: emu.User, other_user: emu.User, admin: emu.User
) -> None:
    # Each fixture ran ensure_profile once: three users, three calls.
    assert emu.call("update_settings", {"preferredModel": "nope"}, user.id_token).status == (
        "INVALID_ARGUMENT"
    )
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    assert emu.call("remember", {"text": "I live in Lisbon"}, other_user.id_token).status == "OK"
    # Refused before the handler: not counted (no caller, or no work done).
    assert emu.call("ensure_profile", {}).status == "UNAUTHENTICATED"

    result = query(admin)
    assert result.status == "OK", result.error
    (day,) = result.result["days"]
    assert day["day"] == today()
    assert day["calls"]["ensure_profile"] == 4
    assert day["calls"]["update_settings"] == 1
    assert day["calls"]["remember"] == 1
    assert day["errors"] == {"update_settings": 1}
    assert day["activeUsers"] == 3
    embeddings = [a for a in day["ai"] if a["requests"] > 0]
    assert embeddings, day["ai"]  # remember embedded its text
    assert sum(a["inputTokens"] for a in embeddings) > 0
    assert isinstance(day["events"], dict)

    # The reading call itself is counted (after it answered): visible on the next read.
    again = query(admin).result["days"][0]
    assert again["calls"]["query_analytics"] == 1
    assert again["activeUsers"] == 3  # the same users again: no new active user


def test_counters_are_sharded_and_markers_hold_no_uid(user: emu.User) -> None:
    for _ in range(5):
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    docs = {d.id: d.to_dict() or {} for d in clients.get_db().collection("_analytics").stream()}
    usage = {k: v for k, v in docs.items() if k.startswith(f"usage-{today()}-")}
    assert all(0 <= v["shard"] < analytics.USAGE_SHARDS for v in usage.values())
    assert sum(v.get("calls", {}).get("ensure_profile", 0) for v in usage.values()) == 6
    markers = [k for k in docs if k.startswith("active-")]
    assert markers == [analytics.marker_doc_id(today(), user.uid)]
    assert user.uid not in str(docs)


def test_a_range_returns_every_day_oldest_first(admin: emu.User) -> None:
    first = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d")
    result = query(admin, **{"from": first})
    assert result.status == "OK", result.error
    days = result.result["days"]
    assert [d["day"] for d in days][-1] == today()
    assert len(days) == 3
    assert days[0]["calls"] == {}
    assert days[0]["activeUsers"] == 0


def test_non_admins_are_refused(user: emu.User) -> None:
    result = query(user)
    assert result.status == "PERMISSION_DENIED"
    assert emu.call("query_analytics", {"from": today(), "to": today()}).status == (
        "UNAUTHENTICATED"
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "not a day"}, "to"),
        ({"from": "2026-01-01", "to": "2026-06-01"}, "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"limit": 3}, "limit"),
    ],
)
def test_bad_input_names_the_field(admin: emu.User, data: dict[str, Any], field: str) -> None:
    result = query(admin, **data)
    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field

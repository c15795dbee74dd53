"""The usage-analytics page (`/admin/analytics`) in a real browser against the emulators
through Firebase Hosting.

- Real traffic first: a user calls a few callables (one refused as invalid); the server's
  counters for today grow by exactly those calls, their error and one active user.
- Earlier days seeded with the admin Firestore client in the documented shape
  (shared/platform/analytics.py: `usage-{day}-{shard}` shards, a model name with a dot
  stored as `%2E`, an `events-{day}-{shard}` shard), one day of the range left empty.
- An admin (made the operator way, `tools.make_admin`) sees "Analytics" in the nav; the
  default range (the last 30 UTC days) shows today's real traffic as the server counts
  it; a range ending before it starts is refused next to its field; the seeded range
  shows the seeded figures in the table, the charts drawn as SVG (one bar series per
  function and per model, named in the legends, bars as tall as the seeded counts, a
  line point per day).
- A user who is not an admin has no "Analytics" entry, and the page typed in by hand
  shows the server's refusal (`permission-denied`), with no table and no chart.

axe-core (no serious or critical violation) on each state, and screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shared.platform import analytics, clients
from shared.validation import parse
from tests.e2e.helpers import CALLABLE_MS, sign_in
from tests.e2e.helpers import audit as axe_check
from tests.e2e.test_flags import sign_in_as_admin
from tests.support import emulators as emu

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
# The seeded range: four days well before today, so no other test's traffic lands in it.
RANGE = [(TODAY - timedelta(days=9 - i)).isoformat() for i in range(4)]
EMPTY, BUSY, QUIET, LAST = RANGE
DOTTED = "gpt-4.1-mini"  # stored as `gpt-4%2E1-mini`

# Per day: the usage shards (shard number, fields) and the events shard.
SEEDS: dict[str, list[tuple[int, dict[str, Any]]]] = {
    BUSY: [
        (
            0,
            {
                "calls": {"create_task": 4, "list_tasks": 2},
                "errors": {"create_task": 1},
                "ai": {
                    analytics.ai_key("standin", "stand-in-chat"): {
                        "requests": 3,
                        "inputTokens": 1200,
                        "outputTokens": 300,
                        "costUsd": 0.012,
                    }
                },
                "activeUsers": 2,
            },
        ),
        (
            11,
            {
                "calls": {"create_task": 3, "send_chat_message": 5},
                "ai": {
                    analytics.ai_key("openai", DOTTED): {
                        "requests": 2,
                        "inputTokens": 800,
                        "outputTokens": 200,
                        "costUsd": 0.5,
                    }
                },
                "activeUsers": 1,
            },
        ),
    ],
    QUIET: [
        (
            5,
            {
                "calls": {"list_tasks": 6},
                "ai": {
                    analytics.ai_key("standin", "stand-in-chat"): {
                        "requests": 10,
                        "inputTokens": 10_000,
                        "outputTokens": 2_000,
                        "costUsd": 1.25,
                    }
                },
                "activeUsers": 1,
            },
        )
    ],
    LAST: [(2, {"calls": {"create_task": 1}, "errors": {"create_task": 1}, "activeUsers": 1})],
}
EVENTS = {BUSY: {"task_created": 5, "chat_message_sent": 2}}

# What the table shows for each seeded day: Day, Calls, Errors, Top functions, AI requests,
# AI tokens, AI cost, Events, Active users.
EXPECTED_ROWS = [
    [EMPTY, "0", "0", "—", "0", "0", "$0.000", "0", "0"],
    [
        BUSY,
        "14",
        "1",
        "create_task 7, send_chat_message 5, list_tasks 2",
        "5",
        "2500",
        "$0.512",
        "7",
        "3",
    ],
    [QUIET, "6", "0", "list_tasks 6", "10", "12000", "$1.25", "0", "1"],
    [LAST, "1", "1", "create_task 1", "0", "0", "$0.000", "0", "1"],
]
CALLS_PER_DAY = [0, 14, 6, 1]
ACTIVE_PER_DAY = [0, 3, 1, 1]


def day_usage(day: str) -> analytics.DayUsagePublic:
    """The day's counters as the server sums them (read with the admin client)."""
    command = parse(analytics.QueryAnalytics, {"from": day, "to": day})
    result = analytics.query_analytics(db=clients.get_db(), actor_is_admin=True, command=command)
    return result.days[0]


def remove_days(days: list[str]) -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = (
        clients.get_db()
        .collection(analytics.COLLECTION)
        .where(filter=FieldFilter("day", "in", days))
    )
    for snapshot in query.stream():
        snapshot.reference.delete()


@pytest.fixture
def seeded() -> Iterator[None]:
    """The seeded days' shards (the e2e tier shares one Firestore: none left afterwards)."""
    db = clients.get_db()
    remove_days(RANGE)
    for day, shards in SEEDS.items():
        for shard, fields in shards:
            db.collection(analytics.COLLECTION).document(analytics.usage_doc_id(day, shard)).set(
                {
                    "day": day,
                    "shard": shard,
                    "updatedAt": datetime.fromisoformat(day).replace(hour=23, tzinfo=UTC),
                    **fields,
                }
            )
    for day, by_type in EVENTS.items():
        db.collection(analytics.COLLECTION).document(f"events-{day}-3").set(
            {"day": day, "byType": by_type, "total": sum(by_type.values())}
        )
    yield
    remove_days(RANGE)


def table(page: Page) -> list[list[str]]:
    return [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()]
        for row in page.get_by_test_id("analytics-row").all()
    ]


def cell(page: Page, day: str, column: int) -> int:
    row = page.get_by_test_id("analytics-row").filter(
        has=page.get_by_role("rowheader", name=day, exact=True)
    )
    return int(row.locator("th, td").nth(column).inner_text())


CHART_JS = """(testId) => {
  const box = document.querySelector(`[data-testid="${testId}"]`);
  const svg = box && box.querySelector('svg[role="img"]');
  if (!svg) return null;
  const rects = [...svg.querySelectorAll('.recharts-bar-rectangle path.recharts-rectangle')]
    .map((p) => p.getBBox())
    .filter((b) => b.height > 0)
    .map((b) => ({x: Math.round(b.x + b.width / 2), height: b.height}));
  return {
    label: svg.getAttribute('aria-label'),
    describedBy: svg.getAttribute('aria-describedby'),
    series: svg.querySelectorAll('.recharts-bar').length,
    rects,
    legend: [...box.querySelectorAll('.recharts-legend-item-text')].map((t) => t.textContent),
    // The axis labels (recharts may draw them in a layer of their own): the days.
    ticks: [...svg.querySelectorAll('text')]
      .map((t) => t.textContent)
      .filter((t) => /^\\d{4}-\\d{2}-\\d{2}$/.test(t)),
    lines: [...svg.querySelectorAll('path.recharts-line-curve')]
      .filter((p) => (p.getAttribute('d') || '').length > 0).length,
    dots: [...svg.querySelectorAll('.recharts-line-dot')]
      .map((d) => Number(d.getAttribute('cy'))),
  };
}"""


def chart(page: Page, test_id: str) -> dict[str, Any]:
    drawn_mark = "path.recharts-rectangle" if test_id != "analytics-active-chart" else "circle"
    page.get_by_test_id(test_id).locator(f"svg[role='img'] {drawn_mark}").first.wait_for()
    drawn: dict[str, Any] | None = page.evaluate(CHART_JS, test_id)
    assert drawn is not None, f"{test_id}: no chart drawn"
    return drawn


def stack_heights(drawn: dict[str, Any]) -> list[float]:
    """The height of each day's stack of bars, left to right."""
    by_x: dict[int, float] = {}
    for rect in drawn["rects"]:
        by_x[rect["x"]] = by_x.get(rect["x"], 0.0) + rect["height"]
    return [by_x[x] for x in sorted(by_x)]


def assert_proportional(heights: Sequence[float], values: Sequence[float]) -> None:
    """Drawn lengths in proportion to the values (a linear axis from 0), to a pixel."""
    assert len(heights) == len(values), (heights, values)
    scale = heights[0] / values[0]
    for height, value in zip(heights, values, strict=True):
        assert abs(height - value * scale) <= 1.5, (heights, values)


def test_admin_sees_real_and_seeded_usage_as_charts_and_a_table(
    page: Page, web_url: str, artifacts_dir: Path, seeded: None
) -> None:
    today = TODAY.isoformat()
    # --- Real traffic: a user's calls are counted by the server ---------------------------
    before = day_usage(today)
    user = emu.sign_up()
    for _ in range(3):
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    user.refresh()  # the profile's claims, as a signed-in app would have them
    refused = emu.call("update_settings", {"preferredModel": "nope"}, user.id_token)
    assert refused.status == "INVALID_ARGUMENT"
    after = day_usage(today)

    def grew(counts: str, function: str) -> int:
        return int(
            getattr(after, counts).get(function, 0) - getattr(before, counts).get(function, 0)
        )

    assert grew("calls", "ensure_profile") == 3
    assert grew("calls", "update_settings") == 1
    assert grew("errors", "update_settings") == 1
    assert after.active_users == before.active_users + 1

    # --- The admin's page, default range: the last 30 days, today's row as counted -------
    sign_in_as_admin(page, web_url)
    page.get_by_role("navigation").get_by_role("link", name="Analytics", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/analytics$"))
    expect(page.get_by_role("heading", name="Usage analytics", exact=True)).to_be_visible()
    expect(page.get_by_test_id("analytics-row")).to_have_count(30, timeout=CALLABLE_MS)
    expect(page.get_by_test_id("analytics-from")).to_have_value(
        (TODAY - timedelta(days=29)).isoformat()
    )
    expect(page.get_by_test_id("analytics-to")).to_have_value(today)
    expect(page.get_by_text("Only admins can read usage analytics")).to_have_count(0)
    rows = table(page)
    assert [row[0] for row in rows] == [
        (TODAY - timedelta(days=29 - i)).isoformat() for i in range(30)
    ]
    assert rows[-10:-6] == EXPECTED_ROWS  # the seeded days within the default range
    final = day_usage(today)  # now including the page's own query_analytics call
    assert final.calls.get("query_analytics", 0) >= 1
    shown_calls = cell(page, today, 1)
    # The page read after the user's calls and the admin's sign-in, before its own count.
    assert sum(after.calls.values()) < shown_calls <= sum(final.calls.values()) - 1
    assert sum(after.errors.values()) <= cell(page, today, 2) <= sum(final.errors.values())
    # The user and the admin were new today; the page's call marks no one new.
    assert cell(page, today, 8) == after.active_users + 1 == final.active_users
    calls_chart = chart(page, "analytics-calls-chart")
    assert calls_chart["series"] >= 3, calls_chart  # the seeded functions, at least
    assert calls_chart["rects"], calls_chart
    axe_check(page, "usage analytics, last 30 days")
    page.screenshot(path=str(artifacts_dir / "admin-analytics.png"), full_page=True)

    # --- A range that ends before it starts is refused in the form ------------------------
    page.get_by_label("From (UTC)").fill(LAST)
    page.get_by_label("To (UTC)").fill(EMPTY)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_test_id("analytics-form-error")).to_have_text("The end is before the start.")
    expect(page.get_by_label("To (UTC)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("analytics-row")).to_have_count(30)  # nothing asked again
    axe_check(page, "usage analytics, refused range")

    # --- The seeded range: the table and the charts show the seeded counts ----------------
    page.get_by_label("From (UTC)").fill(EMPTY)
    page.get_by_label("To (UTC)").fill(LAST)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_test_id("analytics-row")).to_have_count(4, timeout=CALLABLE_MS)
    expect(page.get_by_test_id("analytics-form-error")).to_have_count(0)
    expect(page.get_by_label("To (UTC)")).to_have_attribute("aria-invalid", "false")
    assert table(page) == EXPECTED_ROWS
    table_id = page.get_by_test_id("analytics-table").get_attribute("id")

    calls_chart = chart(page, "analytics-calls-chart")
    # One bar series per function, each named in the legend; one bar per non-zero
    # (day, function): BUSY has three functions, QUIET and LAST one each.
    assert calls_chart["legend"] == ["create_task", "list_tasks", "send_chat_message"]
    assert calls_chart["series"] == 3
    assert len(calls_chart["rects"]) == 5, calls_chart
    assert calls_chart["ticks"] == RANGE
    assert_proportional(stack_heights(calls_chart), CALLS_PER_DAY[1:])
    assert calls_chart["describedBy"] == table_id
    assert calls_chart["label"].startswith("Calls per day by function")

    cost_chart = chart(page, "analytics-cost-chart")
    # The dotted model name comes back whole (stored as %2E).
    assert cost_chart["legend"] == [f"openai / {DOTTED}", "standin / stand-in-chat"]
    assert cost_chart["series"] == 2
    assert len(cost_chart["rects"]) == 3, cost_chart
    assert_proportional(stack_heights(cost_chart), [0.512, 1.25])

    active_chart = chart(page, "analytics-active-chart")
    assert active_chart["lines"] == 1
    dots = active_chart["dots"]
    assert len(dots) == 4, active_chart
    # Heights above the empty day's point (0) in proportion to the active users.
    assert_proportional([dots[0] - y for y in dots[1:]], ACTIVE_PER_DAY[1:])

    axe_check(page, "usage analytics, seeded range")
    page.screenshot(path=str(artifacts_dir / "admin-analytics-range.png"), full_page=True)


def test_a_user_who_is_not_an_admin_has_no_analytics_page(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    sign_in(page, web_url)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Profile", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Analytics", exact=True)).to_have_count(0)

    with page.expect_response(lambda r: r.url.endswith("/query_analytics")) as answered:
        page.goto(f"{web_url}/admin/analytics")
    assert answered.value.json()["error"]["status"] == "PERMISSION_DENIED"
    expect(page.get_by_test_id("analytics-error")).to_have_text(
        "Could not load usage: Only an admin can read usage analytics.", timeout=CALLABLE_MS
    )
    expect(page.get_by_text("Only admins can read usage analytics")).to_be_visible()
    expect(page.get_by_test_id("analytics-table")).to_have_count(0)
    expect(page.locator(".recharts-surface")).to_have_count(0)
    axe_check(page, "usage analytics refused")
    page.screenshot(path=str(artifacts_dir / "admin-analytics-refused.png"), full_page=True)

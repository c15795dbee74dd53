"""Assistant figures for `make bench`, each against a baseline measured in the same run:

* quick add: the `quick_add` callable (save off) through the AI gateway and the stand-in,
  and through the fallback parser (the stand-in failing), against `update_settings`
  (auth + one transaction) interleaved with it;
* reminder lateness: 20 task reminders armed for one whole minute through the real
  Tasks emulator and the clock, the notification's `createdAt` minus the reminder's
  time, p50 and p95, against one function round trip (health GET p50); a first wave of
  20 meets cold workers and is reported beside it;
* the briefing tick: Firestore reads and writes per user briefed (fallback summary) and
  for a tick with nobody due, counted at the RPC level, and the tick's time per user
  against one `update_settings` call.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.chat import Counting
from shared.platform import clients
from tests.support import emulators as emu

QUICK_RUNS = 15
REMINDERS = 20
BRIEFED_USERS = 5
PHRASES = [
    "remind me to call Bob tomorrow at 3pm",
    "dentist next Tuesday 10:30 for an hour",
    "pay rent on the 1st of every month",
    "team sync every weekday at 9",
    "buy milk p2 #errands",
]


def _ms(seconds: float) -> float:
    return seconds * 1000


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def quick_add_latency(user: emu.User) -> dict[str, Any]:
    def settings() -> None:
        assert emu.call("update_settings", {"timezone": "UTC"}, user.id_token).status == "OK"

    def quick(i: int) -> None:
        text = PHRASES[i % len(PHRASES)]
        result = emu.call("quick_add", {"text": text, "save": False}, user.id_token)
        assert result.status == "OK", result.error

    for i in range(3):
        settings()
        quick(i)
    base, ai = [], []
    for i in range(QUICK_RUNS):
        base.append(_timed(settings))
        ai.append(_timed(lambda i=i: quick(i)))
    emu.standin_fault(provider="*", status=500, count=QUICK_RUNS * 10)
    fallback = [_timed(lambda i=i: quick(i)) for i in range(QUICK_RUNS)]
    emu.session.delete(f"{emu.STANDIN}/_standin/faults", timeout=10).raise_for_status()
    return {
        "update_settings_ms_p50": _ms(statistics.median(base)),
        "ai_ms_p50": _ms(statistics.median(ai)),
        "fallback_ms_p50": _ms(statistics.median(fallback)),
        "ai_ratio": statistics.median(ai) / statistics.median(base),
        "fallback_ratio": statistics.median(fallback) / statistics.median(base),
    }


def _reminder_wave(user: emu.User, due: datetime, label: str) -> list[float]:
    """Arm REMINDERS task reminders for `due` (a whole minute) and return each one's
    lateness in seconds: the notification's `createdAt` minus `due`."""
    remind = {"date": due.date().isoformat(), "time": due.strftime("%H:%M"), "timezone": "UTC"}
    for i in range(REMINDERS):
        saved = emu.call(
            "save_task", {"title": f"{label} reminder {i}", "remind": remind}, user.id_token
        )
        assert saved.status == "OK", saved.error
    db = clients.get_db()

    def landed() -> list[datetime] | None:
        docs = db.collection(f"users/{user.uid}/notifications").stream()
        times = [
            (d.to_dict() or {})["createdAt"]
            for d in docs
            if (d.to_dict() or {}).get("kind") == "reminder"
            and str((d.to_dict() or {}).get("title", "")).startswith(label)
        ]
        return times if len(times) >= REMINDERS else None

    times = emu.wait_for(landed, timeout=240, interval=1.0)
    return sorted((t - due).total_seconds() for t in times)


def reminder_lateness(user: emu.User) -> dict[str, Any]:
    """Two waves of 20 reminders due at the same minute: the first meets cold function
    workers (the emulator starts one Python worker per concurrent task, each importing
    main.py, on this machine's 2 cores), the second, a minute later, warm ones."""

    def health() -> None:
        emu.session.get(f"{emu.FUNCTIONS}/health", timeout=30).raise_for_status()

    call_p50 = statistics.median([_timed(health) for _ in range(10)])
    first = (datetime.now(UTC) + timedelta(seconds=75)).replace(second=0, microsecond=0)
    first += timedelta(minutes=1)
    cold = _reminder_wave(user, first, "cold")
    warm = _reminder_wave(user, first + timedelta(minutes=1), "warm")
    return {
        "reminders": len(cold) + len(warm),
        "cold_ms_p50": _ms(statistics.median(cold)),
        "cold_ms_p95": _ms(_p95(cold)),
        "late_ms_p50": _ms(statistics.median(warm)),
        "late_ms_p95": _ms(_p95(warm)),
        "function_call_ms_p50": _ms(call_p50),
        "ratio_p50": statistics.median(warm) / call_p50,
        "ratio_p95": _p95(warm) / call_p50,
    }


def briefing_tick() -> dict[str, Any]:
    from shared.briefings import service

    users = []
    for _ in range(BRIEFED_USERS):
        user = emu.sign_up(f"brief-{uuid.uuid4().hex[:10]}@example.com")
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        users.append(user)
    db = clients.get_db()
    slots = [db.document(f"_briefingSlots/{u.uid}").get().to_dict() or {} for u in users]
    due_at = max(s["nextAt"] for s in slots)

    def settings() -> None:
        assert emu.call("update_settings", {"timezone": "UTC"}, users[0].id_token).status == "OK"

    call_p50 = statistics.median([_timed(settings) for _ in range(5)])
    # update_settings re-armed users[0]'s slot for the same next 07:00 UTC.
    # Nobody is due a minute before the earliest slot of all (other bench users included).
    earliest = next(db.collection("_briefingSlots").order_by("nextAt").limit(1).stream())
    quiet = (earliest.to_dict() or {})["nextAt"] - timedelta(minutes=1)
    idle_db = _fresh_db()
    idle = Counting(idle_db)
    assert service.send_due(db=idle_db, gateway=None, now=quiet).get("due") == 0
    busy_db = _fresh_db()
    busy = Counting(busy_db)
    started = time.perf_counter()
    report = service.send_due(db=busy_db, gateway=None, now=due_at + timedelta(minutes=1))
    elapsed = time.perf_counter() - started
    briefed = int(report.get("briefed", 0))
    assert briefed >= BRIEFED_USERS, report
    return {
        "briefed": briefed,
        "reads_per_user": busy.reads / briefed,
        "writes_per_user": busy.writes / briefed,
        "idle_reads": idle.reads,
        "idle_writes": idle.writes,
        "ms_per_user": _ms(elapsed / briefed),
        "update_settings_ms_p50": _ms(call_p50),
        "ratio": (elapsed / briefed) / call_p50,
    }


def _fresh_db() -> Any:
    """A Firestore client of its own, so the counts are this tick's alone."""
    from google.cloud import firestore

    return firestore.Client(project=clients.project_id())


def table(results: dict[str, Any]) -> list[str]:
    quick, late, tick = results["quick_add"], results["reminders"], results["briefing"]
    return [
        f"{'quick add, AI path p50 (ms)':<30} {quick['ai_ms_p50']:>10.1f} "
        f"{quick['update_settings_ms_p50']:>10.1f} {quick['ai_ratio']:>7.2f}  "
        "update_settings p50",
        f"{'quick add, fallback p50 (ms)':<30} {quick['fallback_ms_p50']:>10.1f} "
        f"{quick['update_settings_ms_p50']:>10.1f} {quick['fallback_ratio']:>7.2f}  "
        "update_settings p50 (stand-in failing)",
        f"{'reminder lateness p50 (ms)':<30} {late['late_ms_p50']:>10.1f} "
        f"{late['function_call_ms_p50']:>10.1f} {late['ratio_p50']:>7.2f}  "
        "one function call (health GET p50)",
        f"{'reminder lateness p95 (ms)':<30} {late['late_ms_p95']:>10.1f} "
        f"{late['function_call_ms_p50']:>10.1f} {late['ratio_p95']:>7.2f}  same",
        f"  reminders: 20 due at one minute on warm workers (above); the first 20, on cold "
        f"workers: p50 {late['cold_ms_p50']:.0f} ms, p95 {late['cold_ms_p95']:.0f} ms",
        f"{'briefing tick per user (ms)':<30} {tick['ms_per_user']:>10.1f} "
        f"{tick['update_settings_ms_p50']:>10.1f} {tick['ratio']:>7.2f}  update_settings p50",
        f"  briefing tick: {tick['reads_per_user']:.1f} reads, {tick['writes_per_user']:.1f} "
        f"writes per user briefed ({tick['briefed']} users, fallback summary); a tick with "
        f"nobody due: {tick['idle_reads']} reads, {tick['idle_writes']} writes",
    ]

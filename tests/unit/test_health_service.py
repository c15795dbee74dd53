from __future__ import annotations

import time

from shared.health.service import Check, run_checks


def ok() -> str:
    return "fine"


def boom() -> str:
    raise RuntimeError("broken\nsecond line")


def slow() -> str:
    time.sleep(1)
    return "late"


def test_all_critical_ok_is_ok() -> None:
    report = run_checks(
        {"a": Check(ok), "b": Check(boom, critical=False)}, version="1", environment="t"
    )
    assert report.status == "ok"
    assert report.checks["b"].ok is False
    assert report.checks["b"].detail == "RuntimeError: broken"


def test_a_failing_critical_check_degrades() -> None:
    report = run_checks({"a": Check(ok), "b": Check(boom)}, version="1", environment="t")
    assert report.status == "degraded"
    assert not report.healthy


def test_a_check_over_the_deadline_fails_without_waiting_for_it() -> None:
    started = time.perf_counter()
    report = run_checks({"s": Check(slow)}, version="1", environment="t", deadline_s=0.1)
    assert time.perf_counter() - started < 0.9
    assert report.checks["s"].ok is False
    assert "no answer" in report.checks["s"].detail


def test_report_wire_format_is_camel_case() -> None:
    wire = run_checks({"a": Check(ok)}, version="9", environment="t").to_wire()
    assert wire["checks"]["a"].keys() == {"ok", "critical", "latencyMs", "detail"}
    assert wire["version"] == "9"

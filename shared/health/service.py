"""Run dependency checks concurrently, each under a deadline, and summarise them.

A check is a function that returns a short detail string when healthy and raises when
not. Critical checks decide the overall status; informational ones are only reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pydantic import Field

from shared.validation import Public

CHECK_DEADLINE_S = 4.0


@dataclass(frozen=True)
class Check:
    run: Callable[[], str]
    critical: bool = True


class CheckResult(Public):
    ok: bool
    critical: bool
    latency_ms: float
    detail: str = ""


class HealthReport(Public):
    status: str  # "ok" | "degraded"
    version: str
    environment: str
    checks: dict[str, CheckResult] = Field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.status == "ok"


def run_checks(
    checks: Mapping[str, Check],
    *,
    version: str,
    environment: str,
    deadline_s: float = CHECK_DEADLINE_S,
) -> HealthReport:
    """Run every check at once; a check that raises or overruns `deadline_s` fails."""
    results: dict[str, CheckResult] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, len(checks)), thread_name_prefix="health")
    started = time.perf_counter()
    futures = {name: pool.submit(_timed, check.run) for name, check in checks.items()}
    for name, future in futures.items():
        critical = checks[name].critical
        remaining = max(0.0, deadline_s - (time.perf_counter() - started))
        try:
            detail, latency_ms = future.result(timeout=remaining)
            results[name] = CheckResult(
                ok=True, critical=critical, latency_ms=latency_ms, detail=detail
            )
        except FutureTimeout:
            results[name] = CheckResult(
                ok=False,
                critical=critical,
                latency_ms=deadline_s * 1000,
                detail=f"no answer within {deadline_s:.0f}s",
            )
        except Exception as exc:
            results[name] = CheckResult(
                ok=False, critical=critical, latency_ms=0.0, detail=_describe(exc)
            )
    pool.shutdown(wait=False, cancel_futures=True)
    healthy = all(r.ok for r in results.values() if r.critical)
    return HealthReport(
        status="ok" if healthy else "degraded",
        version=version,
        environment=environment,
        checks=results,
    )


def _timed(run: Callable[[], str]) -> tuple[str, float]:
    started = time.perf_counter()
    detail = run()
    return detail, round((time.perf_counter() - started) * 1000, 1)


def _describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200]

"""Test tiers: unit/ and adapters/ run bare; integration/ and e2e/ share one emulator
suite, started once for the session by the `emulators` fixture, which each of those
tiers' conftest requests for every test (so it starts only if such a test runs)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tools import stack as local_stack

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_TIERS = {"integration": "emulator", "e2e": "e2e"}
# Passed to the function workers of the test stack only (not `make dev` nor bench): one
# callable's rate limit lowered so tests/integration/test_edge_limits.py reaches it in a
# few calls (read only inside the Functions emulator; see functions/_limits.py).
FUNCTIONS_TEST_ENV = {
    "AURA_RATE_LIMIT_OVERRIDES": json.dumps(
        {
            "forget_all_memories": {"free": 5, "pro": 7, "windowSeconds": 20},
            # Emails per user (functions/_limits.py EMAIL): tests/integration/test_email.py
            "sendemail": {"free": 3, "pro": 3, "windowSeconds": 3600},
        }
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        if tier in EMULATOR_TIERS:
            item.add_marker(getattr(pytest.mark, EMULATOR_TIERS[tier]))


@pytest.fixture(scope="session")
def emulators() -> Iterator[local_stack.Stack]:
    """The Firebase Local Emulator Suite with every function and the built web app."""
    if not (ROOT / "hosting/dist/index.html").exists():
        pytest.fail("hosting/dist is missing: build the web app first (make web)")
    running = local_stack.start(extra_env=FUNCTIONS_TEST_ENV)
    saved = dict(os.environ)
    os.environ.update(running.env)
    try:
        yield running
    finally:
        os.environ.clear()
        os.environ.update(saved)
        running.stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = ROOT / "test-results"
    path.mkdir(exist_ok=True)
    return path


LOG_TAIL_LINES = 60


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing emulator test carries the tails of the emulator and stand-in logs, so a
    failure on CI (where .aura/ is gone afterwards) can be read from its output alone."""
    report = yield
    if report.failed and call.when == "call" and item.get_closest_marker("emulator"):
        for log in sorted(local_stack.LOG_DIR.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            report.sections.append((f"tail of {log.name}", "\n".join(lines)))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.support import fuzz, rules_matrix

    if rules_matrix.ran:
        terminalreporter.write_line(f"security rules matrix: {rules_matrix.ran} cases ran")
    if fuzz.tried:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(fuzz.tried.items()))
        total = sum(fuzz.tried.values())
        terminalreporter.write_line(f"fuzz: {total} hostile inputs tried ({counts})")

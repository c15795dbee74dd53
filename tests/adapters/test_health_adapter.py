"""The `health` function called directly with a synthetic Flask request (no emulator)."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from functions.http import health as health_module
from shared.health import checks


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


@pytest.fixture(autouse=True)
def no_real_dependencies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "firestore_check", lambda: "reachable")
    monkeypatch.setattr(checks, "pubsub_check", lambda: "topic exists")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("AURA_OPENAI_BASE_URL", raising=False)


def get(app: Flask, method: str = "GET") -> tuple[int, dict[str, object]]:
    with app.test_request_context("/health", method=method):
        from flask import request

        resp = health_module.health(request)
    body = json.loads(resp.get_data(as_text=True)) if resp.get_data() else {}
    return resp.status_code, body


def test_healthy_is_200_and_reports_configured_providers(app: Flask) -> None:
    status, body = get(app)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["ai"] == {  # type: ignore[index]
        "ok": True,
        "critical": True,
        "latencyMs": pytest.approx(0, abs=50),
        "detail": "anthropic: missing, openai: real",
    }


def test_failing_critical_dependency_is_503(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> str:
        raise ConnectionError("firestore unreachable")

    monkeypatch.setattr(checks, "firestore_check", down)
    status, body = get(app)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"]["firestore"]["detail"] == "ConnectionError: firestore unreachable"  # type: ignore[index]


def test_auth_emulator_variable_in_production_is_503(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    monkeypatch.delenv("FUNCTIONS_EMULATOR", raising=False)
    status, body = get(app)
    assert status == 503
    assert "not verified" in body["checks"]["auth"]["detail"]  # type: ignore[index]


def test_no_ai_provider_is_503(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    status, body = get(app)
    assert status == 503
    assert body["checks"]["ai"]["ok"] is False  # type: ignore[index]


def test_only_get_is_allowed(app: Flask) -> None:
    status, _ = get(app, method="DELETE")
    assert status == 405

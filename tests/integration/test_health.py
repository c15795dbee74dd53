"""`health` against the running emulators, directly and through Hosting's rewrite."""

from __future__ import annotations

from shared.health import checks
from shared.health.service import Check, run_checks
from tests.support import emulators as emu


def test_health_is_ok_with_every_dependency_checked() -> None:
    resp = emu.session.get(f"{emu.FUNCTIONS}/health", timeout=20)

    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ok"
    assert body["version"] == "0.1.0"
    assert body["environment"] == "emulator"
    assert {name for name, check in body["checks"].items() if check["ok"]} >= {
        "firestore",
        "pubsub",
        "auth",
    }
    assert set(body["checks"]) == {"firestore", "pubsub", "auth", "ai"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_health_through_hosting_rewrite() -> None:
    resp = emu.session.get(f"{emu.HOSTING}/api/health", timeout=20)
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_health_refuses_writes() -> None:
    resp = emu.session.post(f"{emu.FUNCTIONS}/health", timeout=20)
    assert resp.status_code == 405


def test_a_missing_topic_degrades_health_against_the_real_emulator() -> None:
    """The Pub/Sub check against the emulator, for a topic that does not exist. (Deleting
    the real events topic instead would pull the subscription from under the Functions
    emulator, which then crashes.)"""
    report = run_checks(
        {
            "firestore": Check(run=checks.firestore_check),
            "pubsub": Check(run=lambda: checks.pubsub_check("no-such-topic")),
        },
        version="test",
        environment="emulator",
    )

    assert report.status == "degraded"
    assert report.checks["pubsub"].ok is False
    assert "NotFound" in report.checks["pubsub"].detail
    assert report.checks["firestore"].ok is True


def test_hosting_serves_the_app_with_security_headers() -> None:
    """No inline script may run, no other site may frame the app, no MIME sniffing."""
    resp = emu.session.get(f"{emu.HOSTING}/", timeout=20)
    assert resp.status_code == 200
    csp = {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in resp.headers["Content-Security-Policy"].split("; ")
    }
    # No 'unsafe-inline', no 'unsafe-eval': the app's own files, and Google's loader that
    # Firebase Auth's provider pop-up needs (docs/channels.md "CSP").
    assert csp["script-src"] == "'self' https://apis.google.com"
    # The Auth emulator's helper frame on loopback only, beside the real auth domain.
    assert csp["frame-src"] == "https://*.firebaseapp.com http://127.0.0.1:9099"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in resp.text  # the built page has no inline script

"""Seed the local stack's demo account (idempotent: a second run signs in instead)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tools.stack import PROJECT_ID, REGION, Ports

DEMO_EMAIL = "demo@aura.local"
DEMO_PASSWORD = "aura-demo-2026"  # noqa: S105 - a local emulator account, printed by make dev
DEMO_NAME = "Demo User"


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    uid: str


def _post(url: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return dict(json.loads(resp.read()))


def seed_demo_account() -> Account:
    """Create the demo user in the Auth emulator and its profile through `ensure_profile`."""
    ports = Ports.from_config()
    auth = f"http://127.0.0.1:{ports.auth}/identitytoolkit.googleapis.com/v1"
    creds = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "returnSecureToken": True}
    try:
        session = _post(f"{auth}/accounts:signUp?key=demo-key", creds)
        _post(
            f"{auth}/accounts:update?key=demo-key",
            {"idToken": session["idToken"], "displayName": DEMO_NAME},
        )
        session = _post(f"{auth}/accounts:signInWithPassword?key=demo-key", creds)
    except urllib.error.HTTPError as exc:
        if "EMAIL_EXISTS" not in exc.read().decode():
            raise
        session = _post(f"{auth}/accounts:signInWithPassword?key=demo-key", creds)
    functions = f"http://127.0.0.1:{ports.functions}/{PROJECT_ID}/{REGION}"
    _post(f"{functions}/ensure_profile", {"data": {"timezone": "UTC"}}, token=session["idToken"])
    return Account(email=DEMO_EMAIL, password=DEMO_PASSWORD, uid=session["localId"])

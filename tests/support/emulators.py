"""Talking to the emulators the way clients do: REST with per-user ID tokens.

Never the Python Firestore client for anything rules must see: under the emulator it
sends the `owner` token and bypasses the rules.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from tools.stack import PROJECT_ID, REGION, STORAGE_BUCKET, Ports

PORTS = Ports.from_config()
HOST = "127.0.0.1"
AUTH = f"http://{HOST}:{PORTS.auth}"
FIRESTORE = f"http://{HOST}:{PORTS.firestore}"
FUNCTIONS = f"http://{HOST}:{PORTS.functions}/{PROJECT_ID}/{REGION}"
PUBSUB = f"http://{HOST}:{PORTS.pubsub}/v1/projects/{PROJECT_ID}"
HOSTING = f"http://{HOST}:{PORTS.hosting}"
STORAGE = f"http://{HOST}:{PORTS.storage}"
DOCS = f"{FIRESTORE}/v1/projects/{PROJECT_ID}/databases/(default)/documents"
API_KEY = "demo-key"


def _session() -> requests.Session:
    """One keep-alive session for every emulator. The Node emulators close a connection
    idle for 5 s; a request sent on it just then is reset before any answer. Idempotent
    methods are sent again (twice at most); a POST is not, as it may have been handled."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(total=2, connect=2, read=2, backoff_factor=0.05)
    adapter = HTTPAdapter(max_retries=retry)
    http = requests.Session()
    http.mount("http://", adapter)
    return http


session = _session()


# --- Auth emulator -------------------------------------------------------------------


@dataclass
class User:
    uid: str
    email: str
    password: str
    id_token: str

    def refresh(self) -> User:
        """Sign in again to get a token with the current custom claims."""
        fresh = sign_in(self.email, self.password)
        self.id_token = fresh.id_token
        return self


def sign_up(email: str | None = None, password: str = "correct-horse-9") -> User:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    resp = session.post(
        f"{AUTH}/identitytoolkit.googleapis.com/v1/accounts:signUp?key={API_KEY}",
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=10,
    )
    resp.raise_for_status()
    body = resp.json()
    return User(uid=body["localId"], email=email, password=password, id_token=body["idToken"])


def sign_in(email: str, password: str) -> User:
    resp = session.post(
        f"{AUTH}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key={API_KEY}",
        json={"email": email, "password": password, "returnSecureToken": True},
        timeout=10,
    )
    resp.raise_for_status()
    body = resp.json()
    return User(uid=body["localId"], email=email, password=password, id_token=body["idToken"])


def sign_up_anonymously() -> str:
    resp = session.post(
        f"{AUTH}/identitytoolkit.googleapis.com/v1/accounts:signUp?key={API_KEY}",
        json={"returnSecureToken": True},
        timeout=10,
    )
    resp.raise_for_status()
    return str(resp.json()["idToken"])


def set_claims(uid: str, claims: dict[str, Any]) -> None:
    resp = session.post(
        f"{AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:update",
        json={"localId": uid, "customAttributes": json.dumps(claims)},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()


def get_claims(uid: str) -> dict[str, Any]:
    resp = session.post(
        f"{AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:lookup",
        json={"localId": [uid]},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()
    attrs = resp.json()["users"][0].get("customAttributes") or "{}"
    return dict(json.loads(attrs))


def clear_auth() -> None:
    session.delete(f"{AUTH}/emulator/v1/projects/{PROJECT_ID}/accounts", timeout=10)


def unsigned_token(uid: str, **claims: Any) -> str:
    """An ID token the Firestore emulator accepts without a signature (as the JS
    rules-unit-testing library makes them)."""
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{PROJECT_ID}",
        "aud": PROJECT_ID,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": uid,
        "user_id": uid,
        "email": f"{uid}@example.com",
        "email_verified": True,
        "firebase": {"sign_in_provider": "password", "identities": {}},
        **claims,
    }

    def b64(obj: dict[str, Any]) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{b64({'alg': 'none', 'kid': 'fakekid', 'typ': 'JWT'})}.{b64(payload)}."


# --- Functions emulator --------------------------------------------------------------


@dataclass
class CallResult:
    http_status: int
    result: Any = None
    error: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return str(self.error.get("status", "OK"))

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.error.get("details") or {})


def call(function: str, data: Any = None, token: str | None = None) -> CallResult:
    """Call a callable over the Firebase callable protocol, as the client SDKs do.

    One connection per call: the Functions emulator has been seen to answer a request
    twice (firebase-tools #8774), and a second answer left on a kept-alive connection
    would be read as the reply to the next call.
    """
    headers = {"Content-Type": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    resp = session.post(f"{FUNCTIONS}/{function}", json={"data": data}, headers=headers, timeout=30)
    body = resp.json()
    if "error" in body:
        return CallResult(resp.status_code, error=body["error"])
    return CallResult(resp.status_code, result=body.get("result"))


# --- Firestore emulator --------------------------------------------------------------


def clear_firestore() -> None:
    session.delete(
        f"{FIRESTORE}/emulator/v1/projects/{PROJECT_ID}/databases/(default)/documents",
        timeout=10,
    )


def load_rules(source: str) -> None:
    resp = session.put(
        f"{FIRESTORE}/emulator/v1/projects/{PROJECT_ID}:securityRules",
        json={"rules": {"files": [{"name": "firestore.rules", "content": source}]}},
        timeout=10,
    )
    resp.raise_for_status()


def to_value(value: Any) -> dict[str, Any]:
    """A Python value as a Firestore REST `Value`."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [to_value(v) for v in value]}}
    if isinstance(value, dict):
        return {"mapValue": {"fields": fields(value)}}
    raise TypeError(type(value))


def fields(data: dict[str, Any]) -> dict[str, Any]:
    return {key: to_value(value) for key, value in data.items()}


def auth_header(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


# --- Storage emulator ----------------------------------------------------------------


def clear_storage() -> None:
    """Delete every object and bucket (the emulator's own reset; buckets come back on use)."""
    session.post(f"{STORAGE}/internal/reset", timeout=10).raise_for_status()


def storage_client_get(path: str, token: str | None, bucket: str = STORAGE_BUCKET) -> Any:
    """GET object `path` as a client SDK does (Firebase Storage API, security rules apply)."""
    obj = urllib.parse.quote(path, safe="")
    headers = {"Authorization": f"Firebase {token}"} if token else {}
    return session.get(f"{STORAGE}/v0/b/{bucket}/o/{obj}?alt=media", headers=headers, timeout=10)


# --- the AI stand-in -----------------------------------------------------------------

STANDIN = "http://127.0.0.1:8790"


def standin_requests() -> list[dict[str, Any]]:
    return list(session.get(f"{STANDIN}/_standin/requests", timeout=10).json())


def standin_reset() -> None:
    session.delete(f"{STANDIN}/_standin/requests", timeout=10).raise_for_status()
    session.delete(f"{STANDIN}/_standin/faults", timeout=10).raise_for_status()


def standin_quiesce(settle_s: float = 0.6, timeout: float = 20.0) -> None:
    """Wait until triggered work (replies, titles, intents) has stopped calling the
    stand-in, so one test's background calls cannot consume the next test's faults."""
    deadline = time.monotonic() + timeout
    last = -1
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        entries = standin_requests()
        busy = any(e.get("ended_at") is None for e in entries)
        if len(entries) != last or busy:
            last, stable_since = len(entries), time.monotonic()
        elif time.monotonic() - stable_since >= settle_s:
            return
        time.sleep(0.1)


def standin_fault(**fault: Any) -> None:
    session.post(f"{STANDIN}/_standin/faults", json=fault, timeout=10).raise_for_status()


# --- client-side writes and waiting --------------------------------------------------


CLOCK = "http://127.0.0.1:8791"


def clock_state() -> dict[str, Any]:
    """The local clock's queues, held tasks and cron jobs (tools/clock.py)."""
    state: dict[str, Any] = session.get(f"{CLOCK}/_clock/state", timeout=10).json()
    return state


def clock_fire(function: str) -> None:
    """Fire scheduled function `function` now, as its cron would."""
    session.post(f"{CLOCK}/_clock/fire/{function}", timeout=10).raise_for_status()


def create_doc(collection: str, data: dict[str, Any], token: str, *, server_time: str) -> str:
    """Create a document as a client would (with a server-timestamp field); returns its id."""
    doc_id = uuid.uuid4().hex[:20]
    name = f"projects/{PROJECT_ID}/databases/(default)/documents/{collection}/{doc_id}"
    write = {
        "update": {"name": name, "fields": fields(data)},
        "currentDocument": {"exists": False},
        "updateTransforms": [{"fieldPath": server_time, "setToServerValue": "REQUEST_TIME"}],
    }
    resp = session.post(f"{DOCS}:commit", json={"writes": [write]}, headers=auth_header(token))
    resp.raise_for_status()
    return doc_id


def wait_for(predicate: Any, *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)

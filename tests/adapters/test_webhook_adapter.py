"""The `webhook` function called directly with synthetic Flask requests (no emulator).

Only the Firestore-facing parts are replaced: the workflow runtime, the secret lookup and
the rate limiter. The emulator suite (tests/integration/test_webhooks.py) covers the
same edges against a real workflow.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, Response
from werkzeug.test import EnvironBuilder

from functions import _clients
from functions.http import webhook as webhook_module
from shared.platform import ratelimit
from shared.workflows import webhooks

SECRET = "s3cret"
PATH = "/hooks/user1/wf1"


class CountingStream:
    """A request body of `total` bytes that records how much of it was read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        left = self.total - self.read_bytes
        n = left if size is None or size < 0 else min(size, left)
        self.read_bytes += n
        return b"x" * n


class Untouchable:
    """A body that must not be read at all."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


@pytest.fixture(autouse=True)
def fake_firestore(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One workflow `user1/wf1` with a webhook secret; every other id has none."""
    state: dict[str, Any] = {"started": []}

    def secret_ref(db: Any, uid: str, workflow_id: str) -> Any:
        exists = (uid, workflow_id) == ("user1", "wf1")
        snapshot = SimpleNamespace(
            exists=exists, to_dict=lambda: {"secret": SECRET} if exists else None
        )
        return SimpleNamespace(get=lambda: snapshot)

    def start(**kwargs: Any) -> Any:
        state["started"].append(kwargs["command"])
        return SimpleNamespace(execution_id="e1")

    monkeypatch.setattr(_clients, "workflow_runtime", lambda: SimpleNamespace(db=object()))
    monkeypatch.setattr(webhooks, "webhook_secret_ref", secret_ref)
    monkeypatch.setattr(ratelimit, "hit", lambda *a, **k: ratelimit.Decision(True, 59, 0.0))
    monkeypatch.setattr(webhooks.executions, "start_execution", start)
    return state


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"X-Aura-Timestamp": stamp, "X-Aura-Signature": webhooks.sign(secret, stamp, body)}


def call(app: Flask, environ: dict[str, Any]) -> Response:
    with app.request_context(environ):
        from flask import request

        return webhook_module.webhook(request)


def post(app: Flask, body: bytes, headers: dict[str, str], path: str = PATH) -> Response:
    environ = EnvironBuilder(path=path, method="POST", data=body, headers=headers).get_environ()
    return call(app, environ)


def streamed(stream: Any, headers: dict[str, str], content_length: int | None = None) -> Any:
    """An environ whose body arrives as a stream, as chunked requests do (the server
    terminates the stream, so no Content-Length is needed)."""
    environ = EnvironBuilder(path=PATH, method="POST", headers=headers).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream
    environ["wsgi.input_terminated"] = True
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    return environ


def body_of(response: Response) -> dict[str, Any]:
    return dict(json.loads(response.get_data(as_text=True)))


def test_a_signed_call_starts_a_run(app: Flask, fake_firestore: dict[str, Any]) -> None:
    body = b'{"n": 7}'
    response = post(app, body, signed(body))
    assert response.status_code == 202, response.get_data(as_text=True)
    assert body_of(response) == {"executionId": "e1"}
    assert fake_firestore["started"][0].input == {"n": 7}


def test_a_streamed_body_is_cut_while_reading(app: Flask) -> None:
    stream = CountingStream(8 * 1024 * 1024)  # 8 MiB, no Content-Length
    response = call(app, streamed(stream, signed(b"")))

    assert response.status_code == 413
    assert stream.read_bytes <= webhooks.MAX_BODY_BYTES + 1


def test_a_declared_length_over_the_cap_is_refused_before_reading(app: Flask) -> None:
    environ = streamed(Untouchable(), signed(b""), content_length=webhooks.MAX_BODY_BYTES + 1)
    environ.pop("HTTP_TRANSFER_ENCODING")
    response = call(app, environ)
    assert response.status_code == 413


def test_a_body_of_exactly_the_cap_is_read_whole(
    app: Flask, fake_firestore: dict[str, Any]
) -> None:
    stream = CountingStream(webhooks.MAX_BODY_BYTES)
    response = call(app, streamed(stream, signed(b"x" * webhooks.MAX_BODY_BYTES)))
    # Read whole and verified; as text that is not JSON it does not fit as `{"raw": ...}`.
    assert stream.read_bytes == webhooks.MAX_BODY_BYTES
    assert response.status_code == 400
    assert "cannot be stored" in body_of(response)["error"]


@pytest.mark.parametrize(
    "signature", ["sha256=" + "é" * 64, "sha256=ü", "sha256=\u00ff" + "0" * 63]
)
def test_a_non_ascii_signature_gets_the_one_401(app: Flask, signature: str) -> None:
    body = b"{}"
    headers = {**signed(body), "X-Aura-Signature": signature}
    unknown = post(app, body, signed(body), path="/hooks/user1/no-such-workflow")

    response = post(app, body, headers)

    assert response.status_code == 401
    assert unknown.status_code == 401
    assert response.get_data() == unknown.get_data()


@pytest.mark.parametrize(
    "headers",
    [
        # full-width digits: int() accepts them, a Unix time never has them
        {"X-Aura-Timestamp": "\uff11\uff12\uff13", "X-Aura-Signature": "sha256=00"},
        {"X-Aura-Timestamp": "9" * 5000, "X-Aura-Signature": "sha256=00"},
        {"X-Aura-Timestamp": "-5", "X-Aura-Signature": "sha256=00"},
        {},
    ],
)
def test_malformed_timestamps_get_the_one_401(app: Flask, headers: dict[str, str]) -> None:
    response = post(app, b"{}", headers)
    assert response.status_code == 401
    assert body_of(response) == {"error": webhooks.NOT_VERIFIED}


def test_stale_and_unknown_get_the_same_body(app: Flask) -> None:
    body = b"{}"
    stamp = str(int(time.time()) - 3600)
    stale = post(
        app,
        body,
        {"X-Aura-Timestamp": stamp, "X-Aura-Signature": webhooks.sign(SECRET, stamp, body)},
    )
    unknown = post(app, body, signed(body), path="/hooks/user1/other")
    reserved = post(app, body, signed(body), path="/hooks/__x__/wf1")
    assert stale.status_code == unknown.status_code == reserved.status_code == 401
    assert stale.get_data() == unknown.get_data() == reserved.get_data()


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# 40: parsed, then refused by the storable check; 10,000: deeper than the JSON parser goes.
@pytest.mark.parametrize("depth", [40, 10_000])
def test_a_deeply_nested_signed_body_is_a_400(
    app: Flask, fake_firestore: dict[str, Any], depth: int
) -> None:
    body = nested(depth)
    response = post(app, body, signed(body))

    assert response.status_code == 400
    assert "nested" in body_of(response)["error"]
    assert fake_firestore["started"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"m": [[1, 2]]}', "array"),
        (b'{"n": 9223372036854775808}', "64-bit"),
        (b'{"__name__": 1}', "reserved"),
        (b'{"n": ' + b"9" * 5000 + b"}", "cannot be read"),
    ],
)
def test_bodies_firestore_cannot_store_are_a_400(
    app: Flask, fake_firestore: dict[str, Any], body: bytes, fragment: str
) -> None:
    response = post(app, body, signed(body))
    assert response.status_code == 400
    assert fragment in body_of(response)["error"]
    assert fake_firestore["started"] == []


def test_over_the_rate_is_a_429_with_retry_after(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "hit", lambda *a, **k: ratelimit.Decision(False, 0, 12.5))
    body = b"{}"
    response = post(app, body, signed(body))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "13"


def test_non_json_text_becomes_raw_input(app: Flask, fake_firestore: dict[str, Any]) -> None:
    body = b"plain text \xff"
    response = post(app, body, signed(body))
    assert response.status_code == 202
    assert fake_firestore["started"][0].input == {"raw": "plain text \ufffd"}


def test_only_post_is_allowed(app: Flask) -> None:
    environ = EnvironBuilder(path=PATH, method="GET").get_environ()
    assert call(app, environ).status_code == 405

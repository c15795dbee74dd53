"""Every callable, read from the deployment manifest, at the adapter tier (no emulator).

Each is called as the Functions framework calls it (a Flask request in the callable
protocol). The ID token is an unsigned one with the Auth emulator's variable set, which
is how the SDK accepts tokens under the emulator; nothing else is faked. A callable that
touched Firestore before checking its input would hang here instead of answering.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from flask import Flask, request

import main
from tests.support.emulators import unsigned_token
from tools.stack import Ports, client_env

CALLABLES = sorted(
    name
    for name, fn in inspect.getmembers(main, inspect.isfunction)
    if getattr(fn, "__firebase_endpoint__", None) is not None
    and fn.__firebase_endpoint__.callableTrigger is not None
)


@pytest.fixture(autouse=True)
def _emulated_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never contacted here; but the Admin SDK caches its Auth client (and this host) per
    # app, so it must be the host the later emulator tiers use.
    env = client_env(Ports.from_config())
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", env["FIREBASE_AUTH_EMULATOR_HOST"])
    monkeypatch.setenv("GCLOUD_PROJECT", env["GCLOUD_PROJECT"])
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")


def answer(function: str, data: Any, *, signed_in: bool = True) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {unsigned_token('u1', email='u1@aura.test')}"}
    with Flask(__name__).test_request_context(
        "/",
        method="POST",
        data=json.dumps({"data": data}),
        content_type="application/json",
        headers=headers if signed_in else {},
    ):
        response = getattr(main, function)(request)
    return response.status_code, response.get_json()


def test_every_callable_is_covered() -> None:
    assert len(CALLABLES) >= 13


@pytest.mark.parametrize("function", CALLABLES)
def test_without_a_token_the_answer_is_unauthenticated(function: str) -> None:
    status, body = answer(function, {}, signed_in=False)
    assert status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("function", CALLABLES)
@pytest.mark.parametrize("data", [[1, 2], "text", 7])
def test_input_that_is_not_an_object_is_invalid_argument(function: str, data: Any) -> None:
    status, body = answer(function, data)
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert body["error"]["details"] == {"field": ""}


@pytest.mark.parametrize("function", CALLABLES)
def test_an_unknown_field_is_invalid_argument_naming_a_field(function: str) -> None:
    status, body = answer(function, {"zzUnknown": 1})
    assert status == 400, body
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert "field" in body["error"]["details"]


@pytest.mark.parametrize("function", CALLABLES)
@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"n": ' + b"1" * 5_000 + b"}}",  # past Python's 4,300-digit int limit
        b"\xff\xfe\x00not json",  # not UTF-8
        b'{"data": ',  # cut short
    ],
)
def test_a_body_the_sdk_cannot_parse_is_invalid_argument_not_internal(
    function: str, body: bytes
) -> None:
    headers = {"Authorization": f"Bearer {unsigned_token('u1', email='u1@aura.test')}"}
    with Flask(__name__).test_request_context(
        "/", method="POST", data=body, content_type="application/json", headers=headers
    ):
        response = getattr(main, function)(request)
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == "INVALID_ARGUMENT"

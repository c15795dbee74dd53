"""The edge's per-user rate limit (functions/_edge.py `check_rate`, functions/_limits.py),
for every callable in the manifest, with the in-memory limiter of tests/adapters/conftest.py.

The payload sent is invalid on purpose (`{"zzUnknown": 1}`): a handler that runs answers
`invalid-argument`, so the answer tells whether the handler ran.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from firebase_functions import https_fn
from flask import Flask, request
from google.api_core import exceptions as api_exceptions

import main
from functions import _edge, _limits
from tests.adapters.conftest import RecordingLimiter
from tests.support.emulators import unsigned_token
from tools.stack import Ports, client_env

ROOT = Path(__file__).resolve().parent.parent.parent
ENDPOINTS = {
    name: fn.__firebase_endpoint__
    for name, fn in inspect.getmembers(main, inspect.isfunction)
    if getattr(fn, "__firebase_endpoint__", None) is not None
}
CALLABLES = sorted(n for n, e in ENDPOINTS.items() if e.callableTrigger is not None)
HTTP_FUNCTIONS = sorted(n for n, e in ENDPOINTS.items() if e.httpsTrigger is not None)
INVALID = {"zzUnknown": 1}


@pytest.fixture(autouse=True)
def _emulated_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    env = client_env(Ports.from_config())
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", env["FIREBASE_AUTH_EMULATOR_HOST"])
    monkeypatch.setenv("GCLOUD_PROJECT", env["GCLOUD_PROJECT"])
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    monkeypatch.delenv(_limits.OVERRIDES_ENV, raising=False)


def answer(function: str, uid: str = "u1", **claims: Any) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {unsigned_token(uid, **claims)}"}
    with Flask(__name__).test_request_context(
        "/",
        method="POST",
        data=json.dumps({"data": INVALID}),
        content_type="application/json",
        headers=headers,
    ):
        response = getattr(main, function)(request)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("function", CALLABLES)
def test_within_the_limit_one_hit_keyed_by_function_and_uid_then_the_handler_runs(
    function: str, limiter: RecordingLimiter
) -> None:
    status, body = answer(function)
    assert status == 400, body  # the handler ran: its parse refused the payload
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    free, window = _limits.limit_of(function).free, _limits.limit_of(function).window_s
    assert limiter.hits == [(f"fn:{function}:u1", free, window, 1)]
    assert limiter.uids == ["u1"]  # stored on the window, so account erasure finds it


@pytest.mark.parametrize("function", CALLABLES)
def test_beyond_the_limit_resource_exhausted_with_retry_after_and_the_handler_never_runs(
    function: str, limiter: RecordingLimiter
) -> None:
    limiter.deny = True
    status, body = answer(function)
    assert status == 429, body
    error = body["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"  # not INVALID_ARGUMENT: no parse ran
    assert error["details"] == {
        "reason": "rate-limit",
        "function": function,
        "limit": _limits.limit_of(function).free,
        "windowSeconds": _limits.limit_of(function).window_s,
        "retryAfterSeconds": 43,  # 42.3 s left in the window, in whole seconds
    }
    assert len(limiter.hits) == 1


def test_an_unauthenticated_call_is_refused_before_any_hit(limiter: RecordingLimiter) -> None:
    with Flask(__name__).test_request_context(
        "/", method="POST", data=json.dumps({"data": {}}), content_type="application/json"
    ):
        response = main.update_settings(request)
    assert response.status_code == 401
    assert limiter.hits == []


def _request(uid: str, **claims: Any) -> Any:
    auth = SimpleNamespace(uid=uid, token={"firebase": {"sign_in_provider": "password"}, **claims})
    return SimpleNamespace(auth=auth, data={}, raw_request=SimpleNamespace(headers={}))


def test_the_handler_body_runs_once_within_the_limit_and_never_beyond(
    limiter: RecordingLimiter,
) -> None:
    ran: list[str] = []
    with _edge.call(_request("u1"), "update_settings") as caller:
        ran.append(caller.uid)
    assert ran == ["u1"]

    limiter.deny = True
    with (
        pytest.raises(https_fn.HttpsError) as caught,
        _edge.call(_request("u1"), "update_settings"),
    ):
        ran.append("ran beyond the limit")
    assert caught.value.code == https_fn.FunctionsErrorCode.RESOURCE_EXHAUSTED
    assert caught.value.details["retryAfterSeconds"] == 43
    assert ran == ["u1"]


def test_the_key_names_the_function_and_the_uid(limiter: RecordingLimiter) -> None:
    for uid, function in (("u1", "recall"), ("u2", "recall"), ("u1", "remember")):
        with _edge.call(_request(uid), function):
            pass
    assert [hit[0] for hit in limiter.hits] == ["fn:recall:u1", "fn:recall:u2", "fn:remember:u1"]


@pytest.mark.parametrize(
    ("claims", "plan"),
    [
        ({}, "free"),
        ({"plan": "free"}, "free"),
        ({"plan": "pro"}, "pro"),
        ({"plan": "gold"}, "free"),
    ],
)
def test_the_plan_claim_picks_the_limit(
    limiter: RecordingLimiter, claims: dict[str, Any], plan: str
) -> None:
    with _edge.call(_request("u1", **claims), "generate"):
        pass
    expected = _limits.FUNCTIONS["generate"].for_plan(plan)
    assert limiter.hits == [("fn:generate:u1", expected, 60, _limits.shards_for(expected, 60))]
    assert _limits.FUNCTIONS["generate"].pro > _limits.FUNCTIONS["generate"].free


def test_pro_limits_are_sharded_so_no_window_document_takes_more_than_two_writes_a_second(
    limiter: RecordingLimiter,
) -> None:
    with _edge.call(_request("u1", plan="pro"), "update_settings"):
        pass
    assert limiter.hits == [("fn:update_settings:u1", 600, 60, 5)]
    for spec in [_limits.DEFAULT, *_limits.FUNCTIONS.values()]:
        assert _limits.shards_for(spec.free, spec.window_s) == 1
        per_shard = spec.pro / _limits.shards_for(spec.pro, spec.window_s)
        assert per_shard / spec.window_s <= _limits.WRITES_PER_SHARD_PER_S


def test_a_limiter_that_cannot_reach_firestore_lets_the_call_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down(*_: Any) -> Any:
        raise api_exceptions.ServiceUnavailable("firestore down")

    monkeypatch.setattr(_edge, "limiter", down)
    ran = []
    with _edge.call(_request("u1"), "update_settings"):
        ran.append(1)
    assert ran == [1]


def test_overrides_apply_only_inside_the_functions_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(_limits.OVERRIDES_ENV, json.dumps({"recall": {"free": 3, "pro": 4}}))
    assert _limits.limit_of("recall") == _limits.Limit(free=3, pro=4)
    monkeypatch.delenv("FUNCTIONS_EMULATOR")
    assert _limits.limit_of("recall") == _limits.FUNCTIONS["recall"]


def test_every_entry_names_a_deployed_function_and_every_http_function_is_accounted_for() -> None:
    assert set(_limits.FUNCTIONS) <= set(CALLABLES)
    assert set(_limits.HTTP) == set(HTTP_FUNCTIONS)
    for spec in _limits.FUNCTIONS.values():
        assert 1 <= spec.free <= spec.pro
        assert spec.free <= _limits.DEFAULT.free


def test_docs_security_lists_every_limit_as_in_the_table() -> None:
    """docs/security.md's table has one row per entry (and the default) with the same
    numbers: a change to functions/_limits.py without the docs fails here."""
    text = (ROOT / "docs/security.md").read_text()
    section = text.split("## Rate limits per function", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `?([a-z_ ()]+?)`? \| ([\d,]+) \| ([\d,]+) \| (\d+) s \|", section, re.M)
    documented = {
        name: (int(f.replace(",", "")), int(p.replace(",", "")), int(w)) for name, f, p, w in rows
    }
    expected = {name: (s.free, s.pro, s.window_s) for name, s in _limits.FUNCTIONS.items()}
    expected["every other callable (default)"] = (
        _limits.DEFAULT.free,
        _limits.DEFAULT.pro,
        _limits.DEFAULT.window_s,
    )
    assert documented == expected

"""Hostile payloads against every callable and HTTP function, generated from the manifest.

Each function `main.py` exports is found from its deploy metadata, so a new function is
fuzzed without editing this file. Payloads come from Hypothesis (derandomised, so CI sees
the same inputs every run): wrong types, null, non-objects, unknown and known field names
(read from every command model), huge strings, deep nesting, Unicode edge cases (lone
surrogates, NUL, bidi overrides), reserved ids and int64 edges. Every answer must be a 4xx
(never `internal`), an `invalid-argument` must name its field, and a refused call must
leave Firestore as it was.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import main
from shared.platform import clients
from shared.validation import Command
from shared.workflows.webhooks import sign
from tests.support import emulators as emu
from tests.support import fuzz

EXAMPLES = 25
# Server-side bookkeeping a refused call may still touch (rate-limit windows, usage
# counters: docs/platform.md "Usage analytics").
BOOKKEEPING = ("_rateLimits", "_analytics")


def _endpoints() -> dict[str, Any]:
    return {
        name: fn.__firebase_endpoint__
        for name, fn in inspect.getmembers(main, inspect.isfunction)
        if hasattr(fn, "__firebase_endpoint__")
    }


CALLABLES = sorted(n for n, e in _endpoints().items() if e.callableTrigger is not None)
HTTP_FUNCTIONS = sorted(n for n, e in _endpoints().items() if e.httpsTrigger is not None)


def _field_names() -> list[str]:
    """Every wire name any command model accepts, so payloads reach past 'unknown field'."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [Command]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return sorted(names)


RESERVED = ["__x__", "__name__", ".", "..", "a/b", "", "   ", "a" * 1_600]
INT_EDGES = [2**63, -(2**63) - 1, 2**63 - 1, -(2**63), 2**64, 10**40]
UNICODE = ["\x00", "\ud800", "\udfff", "\u202e", "\uffff", "\u200b", "😀" * 50, "é", "\n\r"]
keys = st.one_of(st.sampled_from(_field_names()), st.sampled_from(RESERVED), st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(INT_EDGES),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(RESERVED + UNICODE),
    st.just("x" * 300_000),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
payloads = st.one_of(st.dictionaries(keys, values, max_size=6), values)


def deep(depth: int) -> str:
    """JSON nested `depth` levels, written by hand (json.dumps would recurse)."""
    return '{"a":' * depth + "1" + "}" * depth


def _paths(ref: Any) -> Iterator[str]:
    for collection in ref.collections():
        for doc in collection.list_documents():
            yield doc.path
            yield from _paths(doc)


def stored() -> set[str]:
    """Every document path in the emulator (the database is cleared before each test)."""
    db = clients.get_db()
    found: set[str] = set()
    for collection in db.collections():
        if collection.id in BOOKKEEPING:
            continue
        for doc in collection.list_documents():
            found.add(doc.path)
            found.update(_paths(doc))
    return found


def reset_rate_limits() -> None:
    """Empty `_rateLimits`: a function gets more hostile calls here than some per-user
    limits allow (functions/_limits.py; the test stack lowers one to 5), and the fuzz is
    about input handling, so every call must reach the handler (check_answer asserts it)."""
    for doc in clients.get_db().collection("_rateLimits").list_documents():
        doc.delete()


def settle(function: str, uid: str) -> None:
    """Wait for the background work a valid call started, which writes later on its own
    (an export's task: the archive, the audit entry, the notification)."""
    if function == "export_my_data":
        exports = clients.get_db().collection("users").document(uid).collection("exports")
        emu.wait_for(
            lambda: all(
                (d.to_dict() or {}).get("status") not in ("queued", "running")
                for d in exports.stream()
            ),
            timeout=60,
        )


def post(function: str, body: str | bytes, token: str) -> tuple[int, dict[str, Any]]:
    resp = emu.session.post(
        f"{emu.FUNCTIONS}/{function}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Connection": "close",
        },
        timeout=60,
    )
    try:
        return resp.status_code, resp.json()
    except ValueError:
        return resp.status_code, {"raw": resp.text[:300]}


def check_answer(function: str, status: int, body: dict[str, Any], sent: str) -> bool:
    """Assert the answer is a clear refusal or a success; True when it succeeded."""
    error = body.get("error")
    problem = f"{function} answered {status} {body} to {sent[:300]!r}"
    assert status < 500, problem
    assert (error or {}).get("status") != "INTERNAL", problem
    assert ((error or {}).get("details") or {}).get("reason") != "rate-limit", problem
    if error is None:
        assert "result" in body, f"{function}: {body}"
        return True
    if error.get("status") == "INVALID_ARGUMENT":
        assert "field" in (error.get("details") or {}), f"{function}: no field path in {error}"
    return False


@pytest.mark.parametrize("function", CALLABLES)
def test_callables_refuse_hostile_payloads_clearly(user: emu.User, function: str) -> None:
    before = stored()

    def send(body: str) -> None:
        reset_rate_limits()
        status, answer = post(function, body, user.id_token)
        fuzz.tried[function] += 1
        nonlocal before
        if check_answer(function, status, answer, body):
            settle(function, user.uid)
            before = stored()  # a valid call may write; later refusals must not
        else:
            after = stored()
            assert after == before, (
                f"{function} wrote {after - before} while refusing {body[:200]!r}"
            )

    for fixed in (deep(50), deep(5_000), '{"data": ' + deep(5_000) + "}", "[]", "null"):
        send(fixed if fixed.startswith('{"data"') else '{"data": ' + fixed + "}")
    send('{"data": {"n": ' + "9" * 5_000 + "}}")  # an int Python will not parse
    send('{"data": ')  # not JSON at all

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=payloads)
    def hostile(payload: Any) -> None:
        send(json.dumps({"data": payload}))

    hostile()


def test_the_webhook_refuses_hostile_requests_clearly(user: emu.User) -> None:
    saved = emu.call(
        "save_workflow",
        {
            "name": "hooked",
            "status": "active",
            "nodes": [{"id": "t", "type": "transform", "config": {"template": "x"}}],
            "triggers": [{"type": "webhook"}],
        },
        user.id_token,
    )
    assert saved.status == "OK", saved.error
    workflow_id, secret = saved.result["id"], saved.result["webhookSecret"]
    before = stored()

    @settings(
        max_examples=EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path=st.sampled_from(
            [f"{user.uid}/{workflow_id}", f"{user.uid}/__x__", "a/b/c", "", f"{user.uid}/nope"]
        ),
        signature=st.one_of(
            st.text(max_size=80).map(lambda t: t.encode("utf-8")),
            st.just("sha256=" + "é" * 64).map(lambda t: t.encode("utf-8")),
            st.just(b"sha256=" + b"0" * 64),
        ),
        timestamp=st.one_of(st.text(max_size=20), st.just(str(int(time.time())))),
        body=st.one_of(
            st.binary(max_size=200),
            st.just(deep(5_000).encode()),
            st.just(b'{"a": [[1, 2]], "n": 99999999999999999999999}'),
        ),
        signed=st.booleans(),
    )
    def hostile(path: str, signature: bytes, timestamp: str, body: bytes, signed: bool) -> None:
        if signed:  # a valid signature over a hostile body: the body checks are reached
            timestamp = str(int(time.time()))
            signature = sign(secret, timestamp, body).encode()
        resp = emu.session.post(
            f"{emu.FUNCTIONS}/webhook/hooks/{path}",
            data=body,
            headers={
                "X-Aura-Signature": signature,
                "X-Aura-Timestamp": timestamp.encode("utf-8", errors="replace"),
                "Content-Type": "application/json",
                "Connection": "close",
            },
            timeout=60,
        )
        fuzz.tried["webhook"] += 1
        assert resp.status_code < 500, f"webhook {resp.status_code} {resp.text[:200]}"
        if resp.status_code != 202:
            nonlocal before
            assert stored() <= before | {p for p in stored() if "/executions/" in p}

    hostile()


@pytest.mark.parametrize("function", [f for f in HTTP_FUNCTIONS if f != "webhook"])
def test_other_http_functions_refuse_hostile_requests_clearly(function: str) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None)
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        suffix=st.text(alphabet=st.characters(codec="ascii"), max_size=30),
        body=st.binary(max_size=200),
    )
    def hostile(method: str, suffix: str, body: bytes) -> None:
        resp = emu.session.request(
            method, f"{emu.FUNCTIONS}/{function}/{suffix}", data=body, timeout=60
        )
        fuzz.tried[function] += 1
        assert resp.status_code < 500 or resp.status_code == 503, resp.text[:200]

    hostile()


def test_every_deployed_callable_and_http_function_is_fuzzed() -> None:
    covered = set(CALLABLES) | set(HTTP_FUNCTIONS)
    endpoints = _endpoints()
    internal = {
        n
        for n, e in endpoints.items()
        if e.eventTrigger is not None
        or e.taskQueueTrigger is not None
        or e.scheduleTrigger is not None
    }
    assert covered == set(endpoints) - internal
    assert len(covered) >= 15  # 13 callables, health and webhook when this was written

"""Signed webhooks start exactly one run; anything unverifiable starts nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.platform import clients, ratelimit
from shared.workflows import webhooks
from shared.workflows.webhooks import sign
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


def hooked_workflow(user: emu.User) -> tuple[str, str]:
    result = emu.call(
        "save_workflow",
        {
            "name": "hooked",
            "status": "active",
            "nodes": [{"id": "echo", "type": "transform", "config": {"template": "{{ input.n }}"}}],
            "edges": [],
            "triggers": [{"type": "webhook"}],
        },
        user.id_token,
    )
    assert result.status == "OK", result.error
    return str(result.result["id"]), str(result.result["webhookSecret"])


def post(path: str, body: bytes | Iterator[bytes], headers: dict[str, str]) -> Any:
    return emu.session.post(
        f"{emu.FUNCTIONS}/webhook/{path}",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def signed(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return {"X-Aura-Timestamp": stamp, "X-Aura-Signature": sign(secret, stamp, body)}


def executions_of(user: emu.User) -> list[dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{user.uid}/executions").stream()
    return [d.to_dict() for d in docs]


def test_a_signed_call_starts_exactly_one_run(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    body = json.dumps({"n": 7}).encode()
    headers = signed(secret, body)

    first = post(f"{user.uid}/{wid}", body, headers)
    again = post(f"{user.uid}/{wid}", body, headers)  # the same request, delivered twice

    assert first.status_code == 202, first.text
    assert again.json()["executionId"] == first.json()["executionId"]
    eid = first.json()["executionId"]
    done = emu.wait_for(
        lambda: (
            (
                clients.get_db().document(f"users/{user.uid}/executions/{eid}").get().to_dict()
                or {}
            ).get("status")
            == "succeeded"
        ),
        timeout=30,
    )
    assert done
    runs = executions_of(user)
    assert len(runs) == 1
    assert runs[0]["trigger"]["type"] == "webhook"
    assert runs[0]["steps"]["echo"]["output"] == "7"


@pytest.mark.parametrize(
    "problem", ["bad-signature", "stale", "future", "no-headers", "wrong-secret"]
)
def test_unverifiable_calls_are_refused_and_start_nothing(user: emu.User, problem: str) -> None:
    wid, secret = hooked_workflow(user)
    body = b'{"n": 1}'
    headers = {
        "bad-signature": {**signed(secret, body), "X-Aura-Signature": "sha256=" + "0" * 64},
        "stale": signed(secret, body, int(time.time()) - 600),
        "future": signed(secret, body, int(time.time()) + 600),
        "no-headers": {},
        "wrong-secret": signed("not-the-secret", body),
    }[problem]

    response = post(f"{user.uid}/{wid}", body, headers)

    assert response.status_code == 401
    assert executions_of(user) == []


def test_a_tampered_body_is_refused(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    headers = signed(secret, b'{"n": 1}')
    response = post(f"{user.uid}/{wid}", b'{"n": 2}', headers)
    assert response.status_code == 401
    assert executions_of(user) == []


def test_unknown_workflows_get_the_same_answer(user: emu.User) -> None:
    body = b"{}"
    response = post(f"{user.uid}/no-such-workflow", body, signed("x", body))
    assert response.status_code == 401


def test_only_post_is_allowed(user: emu.User) -> None:
    response = emu.session.get(f"{emu.FUNCTIONS}/webhook/{user.uid}/x", timeout=30)
    assert response.status_code == 405


def test_a_non_ascii_signature_gets_the_same_401_as_an_unknown_workflow(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    body = b'{"n": 1}'
    # requests sends header values as Latin-1: this arrives as a non-ASCII str.
    headers = {**signed(secret, body), "X-Aura-Signature": "sha256=" + "\u00e9" * 64}

    response = post(f"{user.uid}/{wid}", body, headers)
    unknown = post(f"{user.uid}/no-such-workflow", body, headers)

    assert response.status_code == 401, response.text
    assert (unknown.status_code, unknown.json()) == (401, response.json())
    assert executions_of(user) == []


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("depth", [30, 5_000])
def test_a_deeply_nested_signed_body_is_a_400(user: emu.User, depth: int) -> None:
    wid, secret = hooked_workflow(user)
    body = nested(depth)

    response = post(f"{user.uid}/{wid}", body, signed(secret, body))

    assert response.status_code == 400, response.text
    assert "nested" in response.json()["error"]
    assert executions_of(user) == []


def test_a_signed_body_firestore_cannot_store_is_a_400(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    body = b'{"matrix": [[1, 2], [3, 4]]}'

    response = post(f"{user.uid}/{wid}", body, signed(secret, body))

    assert response.status_code == 400, response.text
    assert "matrix[" in response.json()["error"]
    assert "array cannot be directly inside an array" in response.json()["error"]
    assert executions_of(user) == []


def test_an_oversized_body_is_refused(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    body = b" " * (webhooks.MAX_BODY_BYTES + 1)
    response = post(f"{user.uid}/{wid}", body, signed(secret, body))
    assert response.status_code == 413


def test_an_oversized_streamed_body_is_refused(user: emu.User) -> None:
    """No Content-Length (chunked): the cap applies while reading. That the function
    stops reading at the cap is shown in tests/adapters/test_webhook_adapter.py; here
    the answer through the emulator."""
    wid, secret = hooked_workflow(user)

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 16_384  # 1 MiB in all

    response = post(f"{user.uid}/{wid}", chunks(), signed(secret, b""))
    assert response.status_code == 413
    assert executions_of(user) == []


def test_over_the_rate_a_signed_call_is_a_429_and_starts_nothing(user: emu.User) -> None:
    wid, secret = hooked_workflow(user)
    now = datetime.now(UTC)
    for when in (now, now + timedelta(seconds=60)):  # the call may land in the next minute
        for _ in range(webhooks.RATE_LIMIT_PER_MINUTE):
            ratelimit.hit(
                clients.get_db(),
                key=f"webhook:{user.uid}/{wid}",
                limit=webhooks.RATE_LIMIT_PER_MINUTE,
                window_s=60,
                now=when,
            )
    body = b'{"n": 1}'

    response = post(f"{user.uid}/{wid}", body, signed(secret, body))

    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 120
    assert executions_of(user) == []

"""The edge's per-user rate limit on the emulator, with the real Firestore limiter.

The test stack lowers one callable's limit (tests/conftest.py `FUNCTIONS_TEST_ENV`:
`forget_all_memories`, free 5 and pro 7 per 20 s window; functions/_limits.py reads the
override only inside the Functions emulator), so the limit is reached in a few calls.
`forget_all_memories` has a side effect a test can see: a memory seeded before the
refused call is still there after it, and the first call after the window deletes it.
"""

from __future__ import annotations

import json
import time

import pytest

from shared.platform import clients, ratelimit
from tests.conftest import FUNCTIONS_TEST_ENV
from tests.support import emulators as emu

LIMITED = "forget_all_memories"
SPEC = json.loads(FUNCTIONS_TEST_ENV["AURA_RATE_LIMIT_OVERRIDES"])[LIMITED]
FREE, PRO, WINDOW_S = SPEC["free"], SPEC["pro"], SPEC["windowSeconds"]
CONFIRM = {"confirm": True}


def fresh_window(needed_s: float = 15.0) -> int:
    """Wait, if need be, until a window starts with `needed_s` left; its index."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < needed_s:
        time.sleep(left + 0.2)
    return int(time.time() // WINDOW_S)


def seed_memory(uid: str) -> None:
    clients.get_db().document(f"users/{uid}/memories/kept").set(
        {"text": "I live in Lisbon", "active": True}
    )


def memory_left(uid: str) -> bool:
    return bool(clients.get_db().document(f"users/{uid}/memories/kept").get().exists)


def window_count(uid: str, index: int) -> int:
    doc_id = ratelimit.doc_id(f"fn:{LIMITED}:{uid}", WINDOW_S, index, 0)
    snapshot = clients.get_db().collection(ratelimit.COLLECTION).document(doc_id).get()
    return int((snapshot.to_dict() or {}).get("count", 0))


def test_beyond_the_limit_the_call_is_refused_with_retry_after_and_changes_nothing(
    user: emu.User, other_user: emu.User
) -> None:
    window = fresh_window()
    for _ in range(FREE):
        within = emu.call(LIMITED, CONFIRM, user.id_token)
        assert within.status == "OK", within.error
        assert within.result == {"deleted": 0}
    seed_memory(user.uid)

    refused = emu.call(LIMITED, CONFIRM, user.id_token)

    assert int(time.time() // WINDOW_S) == window, "the calls outlasted the window"
    assert refused.http_status == 429
    assert refused.status == "RESOURCE_EXHAUSTED", refused.error
    details = refused.details
    assert details["reason"] == "rate-limit"
    assert (details["function"], details["limit"], details["windowSeconds"]) == (
        LIMITED,
        FREE,
        WINDOW_S,
    )
    assert 1 <= details["retryAfterSeconds"] <= WINDOW_S
    assert memory_left(user.uid), "the refused call ran its handler"
    assert window_count(user.uid, window) == FREE + 1  # one hit a call, the denied one too

    # Another user, and another function of the same user, are not limited by it.
    seed_memory(other_user.uid)
    theirs = emu.call(LIMITED, CONFIRM, other_user.id_token)
    assert theirs.result == {"deleted": 1}, theirs.error
    settings = emu.call("update_settings", {"timezone": "UTC"}, user.id_token)
    assert settings.status == "OK", settings.error

    # Once the window the answer named has ended, the same call passes again.
    time.sleep(details["retryAfterSeconds"] + 0.3)
    again = emu.call(LIMITED, CONFIRM, user.id_token)
    assert again.result == {"deleted": 1}, again.error
    assert not memory_left(user.uid)


def test_the_pro_claim_gets_the_pro_limit(user: emu.User) -> None:
    emu.set_claims(user.uid, {**emu.get_claims(user.uid), "plan": "pro"})
    user.refresh()
    fresh_window()
    answers = [emu.call(LIMITED, CONFIRM, user.id_token) for _ in range(PRO + 1)]
    assert [a.status for a in answers] == ["OK"] * PRO + ["RESOURCE_EXHAUSTED"], [
        a.error for a in answers
    ]
    assert answers[-1].details["limit"] == PRO


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_callers_without_a_valid_token_are_refused_before_any_count(token: str | None) -> None:
    result = emu.call(LIMITED, CONFIRM, token)
    assert result.status == "UNAUTHENTICATED", result.error
    assert list(clients.get_db().collection(ratelimit.COLLECTION).limit(1).stream()) == []

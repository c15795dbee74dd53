"""Memory in chat, on the emulators with the stand-in's real embeddings: facts the user
states are kept with their provenance, later replies use them (and say which), a
correction supersedes, the switch turns extraction off, and what the user did not say is
never kept."""

from __future__ import annotations

from typing import Any

import pytest

from shared.platform import clients
from tests.integration.test_chat import finished, send
from tests.support import emulators as emu

pytestmark = pytest.mark.usefixtures("standin")


def memories(user: emu.User) -> dict[str, dict[str, Any]]:
    found = clients.get_db().collection(f"users/{user.uid}/memories").stream()
    return {snap.id: snap.to_dict() or {} for snap in found}


def active(user: emu.User) -> dict[str, dict[str, Any]]:
    return {mid: m for mid, m in memories(user).items() if m.get("active")}


def settle(user: emu.User, mid: str) -> dict[str, Any]:
    """The reply to `mid` once it and the turn's extraction have finished."""
    reply = finished(user, mid)
    emu.standin_quiesce()
    return reply


def test_a_fact_the_user_states_is_kept_with_its_provenance_and_used_later(
    user: emu.User,
) -> None:
    first = send(user, "I live in Lisbon with my wife Ana. What is a good weekend trip?")
    assert settle(user, first)["status"] == "done"

    kept = active(user)
    texts = sorted(m["text"] for m in kept.values())
    assert texts == ["The user live in Lisbon with their wife Ana"]
    ((memory_id, memory),) = kept.items()
    assert memory["source"] == "chat"
    assert memory["provenance"] == {
        "conversationId": "c1",
        "messageId": first,
        "quote": "I live in Lisbon with my wife Ana.",
    }
    assert len(memory["embedding"].to_map_value()["value"]) == 256  # a real vector field

    second = send(user, "Where do I live these days?")
    reply = settle(user, second)
    assert reply["status"] == "done"
    assert reply["memoryIds"] == [memory_id]
    assert len(memories(user)) == 1  # a question adds nothing


def test_a_correction_supersedes_the_old_memory_and_keeps_it_in_the_chain(
    user: emu.User,
) -> None:
    settle(user, send(user, "I live in Lisbon."))
    ((old_id, _),) = active(user).items()

    mid = send(user, "I live in Porto now.")
    settle(user, mid)

    stored = memories(user)
    ((new_id, new),) = active(user).items()
    assert new_id != old_id
    assert new["text"] == "The user live in Porto now"
    assert new["supersedes"] == old_id
    assert new["provenance"]["messageId"] == mid
    assert stored[old_id]["active"] is False
    assert stored[old_id]["supersededBy"] == new_id
    assert stored[old_id]["text"] == "The user live in Lisbon"  # the history stays


def test_extraction_is_off_when_the_user_switches_it_off(user: emu.User) -> None:
    result = emu.call("update_settings", {"memory": {"autoExtract": False}}, token=user.id_token)
    assert result.status == "OK", result
    emu.standin_reset()

    settle(user, send(user, "My favourite colour is green."))

    assert memories(user) == {}
    assert not [r for r in emu.standin_requests() if "<user_message>" in r["prompt"]]


def test_facts_the_user_did_not_state_are_never_kept(user: emu.User) -> None:
    # The stand-in answers extraction with an invented fact whose quote is not the user's.
    settle(user, send(user, "My cat is called Tom. [[standin memory=invent]]"))

    texts = [m["text"] for m in memories(user).values()]
    assert texts == ["The user's cat is called Tom"]  # not the invented yacht
    extraction = [r for r in emu.standin_requests() if "Existing memories" in r["prompt"]]
    assert extraction, "the extraction call was made"
    # The model was shown the user's message, never the reply.
    assert all("stand-in reply" not in r["prompt"].lower() for r in extraction)

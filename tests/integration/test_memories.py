"""Memories on the Firestore emulator's real vector search, with the stand-in's WordLlama
embeddings: remember once, recall by meaning within the threshold, expiry, corrections
that keep their chain, forget, limits, bad input; and the callables over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import FailedPrecondition, InvalidArgument, NotFound, ResourceExhausted
from shared.memory import repository, service
from shared.memory.models import Forget, Remember, UpdateMemory
from shared.platform import clients
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

pytestmark = pytest.mark.usefixtures("standin")

UID = "memory-user"
OTHER = "memory-other"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FACTS = [
    "I live in Lisbon",
    "My sister is called Ana",
    "I am allergic to peanuts",
    "I prefer tea over coffee",
]


def stored(uid: str = UID) -> dict[str, dict[str, Any]]:
    docs = clients.get_db().collection("users").document(uid).collection("memories").stream()
    return {d.id: d.to_dict() or {} for d in docs}


def remember(text: str, uid: str = UID, now: datetime = NOW, **extra: Any) -> Any:
    return service.remember(
        db=clients.get_db(),
        gateway=local_gateway(),
        uid=uid,
        plan="free",
        command=Remember(text=text, **extra),
        now=now,
    )


def recall(query: str, uid: str = UID, now: datetime = NOW, **extra: Any) -> list[Any]:
    return service.recall(
        db=clients.get_db(),
        gateway=local_gateway(),
        uid=uid,
        plan="free",
        query=query,
        now=now,
        **extra,
    )


def update(memory_id: str, text: str, uid: str = UID, **extra: Any) -> Any:
    return service.update_memory(
        db=clients.get_db(),
        gateway=local_gateway(),
        uid=uid,
        plan="free",
        command=UpdateMemory(id=memory_id, text=text, **extra),
        now=NOW,
    )


def forget(memory_id: str, uid: str = UID) -> int:
    return service.forget(db=clients.get_db(), uid=uid, command=Forget(id=memory_id)).deleted


def test_remembering_twice_keeps_one_memory() -> None:
    first = remember("I live in Lisbon")
    again = remember("  i live in   LISBON ")
    assert first.created
    assert not again.created
    assert again.id == first.id
    docs = stored()
    assert list(docs) == [first.id]
    doc = docs[first.id]
    assert doc["text"] == "I live in Lisbon"
    assert (doc["active"], doc["kind"], doc["source"]) == (True, "fact", "explicit")
    assert (doc["supersedes"], doc["supersededBy"]) == (None, None)
    assert len(doc["embedding"]) == 256
    assert doc["embeddingModel"] == "text-embedding-3-small"


def test_recall_finds_a_paraphrase_and_nothing_for_an_unrelated_question() -> None:
    ids = {text: remember(text).id for text in FACTS}
    found = recall("Where do I live?")
    assert found, "the paraphrase found nothing"
    assert found[0].id == ids["I live in Lisbon"]
    assert found[0].text == "I live in Lisbon"
    assert [m.distance for m in found] == sorted(m.distance for m in found)
    assert recall("What is my sister's name?")[0].text == "My sister is called Ana"
    assert recall("How tall is Mount Everest?") == []


def test_the_threshold_and_limit_are_respected() -> None:
    for text in FACTS:
        remember(text)
    loose = recall("Where do I live?", threshold=2.0, limit=20)
    assert len(loose) == len(FACTS)  # everything is within distance 2
    distance = loose[0].distance
    assert recall("Where do I live?", threshold=distance - 0.01) == []
    tight = recall("Where do I live?", threshold=distance + 0.001)
    assert [m.text for m in tight] == ["I live in Lisbon"]
    assert all(m.distance <= 0.5 for m in recall("Where do I live?", threshold=0.5))
    assert len(recall("Where do I live?", threshold=2.0, limit=2)) == 2
    # The emulator's search applies the threshold itself (the service checks it again).
    vector = local_gateway().embed(["Where do I live?"], uid=UID, plan="free").vectors[0]
    db = clients.get_db()
    assert repository.nearest(db, UID, vector, limit=10, threshold=distance - 0.01) == []
    assert len(repository.nearest(db, UID, vector, limit=10, threshold=distance + 0.001)) == 1


def test_an_expired_memory_is_not_recalled() -> None:
    remember("I live in Lisbon", expires_at=NOW + timedelta(hours=1))
    assert [m.text for m in recall("Where do I live?")] == ["I live in Lisbon"]
    assert recall("Where do I live?", now=NOW + timedelta(hours=2)) == []
    assert len(stored()) == 1  # kept (listed as expired), just never recalled


def test_concurrent_deliveries_create_one_memory() -> None:
    local_gateway().embed(["I live in Lisbon"], uid=UID, plan="free")  # both find it cached
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: remember("I live in Lisbon"), range(2)))
    assert len({r.id for r in results}) == 1
    assert sorted(r.created for r in results) == [False, True]
    assert len(stored()) == 1

    old = results[0].id
    with ThreadPoolExecutor(max_workers=2) as pool:
        updates = list(pool.map(lambda _: update(old, "I live in Porto"), range(2)))
    assert len({(u.id, u.supersedes) for u in updates}) == 1
    assert len(stored()) == 2


def test_remembering_an_expired_memory_again_brings_it_back() -> None:
    first = remember("I live in Lisbon", expires_at=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    again = remember("I live in Lisbon", now=later)
    assert again.id == first.id
    assert not again.created
    assert stored()[first.id]["expiresAt"] is None
    assert [m.text for m in recall("Where do I live?", now=later)] == ["I live in Lisbon"]


def test_a_correction_keeps_the_chain_and_recall_sees_only_the_new_text() -> None:
    old = remember("I live in Lisbon").id
    updated = update(old, "I live in Porto")
    assert updated.supersedes == old
    assert updated.id != old
    docs = stored()
    assert (docs[old]["active"], docs[old]["supersededBy"]) == (False, updated.id)
    assert (docs[updated.id]["active"], docs[updated.id]["supersedes"]) == (True, old)
    assert [m.text for m in recall("Where do I live?")] == ["I live in Porto"]

    again = update(old, "I live in Porto")  # a redelivered correction
    assert (again.id, again.supersedes) == (updated.id, old)
    assert len(stored()) == 2

    chain = service.history(clients.get_db(), UID, updated.id)
    assert [v["text"] for v in chain] == ["I live in Lisbon", "I live in Porto"]

    # Remembering the old text again makes a new memory; the history stays.
    back = remember("I live in Lisbon")
    assert back.created
    assert back.id not in (old, updated.id)
    assert stored()[old]["supersededBy"] == updated.id


def test_a_stale_or_superseded_correction_is_refused() -> None:
    old = remember("I live in Lisbon").id
    with pytest.raises(FailedPrecondition) as stale:
        update(old, "I live in Porto", expected_version=5)
    assert stale.value.details["reason"] == "version-mismatch"
    update(old, "I live in Porto", expected_version=1)
    with pytest.raises(FailedPrecondition) as superseded:
        update(old, "I live in Faro")
    assert superseded.value.details["reason"] == "superseded"
    assert len(stored()) == 2


def test_forget_deletes_the_chain_and_a_repeat_deletes_nothing() -> None:
    old = remember("I live in Lisbon").id
    middle = update(old, "I live in Porto").id
    newest = update(middle, "I live in Faro").id
    keep = remember("I am allergic to peanuts").id
    assert forget(newest) == 3
    assert list(stored()) == [keep]
    assert forget(newest) == 0
    assert recall("Where do I live?") == []


def test_forget_all_deletes_every_memory_of_the_user_only() -> None:
    for text in FACTS:
        remember(text)
    remember("I live in Lisbon", uid=OTHER)
    result = service.forget_all(db=clients.get_db(), uid=UID)
    assert result.deleted == len(FACTS)
    assert stored() == {}
    assert service.forget_all(db=clients.get_db(), uid=UID).deleted == 0
    assert len(stored(OTHER)) == 1


def test_over_the_limit_is_resource_exhausted_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "MAX_MEMORIES", 2)
    remember(FACTS[0])
    remember(FACTS[1])
    with pytest.raises(ResourceExhausted):
        remember(FACTS[2])
    assert len(stored()) == 2
    assert not remember(FACTS[0]).created  # a repeat is still answered at the limit
    forget(remember(FACTS[0]).id)
    assert remember(FACTS[2]).created


def test_another_users_memory_cannot_be_reached() -> None:
    mine = remember("I live in Lisbon").id
    assert forget(mine, uid=OTHER) == 0
    with pytest.raises(NotFound):
        update(mine, "I live in Porto", uid=OTHER)
    assert recall("Where do I live?", uid=OTHER) == []
    assert stored()[mine]["active"] is True
    assert stored(OTHER) == {}


def test_a_past_expiry_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(InvalidArgument) as caught:
        remember("I live in Lisbon", expires_at=NOW - timedelta(seconds=1))
    assert caught.value.field == "expiresAt"
    assert stored() == {}


# --- the callables --------------------------------------------------------------------


def test_the_callables_remember_recall_correct_and_forget(user: emu.User) -> None:
    token = user.id_token
    first = emu.call("remember", {"text": "I live in Lisbon", "kind": "fact"}, token)
    assert first.status == "OK", first.error
    assert first.result["created"] is True
    again = emu.call("remember", {"text": "I live in Lisbon"}, token)
    assert again.result == {"id": first.result["id"], "created": False}
    assert emu.call("remember", {"text": "I am allergic to peanuts"}, token).status == "OK"

    found = emu.call("recall", {"query": "Where do I live?"}, token)
    assert found.status == "OK", found.error
    memories = found.result["memories"]
    assert [m["text"] for m in memories] == ["I live in Lisbon"]
    assert set(memories[0]) == {
        "id", "text", "kind", "source", "provenance", "distance", "createdAt", "updatedAt"
    }  # fmt: skip
    assert emu.call("recall", {"query": "How tall is Mount Everest?"}, token).result == {
        "memories": []
    }

    corrected = emu.call(
        "update_memory", {"id": first.result["id"], "text": "I live in Porto"}, token
    )
    assert corrected.status == "OK", corrected.error
    assert corrected.result["supersedes"] == first.result["id"]
    repeat = emu.call("update_memory", {"id": first.result["id"], "text": "I live in Porto"}, token)
    assert repeat.result == corrected.result
    found = emu.call("recall", {"query": "Where do I live?"}, token).result["memories"]
    assert [m["text"] for m in found] == ["I live in Porto"]

    gone = emu.call("forget", {"id": corrected.result["id"]}, token)
    assert gone.result == {"deleted": 2}
    assert emu.call("forget", {"id": corrected.result["id"]}, token).result == {"deleted": 0}
    assert emu.call("forget_all_memories", {"confirm": True}, token).result == {"deleted": 1}
    assert emu.call("forget_all_memories", {"confirm": True}, token).result == {"deleted": 0}
    assert stored(user.uid) == {}


@pytest.mark.parametrize(
    ("function", "data", "field"),
    [
        ("remember", {"text": ""}, "text"),
        ("remember", {"text": "x" * 501}, "text"),
        ("remember", {"text": "ok", "kind": "secret"}, "kind"),
        ("remember", {"text": "ok", "expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"),
        ("recall", {"query": "where", "limit": 0}, "limit"),
        ("recall", {"query": "where", "limit": 21}, "limit"),
        ("recall", {"query": ""}, "query"),
        ("update_memory", {"id": "a/b", "text": "ok"}, "id"),
        ("update_memory", {"id": "m1", "text": ""}, "text"),
        ("forget", {"id": "__bad__"}, "id"),
        ("forget_all_memories", {"confirm": False}, "confirm"),
    ],
)
def test_bad_input_is_invalid_argument_naming_the_field_and_writes_nothing(
    user: emu.User, function: str, data: dict[str, Any], field: str
) -> None:
    kept = emu.call("remember", {"text": "I live in Lisbon"}, user.id_token)
    assert kept.status == "OK", kept.error
    before = stored(user.uid)
    answer = emu.call(function, data, user.id_token)
    assert answer.status == "INVALID_ARGUMENT", answer.error
    assert answer.details.get("field") == field
    assert stored(user.uid) == before


def test_another_users_id_over_the_callables(user: emu.User, other_user: emu.User) -> None:
    mine = emu.call("remember", {"text": "I live in Lisbon"}, user.id_token).result["id"]
    assert emu.call("forget", {"id": mine}, other_user.id_token).result == {"deleted": 0}
    stolen = emu.call("update_memory", {"id": mine, "text": "x"}, other_user.id_token)
    assert stolen.status == "NOT_FOUND"
    assert len(stored(user.uid)) == 1

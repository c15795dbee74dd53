"""`mark_notifications_read` against the emulators: some, all (past one batch), another
user's ids, bad input, and twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.notifications import service
from shared.notifications.models import MarkNotificationsRead
from shared.platform import clients
from tests.support import emulators as emu


def seed(uid: str, count: int, *, read: bool = False, prefix: str = "n") -> list[str]:
    """`count` notifications for `uid` (ids `{prefix}0000`...), in batches."""
    db = clients.get_db()
    ids = [f"{prefix}{i:04d}" for i in range(count)]
    start = datetime.now(UTC)
    for first in range(0, count, 400):
        batch = db.batch()
        for i, nid in enumerate(ids[first : first + 400], start=first):
            batch.set(
                db.document(f"users/{uid}/notifications/{nid}"),
                {
                    "title": f"Note {i}",
                    "body": "",
                    "kind": "system",
                    "link": None,
                    "read": read,
                    "createdAt": start + timedelta(seconds=i),
                    "origin": None,
                },
            )
        batch.commit()
    return ids


def inbox(uid: str) -> dict[str, dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{uid}/notifications").stream()
    return {doc.id: doc.to_dict() or {} for doc in docs}


def unread(uid: str) -> set[str]:
    return {nid for nid, doc in inbox(uid).items() if not doc["read"]}


def test_marking_some_reads_only_those_and_skips_ids_that_do_not_exist(user: emu.User) -> None:
    ids = seed(user.uid, 4)

    result = emu.call("mark_notifications_read", {"ids": [ids[0], ids[2], "gone"]}, user.id_token)

    assert result.status == "OK", result.error
    assert result.result == {"updated": 2, "more": False}
    assert unread(user.uid) == {ids[1], ids[3]}
    assert "gone" not in inbox(user.uid)  # never created
    assert inbox(user.uid)[ids[0]]["readAt"] is not None
    again = emu.call("mark_notifications_read", {"ids": [ids[0], ids[2], "gone"]}, user.id_token)
    assert again.result == {"updated": 0, "more": False}  # twice: the same state
    assert unread(user.uid) == {ids[1], ids[3]}


def test_marking_all_goes_past_one_batch_and_twice_is_the_same(user: emu.User) -> None:
    seed(user.uid, 450)
    seed(user.uid, 5, read=True, prefix="r")

    result = emu.call("mark_notifications_read", {"all": True}, user.id_token)

    assert result.status == "OK", result.error
    assert result.result == {"updated": 450, "more": False}
    assert unread(user.uid) == set()
    assert len(inbox(user.uid)) == 455
    state = inbox(user.uid)
    again = emu.call("mark_notifications_read", {"all": True}, user.id_token)
    assert again.result == {"updated": 0, "more": False}
    assert inbox(user.uid) == state


def test_another_users_notifications_are_untouched(user: emu.User, other_user: emu.User) -> None:
    theirs = seed(other_user.uid, 3)
    seed(user.uid, 2, prefix="mine")

    by_id = emu.call("mark_notifications_read", {"ids": theirs}, user.id_token)
    everything = emu.call("mark_notifications_read", {"all": True}, user.id_token)

    assert by_id.result == {"updated": 0, "more": False}
    assert everything.result == {"updated": 2, "more": False}
    assert unread(other_user.uid) == set(theirs)
    assert set(inbox(user.uid)) == {"mine0000", "mine0001"}  # nothing of theirs created here


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, ""),
        ({"ids": ["n0000"], "all": True}, ""),
        ({"all": False}, ""),
        ({"ids": []}, "ids"),
        ({"ids": ["n"] * 501}, "ids"),
        ({"ids": ["n0000", "__x__"]}, "ids[1]"),
        ({"ids": ["a/b"]}, "ids[0]"),
        ({"all": "yes"}, "all"),
        ({"read": True}, "read"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    user: emu.User, payload: dict[str, Any], field: str
) -> None:
    seed(user.uid, 3)
    before = inbox(user.uid)

    result = emu.call("mark_notifications_read", payload, user.id_token)

    assert result.status == "INVALID_ARGUMENT", result
    assert result.details.get("field") == field
    assert inbox(user.uid) == before


def test_all_stops_at_its_bound_and_says_more_remain(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bound is 10,000 a call; a smaller one shows the same paging in less time.
    monkeypatch.setattr(service, "MAX_MARKED_PER_CALL", 500)
    seed(user.uid, 620)
    db, now = clients.get_db(), datetime.now(UTC)
    command = MarkNotificationsRead(all=True)

    first = service.mark_read(db=db, uid=user.uid, command=command, now=now)
    second = service.mark_read(db=db, uid=user.uid, command=command, now=now)
    third = service.mark_read(db=db, uid=user.uid, command=command, now=now)

    assert (first.updated, first.more) == (500, True)
    assert (second.updated, second.more) == (120, False)
    assert (third.updated, third.more) == (0, False)
    assert unread(user.uid) == set()

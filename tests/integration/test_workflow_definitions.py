"""Workflow definitions through `save_workflow` / `delete_workflow` on the emulators."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from shared.platform import clients
from shared.workflows.repository import webhook_secret_ref
from tests.support import emulators as emu


def definition(**overrides: Any) -> dict[str, Any]:
    """A small valid workflow: transform -> condition -> notify (yes) / task (no)."""
    return {
        "name": "Big orders",
        "description": "Flag large orders",
        "nodes": [
            {"id": "amount", "type": "transform", "config": {"template": "{{ input.total }}"}},
            {
                "id": "check",
                "type": "condition",
                "config": {
                    "cases": [{"branch": "yes", "when": "int(nodes.amount.output) > 100"}],
                    "default": "no",
                },
            },
            {
                "id": "tell",
                "type": "notify",
                "config": {"title": "Big order", "body": "{{ nodes.amount.output }}"},
            },
            {"id": "file", "type": "task", "config": {"title": "Check order"}},
        ],
        "edges": [
            {"from": "amount", "to": "check"},
            {"from": "check", "to": "tell", "branch": "yes"},
            {"from": "check", "to": "file", "branch": "no"},
        ],
        "triggers": [{"type": "manual"}],
        **overrides,
    }


def stored(uid: str, workflow_id: str) -> dict[str, Any] | None:
    snap = (
        clients.get_db()
        .collection("users")
        .document(uid)
        .collection("workflows")
        .document(workflow_id)
        .get()
    )
    return snap.to_dict() if snap.exists else None


def workflow_ids(uid: str) -> list[str]:
    collection = clients.get_db().collection("users").document(uid).collection("workflows")
    return [doc.id for doc in collection.stream()]


def secret_doc(uid: str, workflow_id: str) -> dict[str, Any] | None:
    snap = webhook_secret_ref(clients.get_db(), uid, workflow_id).get()
    return snap.to_dict() if snap.exists else None


def save(data: dict[str, Any], user: emu.User) -> emu.CallResult:
    return emu.call("save_workflow", data, user.id_token)


def saved(data: dict[str, Any], user: emu.User) -> dict[str, Any]:
    result = save(data, user)
    assert result.status == "OK", result.error
    return dict(result.result)


# --- save ----------------------------------------------------------------------------


def test_save_creates_version_one_with_defaults(user: emu.User) -> None:
    result = saved(definition(), user)

    assert set(result) == {"id", "version", "webhookSecret", "nextRunAt"}
    assert result["version"] == 1
    assert result["webhookSecret"] is None
    assert re.fullmatch(r"[A-Za-z0-9]{20}", result["id"])
    doc = stored(user.uid, result["id"])
    assert doc is not None
    assert doc["version"] == 1
    assert doc["name"] == "Big orders"
    assert doc["status"] == "draft"
    assert doc["createdAt"] == doc["updatedAt"]
    assert doc["edges"][1] == {"from": "check", "to": "tell", "branch": "yes"}
    assert doc["nodes"][0]["retry"] == {"attempts": 1, "backoffSeconds": 5}
    assert doc["settings"] == {
        "maxSteps": 100,
        "deadlineSeconds": 3600,
        "maxConcurrentExecutions": 5,
    }
    assert "id" not in doc
    assert "expectedVersion" not in doc


def test_saving_again_bumps_the_version_and_keeps_created_at(user: emu.User) -> None:
    first = saved(definition(), user)
    before = stored(user.uid, first["id"])
    assert before is not None

    second = saved(definition(id=first["id"], name="Bigger orders", status="active"), user)

    assert second == {"id": first["id"], "version": 2, "webhookSecret": None, "nextRunAt": None}
    after = stored(user.uid, first["id"])
    assert after is not None
    assert after["version"] == 2
    assert after["name"] == "Bigger orders"
    assert after["status"] == "active"
    assert after["createdAt"] == before["createdAt"]
    assert after["updatedAt"] > before["updatedAt"]
    assert workflow_ids(user.uid) == [first["id"]]


def test_save_with_a_new_client_chosen_id_creates_it(user: emu.User) -> None:
    result = saved(definition(id="orders-v1", expectedVersion=0), user)

    assert result["id"] == "orders-v1"
    assert result["version"] == 1
    assert stored(user.uid, "orders-v1") is not None


def test_stale_expected_version_is_refused_and_changes_nothing(user: emu.User) -> None:
    first = saved(definition(), user)
    saved(definition(id=first["id"], expectedVersion=1), user)  # now version 2
    before = stored(user.uid, first["id"])

    result = save(definition(id=first["id"], name="Lost update", expectedVersion=1), user)

    assert result.status == "FAILED_PRECONDITION", result
    assert result.details["reason"] == "version-mismatch"
    assert result.details["version"] == 2
    assert "reload" in result.error["message"]
    assert stored(user.uid, first["id"]) == before


def test_expected_version_zero_means_must_not_exist(user: emu.User) -> None:
    saved(definition(id="once", expectedVersion=0), user)
    before = stored(user.uid, "once")

    result = save(definition(id="once", name="Again", expectedVersion=0), user)

    assert result.status == "FAILED_PRECONDITION"
    assert stored(user.uid, "once") == before


def test_expected_version_for_a_missing_workflow_is_refused(user: emu.User) -> None:
    result = save(definition(id="ghost", expectedVersion=3), user)

    assert result.status == "FAILED_PRECONDITION"
    assert "does not exist" in result.error["message"]
    assert workflow_ids(user.uid) == []


INVALID: list[tuple[dict[str, Any], str, str]] = [
    (
        definition(nodes=[{"id": "x", "type": "scrape", "config": {}}], edges=[]),
        "nodes[0].type",
        "not a node type",
    ),
    (
        definition(
            nodes=[
                {"id": "a", "type": "transform", "config": {"template": "x"}},
                {"id": "b", "type": "http", "config": {"url": 42}},
            ],
            edges=[{"from": "a", "to": "b"}],
        ),
        "nodes[1].config.url",
        "valid string",
    ),
    (
        definition(edges=[*definition()["edges"], {"from": "tell", "to": "amount"}]),
        "edges[3]",
        "creates a cycle through 'tell' -> 'amount' -> 'check' -> 'tell'",
    ),
    (
        definition(edges=[{"from": "amount", "to": "nope"}]),
        "edges[0].to",
        "unknown node 'nope'",
    ),
    (
        definition(triggers=[{"type": "schedule", "cron": "every day", "timezone": "UTC"}]),
        "triggers[0].cron",
        "cron",
    ),
    (
        definition(
            nodes=[{"id": "a", "type": "ai", "config": {"prompt": "Hello {{ input.name"}}],
            edges=[],
        ),
        "nodes[0].config.prompt",
        "invalid template",
    ),
]


@pytest.mark.parametrize(("payload", "field", "words"), INVALID)
def test_invalid_definition_names_the_field_and_saves_nothing(
    user: emu.User, payload: dict[str, Any], field: str, words: str
) -> None:
    result = save(payload, user)

    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field
    assert words in result.error["message"]
    assert workflow_ids(user.uid) == []
    assert list(clients.get_db().collection("_webhookSecrets").stream()) == []


def test_invalid_update_leaves_the_stored_version(user: emu.User) -> None:
    first = saved(definition(), user)
    before = stored(user.uid, first["id"])

    result = save(definition(id=first["id"], edges=[{"from": "amount", "to": "amount"}]), user)

    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == "edges[0].to"
    assert stored(user.uid, first["id"]) == before


# --- webhook secrets -----------------------------------------------------------------


def test_webhook_secret_is_created_once_and_returned_once(user: emu.User) -> None:
    hook = [{"type": "webhook"}]
    first = saved(definition(triggers=hook), user)

    secret = first["webhookSecret"]
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    doc = secret_doc(user.uid, first["id"])
    assert doc is not None
    assert set(doc) == {"secret", "createdAt"}
    assert doc["secret"] == secret
    workflow = stored(user.uid, first["id"])
    assert secret not in json.dumps(workflow, default=str)

    second = saved(definition(id=first["id"], triggers=hook, name="Renamed"), user)

    assert second["webhookSecret"] is None
    assert second["version"] == 2
    assert secret_doc(user.uid, first["id"]) == doc


def test_removing_the_webhook_trigger_revokes_its_secret(user: emu.User) -> None:
    first = saved(definition(triggers=[{"type": "webhook"}]), user)

    saved(definition(id=first["id"], triggers=[{"type": "manual"}]), user)
    assert secret_doc(user.uid, first["id"]) is None

    again = saved(definition(id=first["id"], triggers=[{"type": "webhook"}]), user)
    assert again["webhookSecret"] not in (None, first["webhookSecret"])
    doc = secret_doc(user.uid, first["id"])
    assert doc is not None
    assert doc["secret"] == again["webhookSecret"]


# --- delete --------------------------------------------------------------------------


def test_delete_removes_definition_and_secret_and_is_idempotent(user: emu.User) -> None:
    first = saved(definition(triggers=[{"type": "webhook"}]), user)

    deleted = emu.call("delete_workflow", {"id": first["id"]}, user.id_token)
    assert deleted.status == "OK", deleted.error
    assert deleted.result == {"deleted": True}
    assert stored(user.uid, first["id"]) is None
    assert secret_doc(user.uid, first["id"]) is None

    again = emu.call("delete_workflow", {"id": first["id"]}, user.id_token)
    assert again.status == "OK"
    assert again.result == {"deleted": False}


def test_other_users_cannot_reach_my_workflow(user: emu.User, other_user: emu.User) -> None:
    mine = saved(definition(id="shared-name", triggers=[{"type": "webhook"}]), user)
    before = stored(user.uid, "shared-name")
    my_secret = secret_doc(user.uid, "shared-name")

    deleted = emu.call("delete_workflow", {"id": "shared-name"}, other_user.id_token)
    assert deleted.status == "OK"
    assert deleted.result == {"deleted": False}

    theirs = saved(definition(id="shared-name", expectedVersion=0), other_user)
    assert theirs["version"] == 1

    assert stored(user.uid, "shared-name") == before
    assert secret_doc(user.uid, "shared-name") == my_secret
    assert mine["version"] == 1
    assert stored(other_user.uid, "shared-name") is not None


def test_delete_with_a_bad_id_names_the_field(user: emu.User) -> None:
    result = emu.call("delete_workflow", {"id": "../users"}, user.id_token)

    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == "id"


# --- callers -------------------------------------------------------------------------

CALLS = {
    "save_workflow": definition(),
    "delete_workflow": {"id": "any"},
}


@pytest.mark.parametrize("function", sorted(CALLS))
def test_calls_without_a_user_are_unauthenticated(function: str) -> None:
    result = emu.call(function, CALLS[function], token=None)

    assert result.http_status == 401
    assert result.status == "UNAUTHENTICATED"
    assert list(clients.get_db().collections()) == []


@pytest.mark.parametrize("function", sorted(CALLS))
def test_anonymous_accounts_are_unauthenticated(function: str) -> None:
    result = emu.call(function, CALLS[function], token=emu.sign_up_anonymously())

    assert result.status == "UNAUTHENTICATED"
    assert list(clients.get_db().collections()) == []

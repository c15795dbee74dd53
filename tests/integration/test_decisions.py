"""The decision engine on the emulators: `decide` and `record_outcome` through the
callables (and in-process where a limit is patched), the stats refit, the real vector
search for few-shot examples and memories, and the workflow `decision` node's branches."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.decisions import service
from shared.decisions.models import Decide, RecordOutcome
from shared.errors import ResourceExhausted
from shared.platform import clients
from tests.support import emulators as emu
from tests.support.gateway import local_gateway

pytestmark = pytest.mark.usefixtures("standin")


def decide(user: emu.User, **data: Any) -> dict[str, Any]:
    result = emu.call("decide", data, user.id_token)
    assert result.status == "OK", result.error
    return dict(result.result)


def outcome(user: emu.User, **data: Any) -> emu.CallResult:
    return emu.call("record_outcome", data, user.id_token)


def decisions(user: emu.User) -> dict[str, dict[str, Any]]:
    docs = clients.get_db().collection(f"users/{user.uid}/decisions").stream()
    return {d.id: d.to_dict() or {} for d in docs}


def stats(user: emu.User) -> dict[str, Any] | None:
    snapshot = clients.get_db().document(f"users/{user.uid}/decisionStats/current").get()
    return snapshot.to_dict() if snapshot.exists else None


def chat_calls() -> int:
    return sum(1 for r in emu.standin_requests() if r["endpoint"] in {"chat", "messages"})


def test_decide_stores_raw_and_calibrated_and_an_outcome_refits_the_stats(
    user: emu.User,
) -> None:
    made = decide(user, question="Should I move the 1:1 to Friday?", options=["move", "keep"])

    assert made["action"] == "move"
    assert made["rawConfidence"] == 0.8  # the stand-in's word
    assert made["confidence"] == 0.8  # no outcomes yet: the identity
    assert made["calibration"] == {"scope": "none", "count": 0}
    assert made["ask"] is False
    assert made["threshold"] == 0.6
    assert made["alternatives"] == [{"action": "keep", "confidence": 0.7, "rawConfidence": 0.7}]
    assert made["created"] is True
    stored = decisions(user)[made["decisionId"]]
    assert stored["rawConfidence"] == 0.8
    assert stored["confidence"] == 0.8
    assert stored["kind"] == "general"
    assert stored["hasOutcome"] is False
    assert len(list(stored["embedding"])) == 256
    assert stats(user) is None

    recorded = outcome(
        user, decisionId=made["decisionId"], outcome="failure", notes="Friday fell through"
    )
    assert recorded.status == "OK", recorded.error
    assert recorded.result["replaced"] is False
    assert recorded.result["outcome"]["value"] == "failure"
    assert recorded.result["stats"] == {
        "count": 1,
        "brier": 0.64,
        "ece": 0.8,
        "brierRaw": 0.64,
        "eceRaw": 0.8,
    }
    after = stats(user)
    assert after is not None
    assert after["count"] == 1
    assert after["byKind"] == {"general": 1}
    assert after["pairs"][made["decisionId"]][:3] == [0.8, 0.0, "general"]
    assert after["reliability"]["raw"] == [
        {"bin": 8, "predicted": 0.8, "observed": 0.0, "count": 1}
    ]
    assert after["calibration"]["global"]["weight"] == 0.0
    assert decisions(user)[made["decisionId"]]["hasOutcome"] is True


def seed(user: emu.User, n: int, *, kind: str, raw: float, successes: int) -> None:
    """`n` past decisions of `kind` stated at `raw`, `successes` of them successful, their
    outcomes recorded through the service (so the stats refit as in production)."""
    db, now = clients.get_db(), datetime.now(UTC)
    for i in range(n):
        did = f"seed-{kind}-{i}"
        db.document(f"users/{user.uid}/decisions/{did}").set(
            {
                "question": f"seeded {kind} {i}",
                "kind": kind,
                "action": "do it",
                "confidence": raw,
                "rawConfidence": raw,
                "hasOutcome": False,
                "outcome": None,
                "createdAt": now,
            }
        )
        service.record_outcome(
            db=db,
            uid=user.uid,
            command=RecordOutcome(
                decision_id=did, outcome="success" if i < successes else "failure"
            ),
            now=now,
        )


def test_outcomes_of_a_kind_calibrate_its_next_decision(user: emu.User) -> None:
    seed(user, 25, kind="email", raw=0.9, successes=10)
    summary = stats(user)
    assert summary is not None
    assert summary["count"] == 25
    assert "email" in summary["calibration"]["kinds"]

    made = decide(
        user,
        question="Reply to the landlord today?",
        kind="email",
        context="[[standin confidence=0.9]]",
    )

    assert made["rawConfidence"] == 0.9
    assert made["calibration"] == {"scope": "kind", "count": 25}
    # 10 of 25 succeeded at a stated 0.9: the map pulls it well down, shrunk at n = 25.
    assert 0.6 < made["confidence"] < 0.8
    stored = decisions(user)[made["decisionId"]]
    assert (stored["rawConfidence"], stored["confidence"]) == (0.9, made["confidence"])

    other = decide(user, question="Book the flight?", kind="travel")
    assert other["calibration"]["scope"] == "global"
    assert other["confidence"] < other["rawConfidence"]


def test_below_the_users_threshold_the_decision_asks(user: emu.User) -> None:
    updated = emu.call("update_settings", {"decisions": {"askThreshold": 0.95}}, user.id_token)
    assert updated.status == "OK", updated.error
    assert updated.result["settings"]["decisions"] == {"askThreshold": 0.95}

    made = decide(user, question="Cancel the gym membership?")

    assert made["ask"] is True
    assert made["threshold"] == 0.95
    assert decisions(user)[made["decisionId"]]["ask"] is True


def test_a_request_id_decides_once(user: emu.User) -> None:
    first = decide(user, question="Order more coffee?", requestId="req-1")
    calls = chat_calls()
    again = decide(user, question="Order more coffee?", requestId="req-1")

    assert first["created"] is True
    assert again["created"] is False
    assert {k: v for k, v in again.items() if k != "created"} == {
        k: v for k, v in first.items() if k != "created"
    }
    assert list(decisions(user)) == [first["decisionId"]]
    assert chat_calls() == calls  # answered from the stored decision: no model call


def test_an_outcome_is_recorded_once_unless_replaced(user: emu.User) -> None:
    did = decide(user, question="Walk to work?")["decisionId"]
    first = outcome(user, decisionId=did, outcome="success")
    assert first.status == "OK", first.error
    stored = decisions(user)[did]
    before = stats(user)

    again = outcome(user, decisionId=did, outcome="success")
    assert again.status == "OK", again.error
    assert again.result["replaced"] is False
    assert decisions(user)[did] == stored
    assert stats(user) == before

    different = outcome(user, decisionId=did, outcome="failure")
    assert different.status == "FAILED_PRECONDITION"
    assert different.details["reason"] == "outcome-recorded"
    assert decisions(user)[did] == stored

    replaced = outcome(user, decisionId=did, outcome="failure", replace=True)
    assert replaced.status == "OK", replaced.error
    assert replaced.result["replaced"] is True
    assert replaced.result["outcome"]["replaced"] == 1
    after = stats(user)
    assert after is not None
    assert after["count"] == 1
    assert after["pairs"][did][1] == 0.0


def test_the_daily_limit_refuses_and_writes_nothing(
    user: emu.User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(service.DECISIONS_PER_DAY, "free", 1)
    db, gateway = clients.get_db(), local_gateway()

    def once(question: str) -> None:
        service.decide(
            db=db,
            gateway=gateway,
            uid=user.uid,
            plan="free",
            command=Decide(question=question),
            now=datetime.now(UTC),
        )

    once("First one today?")
    with pytest.raises(ResourceExhausted) as caught:
        once("Second one today?")

    assert caught.value.details["reason"] == "decisions-per-day"
    assert 0 < caught.value.details["retryAfterSeconds"] <= 86_400
    assert len(decisions(user)) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "question"),
        ({"question": ""}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({"question": "q", "context": "c" * 8001}, "context"),
        ({"question": "q", "options": ["a", "A"]}, "options"),
        ({"question": "q", "options": [str(i) for i in range(11)]}, "options"),
        ({"question": "q", "options": ["x" * 101]}, "options[0]"),
        ({"question": "q", "kind": "Not a slug"}, "kind"),
        ({"question": "q", "requestId": "has space"}, "requestId"),
        ({"question": "q", "surprise": 1}, "surprise"),
    ],
)
def test_decide_refuses_bad_input_naming_the_field(
    user: emu.User, data: dict[str, Any], field: str
) -> None:
    result = emu.call("decide", data, user.id_token)

    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == field
    assert decisions(user) == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "success"}, "decisionId"),
        ({"decisionId": "a/b", "outcome": "success"}, "decisionId"),
        ({"decisionId": "d1", "outcome": "great"}, "outcome"),
        ({"decisionId": "d1", "outcome": "success", "notes": "n" * 2001}, "notes"),
        ({"decisionId": "d1", "outcome": "success", "replace": "yes"}, "replace"),
    ],
)
def test_record_outcome_refuses_bad_input_naming_the_field(
    user: emu.User, data: dict[str, Any], field: str
) -> None:
    did = decide(user, question="Take the early train?")["decisionId"]
    data = {**data, "decisionId": did} if data.get("decisionId") == "d1" else data
    stored = decisions(user)

    result = outcome(user, **data)

    assert result.status == "INVALID_ARGUMENT"
    assert result.details["field"] == field
    assert decisions(user) == stored
    assert stats(user) is None


def test_someone_elses_decision_is_not_found(user: emu.User, other_user: emu.User) -> None:
    did = decide(other_user, question="Sell the car?")["decisionId"]

    result = outcome(user, decisionId=did, outcome="success")

    assert result.status == "NOT_FOUND"
    assert decisions(other_user)[did]["hasOutcome"] is False
    assert stats(user) is None
    assert stats(other_user) is None


def test_nearest_past_outcomes_and_memories_go_into_the_prompt(user: emu.User) -> None:
    remembered = emu.call("remember", {"text": "I prefer morning meetings"}, user.id_token)
    assert remembered.status == "OK", remembered.error
    past = decide(user, question="Schedule the design review in the morning?")
    assert outcome(user, decisionId=past["decisionId"], outcome="success").status == "OK"
    unrelated = decide(user, question="Buy a new bicycle helmet?")
    assert outcome(user, decisionId=unrelated["decisionId"], outcome="failure").status == "OK"
    pending = decide(user, question="Schedule the budget review in the morning?")

    made = decide(user, question="Schedule the planning review in the morning?")

    assert made["exampleIds"][0] == past["decisionId"]  # successes first, nearest first
    assert pending["decisionId"] not in made["exampleIds"]  # no outcome: not an example
    assert made["memoryIds"] == [remembered.result["id"]]


# --- the workflow `decision` node -------------------------------------------------------


def run_decision_workflow(user: emu.User) -> dict[str, Any]:
    def node(node_id: str, type_: str, **config: Any) -> dict[str, Any]:
        return {"id": node_id, "type": type_, "config": config}

    saved = emu.call(
        "save_workflow",
        {
            "name": "decide then act",
            "status": "active",
            "nodes": [
                node(
                    "choose",
                    "decision",
                    question="Send the reminder to {{ input.who }}?",
                    options=["send", "hold"],
                    kind="reminders",
                    context="It is {{ input.when }}.",
                ),
                node("act", "notify", title="Acted", body="{{ nodes.choose.output.action }}"),
                node("ask", "notify", title="Asking", body="{{ nodes.choose.output.action }}"),
                node("always", "notify", title="Logged", body="decided"),
            ],
            "edges": [
                {"from": "choose", "to": "act", "branch": "act"},
                {"from": "choose", "to": "ask", "branch": "ask"},
                {"from": "choose", "to": "always"},
            ],
            "triggers": [{"type": "manual"}],
        },
        user.id_token,
    )
    assert saved.status == "OK", saved.error
    started = emu.call(
        "run_workflow",
        {"workflowId": saved.result["id"], "input": {"who": "Ana", "when": "Monday"}},
        user.id_token,
    )
    assert started.status == "OK", started.error
    eid = started.result["executionId"]

    def done() -> dict[str, Any] | None:
        doc = clients.get_db().document(f"users/{user.uid}/executions/{eid}").get().to_dict()
        return doc if doc and doc.get("status") in {"succeeded", "failed"} else None

    result: dict[str, Any] = emu.wait_for(done, timeout=60, interval=0.3)
    result["workflowId"] = saved.result["id"]
    result["id"] = eid
    return result


def test_a_decision_node_acts_when_confident(user: emu.User) -> None:
    done = run_decision_workflow(user)

    assert done["status"] == "succeeded", done.get("error")
    steps = done["steps"]
    assert steps["choose"]["branch"] == "act"
    assert steps["choose"]["output"]["action"] == "send"
    assert steps["choose"]["output"]["ask"] is False
    assert steps["act"]["status"] == "succeeded"
    assert steps["ask"]["status"] == "skipped"
    assert steps["always"]["status"] == "succeeded"
    (stored,) = decisions(user).values()
    assert stored["origin"] == {
        "workflowId": done["workflowId"],
        "executionId": done["id"],
        "nodeId": "choose",
    }
    assert stored["requestId"] == f"{done['id']}:choose"
    assert stored["kind"] == "reminders"
    assert stored["question"] == "Send the reminder to Ana?"
    assert stored["context"] == "It is Monday."


def test_a_decision_node_takes_the_ask_branch_below_the_threshold(user: emu.User) -> None:
    updated = emu.call("update_settings", {"decisions": {"askThreshold": 0.95}}, user.id_token)
    assert updated.status == "OK", updated.error

    done = run_decision_workflow(user)

    assert done["status"] == "succeeded", done.get("error")
    steps = done["steps"]
    assert steps["choose"]["branch"] == "ask"
    assert steps["choose"]["output"]["ask"] is True
    assert steps["ask"]["status"] == "succeeded"
    assert steps["act"]["status"] == "skipped"
    assert steps["always"]["status"] == "succeeded"

"""The workflow gallery: six ready definitions that save as they are and work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.validation import parse
from shared.workflows import stepper
from shared.workflows.gallery import FOLDER, templates
from shared.workflows.models import SaveWorkflow
from shared.workflows.stepper import StepTest
from shared.workflows.validation import check_workflow

NOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
IDS = sorted(path.stem for path in FOLDER.glob("*.json"))


def test_the_six_templates_are_there() -> None:
    assert IDS == [
        "decision-ask",
        "event-filter",
        "http-check",
        "morning-digest",
        "webhook-ai-summary",
        "weekly-review",
    ]
    assert [template.id for template in templates()] == IDS


@pytest.mark.parametrize("name", IDS)
def test_a_template_saves_as_it_is(name: str) -> None:
    raw = json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))
    command = parse(SaveWorkflow, raw)  # the callable's own parse: errors name the field
    check_workflow(command)
    assert command.id is None
    assert command.status == "draft"
    assert command.name
    assert command.description
    assert all(node.position is not None for node in command.nodes), "every node is placed"
    places = [(node.position.x, node.position.y) for node in command.nodes if node.position]
    assert len(set(places)) == len(places), "no two nodes on the same spot"


def kinds(name: str) -> tuple[set[str], set[str]]:
    command = parse(SaveWorkflow, next(t for t in templates() if t.id == name).definition)
    return {node.type for node in command.nodes}, {t.type for t in command.triggers}


def test_each_template_is_what_its_name_says() -> None:
    assert kinds("morning-digest") == (
        {"http", "transform", "condition", "notify"},
        {
            "schedule",
            "manual",
        },
    )
    assert kinds("webhook-ai-summary") == ({"ai", "notify"}, {"webhook"})
    assert kinds("weekly-review") == ({"ai", "task", "notify"}, {"schedule"})
    assert kinds("event-filter") == ({"condition", "notify", "event"}, {"event"})
    assert kinds("http-check")[0] >= {"http", "condition", "notify"}
    assert kinds("decision-ask") == ({"decision", "notify", "task"}, {"manual"})
    http = parse(SaveWorkflow, next(t for t in templates() if t.id == "http-check").definition)
    assert http.nodes[0].retry.attempts == 3
    assert http.nodes[0].continue_on_error
    decide = parse(SaveWorkflow, next(t for t in templates() if t.id == "decision-ask").definition)
    assert {edge.branch for edge in decide.edges} == {"act", "ask"}


def step(name: str, node_id: str, **samples: Any) -> dict[str, Any]:
    definition = next(t for t in templates() if t.id == name).definition
    command = parse(StepTest, {"definition": definition, "nodeId": node_id, **samples})
    return stepper.try_node(uid="u1", command=command, now=NOW).to_wire()


def test_the_templates_work_against_sample_data() -> None:
    fetched = {"status": 200, "body": [{"title": "Pay rent"}, {"title": "Call Bo"}]}
    digest = step("morning-digest", "digest", nodes={"fetch": fetched})
    assert digest["output"] == {"count": 2, "text": "Pay rent\n- Call Bo"}
    assert step("morning-digest", "digest", nodes={"fetch": {"body": []}})["output"]["count"] == 0
    some = step("morning-digest", "any", nodes={"digest": digest["output"]})
    assert some["output"] == {"branch": "some"}
    assert step("event-filter", "size", input={"total": 250})["output"] == {"branch": "large"}
    assert step("event-filter", "size", input={"total": 9.5})["output"] == {"branch": "small"}
    passed = step("event-filter", "pass", input={"id": "o1", "total": 9.5})["wouldDo"]
    assert passed["request"] == {"type": "order.small", "data": {"id": "o1", "total": "9.5"}}
    assert step("http-check", "up")["output"] == {"branch": "down"}  # check did not succeed
    answered = {"check": {"status": 200, "body": "ok"}}
    assert step("http-check", "up", nodes=answered)["output"] == {"branch": "up"}
    assert step("http-check", "check")["wouldDo"]["summary"] == "GET https://example.com/health"
    summary = step("webhook-ai-summary", "summarise", input={"alert": "disk full"})["wouldDo"]
    assert '"alert": "disk full"' in summary["request"]["prompt"]
    ask = step(
        "decision-ask",
        "ask",
        input={"title": "Sync", "from": "Ana", "when": "Mon 9:00"},
        nodes={"decide": {"action": "decline", "confidence": 0.4}},
    )["wouldDo"]
    assert ask["request"]["title"] == "Decide: meeting 'Sync' from Ana"
    review = step("weekly-review", "questions")["wouldDo"]
    assert "shipping the project" in review["request"]["prompt"]

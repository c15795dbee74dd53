"""The studio on the emulators with the AI stand-in: generate -> rungeneration (Cloud Task)
-> streamed draft -> gate -> (repair) -> done | failed | cancelled, and the callables
around it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.platform import clients
from shared.studio import service
from shared.studio.models import Generate
from tests.support import emulators as emu
from tools.stack import ROOT

pytestmark = pytest.mark.usefixtures("standin")

FINAL = {"done", "failed", "cancelled"}


def generations(uid: str) -> Any:
    return clients.get_db().collection("users").document(uid).collection("generations")


def doc_of(uid: str, gid: str) -> dict[str, Any]:
    snapshot = generations(uid).document(gid).get()
    assert snapshot.exists
    return snapshot.to_dict() or {}


def files_of(uid: str, gid: str) -> list[dict[str, Any]]:
    stream = generations(uid).document(gid).collection("files").order_by("order").stream()
    return [d.to_dict() | {"id": d.id} for d in stream]


def start(user: emu.User, **data: Any) -> str:
    result = emu.call("generate", data, user.id_token)
    assert result.status == "OK", result.error
    assert result.result["created"] is True
    return str(result.result["generationId"])


def finished(user: emu.User, gid: str, timeout: float = 60.0) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        doc = doc_of(user.uid, gid)
        return doc if doc["status"] in FINAL else None

    result: dict[str, Any] = emu.wait_for(final, timeout=timeout, interval=0.2)
    return result


def studio_requests() -> list[dict[str, Any]]:
    return [e for e in emu.standin_requests() if "Kind:" in (e.get("prompt") or "")]


@pytest.mark.parametrize(
    ("kind", "language", "framework", "paths"),
    [
        ("code", "python", None, None),
        ("code", "typescript", None, None),
        ("code", "go", None, None),
        ("api", None, None, {"openapi.yaml"}),
        ("ui", None, None, None),
        ("cli", None, "click", None),
        ("cli", None, "argparse", None),
    ],
)
def test_each_kind_streams_files_through_the_gate_to_done(
    user: emu.User, kind: str, language: str | None, framework: str | None, paths: set[str] | None
) -> None:
    data: dict[str, Any] = {"type": kind, "prompt": "a tool that keeps a list of books"}
    if language:
        data["language"] = language
    if framework:
        data["framework"] = framework
    gid = start(user, **data)
    drafts: list[str] = []

    def done() -> dict[str, Any] | None:
        doc = doc_of(user.uid, gid)
        if doc["status"] in {"generating", "checking"} and doc["draft"]:
            drafts.append(doc["draft"])
        return doc if doc["status"] in FINAL else None

    doc: dict[str, Any] = emu.wait_for(done, timeout=60, interval=0.05)
    assert doc["status"] == "done", doc.get("validation") or doc.get("error")
    assert doc["progress"] == {"stage": "done", "percent": 100}
    assert doc["validation"]["ok"] is True
    assert doc["validation"]["errors"] == []
    assert doc["draft"] == ""
    assert doc["explanation"]
    assert doc["usage"]["outputTokens"] > 0
    assert doc["repair"] is None
    assert doc["error"] is None
    assert doc["attempt"] == 1
    assert doc["startedAt"] is not None
    assert doc["finishedAt"] is not None
    # Streamed: the listener saw the draft grow before the files were stored.
    assert drafts, "no streamed draft was seen"
    assert drafts[0].startswith("<<<")
    stored = files_of(user.uid, gid)
    assert [f["path"] for f in stored] == [f["path"] for f in doc["files"]]
    assert [f["id"] for f in stored] == [f["id"] for f in doc["files"]]
    assert all(f["content"] and f["size"] == len(f["content"].encode()) for f in stored)
    if paths is not None:
        assert {f["path"] for f in stored} == paths
    if kind == "cli":
        assert doc["validation"]["usage"], "a CLI's usage lines are extracted"
    if kind == "ui":
        assert len(stored) >= 2
    (request,) = studio_requests()
    assert request["stream"] is True


BROKEN = [
    ("code", "syntax", "syntax"),
    ("ui", "dangling-import", "unresolved-import"),
    ("api", "bad-ref", "dangling-ref"),
    ("cli", "placeholder", "placeholder"),
    ("code", "secret", "secret"),
]


@pytest.mark.parametrize(("kind", "mode", "code"), BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_artefact_is_caught_with_its_location_and_fixed_by_one_repair(
    user: emu.User, kind: str, mode: str, code: str
) -> None:
    gid = start(user, type=kind, prompt=f"a list of books [[standin studio={mode}]]")
    caught: list[dict[str, Any]] = []

    def final() -> dict[str, Any] | None:
        doc = doc_of(user.uid, gid)
        if doc["status"] == "repairing" and doc["validation"] and not caught:
            caught.append(doc["validation"])  # the first round's verdict, shown live
        return doc if doc["status"] in FINAL else None

    doc: dict[str, Any] = emu.wait_for(final, timeout=60, interval=0.05)
    assert doc["status"] == "done", doc.get("validation")
    assert doc["validation"]["ok"] is True
    assert doc["repair"]["attempts"] == 1
    assert doc["repair"]["fixed"] is True
    assert doc["repair"]["errorsBefore"] >= 1
    # The repair's usage is recorded apart from the first answer's.
    assert doc["repair"]["usage"]["outputTokens"] > 0
    assert doc["repair"]["usage"]["inputTokens"] > doc["usage"]["inputTokens"]
    # The gate caught it, located (file, line, and column where the parser gives one).
    assert caught, "the repairing round's validation was not seen"
    assert caught[0]["ok"] is False
    located = [e for e in caught[0]["errors"] if e["code"] == code]
    assert located, caught[0]["errors"]
    assert located[0]["file"]
    assert located[0]["line"] is not None
    first, repair = studio_requests()
    assert "Repair:" not in first["prompt"]
    assert "Repair: the files failed these checks" in repair["prompt"]


def test_a_file_outside_the_models_own_plan_is_caught_and_repaired(user: emu.User) -> None:
    gid = start(user, type="code", prompt="a slug function [[standin studio=undeclared]]")
    caught: list[dict[str, Any]] = []

    def final() -> dict[str, Any] | None:
        doc = doc_of(user.uid, gid)
        if doc["status"] == "repairing" and doc["validation"] and not caught:
            caught.append(doc["validation"])
        return doc if doc["status"] in FINAL else None

    doc: dict[str, Any] = emu.wait_for(final, timeout=60, interval=0.05)
    assert doc["status"] == "done", doc.get("validation")
    assert caught, "the repairing round's validation was not seen"
    undeclared = [e for e in caught[0]["errors"] if e["code"] == "undeclared-file"]
    assert undeclared, caught[0]["errors"]
    assert "scratch" in undeclared[0]["file"]


def test_a_generation_that_stays_broken_is_reported_failed_with_what_remained(
    user: emu.User,
) -> None:
    gid = start(user, type="code", prompt="a slug function [[standin studio=syntax-always]]")
    doc = finished(user, gid)
    assert doc["status"] == "failed"
    assert doc["error"]["code"] == "validation-failed"
    assert doc["validation"]["ok"] is False
    errors = doc["validation"]["errors"]
    assert any(e["code"] == "syntax" and e["file"] and e["line"] for e in errors)
    assert doc["repair"] == doc["repair"] | {"attempts": 1, "fixed": False}
    assert files_of(user.uid, gid), "the files are kept so the user sees what is wrong"
    assert len(studio_requests()) == 2


def test_a_duplicate_task_delivery_does_nothing(user: emu.User) -> None:
    gid = start(user, type="code", prompt="a slug function")
    before = finished(user, gid)
    calls = len(studio_requests())
    for _ in range(2):  # Cloud Tasks delivers at least once: here, twice more
        response = emu.session.post(
            f"{emu.FUNCTIONS}/rungeneration",
            json={"data": {"uid": user.uid, "generationId": gid}},
            headers={"Connection": "close", "X-CloudTasks-TaskName": "t-dup"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
    after = doc_of(user.uid, gid)
    assert after["updatedAt"] == before["updatedAt"]
    assert after["attempt"] == 1
    assert len(studio_requests()) == calls


def test_cancel_stops_the_stream_and_ends_cancelled(user: emu.User) -> None:
    gid = start(user, type="code", prompt="a slug function [[standin token_delay_ms=150]]")
    emu.wait_for(lambda: doc_of(user.uid, gid)["draft"], timeout=30)
    result = emu.call("cancel_generation", {"id": gid}, user.id_token)
    assert result.status == "OK", result.error
    assert result.result == {"cancelled": True}
    doc = finished(user, gid, timeout=15)
    assert doc["status"] == "cancelled"
    assert doc["progress"]["stage"] == "cancelled"
    assert doc["files"] == []
    emu.wait_for(lambda: all(e["ended_at"] for e in studio_requests()), timeout=10)
    (request,) = studio_requests()
    assert request["completed"] is False  # the stream was closed before its end
    draft = doc["draft"]
    time.sleep(1.0)
    assert doc_of(user.uid, gid)["draft"] == draft  # nothing more was written
    again = emu.call("cancel_generation", {"id": gid}, user.id_token)
    assert again.result == {"cancelled": True}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"prompt": "x"}, "type"),
        ({"type": "poem", "prompt": "x"}, "type"),
        ({"type": "code"}, "prompt"),
        ({"type": "code", "prompt": ""}, "prompt"),
        ({"type": "code", "prompt": "x" * 8001}, "prompt"),
        ({"type": "code", "prompt": "x", "language": "cobol"}, "language"),
        ({"type": "api", "prompt": "x", "language": "python"}, "language"),
        ({"type": "cli", "prompt": "x", "framework": "typer"}, "framework"),
        ({"type": "code", "prompt": "x", "framework": "<script>"}, "framework"),
        ({"type": "code", "prompt": "x", "options": {"maxRepairs": 3}}, "options.maxRepairs"),
        ({"type": "code", "prompt": "x", "options": {"files": ["../x.py"]}}, "options.files[0]"),
        ({"type": "code", "prompt": "x", "options": {"files": ["a.py", "a.py"]}}, "options.files"),
        (
            {"type": "ui", "prompt": "x", "options": {"dependencies": ["Bad Name"]}},
            "options.dependencies[0]",
        ),
        ({"type": "code", "prompt": "x", "options": {"extra": 1}}, "options.extra"),
        ({"type": "code", "prompt": "x", "requestId": "a/b"}, "requestId"),
        ({"type": "code", "prompt": "x", "regenerateFrom": "__x__"}, "regenerateFrom"),
        ({"type": "code", "prompt": "x", "nope": 1}, "nope"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(
    user: emu.User, data: dict[str, Any], field: str
) -> None:
    result = emu.call("generate", data, user.id_token)
    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field
    assert list(generations(user.uid).stream()) == []
    # The daily generation count is untouched (a day's window); the edge's per-minute
    # count of the call itself is the only rate-limit write (docs/security.md).
    windows = [d.to_dict() or {} for d in clients.get_db().collection("_rateLimits").stream()]
    assert [w for w in windows if w.get("windowSeconds") != 60] == []


@pytest.mark.parametrize(
    ("function", "data", "field"),
    [
        ("cancel_generation", {}, "id"),
        ("delete_generation", {"id": "a/b"}, "id"),
        ("get_generation", {"id": ""}, "id"),
        ("list_generations", {"limit": 0}, "limit"),
        ("list_generations", {"limit": 51}, "limit"),
        ("list_generations", {"type": "poem"}, "type"),
        ("list_generations", {"cursor": "nothing-here"}, "cursor"),
    ],
)
def test_bad_input_to_the_other_callables(
    user: emu.User, function: str, data: dict[str, Any], field: str
) -> None:
    result = emu.call(function, data, user.id_token)
    assert result.status == "INVALID_ARGUMENT", result
    assert result.details["field"] == field


def test_another_users_generation_is_invisible(user: emu.User, other_user: emu.User) -> None:
    gid = start(user, type="code", prompt="a slug function")
    finished(user, gid)
    for function in ("get_generation", "cancel_generation"):
        result = emu.call(function, {"id": gid}, other_user.id_token)
        assert result.status == "NOT_FOUND", (function, result)
    deleted = emu.call("delete_generation", {"id": gid}, other_user.id_token)
    assert deleted.result == {"deleted": False}
    regenerated = emu.call("generate", {"regenerateFrom": gid}, other_user.id_token)
    assert regenerated.status == "NOT_FOUND"
    listed = emu.call("list_generations", {}, other_user.id_token)
    assert listed.result == {"items": [], "nextCursor": None}
    assert doc_of(user.uid, gid)["status"] == "done"
    # The rules: the owner reads the generation and its files; nobody else does.
    emu.load_rules((ROOT / "firestore.rules").read_text())
    for path in (f"generations/{gid}", f"generations/{gid}/files/f00", f"generations/{gid}/files"):
        url = f"{emu.DOCS}/users/{user.uid}/{path}"
        assert emu.session.get(url, headers=emu.auth_header(user.id_token)).status_code == 200
        denied = emu.session.get(url, headers=emu.auth_header(other_user.id_token))
        assert denied.status_code == 403, path


def seed(uid: str, kind: str, at: datetime, status: str = "done") -> str:
    spec = service.resolve(Generate.model_validate({"type": kind, "prompt": f"{kind} {at}"}), None)
    doc = service.new_doc(spec, parent_id=None, request_id=None, now=at) | {"status": status}
    ref = generations(uid).document()
    ref.set(doc)
    return str(ref.id)


def test_list_pages_newest_first_with_a_cursor_and_a_type_filter(user: emu.User) -> None:
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    kinds = ["code", "api", "code", "ui", "code"]
    ids = [seed(user.uid, k, t0 + timedelta(minutes=i)) for i, k in enumerate(kinds)]
    newest_first = ids[::-1]

    seen: list[str] = []
    cursor = None
    for _ in range(5):
        data = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = emu.call("list_generations", data, user.id_token).result
        seen += [item["id"] for item in page["items"]]
        assert all("draft" not in item and "contents" not in item for item in page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == newest_first

    codes = emu.call("list_generations", {"type": "code", "limit": 2}, user.id_token).result
    assert [i["id"] for i in codes["items"]] == [ids[4], ids[2]]
    rest = emu.call(
        "list_generations", {"type": "code", "cursor": codes["nextCursor"]}, user.id_token
    ).result
    assert [i["id"] for i in rest["items"]] == [ids[0]]
    assert rest["nextCursor"] is None
    item = codes["items"][0]
    assert item["type"] == "code"
    assert item["status"] == "done"
    assert item["createdAt"].startswith("2026-12-01T00:04")


def test_regenerate_creates_a_new_one_with_its_parent(user: emu.User) -> None:
    gid = start(user, type="cli", prompt="a todo tool", framework="click")
    finished(user, gid)
    again = emu.call("generate", {"regenerateFrom": gid}, user.id_token)
    assert again.status == "OK", again.error
    new = again.result["generationId"]
    assert new != gid
    doc = finished(user, new)
    assert doc["status"] == "done"
    assert doc["parentId"] == gid
    assert (doc["type"], doc["prompt"], doc["framework"]) == ("cli", "a todo tool", "click")
    got = emu.call("get_generation", {"id": new}, user.id_token).result
    assert got["parentId"] == gid
    assert [c["path"] for c in got["contents"]] == [f["path"] for f in doc["files"]]
    assert all(c["content"] for c in got["contents"])


def test_request_id_makes_generate_idempotent(user: emu.User) -> None:
    data = {"type": "code", "prompt": "a slug function", "requestId": "req-1"}
    first = emu.call("generate", data, user.id_token).result
    second = emu.call("generate", data, user.id_token).result
    assert second == {"generationId": first["generationId"], "created": False}
    finished(user, first["generationId"])
    assert len(list(generations(user.uid).stream())) == 1
    assert len(studio_requests()) == 1


def test_delete_removes_the_generation_and_its_files(user: emu.User) -> None:
    gid = start(user, type="ui", prompt="a list of books")
    finished(user, gid)
    assert files_of(user.uid, gid)
    result = emu.call("delete_generation", {"id": gid}, user.id_token)
    assert result.result == {"deleted": True}
    assert not generations(user.uid).document(gid).get().exists
    assert files_of(user.uid, gid) == []
    again = emu.call("delete_generation", {"id": gid}, user.id_token)
    assert again.result == {"deleted": False}
    assert emu.call("get_generation", {"id": gid}, user.id_token).status == "NOT_FOUND"


def test_at_most_two_running_at_once(user: emu.User) -> None:
    now = datetime.now(UTC)
    for status in ("queued", "generating"):
        seed(user.uid, "code", now, status=status)
    result = emu.call("generate", {"type": "code", "prompt": "x"}, user.id_token)
    assert result.status == "RESOURCE_EXHAUSTED"
    assert result.details["reason"] == "active-generations"
    assert len(list(generations(user.uid).stream())) == 2

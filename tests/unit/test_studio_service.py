"""The generation pipeline's orchestration, over an in-memory store, gateway and gate."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.ai.models import AIRequest, Usage
from shared.chat.streaming import Pace
from shared.errors import InvalidArgument, ResourceExhausted
from shared.studio import repository, service
from shared.studio.models import File, GateError, Generate, Validation
from shared.studio.repository import Claim, Seen, lease_is_live
from shared.studio.service import new_doc, resolve

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

GOOD = (
    "<<<EXPLANATION>>>\nA slug function.\n<<<END>>>\n"
    '<<<FILE path="slug.py" language="python">>>\n'
    "def slug(s: str) -> str:\n    return s.lower()\n"
    "<<<END>>>\n"
)
BROKEN = GOOD.replace("return s.lower()", "return s.lower(")
BAD = GateError("slug.py", 2, 20, "syntax", "'(' was never closed")


class FakeStore:
    """GenerationStore in memory, with Firestore's conditional-write semantics."""

    def __init__(self, doc: dict[str, Any], uid: str = "u1") -> None:
        self.doc: dict[str, Any] | None = dict(doc)
        self.files: dict[str, dict[str, Any]] = {}
        self.version = 1
        self._mine = 0
        self._attempt = 0
        self.writes: list[dict[str, Any]] = []
        self.batches = 0
        self._uid = uid
        self.on_write: Callable[[FakeStore], None] | None = None

    @property
    def uid(self) -> str:
        return self._uid

    def outside(self, fields: dict[str, Any]) -> None:
        """Someone else writes (cancel_generation, another claim)."""
        assert self.doc is not None
        self.doc.update(fields)
        self.version += 1

    def claim(self, *, now: datetime, lease_s: float) -> Claim:
        doc = self.doc
        if doc is None:
            return Claim("gone", {})
        if doc["status"] in {"done", "failed", "cancelled"}:
            return Claim("finished", doc)
        if doc["status"] != "queued" and lease_is_live(doc, now):
            return Claim("running", doc)
        if doc.get("cancelRequested"):
            doc.update(repository.cancelled_fields(now))
            self.version += 1
            return Claim("cancelled", doc)
        self._attempt = int(doc.get("attempt") or 0) + 1
        doc.update(repository.claim_fields(self._attempt, now, lease_s))
        for entry in list(self.files):
            del self.files[entry]
        self.version += 1
        self._mine = self.version
        return Claim("claimed", dict(doc), self._attempt)

    def _check(self) -> Seen:
        if self.doc is None:
            return "gone"
        if self.version == self._mine:
            return "ok"
        if int(self.doc.get("attempt") or 0) != self._attempt:
            return "lost"
        self._mine = self.version
        return "cancel" if self.doc.get("cancelRequested") else "ok"

    def write(self, fields: dict[str, Any]) -> Seen:
        seen = self._check()
        if seen != "ok":
            return seen
        assert self.doc is not None
        self.doc.update(fields)
        self.version += 1
        self._mine = self.version
        self.writes.append(dict(fields))
        if self.on_write is not None:
            self.on_write(self)
        return "ok"

    def store(self, files: Sequence[File], fields: dict[str, Any]) -> Seen:
        seen = self._check()
        if seen != "ok":
            return seen
        self.files = {
            f"f{i:02d}": {"path": f.path, "language": f.language, "content": f.content}
            for i, f in enumerate(files)
        }
        self.batches += 1
        return self.write(fields)


@dataclass
class FakeStream:
    deltas: list[str]
    clock: list[float]
    step_s: float = 0.0625  # exact in binary: four deltas make one interval
    closed: bool = False
    consumed: int = 0
    provider: str | None = "openai"
    model: str | None = "gpt-4o"
    finished: Usage | None = None

    def __iter__(self) -> Iterator[str]:
        for delta in self.deltas:
            if self.closed:
                return
            self.clock[0] += self.step_s
            self.consumed += 1
            yield delta

    def close(self) -> None:
        self.closed = True

    def finish(self) -> Usage:
        if self.finished is None:
            out = sum(len(d) for d in self.deltas[: self.consumed]) // 4
            self.finished = Usage(input_tokens=100, output_tokens=out, cost_usd=0.001)
        return self.finished


@dataclass
class FakeGateway:
    answers: list[str]
    clock: list[float]
    requests: list[AIRequest] = field(default_factory=list)
    streams: list[FakeStream] = field(default_factory=list)
    chunk: int = 7
    fail: Exception | None = None

    def stream(self, request: AIRequest, *, plan: str) -> FakeStream:
        if self.fail is not None:
            raise self.fail
        self.requests.append(request)
        text = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        deltas = [text[i : i + self.chunk] for i in range(0, len(text), self.chunk)]
        stream = FakeStream(deltas, self.clock)
        self.streams.append(stream)
        return stream


def gate_of(*verdicts: Validation) -> Callable[..., Validation]:
    calls: list[Sequence[File]] = []

    def check(kind: str, files: Sequence[File], **_: Any) -> Validation:
        calls.append(files)
        return verdicts[min(len(calls) - 1, len(verdicts) - 1)]

    check.calls = calls  # type: ignore[attr-defined]
    return check


OK = Validation(ok=True, errors=())
FAILS = Validation(ok=False, errors=(BAD,))


def spec_doc(**options: Any) -> dict[str, Any]:
    command = Generate.model_validate({"type": "code", "prompt": "a slug function", **options})
    return new_doc(resolve(command, None), parent_id=None, request_id=None, now=T0)


def setup(
    answers: list[str], *verdicts: Validation, doc: dict[str, Any] | None = None
) -> tuple[FakeStore, FakeGateway, Callable[[], str]]:
    clock = [0.0]
    store = FakeStore(doc or spec_doc())
    gateway = FakeGateway(answers, clock)
    check = gate_of(*verdicts) if verdicts else gate_of(OK)
    now = [T0]

    def tick() -> datetime:
        now[0] += timedelta(milliseconds=10)
        return now[0]

    def go() -> str:
        return service.run(
            store=store,
            gateway=gateway,
            plan="free",
            now=tick,
            pace=Pace(write_interval_s=0.25, clock=lambda: clock[0]),
            gate=check,
        )

    go.gate = check  # type: ignore[attr-defined]
    return store, gateway, go


def test_prompt_streams_into_the_draft_then_files_are_stored_and_done() -> None:
    store, gateway, go = setup([GOOD])
    assert go() == "done"
    doc = store.doc
    assert doc is not None
    assert doc["status"] == "done"
    assert doc["progress"] == {"stage": "done", "percent": 100}
    assert doc["draft"] == ""
    assert doc["explanation"] == "A slug function."
    assert doc["files"] == [{"id": "f00", "path": "slug.py", "language": "python", "size": 46}]
    assert store.files["f00"]["content"].startswith("def slug")
    assert doc["validation"] == {"ok": True, "errors": [], "usage": []}
    assert doc["usage"]["inputTokens"] == 100
    assert doc["repair"] is None
    assert doc["error"] is None
    assert doc["leaseUntil"] is None
    assert store.batches == 1
    # The request: strong tier, the contract's user message.
    request = gateway.requests[0]
    assert request.purpose == "generate"
    assert request.system is not None
    assert request.system.startswith("You are Aura Studio")
    assert request.messages[-1].content == (
        "Kind: code\nLanguage: python\nFramework: none\nRequest:\na slug function"
    )


def test_draft_writes_are_throttled_first_at_once_then_every_interval() -> None:
    store, gateway, go = setup([GOOD * 3])
    go()
    drafts = [w for w in store.writes if w.get("status") == "generating"]
    deltas = len(gateway.streams[0].deltas)
    # 1/16 s a delta, a write at most every 1/4 s: the first at once, then one in four.
    assert drafts[0]["draft"] == (GOOD * 3)[:7]
    assert len(drafts) == 1 + (deltas - 1) // 4
    percents = [w["progress"]["percent"] for w in drafts]
    assert percents == sorted(percents)
    checking = next(w for w in store.writes if w.get("status") == "checking")
    assert checking["draft"] == GOOD * 3  # the last streamed write carries the whole text


def test_a_broken_answer_is_repaired_once_and_the_repair_usage_kept_apart() -> None:
    store, gateway, go = setup([BROKEN, GOOD], FAILS, OK)
    assert go() == "done"
    doc = store.doc
    assert doc is not None
    assert len(gateway.requests) == 2
    repair = gateway.requests[1].messages[-1].content
    assert repair.startswith("Kind: code\nLanguage: python\nFramework: none\nRequest:\n")
    assert "Repair: the files failed these checks" in repair
    assert "- slug.py:2:20 syntax '(' was never closed" in repair
    assert 'Files:\n<<<FILE path="slug.py" language="python">>>\n' in repair
    assert "return s.lower(\n" in repair
    assert doc["repair"]["attempts"] == 1
    assert doc["repair"]["fixed"] is True
    assert doc["repair"]["errorsBefore"] == 1
    assert doc["repair"]["usage"]["inputTokens"] == 100
    assert doc["usage"]["inputTokens"] == 100  # the first answer's alone
    assert doc["validation"]["ok"] is True
    assert store.batches == 2  # the broken round's files, then the repaired ones
    assert any(w.get("status") == "repairing" for w in store.writes)


def test_still_broken_after_the_repairs_fails_and_keeps_what_was_wrong() -> None:
    store, gateway, go = setup([BROKEN], FAILS, doc=spec_doc(options={"maxRepairs": 2}))
    assert go() == "failed"
    doc = store.doc
    assert doc is not None
    assert len(gateway.requests) == 3
    assert doc["error"]["code"] == "validation-failed"
    assert doc["validation"]["errors"] == [
        {"file": "slug.py", "line": 2, "column": 20, "code": "syntax", "message": BAD.message}
    ]
    assert doc["files"][0]["path"] == "slug.py"
    assert store.files["f00"]["content"].endswith("s.lower(\n")
    assert doc["repair"] == {
        "attempts": 2,
        "usage": {
            "inputTokens": 200,
            "outputTokens": doc["repair"]["usage"]["outputTokens"],
            "costUsd": 0.002,
        },
        "fixed": False,
        "errorsBefore": 1,
    }


def test_no_repairs_asked_fails_after_the_first_check() -> None:
    store, gateway, go = setup([BROKEN], FAILS, doc=spec_doc(options={"maxRepairs": 0}))
    assert go() == "failed"
    assert len(gateway.requests) == 1
    assert store.doc is not None
    assert store.doc["repair"] is None


def test_protocol_errors_count_as_failed_checks() -> None:
    cut = GOOD[: GOOD.rindex("<<<END>>>")]
    store, gateway, go = setup([cut, GOOD], OK)
    assert go() == "done"
    assert len(gateway.requests) == 2
    assert "protocol" in gateway.requests[1].messages[-1].content
    assert store.doc is not None
    assert store.doc["repair"]["errorsBefore"] == 1


def test_a_finished_generation_delivered_again_does_nothing() -> None:
    store, gateway, go = setup([GOOD])
    assert go() == "done"
    writes, requests = len(store.writes), len(gateway.requests)
    assert go() == "finished"
    assert (len(store.writes), len(gateway.requests)) == (writes, requests)


def test_a_running_generation_with_a_live_lease_is_left_alone() -> None:
    doc = spec_doc() | {
        "status": "generating",
        "attempt": 1,
        "leaseUntil": T0 + timedelta(minutes=1),
    }
    store, gateway, go = setup([GOOD], doc=doc)
    assert go() == "running"
    assert store.writes == []
    assert gateway.requests == []


def test_a_stale_lease_starts_again_from_the_start() -> None:
    doc = spec_doc() | {
        "status": "generating",
        "attempt": 1,
        "leaseUntil": T0 - timedelta(seconds=1),
        "draft": "half of an old answer",
    }
    store, _, go = setup([GOOD], doc=doc)
    store.files = {"f00": {"path": "old.py"}, "f01": {"path": "older.py"}}
    assert go() == "done"
    assert store.doc is not None
    assert store.doc["attempt"] == 2
    assert [f["path"] for f in store.files.values()] == ["slug.py"]


def test_cancel_stops_the_stream_at_the_next_write() -> None:
    store, gateway, go = setup([GOOD * 10])

    def cancel_after_first(s: FakeStore) -> None:
        if len(s.writes) == 2:  # the claim is not in writes: this is the first draft write
            s.on_write = None
            s.outside({"cancelRequested": True})

    store.on_write = cancel_after_first
    assert go() == "cancelled"
    stream = gateway.streams[0]
    assert stream.closed
    assert stream.consumed < len(stream.deltas) // 2
    assert stream.finished is not None  # what was generated is metered
    assert store.doc is not None
    assert store.doc["status"] == "cancelled"
    assert store.doc["finishedAt"] is not None


def test_a_queued_generation_cancelled_before_its_task_never_calls_the_model() -> None:
    _store, gateway, go = setup([GOOD], doc=spec_doc() | {"cancelRequested": True})
    assert go() == "cancelled"
    assert gateway.requests == []


def test_deleted_while_streaming_stops_quietly() -> None:
    store, gateway, go = setup([GOOD * 10])

    def delete(s: FakeStore) -> None:
        s.on_write = None
        s.doc = None

    store.on_write = delete
    assert go() == "gone"
    assert gateway.streams[0].closed


def test_claimed_by_another_task_stops_without_writing() -> None:
    store, gateway, go = setup([GOOD * 10])

    def steal(s: FakeStore) -> None:
        s.on_write = None
        s.outside({"attempt": 7})

    store.on_write = steal
    assert go() == "superseded"
    assert gateway.streams[0].closed
    assert store.doc is not None
    assert store.doc["attempt"] == 7
    assert store.doc["status"] == "generating"  # the other task's to finish


def test_an_answer_over_the_cap_fails_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_OUTPUT_CHARS", 100)
    store, gateway, go = setup([GOOD * 10])
    assert go() == "failed"
    assert store.doc is not None
    assert store.doc["error"]["code"] == "too-large"
    assert len(store.doc["draft"]) == 100
    assert gateway.streams[0].closed
    assert store.doc["usage"] is not None


def test_over_quota_fails_with_the_gateways_words() -> None:
    store, gateway, go = setup([GOOD])
    gateway.fail = ResourceExhausted("Daily AI quota reached.")
    assert go() == "failed"
    assert store.doc is not None
    assert store.doc["error"] == {
        "code": "resource-exhausted",
        "message": "Daily AI quota reached.",
    }


def test_a_gate_that_crashes_fails_the_generation_and_leaves_nothing_running() -> None:
    def boom(*_: Any, **__: Any) -> Validation:
        raise RuntimeError("bug")

    store, _, _ = setup([GOOD])
    clock = [0.0]
    outcome = service.run(
        store=store,
        gateway=FakeGateway([GOOD], clock),
        plan="free",
        now=lambda: T0,
        pace=Pace(clock=lambda: clock[0]),
        gate=boom,
    )
    assert outcome == "failed"
    assert store.doc is not None
    assert store.doc["error"]["code"] == "internal"


def test_the_gate_is_told_the_declared_files_and_dependencies() -> None:
    seen: dict[str, Any] = {}

    def check(kind: str, files: Sequence[File], **kwargs: Any) -> Validation:
        seen.update(kwargs, kind=kind)
        return OK

    doc = new_doc(
        resolve(
            Generate.model_validate(
                {
                    "type": "ui",
                    "prompt": "a list",
                    "options": {"files": ["List.tsx"], "dependencies": ["clsx"]},
                }
            ),
            None,
        ),
        parent_id=None,
        request_id=None,
        now=T0,
    )
    store = FakeStore(doc)
    clock = [0.0]
    service.run(
        store=store,
        gateway=FakeGateway([GOOD], clock),
        plan="free",
        now=lambda: T0,
        pace=Pace(clock=lambda: clock[0]),
        gate=check,
    )
    assert seen == {
        "kind": "ui",
        "language": "tsx",
        "declared": ["List.tsx"],
        "dependencies": ["clsx"],
    }


# --- resolving the command -------------------------------------------------------------


def cmd(**data: Any) -> Generate:
    return Generate.model_validate(data)


def test_defaults_per_kind() -> None:
    assert resolve(cmd(type="code", prompt="x"), None).language == "python"
    ui = resolve(cmd(type="ui", prompt="x"), None)
    assert (ui.language, ui.framework) == ("tsx", "react")
    assert resolve(cmd(type="api", prompt="x"), None).language == "openapi"
    cli = resolve(cmd(type="cli", prompt="x", framework="click"), None)
    assert (cli.language, cli.framework, cli.max_repairs) == ("python", "click", 1)


@pytest.mark.parametrize(
    ("data", "field_name"),
    [
        ({"prompt": "x"}, "type"),
        ({"type": "code"}, "prompt"),
        ({"type": "code", "prompt": "x", "language": "cobol"}, "language"),
        ({"type": "api", "prompt": "x", "language": "python"}, "language"),
        ({"type": "cli", "prompt": "x", "framework": "typer"}, "framework"),
        ({"type": "api", "prompt": "x", "framework": "fastapi"}, "framework"),
        ({"type": "ui", "prompt": "x", "framework": "vue"}, "framework"),
    ],
)
def test_bad_combinations_name_the_field(data: dict[str, Any], field_name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        resolve(cmd(**data), None)
    assert caught.value.field == field_name


def test_regenerating_takes_what_is_left_out_from_the_parent() -> None:
    parent = new_doc(
        resolve(cmd(type="cli", prompt="a todo tool", framework="click"), None),
        parent_id=None,
        request_id=None,
        now=T0,
    )
    again = resolve(cmd(regenerate_from="g1"), parent)
    assert (again.type, again.prompt, again.framework) == ("cli", "a todo tool", "click")
    other = resolve(cmd(regenerate_from="g1", type="code"), parent)
    assert (other.language, other.framework) == ("python", None)


def test_percent_grows_through_the_stages() -> None:
    order = ["planning", "generating", "checking", "repairing", "done"]
    values = [service.percent(stage, 1000) for stage in order]
    assert values == sorted(values)
    assert values[-1] == 100
    assert service.percent("generating", 10**9) == 80

"""Studio figures (issue 12), against a live local stack (see bench/run.py).

* time to the first streamed byte (the generation's first `draft` seen by a Firestore
  listener) and to `done`, per kind, through `generate` -> Cloud Task -> `rungeneration`,
  each as a ratio to the stand-in's own time for the same request (its first delta and
  its last, streamed straight from the stand-in by the provider client, no gateway);
* the gate's cost per KB of output, per kind, in-process on the stand-in's artefacts;
* Firestore reads and writes of one generation (`generate` and the task's run), counted
  at the RPC level in-process, with how many of the writes were streamed drafts.

    venv/bin/python -m bench.studio      (starts its own stack; or via bench/run.py)
"""

from __future__ import annotations

import functools
import json
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from shared.studio.models import Generate, Spec

KINDS: dict[str, dict[str, Any]] = {
    "code": {"type": "code", "language": "python"},
    "api": {"type": "api"},
    "ui": {"type": "ui"},
    "cli": {"type": "cli", "framework": "click"},
}
PROMPT = "a service that keeps a list of books with their authors"
RUNS = 3
GATE_RUNS = 15


def _spec(kind: str) -> Spec:
    from shared.studio import service

    return service.resolve(Generate.model_validate({**KINDS[kind], "prompt": PROMPT}), None)


def _standin_times(spec: Spec) -> tuple[float, float]:
    """The stand-in's own first-delta and total seconds for the request, streamed by the
    provider client straight from it."""
    from shared.ai.providers import build_clients
    from shared.studio import service
    from tests.support.gateway import local_gateway

    gateway = local_gateway()
    config = gateway._config
    client = build_clients(config)["openai"]
    model = config.providers["openai"].models["strong"]
    request = service.request_for("bench", service.user_message(spec))
    started = time.perf_counter()
    first: float | None = None
    stream = client.stream(request, model)
    for delta in stream:
        if delta and first is None:
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    return first or total, total


def _aura_times(user: Any, kind: str) -> tuple[float, float]:
    """Seconds from calling `generate` to the first draft a listener sees, and to done."""
    from shared.platform import clients
    from tests.support import emulators as emu

    db = clients.get_db()
    seen: dict[str, float] = {}
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def on_snapshot(docs: Any, _changes: Any, _at: Any) -> None:
        for doc in docs:
            data = doc.to_dict() or {}
            if data.get("draft") and "first" not in seen:
                seen["first"] = time.perf_counter()
            if data.get("status") in {"done", "failed", "cancelled"} and "done" not in seen:
                seen["done"] = time.perf_counter()
                holder["status"] = data.get("status")
                ready.set()

    started = time.perf_counter()
    result = emu.call("generate", {**KINDS[kind], "prompt": PROMPT}, user.id_token)
    assert result.status == "OK", result.error
    gid = result.result["generationId"]
    watch = db.document(f"users/{user.uid}/generations/{gid}").on_snapshot(on_snapshot)
    try:
        if not ready.wait(120):
            raise RuntimeError(f"{kind} generation did not finish")
    finally:
        watch.unsubscribe()
    if holder.get("status") != "done":
        raise RuntimeError(f"{kind} generation ended {holder.get('status')}")
    # A draft first seen with the final state means every draft write fell between two
    # snapshots; then the first byte is not measured (the done time stands in for it).
    return seen.get("first", seen["done"]) - started, seen["done"] - started


def latency(user: Any) -> dict[str, Any]:
    """Per kind: Aura's first byte and done, against the stand-in's own, medians."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        spec = _spec(kind)
        _aura_times(user, kind)  # warm the function's worker and the gate's grammars
        aura_first, aura_done, own_first, own_total = [], [], [], []
        for _ in range(RUNS):  # interleaved, so drift hits both alike
            first, done = _aura_times(user, kind)
            s_first, s_total = _standin_times(spec)
            aura_first.append(first)
            aura_done.append(done)
            own_first.append(s_first)
            own_total.append(s_total)
        med = statistics.median
        out[kind] = {
            "first_byte_s": med(aura_first),
            "standin_first_byte_s": med(own_first),
            "first_byte_ratio": med(aura_first) / med(own_first),
            "done_s": med(aura_done),
            "standin_total_s": med(own_total),
            "done_ratio": med(aura_done) / med(own_total),
        }
    return out


def gate_cost() -> dict[str, Any]:
    """Milliseconds of `gate.check` per KB of output, per kind, in-process (median)."""
    from shared.studio import gate, service
    from shared.studio.protocol import parse
    from tools.standin import studio as standin

    out: dict[str, Any] = {}
    for kind in KINDS:
        spec = _spec(kind)
        files = parse(standin.answer_text(service.user_message(spec)), True).files
        size_kb = sum(len(f.content.encode()) for f in files) / 1024
        check = functools.partial(
            gate.check,
            spec.type,
            files,
            language=service.gate_language(spec),
            declared=spec.files,
            dependencies=spec.dependencies,
        )
        assert check().ok, kind
        times = []
        for _ in range(GATE_RUNS):
            started = time.perf_counter()
            check()
            times.append(time.perf_counter() - started)
        ms = statistics.median(times) * 1000
        out[kind] = {"kb": size_kb, "files": len(files), "ms": ms, "ms_per_kb": ms / size_kb}
    return out


class _NoQueue:
    def enqueue(self, queue: str, payload: dict[str, Any], **_: Any) -> bool:
        return True  # the bench runs the task in-process instead


def operations(user: Any) -> dict[str, Any]:
    """Firestore reads and writes of one generation (cli: the longest artefact of the
    four), `generate` included, counted at the RPC level in-process."""
    from bench.chat import Counting
    from shared.platform import clients
    from shared.studio import repository, service
    from shared.studio.models import GenerationTask
    from tests.support.gateway import local_gateway

    db = clients.get_db()
    counter = Counting(db)
    streamed = {"n": 0}
    write = repository.FirestoreGeneration.write

    def counted_write(self: Any, fields: dict[str, Any]) -> Any:
        if "draft" in fields and fields.get("status") in {"generating", "repairing"}:
            streamed["n"] += 1
        return write(self, fields)

    repository.FirestoreGeneration.write = counted_write  # type: ignore[method-assign]
    try:
        command = Generate.model_validate({**KINDS["cli"], "prompt": PROMPT})
        before = (counter.reads, counter.writes)
        created = service.generate(
            db=db,
            enqueuer=_NoQueue(),
            uid=user.uid,
            plan="pro",
            command=command,
            now=datetime.now(UTC),
        )
        task = GenerationTask(uid=user.uid, generation_id=created.generation_id)
        outcome = service.run_task(
            db=db, gateway=local_gateway(), task=task, now=lambda: datetime.now(UTC)
        )
        reads, writes = counter.reads - before[0], counter.writes - before[1]
    finally:
        repository.FirestoreGeneration.write = write  # type: ignore[method-assign]
    doc = db.document(f"users/{user.uid}/generations/{created.generation_id}").get().to_dict()
    assert outcome == "done", (outcome, doc)
    files = len((doc or {}).get("files") or [])
    return {
        "reads": reads,
        "writes": writes,
        "streamed_writes": streamed["n"],
        "files": files,
        "output_tokens": float(((doc or {}).get("usage") or {}).get("outputTokens", 0)),
    }


def figures(user: Any) -> dict[str, Any]:
    """Everything above, on a running stack (bench/run.py's `live_figures`)."""
    return {"latency": latency(user), "gate": gate_cost(), "ops": operations(user)}


def table(results: dict[str, Any]) -> list[str]:
    studio = results["studio"]
    lines = [
        "\nStudio (generate -> task -> streamed draft -> gate -> done, on the stand-in)",
        f"{'kind':<6} {'first byte s':>12} {'stand-in s':>10} {'ratio':>6}  "
        f"{'done s':>7} {'stand-in s':>10} {'ratio':>6}  {'gate ms/KB':>10} {'KB':>5}",
    ]
    for kind, row in studio["latency"].items():
        gate_row = studio["gate"][kind]
        lines.append(
            f"{kind:<6} {row['first_byte_s']:>12.2f} {row['standin_first_byte_s']:>10.2f} "
            f"{row['first_byte_ratio']:>6.2f}  {row['done_s']:>7.2f} "
            f"{row['standin_total_s']:>10.2f} {row['done_ratio']:>6.2f}  "
            f"{gate_row['ms_per_kb']:>10.3f} {gate_row['kb']:>5.1f}"
        )
    ops = studio["ops"]
    lines.append(
        f"one generation (cli, {ops['files']} files, {ops['output_tokens']:.0f} tokens): "
        f"{ops['reads']:.0f} reads, {ops['writes']:.0f} writes "
        f"({ops['streamed_writes']} streamed drafts)"
    )
    return lines


def main() -> int:
    """Run only the studio's part, on its own stack."""
    import os

    from tools import stack

    with stack.running() as running:
        os.environ.update(running.env)
        from shared.platform import clients
        from tests.support import emulators as emu

        user = emu.sign_up()
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        user.refresh()
        clients.get_db().document(f"users/{user.uid}").update({"plan": "pro"})
        assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
        user.refresh()  # the pro claim: the per-function rate limits read it
        results = {"studio": figures(user)}
    sys.stdout.write("\n".join(table(results)) + "\n\n" + json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

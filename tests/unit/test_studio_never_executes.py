"""Nothing generated is ever executed on the generation path.

A whole generation runs in-process (`service.run`: the streamed answer, the parser, the
real gate, the repair round, the stored files) on artefacts from the stand-in whose
Python files would, if run or imported, write a sentinel file. It runs with `exec`,
`eval`, `compile` (except to an AST), `subprocess`, `os.system`/`popen`/`exec*`/
`spawn*`, `runpy` and `importlib.import_module` all replaced by tripwires, and imports of
the generated modules' names refused. The run must end as the gate decides (no tripwire
reached, so no `internal` failure), with no tripwire called and no sentinel written.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import runpy
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from shared.chat.streaming import Pace
from shared.studio import gate, service
from shared.studio.models import File, Generate
from shared.studio.protocol import parse
from shared.studio.service import new_doc, resolve, user_message
from tests.unit.test_studio_service import T0, FakeGateway, FakeStore
from tools.standin import studio as standin


def booby_trapped(text: str, sentinel: Path) -> str:
    """The stand-in's answer with a side effect at the top of every Python file."""
    parsed = parse(text, True)
    trap = f"import pathlib\npathlib.Path({str(sentinel)!r}).write_text('executed')\n"
    files = [
        File(f.path, f.language, trap + f.content) if f.language == "python" else f
        for f in parsed.files
    ]
    return f"<<<EXPLANATION>>>\n{parsed.explanation}\n<<<END>>>\n{service.render_files(files)}"


class Tripwires:
    def __init__(self, generated: set[str]) -> None:
        self.calls: list[str] = []
        self.generated = generated

    def wire(self, name: str) -> Any:
        def tripped(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            msg = f"{name} called on the generation path"
            raise AssertionError(msg)

        return tripped

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_compile, real_import = builtins.compile, builtins.__import__

        def compile_to_ast_only(source: Any, *args: Any, **kwargs: Any) -> Any:
            flags = kwargs.get("flags", args[2] if len(args) > 2 else 0)
            if not flags & ast.PyCF_ONLY_AST:
                self.calls.append("compile")
                msg = "compile to code on the generation path"
                raise AssertionError(msg)
            return real_compile(source, *args, **kwargs)

        def guarded_import(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.split(".", maxsplit=1)[0] in self.generated:
                self.calls.append(f"import {name}")
                msg = f"generated module {name} imported"
                raise AssertionError(msg)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "exec", self.wire("exec"))
        monkeypatch.setattr(builtins, "eval", self.wire("eval"))
        monkeypatch.setattr(builtins, "compile", compile_to_ast_only)
        monkeypatch.setattr(builtins, "__import__", guarded_import)
        monkeypatch.setattr(importlib, "import_module", self.wire("importlib.import_module"))
        monkeypatch.setattr(runpy, "run_path", self.wire("runpy.run_path"))
        monkeypatch.setattr(runpy, "run_module", self.wire("runpy.run_module"))
        for name in ("Popen", "run", "call", "check_call", "check_output", "getoutput"):
            monkeypatch.setattr(subprocess, name, self.wire(f"subprocess.{name}"))
        for name in ("system", "popen", "execv", "execve", "execvp", "spawnv", "fork"):
            if hasattr(os, name):
                monkeypatch.setattr(os, name, self.wire(f"os.{name}"))


def run_once(kind: str, framework: str | None, mode: str | None, sentinel: Path) -> FakeStore:
    prompt = "a tool that keeps a list of books" + (f" [[standin studio={mode}]]" if mode else "")
    data: dict[str, Any] = {"type": kind, "prompt": prompt}
    if framework:
        data["framework"] = framework
    spec = resolve(Generate.model_validate(data), None)
    first = booby_trapped(standin.answer_text(user_message(spec), mode), sentinel)
    fixed = booby_trapped(
        standin.answer_text(user_message(spec) + "\nRepair: the files failed", mode), sentinel
    )
    store = FakeStore(new_doc(spec, parent_id=None, request_id=None, now=T0))
    clock = [0.0]
    outcome = service.run(
        store=store,
        gateway=FakeGateway([first, fixed], clock),
        plan="free",
        now=lambda: T0,
        pace=Pace(clock=lambda: clock[0]),
        gate=gate.check,
    )
    assert outcome in {"done", "failed"}
    return store


def stems(store: FakeStore) -> set[str]:
    return {Path(f["path"]).stem for f in store.files.values()} | {"main", "cli", "app"}


@pytest.mark.parametrize(
    ("kind", "framework", "mode"),
    [
        ("code", None, None),
        ("cli", "click", None),
        ("cli", "argparse", "syntax"),
        ("api", None, "bad-ref"),
        ("ui", None, "dangling-import"),
    ],
)
def test_a_whole_generation_runs_nothing_it_generated(
    kind: str,
    framework: str | None,
    mode: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warm = run_once(kind, framework, mode, tmp_path / "warm")  # lazy grammars, loaders
    assert not (tmp_path / "warm").exists()
    generated: Sequence[str] = sorted(stems(warm))

    sentinel = tmp_path / "sentinel"
    wires = Tripwires(set(generated))
    wires.install(monkeypatch)
    store = run_once(kind, framework, mode, sentinel)
    monkeypatch.undo()

    assert wires.calls == []
    assert not sentinel.exists()
    assert store.doc is not None
    assert store.doc["status"] in {"done", "failed"}
    assert (store.doc["error"] or {}).get("code") != "internal"
    if kind in {"code", "cli"}:
        contents = [f["content"] for f in store.files.values()]
        assert any(str(sentinel) in c for c in contents), "the trap was in the stored files"
    if mode is not None:
        assert store.doc["repair"]["attempts"] == 1


def test_the_tripwires_do_fire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness can fail: running the trapped file trips it."""
    wires = Tripwires({"books"})
    wires.install(monkeypatch)
    with pytest.raises(AssertionError):
        exec("x = 1")
    with pytest.raises(AssertionError):
        subprocess.run(["true"], check=False)
    with pytest.raises(AssertionError):
        __import__("books")
    monkeypatch.undo()
    assert wires.calls == ["exec", "subprocess.run", "import books"]

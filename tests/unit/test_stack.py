"""The local stack: leftovers on a real port; stopping the whole tree however `make dev` ends."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tools import stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ports_all(port: int) -> stack.Ports:
    return stack.Ports(*([port] * 10))


@pytest.fixture
def squatter() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while port not in stack._listeners([port]):
        assert time.monotonic() < deadline, "the squatter never listened"
        time.sleep(0.05)
    yield proc, port
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_leftover_listener_is_stopped(
    squatter: tuple[subprocess.Popen[bytes], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    proc, port = squatter
    monkeypatch.setattr(stack, "_live_supervisor", lambda: None)
    stack.clear_leftovers(ports_all(port))
    assert proc.wait(timeout=10) is not None
    assert stack._listeners([port]) == {}


def test_a_live_stack_is_not_killed_but_named(
    squatter: tuple[subprocess.Popen[bytes], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    proc, port = squatter
    monkeypatch.setattr(stack, "_live_supervisor", lambda: 4242)
    with pytest.raises(stack.StackError, match="4242"):
        stack.clear_leftovers(ports_all(port))
    assert psutil.pid_exists(proc.pid)
    assert proc.poll() is None


def test_ports_come_from_firebase_json() -> None:
    ports = stack.Ports.from_config()
    assert ports.firestore == 8080
    assert ports.hosting == 5000
    assert len(set(ports.all())) == len(ports.all())


# --- however `make dev` ends, the whole tree it started stops --------------------------

# Runs `python -m tools.stack dev` (`stack.main(["dev"])`) with `start` replaced by a fake
# that builds the shape of the real tree out of sleeping Pythons: a stand-in; a "CLI" in
# its own session with a "Java emulator" (own session, ignores SIGINT, SIGTERM and
# SIGHUP, so only SIGKILL stops it) and a "function worker" orphaned at once (its parent
# exits, as the CLI's workers outlive it). Every process notes its pid in the registry.
FAKE = """
import os, signal, subprocess, sys, time
from pathlib import Path
from types import SimpleNamespace

role, registry = sys.argv[1], Path(sys.argv[2])


def note():
    with registry.open("a") as out:
        out.write(f"{os.getpid()}\\n")


def spawn(role, **kwargs):
    return subprocess.Popen([sys.executable, __file__, role, str(registry)], **kwargs)


if role == "stack":
    from tools import seed, stack

    phase = sys.argv[3]
    stack.PID_FILE = registry.with_name("stack.pid")
    stack.STOP_GRACE_S = 1.0

    def fake_start(**_):
        standin = spawn("sleeper", start_new_session=True)
        cli = spawn("cli", start_new_session=True)
        while len(registry.read_text().split()) < 5:
            time.sleep(0.02)
        if phase == "starting":
            print("emulators loading", flush=True)
            time.sleep(600)  # the emulators are loading
        return stack.Stack(
            ports=stack.Ports.from_config(), process=cli, log_path=registry, env={},
            standin=standin,
        )

    stack.start = fake_start
    seed.seed_demo_account = lambda: SimpleNamespace(email="demo@aura.local", password="-")
    note()
    sys.exit(stack.main(["dev"]))
elif role == "cli":
    note()
    spawn("java", start_new_session=True)
    spawn("parent-of-worker").wait()
    time.sleep(600)
elif role == "parent-of-worker":
    spawn("sleeper", start_new_session=True)
elif role == "java":
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    note()
    time.sleep(600)
else:
    note()
    time.sleep(600)
"""

# Starts make the way a terminal or a process manager would: SIGINT and SIGHUP at their
# defaults even when the test session runs with them ignored (in the background).
MAKE = (
    "import os, signal, sys\n"
    "for s in (signal.SIGINT, signal.SIGHUP): signal.signal(s, signal.SIG_DFL)\n"
    "os.execvp('make', sys.argv[1:])\n"
)


@dataclass
class FakeDev:
    top: subprocess.Popen[bytes]  # what the signal goes to: the stack, or make
    out: Path
    registry: Path
    tree: list[psutil.Process] = field(default_factory=list)


def _gone(proc: psutil.Process) -> bool:
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def fake_dev(tmp_path: Path) -> Iterator[Callable[..., FakeDev]]:
    started: list[FakeDev] = []

    def run(phase: str = "ready", *, via_make: bool = False) -> FakeDev:
        script, registry, out = tmp_path / "fake.py", tmp_path / "pids", tmp_path / "out"
        script.write_text(FAKE)
        registry.touch()
        env = {**os.environ, "PYTHONPATH": str(stack.ROOT)}
        for key in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # when run under `make test`
            env.pop(key, None)
        cmd = [sys.executable, str(script), "stack", str(registry), phase]
        if via_make:
            makefile = tmp_path / "Makefile"
            makefile.write_text(f"SHELL := /bin/bash\ndev:\n\t{shlex.join(cmd)}\n")
            cmd = [sys.executable, "-c", MAKE, "make", "-s", "-f", str(makefile), "dev"]
        with out.open("wb") as sink:
            top = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        dev = FakeDev(top=top, out=out, registry=registry)
        started.append(dev)
        marker = "Aura is running" if phase == "ready" else "emulators loading"
        deadline = time.monotonic() + 30
        while marker not in out.read_text(errors="replace"):
            assert top.poll() is None, out.read_text(errors="replace")
            assert time.monotonic() < deadline, "the fake stack never got going"
            time.sleep(0.05)
        dev.tree = [psutil.Process(int(pid)) for pid in registry.read_text().split()]
        assert len(dev.tree) == 5  # stack, stand-in, CLI, Java, worker
        return dev

    yield run
    for dev in started:  # the survivors of a failed test
        for pid in dev.registry.read_text().split():
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(int(pid))
                if str(tmp_path / "fake.py") in proc.cmdline():
                    proc.kill()
        if dev.top.poll() is None:
            dev.top.kill()
        dev.top.wait(timeout=10)


def assert_all_stopped(dev: FakeDev, within_s: float = 15.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        survivors = [proc for proc in dev.tree if not _gone(proc)]
        if not survivors and dev.top.poll() is not None:
            return
        time.sleep(0.1)
    names = {proc.pid: " ".join(proc.cmdline()[-3:]) for proc in survivors}
    pytest.fail(f"still running after {within_s}s: {names}\n{dev.out.read_text()}")


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name
)
def test_a_stop_signal_to_the_stack_stops_its_whole_tree(
    fake_dev: Callable[..., FakeDev], signum: signal.Signals
) -> None:
    dev = fake_dev()
    dev.top.send_signal(signum)
    assert_all_stopped(dev)
    assert dev.top.returncode == 0
    assert "stopping the local stack" in dev.out.read_text()


def test_a_stop_signal_while_starting_stops_what_was_started(
    fake_dev: Callable[..., FakeDev],
) -> None:
    dev = fake_dev("starting")
    dev.top.send_signal(signal.SIGTERM)
    assert_all_stopped(dev)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
@pytest.mark.parametrize(
    "signum",
    [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL],
    ids=lambda s: s.name,
)
def test_whatever_ends_make_dev_stops_the_whole_tree(
    fake_dev: Callable[..., FakeDev], signum: signal.Signals
) -> None:
    # GNU make passes SIGTERM on to its recipe. Sent SIGHUP or SIGINT alone, it waits for
    # the recipe to end before dying of it (it takes those for a terminal's, which reach
    # the whole process group). SIGKILL leaves the recipe orphaned.
    dev = fake_dev(via_make=True)
    dev.top.send_signal(signum)
    assert_all_stopped(dev)

"""The local stack's leftover handling, on a real process holding a real port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from tools import stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ports_all(port: int) -> stack.Ports:
    return stack.Ports(*([port] * 9))


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

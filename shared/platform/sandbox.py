"""Untrusted expressions evaluated in worker processes with memory and time limits.

Why a process: the CEL core (Rust, package `common-expression-language`) aborts the whole
process when an allocation fails (exit 134), which Python cannot catch; in the serving
process that would end every request on the instance. A worker (`shared/sandbox_worker.py`)
caps its own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); here the parent waits
for each reply no longer than its deadline, kills a worker that overstays or dies, and
answers with a ValueError that says which limit was hit. The next request gets a new worker.

    run("cel", {"op": "eval", "source": ..., "variables": {...}}, timeout_s=1.0)

The pool is per process and thread-safe: up to MAX_WORKERS workers, started on first use
(never at import, so cold start does not pay for them) and reused; a thread that finds
them all busy waits for one. Workers are started with `subprocess` (fork + exec in C, safe
beside gRPC's threads), never with `multiprocessing`'s fork.

Memory: each worker is ~15 MB resident when idle and may reach MEMORY_LIMIT_BYTES before it
is stopped, so the pool can add MAX_WORKERS x MEMORY_LIMIT_BYTES (256 MiB) to an instance
in the worst case; a worker still holding more than RETIRE_RSS_BYTES after a request exits
once it has replied.
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_WORKERS = 2
MEMORY_LIMIT_BYTES = 128 * 2**20
RETIRE_RSS_BYTES = 64 * 2**20
DEFAULT_TIMEOUT_S = 1.0
START_TIMEOUT_S = 10.0
MAX_REQUEST_BYTES = 4 * 2**20
MAX_REPLY_BYTES = 2**20

_WORKER_SCRIPT = Path(__file__).with_name("sandbox_worker.py")
_HEADER = struct.Struct(">I")
_MEMORY_SIGNALS = {-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, -signal.SIGKILL}


class SandboxUnavailable(RuntimeError):
    """A worker could not be started or broke the protocol: a fault of this server, not of
    the expression (transient, so a caller may retry)."""


def run(kind: str, request: Mapping[str, Any], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Any:
    """Run one request in a worker of the process-wide pool.

    Args:
        kind: which handler of the worker runs it (`cel`).
        request: plain data (dicts, lists, str, numbers, bool, None, bytes, datetimes).
        timeout_s: wall-clock deadline for the reply, from when the request is sent.

    Returns:
        The handler's result (JSON data).

    Raises:
        ValueError: the handler refused the request (its message), or the request was too
            large, took longer than `timeout_s`, or ran out of memory.
        SandboxUnavailable: no worker could be started.
    """
    return _POOL.run(kind, request, timeout_s=timeout_s)


class Pool:
    """Worker processes shared by threads; see the module docstring."""

    def __init__(
        self,
        *,
        max_workers: int = MAX_WORKERS,
        memory_bytes: int = MEMORY_LIMIT_BYTES,
        retire_rss_bytes: int = RETIRE_RSS_BYTES,
        preload: tuple[str, ...] = ("cel",),
    ) -> None:
        self.max_workers = max_workers
        self.memory_bytes = memory_bytes
        self._config = {
            "memory_bytes": memory_bytes,
            "retire_rss_bytes": retire_rss_bytes,
            "preload": list(preload),
        }
        self._ready = threading.Condition()
        self._idle: list[_Worker] = []
        self._started = 0  # workers alive, idle or busy
        self.spawned = 0  # for tests and the bench: how many workers were ever started

    def run(self, kind: str, request: Mapping[str, Any], *, timeout_s: float) -> Any:
        try:
            body = pickle.dumps({**request, "kind": kind, "cpu_seconds": math.ceil(timeout_s) + 1})
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise ValueError(f"the request holds values that cannot be sent: {exc}") from None
        if len(body) > MAX_REQUEST_BYTES:
            msg = f"the request is {len(body)} bytes; the limit is {MAX_REQUEST_BYTES}"
            raise ValueError(msg)
        worker = self._acquire()
        keep = False
        try:
            reply = worker.call(body, timeout_s=timeout_s, memory_bytes=self.memory_bytes)
            keep = not reply.get("retire")
        finally:
            self._release(worker, keep=keep)
        if reply.get("ok"):
            return reply.get("result")
        error = str(reply.get("error"))
        if reply.get("limit") == "memory":
            raise ValueError(_memory_message(self.memory_bytes))
        if reply.get("internal"):
            raise SandboxUnavailable(f"sandbox worker failed: {error}")
        raise ValueError(error)

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their callers release them)."""
        with self._ready:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
            self._ready.notify_all()
        for worker in idle:
            worker.close()

    def _acquire(self) -> _Worker:
        with self._ready:
            while True:
                while self._idle:
                    worker = self._idle.pop()  # the most recently used: its caches are warm
                    if worker.alive():
                        return worker
                    self._started -= 1
                    worker.close(grace_s=1.0)
                if self._started < self.max_workers:
                    self._started += 1
                    break
                self._ready.wait()
        try:
            worker = _Worker.start(self._config)
        except BaseException:
            with self._ready:
                self._started -= 1
                self._ready.notify()
            raise
        with self._ready:
            self.spawned += 1
        return worker

    def _release(self, worker: _Worker, *, keep: bool) -> None:
        if not keep:
            worker.close(grace_s=1.0)  # a retiring worker exits by itself
        with self._ready:
            if keep:
                self._idle.append(worker)
            else:
                self._started -= 1
            self._ready.notify()

    def after_fork_in_child(self) -> None:
        """A forked child must not share the parent's workers (nor a lock some other thread
        held at the fork): start afresh, closing this process's ends of their pipes."""
        for worker in self._idle:
            worker.forget()
        self._ready = threading.Condition()
        self._idle = []
        self._started = 0


class _WorkerDied(Exception):
    pass


class _Worker:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.pid = proc.pid
        assert proc.stdin is not None
        assert proc.stdout is not None
        self._in = proc.stdin.fileno()
        self._out = proc.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._out, select.POLLIN)

    @classmethod
    def start(cls, config: dict[str, Any]) -> _Worker:
        try:
            proc = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
                [sys.executable, "-I", str(_WORKER_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
                env={},  # the parent's secrets stay in the parent
                cwd="/",
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start a sandbox worker: {exc}") from exc
        worker = cls(proc)
        try:
            path = [os.path.abspath(entry or os.curdir) for entry in sys.path]  # cwd is /
            worker._send(pickle.dumps({**config, "path": path}))
            ready = worker._receive(time.monotonic() + START_TIMEOUT_S)
        except (_WorkerDied, TimeoutError, OSError, ValueError) as exc:
            worker.close()
            msg = f"sandbox worker did not start ({exc}; exit {proc.returncode})"
            raise SandboxUnavailable(msg) from None
        if not ready.get("ready"):
            worker.close()
            raise SandboxUnavailable(f"sandbox worker did not start: {ready}")
        if not ready.get("memory_limited"):
            _warn_unlimited()
        return worker

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, body: bytes, *, timeout_s: float, memory_bytes: int) -> dict[str, Any]:
        """Send a request and wait for its reply; on a timeout or a crash the worker is
        stopped and a ValueError says why."""
        try:
            self._send(body)
            return self._receive(time.monotonic() + timeout_s)
        except TimeoutError:
            self.close()
            raise ValueError(f"expression took longer than {timeout_s:g} s") from None
        except (_WorkerDied, OSError):
            code = self.close(grace_s=1.0)
            if code == -signal.SIGXCPU:
                raise ValueError(f"expression took longer than {timeout_s:g} s") from None
            if code in _MEMORY_SIGNALS:
                raise ValueError(_memory_message(memory_bytes)) from None
            raise ValueError(f"the expression evaluator stopped (exit {code})") from None

    def close(self, *, grace_s: float = 0.0) -> int | None:
        """Stop the worker and reap it; returns its exit code.

        `grace_s`: how long to wait for a worker that is exiting by itself (it retired, or
        it died and its exit status is not in yet) before killing it.
        """
        self.forget()
        if grace_s:
            try:
                return self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait()

    def forget(self) -> None:
        """Close this process's ends of the pipes (the worker then reads end of input)."""
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()

    def _send(self, body: bytes) -> None:
        data = memoryview(_HEADER.pack(len(body)) + body)
        while data:
            data = data[os.write(self._in, data) :]

    def _receive(self, deadline: float) -> dict[str, Any]:
        (length,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        if length > MAX_REPLY_BYTES:
            raise _WorkerDied(f"reply of {length} bytes")
        try:
            reply = json.loads(self._read(length, deadline))
        except ValueError as exc:
            raise _WorkerDied(f"reply is not JSON: {exc}") from None
        if not isinstance(reply, dict):
            raise _WorkerDied("reply is not a JSON object")
        return reply

    def _read(self, size: int, deadline: float) -> bytes:
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(math.ceil(remaining * 1000)):
                raise TimeoutError
            chunk = os.read(self._out, size - len(data))
            if not chunk:
                raise _WorkerDied("end of output")
            data += chunk
        return bytes(data)


# Created at import (it starts nothing until its first request): one pool per process.
_POOL = Pool()
atexit.register(_POOL.close)
os.register_at_fork(after_in_child=_POOL.after_fork_in_child)


@functools.cache
def _warn_unlimited() -> None:
    """Once per process: time is still bounded, memory only by the OOM killer, which the
    workers ask to pick them first."""
    from shared.platform import logs

    logs.warning("sandbox: this kernel does not enforce RLIMIT_AS; workers are not capped")


def _memory_message(memory_bytes: int) -> str:
    return f"expression used too much memory (the limit is {memory_bytes // 2**20} MiB)"

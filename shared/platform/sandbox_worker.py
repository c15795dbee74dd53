"""The sandbox's worker process: evaluates untrusted expressions under memory and CPU limits.

`shared.platform.sandbox` starts it as `python -I shared/platform/sandbox_worker.py`
(isolated: no environment variables, not even the parent's secrets, and no script folder
on `sys.path`), so this module imports only the standard library until its first message
arrives. It speaks frames on stdin and stdout: a 4-byte big-endian length, then the body.

1. The parent sends its config (a pickle): `sys.path`, the memory limit, the kinds to load.
   The worker caps its address space (RLIMIT_AS), turns core dumps off, offers itself
   first to the kernel's OOM killer, loads the kinds' code and answers `{"ok": true,
   "ready": true, "memory_limited": ...}` (false where the kernel ignores RLIMIT_AS).
2. Then, in a loop, one request (a pickle with a `kind` field) gets one reply (JSON):
   `{"ok": true, "result": ...}`, or `{"ok": false, "error": "...", "limit": "memory",
   "internal": true}` (the last two only when they apply). Before each request the worker
   lowers its CPU-time limit (RLIMIT_CPU) to what it has used plus the request's
   `cpu_seconds`, so a worker whose parent died mid-request cannot spin for ever.
3. A reply with `"retire": true` is the worker's last: its resident memory has grown past
   the config's `retire_rss_bytes`, and it exits rather than keep that memory for good.

Requests are pickles because they come from the trusted parent (and carry datetimes);
even so, the unpickler here builds nothing but plain data and `datetime` values. Replies
are JSON, so a worker subverted by what it evaluates cannot run code in the parent.

A memory bomb ends in the Rust core's allocation failure: the worker aborts (SIGABRT), and
the parent reports it and starts another. Stderr is silenced once the worker is ready, so
those aborts do not reach the parent's logs as unstructured text.

Kinds: `cel` (compile a CEL source, or evaluate it to a bool). A renderer for templates
would be another entry in `_HANDLERS`.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import io
import json
import mmap
import os
import pickle
import resource
import struct
import sys
from collections.abc import Callable
from functools import lru_cache
from types import ModuleType
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 64 * 2**20
_SAFE_CLASSES = frozenset(
    {("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}
)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def decode(body: bytes) -> Any:
    """A request body: a pickle of plain data (dict, list, str, numbers, datetimes)."""
    return _Unpickler(io.BytesIO(body)).load()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's body, or None at end of input."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ValueError(f"frame of {length} bytes")
    body = _read_exactly(stream, length)
    if body is None:
        raise EOFError("input ended inside a frame")
    return body


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _write_frame(fd: int, reply: dict[str, Any]) -> None:
    try:
        body = json.dumps(reply, ensure_ascii=False, allow_nan=False).encode()
    except ValueError as exc:  # a result that is not JSON (NaN): a bug in a handler
        error = {"ok": False, "error": f"reply is not JSON: {exc}", "internal": True}
        body = json.dumps(error | {"retire": bool(reply.get("retire"))}).encode()
    data = memoryview(HEADER.pack(len(body)) + body)
    while data:
        data = data[os.write(fd, data) :]


# --- limits ----------------------------------------------------------------------------


def _apply_limits(memory_bytes: int) -> bool:
    """Cap this process's memory; returns whether the cap is enforced here."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not write a core file
    try:  # should the instance run out of memory all the same, the kernel ends this first
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write("1000")
    except OSError:  # pragma: no cover - not Linux
        pass
    try:  # a mapping the size of the cap must fail (it is never touched either way)
        mmap.mmap(-1, memory_bytes).close()
    except OSError:
        return True
    return False  # pragma: no cover - a kernel that ignores RLIMIT_AS


def _limit_cpu(seconds: int) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


class _Resident:
    """This process's resident memory now, from /proc (getrusage's peak would not do: Linux
    carries it over from the parent across exec). None where /proc is missing."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:  # pragma: no cover - not Linux
            self._fd = None
        self._page = os.sysconf("SC_PAGE_SIZE")

    def bytes(self) -> int | None:
        if self._fd is None:  # pragma: no cover
            return None
        return int(os.pread(self._fd, 256, 0).split()[1]) * self._page


# --- CEL -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _load_cel() -> ModuleType:
    """The Rust extension inside the `cel` package, without the package's `__init__`.

    That `__init__` also imports the package's command-line tool (typer, rich), which
    costs ~0.2 s and ~25 MB; the extension alone loads in ~15 ms.
    """
    spec = importlib.util.find_spec("cel")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "cel" + suffix)
            if os.path.exists(path):
                loader = importlib.machinery.ExtensionFileLoader("cel.cel", path)
                ext_spec = importlib.util.spec_from_file_location("cel.cel", path, loader=loader)
                if ext_spec is None:  # pragma: no cover
                    continue
                module = importlib.util.module_from_spec(ext_spec)
                loader.exec_module(module)
                return module
    import cel  # pragma: no cover - a layout without the extension beside __init__

    return cel  # pragma: no cover


@lru_cache(maxsize=256)
def _compile(source: str) -> Any:
    try:
        return _load_cel().compile(source)
    except ValueError as exc:
        # "Failed to parse expression '<source>': ERROR: <input>:1:4: Syntax error: ..."
        detail = str(exc).split(": ERROR: <input>:", 1)[-1]
        raise ValueError(f"invalid condition: {detail}") from None


def _run_cel(request: dict[str, Any]) -> Any:
    program = _compile(str(request["source"]))
    if request["op"] == "compile":
        return {"variables": [str(name) for name in program.variables()]}
    try:
        result = program.execute(request["variables"])
    except KeyError as exc:
        key = exc.args[0] if exc.args else "?"
        raise ValueError(f"no such key: {key!r} (test it first with has(...))") from None
    except ZeroDivisionError:
        raise ValueError("division by zero") from None
    except OverflowError as exc:
        raise ValueError(f"number out of range: {exc}") from None
    except (TypeError, ValueError, RuntimeError) as exc:
        # The Rust core's messages are already written for people ("No such overload: ...",
        # "Undefined variable or function: 'foo'").
        raise ValueError(str(exc)) from None
    if not isinstance(result, bool):
        raise ValueError(f"condition must be true or false, got {_describe(result)}")
    return result


def _describe(value: Any) -> str:
    kinds = {
        type(None): "null",
        int: "a number",
        float: "a number",
        str: "a string",
        bytes: "bytes",
        list: "a list",
        dict: "a map",
    }
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kinds.get(type(value), type(value).__name__)} ({text})"


_HANDLERS: dict[str, Callable[[dict[str, Any]], Any]] = {"cel": _run_cel}
_LOADERS: dict[str, Callable[[], object]] = {"cel": _load_cel}


# --- the loop --------------------------------------------------------------------------


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """One request's reply; never raises (but for SystemExit and KeyboardInterrupt)."""
    handler = _HANDLERS.get(str(request.get("kind")))
    reply: dict[str, Any]
    try:
        if handler is None:
            raise LookupError(f"unknown kind {request.get('kind')!r}")
        reply = {"ok": True, "result": handler(request)}
    except ValueError as exc:
        reply = {"ok": False, "error": str(exc)}
    except MemoryError:
        reply = {"ok": False, "error": "out of memory", "limit": "memory", "retire": True}
    except RecursionError:
        reply = {"ok": False, "error": "expression nests too deeply"}
    except Exception as exc:
        reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "internal": True}
    except BaseException as exc:
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            raise
        # pyo3 turns a panic in the Rust core into PanicException, a BaseException: a bug
        # the expression reached, so the same expression would reach it again.
        reply = {"ok": False, "error": f"the evaluator failed: {exc}"}
    return reply


def main() -> None:
    stdin = sys.stdin.buffer
    out = os.dup(1)
    os.dup2(2, 1)  # a stray print must not corrupt the frames
    body = read_frame(stdin)
    if body is None:
        return
    config = decode(body)
    memory_limited = _apply_limits(int(config["memory_bytes"]))
    sys.path[:] = [str(entry) for entry in config["path"]]
    for kind in config["preload"]:
        _LOADERS[str(kind)]()
    _write_frame(out, {"ok": True, "ready": True, "memory_limited": memory_limited})
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.dup2(devnull, 1)
    retire_at = int(config["retire_rss_bytes"])
    resident = _Resident()
    while (body := read_frame(stdin)) is not None:
        reply: dict[str, Any]
        try:
            request = decode(body)
        except MemoryError:
            reply = {"ok": False, "error": "out of memory", "limit": "memory", "retire": True}
        except Exception as exc:
            reply = {"ok": False, "error": f"bad request: {exc}", "internal": True}
        else:
            _limit_cpu(int(request.get("cpu_seconds", 5)))
            reply = handle(request)
        if (resident.bytes() or 0) > retire_at:
            reply["retire"] = True
        _write_frame(out, reply)
        if reply.get("retire"):
            return


if __name__ == "__main__":
    main()

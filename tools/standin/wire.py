"""The wire: responses played out over time, cut or malformed where a fault says."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from tools.standin.faults import Behaviour
from tools.standin.state import LogEntry, StandinState

log = logging.getLogger("aura.ai_standin")

CUT_LOG_MESSAGE = "ASGI callable returned without completing response."


@dataclass(frozen=True)
class Frame:
    """A piece of a response body, sent after `delay_ms`; `cut` drops the connection instead."""

    data: bytes = b""
    tokens: int = 0
    delay_ms: int = 0
    cut: bool = False


class _CutFilter(logging.Filter):
    """Drops uvicorn's complaint about the responses the stand-in cuts on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0
        self._lock = threading.Lock()

    def expect_cut(self) -> None:
        with self._lock:
            self.pending += 1

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != CUT_LOG_MESSAGE:
            return True
        with self._lock:
            if self.pending > 0:
                self.pending -= 1
                return False
        return True


_CUT_FILTER = _CutFilter()


def install_cut_filter() -> None:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if _CUT_FILTER not in uvicorn_log.filters:
        uvicorn_log.addFilter(_CUT_FILTER)


class Exchange(Response):
    """A response that waits, sends frames with delays and records how it ended.

    It listens for the client's disconnect while it plays, so a client that goes away
    mid-stream (or during `hang_ms`) stops the playback and is logged as `client_closed`.
    """

    def __init__(
        self,
        *,
        state: StandinState,
        entry: LogEntry,
        status_code: int,
        headers: Mapping[str, str],
        media_type: str,
        frames: Sequence[Frame],
        head_delay_ms: int = 0,
        streaming: bool = False,
        broken: bool = False,
    ) -> None:
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.state = state
        self.entry = entry
        self.frames = list(frames)
        self.head_delay_ms = head_delay_ms
        self.broken = broken
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-type", media_type.encode("latin-1")))
        if streaming:
            raw.append((b"cache-control", b"no-cache"))
        else:
            length = sum(len(f.data) for f in self.frames)
            raw.append((b"content-length", str(length).encode("latin-1")))
        self.raw_headers = raw
        self._finished = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        completed = client_closed = False
        try:
            async with anyio.create_task_group() as group:

                async def play() -> None:
                    nonlocal completed
                    completed = await self._play(send)
                    self._finished = True
                    group.cancel_scope.cancel()

                group.start_soon(play)
                await self._wait_for_disconnect(receive)
                if not self._finished:
                    client_closed = True
                    log.info("request %s: the client closed the connection", self.entry.id)
                group.cancel_scope.cancel()
        finally:
            # All at once, so a reader polling the log never sees a half-finished entry.
            self.state.update(
                self.entry,
                completed=completed and not self.broken,
                client_closed=client_closed,
                ended_at=time.time(),
            )

    async def _wait_for_disconnect(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    async def _play(self, send: Send) -> bool:
        """Send the response; False when it was cut before its end."""
        if self.head_delay_ms:
            await asyncio.sleep(self.head_delay_ms / 1000)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        self.state.update(self.entry, status=self.status_code)
        for frame in self.frames:
            if frame.delay_ms:
                await asyncio.sleep(frame.delay_ms / 1000)
            if frame.cut:
                # Returning without the final body message makes uvicorn close the socket
                # without the terminating chunk: the client sees a truncated body.
                _CUT_FILTER.expect_cut()
                log.info("request %s: cutting the response", self.entry.id)
                return False
            await send({"type": "http.response.body", "body": frame.data, "more_body": True})
            if frame.tokens:
                self.state.add_tokens(self.entry, frame.tokens)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True


def stream_frames(
    *,
    preamble: Sequence[bytes],
    tokens: Sequence[bytes],
    epilogue: Sequence[bytes],
    malformed: bytes,
    behaviour: Behaviour,
) -> tuple[list[Frame], bool]:
    """Frames for an SSE stream, with the cut or malformed event where `behaviour` asks.

    Returns the frames and whether the stream is knowingly incomplete.
    """
    frames = [Frame(data) for data in preamble]
    for i in range(len(tokens) + 1):
        last = i == len(tokens)
        malformed_after = behaviour.malformed_after
        if malformed_after is not None and (malformed_after == i or (last and malformed_after > i)):
            frames.append(Frame(malformed))
            return frames, True
        cut_after = behaviour.cut_after
        if cut_after is not None and (cut_after == i or (last and cut_after > i)):
            frames.append(Frame(cut=True))
            return frames, True
        if not last:
            delay = behaviour.first_token_delay_ms if i == 0 else behaviour.token_delay_ms
            frames.append(Frame(tokens[i], tokens=1, delay_ms=delay))
    frames += [Frame(data) for data in epilogue]
    return frames, False


def generation_ms(behaviour: Behaviour, tokens: int) -> int:
    """How long a non-streaming response takes to "generate" `tokens` tokens."""
    return behaviour.first_token_delay_ms + behaviour.token_delay_ms * max(0, tokens - 1)

"""The reply stream: an answer's deltas written into its reply document as they come.

The reply goes pending -> streaming -> done | error. Its `text` is written with the first
delta at once, then at most every WRITE_INTERVAL_S, so a listener sees it grow at about
five writes a second; the final write always carries the whole text. A client stops a
reply by setting `stopRequested`; a watcher reads that flag every STOP_POLL_S and closes
the provider stream, so no more tokens are generated or billed and the partial text
stays (`done`, `stopped: true`). A reply that reaches MAX_REPLY_CHARS is cut there, ends
with TRUNCATION_MARKER and `truncated: true`. Whatever fails, the reply ends in `error`
with `{code, message}` and its partial text: nothing is left `streaming`.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.ai.errors import StreamInterrupted
from shared.ai.models import AIRequest, Usage
from shared.chat.models import MAX_REPLY_CHARS, TRUNCATION_MARKER, ReplyError
from shared.chat.repository import ChatRepository
from shared.errors import AuraError
from shared.platform import logs

WRITE_INTERVAL_S = 0.2
STOP_POLL_S = 0.5


class AnswerStream(Protocol):
    """A streamed answer (`shared.ai.gateway.ReplyStream`): deltas, then its usage."""

    @property
    def provider(self) -> str | None: ...

    @property
    def model(self) -> str | None: ...

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None:
        """Stop the provider stream (from any thread); iteration then ends."""
        ...

    def finish(self) -> Usage:
        """Meter the call (once; later calls return the same usage)."""
        ...


class StreamSource(Protocol):
    """What opens a streamed answer: the AI gateway."""

    def stream(self, request: AIRequest, *, plan: str) -> AnswerStream: ...


@dataclass(frozen=True)
class Pace:
    """How often the reply is written and the stop flag read (tests shorten or fake them)."""

    write_interval_s: float = WRITE_INTERVAL_S
    stop_poll_s: float = STOP_POLL_S
    clock: Callable[[], float] = time.monotonic


PACE = Pace()


def stream_reply(
    *,
    chat: ChatRepository,
    gateway: StreamSource,
    request: AIRequest,
    plan: str,
    mid: str,
    now: Callable[[], datetime],
    pace: Pace = PACE,
) -> None:
    """Stream the answer to `request` into the reply to user message `mid`.

    Never raises for a failed answer: quota, providers, a cut stream or a bug end the
    reply in `error`. On success the conversation's running usage grows by the reply's.

    Raises:
        ConversationGone: the reply or its conversation was deleted meanwhile.
    """
    text = ""
    truncated = False
    stream: AnswerStream | None = None
    watcher: _StopWatcher | None = None
    try:
        stream = gateway.stream(request, plan=plan)
        watcher = _StopWatcher(lambda: chat.stop_requested(mid), stream.close, pace.stop_poll_s)
        watcher.start()
        last_write: float | None = None
        for delta in stream:
            text += delta
            if len(text) >= MAX_REPLY_CHARS:
                text = text[:MAX_REPLY_CHARS] + TRUNCATION_MARKER
                truncated = True
                stream.close()
                break
            if last_write is None or pace.clock() - last_write >= pace.write_interval_s:
                chat.reply_streaming(
                    mid, text=text, provider=stream.provider, model=stream.model, now=now()
                )
                last_write = pace.clock()
        usage = stream.finish()
        stopped = watcher.stopped
        chat.reply_done(
            mid,
            text=text,
            provider=stream.provider,
            model=stream.model,
            usage=usage,
            stopped=stopped,
            truncated=truncated,
            now=now(),
        )
        chat.add_usage(usage, now=now())
        logs.info(
            "chat reply done",
            provider=stream.provider,
            model=stream.model,
            outputTokens=usage.output_tokens,
            stopped=stopped,
            truncated=truncated,
        )
    except Exception as exc:
        # Whatever went wrong, the reply ends in `error`: nothing is left `streaming`.
        chat.reply_failed(
            mid,
            text=text,
            error=_error_of(exc),
            usage=_spent(stream),
            provider=stream.provider if stream else None,
            model=stream.model if stream else None,
            now=now(),
        )
    finally:
        if watcher is not None:
            watcher.finish()
        if stream is not None:
            stream.close()  # a no-op after a full answer; stops generation on any failure


def _error_of(exc: Exception) -> ReplyError:
    """What the reply says about `exc`: a domain error's own words, else a generic line."""
    if isinstance(exc, AuraError):
        logs.warning(
            "chat reply failed",
            code=exc.code,
            error=exc.message,
            interrupted=isinstance(exc, StreamInterrupted),
        )
        return ReplyError(code=exc.code, message=exc.message)
    logs.error("chat reply crashed", error=repr(exc), trace=traceback.format_exc())
    return ReplyError(code="internal", message="Something went wrong while answering; try again.")


def _spent(stream: AnswerStream | None) -> Usage | None:
    """What a failed stream cost, if it opened (its metering failing is only logged)."""
    if stream is None:
        return None
    try:
        return stream.finish()
    except Exception as metering:  # the reply's state matters more than its bill
        logs.error("chat usage not recorded", error=repr(metering))
        return None


class _StopWatcher(threading.Thread):
    """Polls the reply's `stopRequested` flag and closes the stream when it is set."""

    def __init__(
        self, stop_requested: Callable[[], bool], on_stop: Callable[[], None], poll_s: float
    ) -> None:
        super().__init__(daemon=True, name="chat-stop-watcher")
        self._stop_requested = stop_requested
        self._on_stop = on_stop
        self._poll_s = poll_s
        self._done = threading.Event()
        self.stopped = False

    def run(self) -> None:
        while not self._done.wait(self._poll_s):
            if self._stop_requested():
                self.stopped = True
                self._on_stop()
                return

    def finish(self) -> None:
        self._done.set()

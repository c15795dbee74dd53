"""The reply stream: an answer's deltas written into its reply document as they come.

The reply goes pending -> streaming -> done | error. Its `text` is written with the first
delta at once, then at most every WRITE_INTERVAL_S, so a listener sees it grow at about
five writes a second; the final write always carries the whole text. A client stops a
reply by setting `stopRequested`; the stream is closed, so no more tokens are generated
or billed, and the partial text stays (`done`, `stopped: true`). Each streamed write is
conditional on the reply being as our previous write left it, so the write after a stop
sees it (and looks at the flag) at no cost; a watcher reads the flag every STOP_POLL_S
only when no write has vouched for that long (a stalled stream; from FIRST_POLL_S on,
before the first token). A reply that reaches MAX_REPLY_CHARS is cut there, ends with
TRUNCATION_MARKER and `truncated: true`. Whatever fails, the reply ends in `error` with
`{code, message}` and its partial text: nothing is left `streaming`.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.ai.errors import StreamInterrupted
from shared.ai.gateway import Tab
from shared.ai.models import AIRequest, Usage
from shared.chat.models import MAX_REPLY_CHARS, TRUNCATION_MARKER, ReplyError
from shared.chat.repository import ChatRepository
from shared.errors import AuraError
from shared.platform import logs

WRITE_INTERVAL_S = 0.2
STOP_POLL_S = 0.5
# Before this, the watcher does not read the flag: a new reply's first streamed write is
# conditional on the reply as created, so it sees a stop asked before the first token.
FIRST_POLL_S = 2.0


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

    def open_tab(self, requests: Sequence[AIRequest], *, plan: str) -> Tab: ...

    def close_tab(self, tab: Tab) -> None: ...

    def stream(self, request: AIRequest, *, plan: str, tab: Tab | None = None) -> AnswerStream: ...


@dataclass(frozen=True)
class Streamed:
    """How a reply ended: its text, its usage when it ended `done`, and the turn's quota
    tab (None when it could not be opened), which the caller closes after its other calls."""

    text: str
    usage: Usage | None
    tab: Tab | None


@dataclass(frozen=True)
class Pace:
    """How often the reply is written and the stop flag read (tests shorten or fake them)."""

    write_interval_s: float = WRITE_INTERVAL_S
    stop_poll_s: float = STOP_POLL_S
    clock: Callable[[], float] = time.monotonic
    first_poll_s: float = FIRST_POLL_S


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
    then: Sequence[AIRequest] = (),
    memory_ids: Sequence[str] = (),
) -> Streamed:
    """Stream the answer to `request` into the reply to user message `mid`.

    Quota for the reply and for the calls `then` (the turn's enrichment) is reserved at
    once, on one tab; the caller closes it (`StreamSource.close_tab`) after those calls.
    When they do not all fit, the tab holds the reply alone.

    Never raises for a failed answer: quota, providers, a cut stream or a bug end the
    reply in `error`. The caller adds the usage to the conversation's running total.

    Raises:
        ConversationGone: the reply or its conversation was deleted meanwhile.
    """
    text = ""
    truncated = False
    stream: AnswerStream | None = None
    watcher: _StopWatcher | None = None
    tab: Tab | None = None
    handed_over = False  # the tab is the caller's to close once returned
    try:
        tab = gateway.open_tab([request, *then], plan=plan)
        stream = gateway.stream(request, plan=plan, tab=tab)
        watcher = _StopWatcher(
            lambda: chat.stop_requested(mid), stream.close, pace.stop_poll_s, pace.clock
        )
        watcher.quiet_until(pace.clock() + pace.first_poll_s)
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
                seen = chat.reply_streaming(
                    mid, text=text, provider=stream.provider, model=stream.model, now=now()
                )
                last_write = pace.clock()
                if seen == "stop-requested":
                    watcher.stop()
                    break
                if seen == "unchanged":  # nobody set the flag: the watcher need not read it
                    watcher.confirmed(last_write)
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
            memory_ids=memory_ids,
        )
        logs.info(
            "chat reply done",
            provider=stream.provider,
            model=stream.model,
            outputTokens=usage.output_tokens,
            stopped=stopped,
            truncated=truncated,
        )
        handed_over = True
        return Streamed(text=text, usage=usage, tab=tab)
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
        handed_over = True
        return Streamed(text=text, usage=None, tab=tab)
    finally:
        if watcher is not None:
            watcher.finish()
        if stream is not None:
            stream.close()  # a no-op after a full answer; stops generation on any failure
        if tab is not None and not handed_over:  # the conversation went: settle here
            gateway.close_tab(tab)


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
    """Reads the reply's `stopRequested` flag every `poll_s` and closes the stream when it
    is set, except while streamed writes keep confirming nobody wrote the reply (each is
    conditional on the reply being as we last wrote it): then polling would read for
    nothing, and the next write sees a stop as soon as a read would."""

    def __init__(
        self,
        stop_requested: Callable[[], bool],
        on_stop: Callable[[], None],
        poll_s: float,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(daemon=True, name="chat-stop-watcher")
        self._stop_requested = stop_requested
        self._on_stop = on_stop
        self._poll_s = poll_s
        self._clock = clock
        self._confirmed_at: float | None = None
        self._quiet_until: float | None = None
        self._done = threading.Event()
        self.stopped = False

    def run(self) -> None:
        while not self._done.wait(self._poll_s):
            now, confirmed, quiet = self._clock(), self._confirmed_at, self._quiet_until
            if confirmed is not None and now - confirmed < self._poll_s:
                continue
            if quiet is not None and now < quiet:
                continue
            if self._stop_requested():
                self.stop()
                return

    def quiet_until(self, at: float) -> None:
        """Read nothing before `at` (clock time) unless a write stops vouching first."""
        self._quiet_until = at

    def confirmed(self, at: float) -> None:
        """A write found the reply unchanged at `at` (clock time): no stop until then."""
        self._confirmed_at = at

    def stop(self) -> None:
        """The owner asked to stop (seen here or by a write): close the stream."""
        self.stopped = True
        self._on_stop()

    def finish(self) -> None:
        self._done.set()

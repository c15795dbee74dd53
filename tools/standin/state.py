"""Shared state: the faults waiting to fire and the request log."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, fields
from typing import Any

from tools.standin.faults import Behaviour, Fault


@dataclass
class LogEntry:
    """One provider request as the request log reports it."""

    id: int
    provider: str
    endpoint: str
    started_at: float
    model: str | None = None
    stream: bool = False
    prompt: str = ""
    status: int | None = None
    tokens_sent: int = 0
    completed: bool = False
    client_closed: bool = False
    ended_at: float | None = None
    fault: int | None = None
    directives: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class StandinState:
    """Faults waiting to fire and the request log, shared by the server and its callers."""

    def __init__(self, defaults: Behaviour) -> None:
        self.defaults = defaults
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._entries: list[LogEntry] = []
        self._fault_ids = itertools.count(1)
        self._entry_ids = itertools.count(1)

    # faults
    def add_fault(
        self, provider: str, endpoint: str, count: int, settings: dict[str, Any]
    ) -> Fault:
        with self._lock:
            fault = Fault(next(self._fault_ids), provider, endpoint, count, settings)
            self._faults.append(fault)
            return fault

    def take_fault(self, provider: str, endpoint: str) -> Fault | None:
        """The oldest fault matching this request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(provider, endpoint):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def clear_faults(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            return cleared

    # request log
    def open_entry(self, provider: str, endpoint: str) -> LogEntry:
        with self._lock:
            entry = LogEntry(next(self._entry_ids), provider, endpoint, started_at=time.time())
            self._entries.append(entry)
            return entry

    def update(self, entry: LogEntry, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(entry, name, value)

    def add_tokens(self, entry: LogEntry, tokens: int) -> None:
        with self._lock:
            entry.tokens_sent += tokens

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e.to_json() for e in self._entries]

    def clear_entries(self) -> int:
        with self._lock:
            cleared = len(self._entries)
            self._entries.clear()
            return cleared

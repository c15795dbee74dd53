"""Enqueueing Cloud Tasks for task-queue functions, idempotently by task name."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Protocol

from shared import runtime


class Enqueuer(Protocol):
    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        """Queue `payload` for the task-queue function `queue`; False if `name` was used."""


def task_name(*parts: str) -> str:
    """A task id from its identity: hashed (sequential names slow Cloud Tasks down) and
    deterministic (so enqueueing the same step twice is refused as a duplicate)."""
    return "t-" + hashlib.sha256(":".join(parts).encode()).hexdigest()[:48]


class CloudTasks:
    """Enqueuer over the Admin SDK's task queues (production and the Tasks emulator)."""

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        from firebase_admin import exceptions, functions

        # The Admin SDK formats schedule_time as UTC without converting it: convert here.
        when = at.astimezone(UTC) if at is not None else None
        options = functions.TaskOptions(task_id=name, schedule_time=when)
        # Task-queue functions speak the callable protocol: the body is {"data": ...}.
        try:
            functions.task_queue(queue, app=runtime.get_app()).enqueue({"data": payload}, options)
        except exceptions.AlreadyExistsError:
            return False  # named before: this step is already queued (or ran)
        except exceptions.ConflictError:
            return False
        except ValueError:
            # The Admin SDK misreads the task name the emulator returns after queueing it.
            if not runtime.in_emulator():
                raise
        return True

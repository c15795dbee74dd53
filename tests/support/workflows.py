"""In-process workflow runtimes for integration tests: the real Firestore emulator, with
tasks either recorded by the test or sent to the real Tasks emulator (via the clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.platform import clients
from shared.platform.cloud_tasks import CloudTasks
from shared.workflows.executions import WorkflowServices


@dataclass(frozen=True)
class Enqueued:
    queue: str
    payload: dict[str, Any]
    name: str
    at: datetime | None


class RecordingEnqueuer:
    """Holds tasks instead of queueing them; refuses a name twice, as Cloud Tasks does."""

    def __init__(self) -> None:
        self.tasks: list[Enqueued] = []

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        if any(task.name == name for task in self.tasks):
            return False
        self.tasks.append(Enqueued(queue, payload, name, at))
        return True

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [(task.queue, task.payload) for task in self.tasks]


def held_runtime() -> tuple[WorkflowServices, RecordingEnqueuer]:
    """A runtime whose tasks are held by the test instead of dispatched."""
    enqueuer = RecordingEnqueuer()
    rt = WorkflowServices(
        db=clients.get_db(),
        enqueuer=enqueuer,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=lambda envelope: None,
    )
    return rt, enqueuer


def live_runtime() -> WorkflowServices:
    """A runtime that queues real Cloud Tasks on the emulator (the functions run them)."""
    return WorkflowServices(
        db=clients.get_db(),
        enqueuer=CloudTasks(),
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=lambda envelope: None,
    )

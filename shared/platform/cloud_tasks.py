"""Enqueueing Cloud Tasks for task-queue functions, idempotently by task name, at any time.

Cloud Tasks refuses a `scheduleTime` more than 720 h (30 days) ahead with 400
INVALID_ARGUMENT ("Schedule time must be no more than 720h in the future"); the Tasks
emulator accepts any. So `CloudTasks` never asks for more than `HORIZON` (29 days, a
day of margin): a task due later is carried by a hop, a task on the `rearm` queue whose
payload is the real task (`Rearm`: queue, name, time, the original small payload). When
the hop runs, `rearm` enqueues the real task the same way again: under its own name once
its time is inside the horizon, or as the next hop.

Hops sit on a grid counted back from the real time (`at - n * HORIZON`, `n` the whole
horizons still to wait) and are named from (real name, real time, `n`). Whenever and
however often the same task is enqueued or its hop delivered, each step of the chain
has one name, so Cloud Tasks' name deduplication keeps one chain and one real task.

    enqueue(q, p, name, at)           at - now <= HORIZON  ->  task `name` on `q` at `at`
                                      otherwise            ->  hop on `rearm` at
                                                               at - n * HORIZON (<= now + HORIZON)
    rearm(hop)   (when the hop runs)  the same enqueue again
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from shared.platform import clients

# What Cloud Tasks accepts ("no more than 720h in the future"), and how far ahead Aura
# asks: a day less, so clock skew and time spent in a request never cross the limit.
CLOUD_TASKS_MAX_AHEAD = timedelta(hours=720)
HORIZON = timedelta(days=29)
# At most this many hops (about 11.9 years): the longest wait a 5-field cron can have is
# eight years (29 February around 2100). Anything farther is refused, not carried.
MAX_HOPS = 150
FARTHEST = HORIZON * MAX_HOPS
REARM_QUEUE = "rearm"
MAX_REARM_PAYLOAD_BYTES = 16_384  # real payloads are ids (design for 100 KB per task)


class Enqueuer(Protocol):
    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        """Queue `payload` for the task-queue function `queue`; False if `name` was used."""


class TooFarAhead(ValueError):
    """A time beyond `FARTHEST`: no chain of hops will carry it."""


def task_name(*parts: str) -> str:
    """A task id from its identity: hashed (sequential names slow Cloud Tasks down) and
    deterministic (so enqueueing the same step twice is refused as a duplicate)."""
    return "t-" + hashlib.sha256(":".join(parts).encode()).hexdigest()[:48]


class Rearm(BaseModel):
    """The payload of a hop: the real task, enqueued again when the hop runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    queue: str = Field(pattern=r"^[a-z0-9]{1,63}$")  # a task-queue function's name
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,500}$")  # a Cloud Tasks task id
    at: AwareDatetime
    payload: dict[str, Any]

    @field_validator("queue")
    @classmethod
    def _not_a_hop(cls, queue: str) -> str:
        if queue == REARM_QUEUE:
            msg = "a hop carries a real task, not another hop"
            raise ValueError(msg)
        return queue

    @field_validator("payload")
    @classmethod
    def _small(cls, payload: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(payload, default=str)) > MAX_REARM_PAYLOAD_BYTES:
            msg = f"the payload is larger than {MAX_REARM_PAYLOAD_BYTES} bytes"
            raise ValueError(msg)
        return payload


def hops_left(at: datetime, now: datetime) -> int:
    """How many hops still stand between `now` and `at`: 0 when `at` is inside the
    horizon, else the `n` whose hop at `at - n * HORIZON` lies in (now, now + HORIZON]."""
    ahead = at - now
    if ahead <= HORIZON:
        return 0
    return -(-ahead // HORIZON) - 1  # ceil(ahead / HORIZON) - 1, in exact integers


def hop_name(name: str, at: datetime, hops: int) -> str:
    """The task id of the hop `hops` horizons before `at` on the way to task `name`."""
    return task_name(REARM_QUEUE, name, at.astimezone(UTC).isoformat(), str(hops))


class AdminTaskQueues:
    """Enqueuer over the Admin SDK's task queues as they are (production and the Tasks
    emulator): Cloud Tasks refuses a time beyond its horizon. Use `CloudTasks`."""

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        from firebase_admin import exceptions, functions

        # The Admin SDK formats schedule_time as UTC without converting it: convert here.
        when = at.astimezone(UTC) if at is not None else None
        options = functions.TaskOptions(task_id=name, schedule_time=when)
        # Task-queue functions speak the callable protocol: the body is {"data": ...}.
        try:
            functions.task_queue(queue, app=clients.get_app()).enqueue({"data": payload}, options)
        except exceptions.AlreadyExistsError:
            return False  # named before: this step is already queued (or ran)
        except exceptions.ConflictError:
            return False
        except ValueError:
            # The Admin SDK misreads the task name the emulator returns after queueing it.
            if not clients.in_emulator():
                raise
        return True


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CloudTasks:
    """The app's Enqueuer: any time, however far, through hops on `rearm` (see above).

    Args:
        send: where tasks go as they are (default: the Admin SDK's task queues).
        clock: the current time (default: the system clock).
    """

    def __init__(
        self, send: Enqueuer | None = None, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._send: Enqueuer = send if send is not None else AdminTaskQueues()
        self._clock = clock

    def enqueue(
        self, queue: str, payload: dict[str, Any], *, name: str, at: datetime | None = None
    ) -> bool:
        """Queue the task, or the next hop towards it. False if that name was used (the
        task, or this hop of its chain, is already queued or ran).

        Raises:
            TooFarAhead: `at` is more than `FARTHEST` ahead.
            pydantic.ValidationError: a far task whose queue, name or payload a hop cannot
                carry (a programming error: payloads are ids).
        """
        if at is None:
            return self._send.enqueue(queue, payload, name=name, at=None)
        now = self._clock()
        hops = hops_left(at, now)
        if hops == 0:
            return self._send.enqueue(queue, payload, name=name, at=at)
        if at - now > FARTHEST:
            msg = f"{at.isoformat()} is more than {FARTHEST.days} days ahead"
            raise TooFarAhead(msg)
        hop = Rearm(queue=queue, name=name, at=at, payload=payload)
        return self._send.enqueue(
            REARM_QUEUE,
            hop.model_dump(mode="json"),
            name=hop_name(name, at, hops),
            at=at - hops * HORIZON,
        )

    def rearm(self, hop: Rearm) -> bool:
        """Run a hop: queue its task, or the next hop. Idempotent: a duplicate delivery
        finds the same names taken and queues nothing (False)."""
        return self.enqueue(hop.queue, hop.payload, name=hop.name, at=hop.at)

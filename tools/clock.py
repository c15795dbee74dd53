"""The local stack's clock: scheduled Cloud Tasks wait for their time, cron jobs fire.

Two gaps of the emulators make time behave differently from production: the Tasks
emulator dispatches a task at once whatever its `scheduleTime` (firebase-tools #8254),
and the Functions emulator never runs `scheduler_fn` functions (firebase-tools #2034).
This process closes both without a line of production code knowing about it:

- **Held tasks.** Once the emulators are up it re-registers every task-queue function's
  queue on the Tasks emulator with the same retry and rate settings but with itself as
  the target. A task that arrives before its `X-CloudTasks-TaskETA` is acknowledged and
  held; at its time it goes to the function with the queue's retry policy. A task that is
  due goes straight through and the function's answer is passed back, so the Tasks
  emulator's own retries apply. Names are still deduplicated by the Tasks emulator, which
  sees every task first. When the Functions emulator reloads (it re-registers the queue
  with the function as the target), the clock notices in the emulator log and takes the
  queue over again.
- **Cloud Tasks' horizon.** Cloud Tasks refuses a task whose `scheduleTime` is more
  than 720 h (30 days) ahead; the Tasks emulator takes it. The clock sees each task only
  after the Tasks emulator accepted it, so it refuses such a task on arrival: it is
  acknowledged and dropped (production would never have created it), logged with Cloud
  Tasks' own message, and listed under `refused` in the state, where tests look.
- **Cron.** Each scheduled function fires at the times of its schedule, in its time zone,
  by a call to its trigger in the Functions emulator with Cloud Scheduler's headers.

`GET /_clock/state` lists the queues, held and refused tasks and cron jobs (tests and
`make dev` use it); `POST /_clock/fire/<function>` fires a scheduled function now.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from cronsim import CronSim, CronSimError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger("aura.clock")

CLOCK_PORT = 8791
DUE_SLACK_S = 0.05  # a task this close to its time is due now
MAX_AHEAD = timedelta(hours=720)  # Cloud Tasks refuses a scheduleTime farther ahead
MAX_REFUSED = 200  # refused tasks remembered for /_clock/state
RELOADED = re.compile(r"functions\[(?P<region>[\w-]+?)-(?P<name>\w+)\]: http function initialized")
HOP_BY_HOP = frozenset({"host", "content-length", "connection", "transfer-encoding"})


@dataclass
class Queue:
    project: str
    region: str
    name: str
    trigger: dict[str, Any]  # the taskQueueTrigger the Functions emulator registered
    target: str  # the function's URL

    @property
    def max_attempts(self) -> int:
        return int(self.trigger.get("retryConfig", {}).get("maxAttempts") or 3)

    def backoff(self, retry: int) -> float:
        """Seconds before retry number `retry` (1-based), as Cloud Tasks computes it."""
        config = self.trigger.get("retryConfig", {})
        low = float(config.get("minBackoffSeconds") or 0.1)
        high = float(config.get("maxBackoffSeconds") or 3600)
        doublings = int(config.get("maxDoublings") or 16)
        return float(min(high, low * 2 ** min(retry - 1, doublings)))


@dataclass
class Held:
    queue: str
    task: str
    eta: datetime


@dataclass
class Refused:
    queue: str
    task: str
    eta: datetime
    reason: str


def too_far_ahead(eta: datetime, now: datetime) -> str | None:
    """Cloud Tasks' answer to a task scheduled at `eta`, when it refuses it (None if it
    takes it): 400 INVALID_ARGUMENT beyond 720 h."""
    if eta - now <= MAX_AHEAD:
        return None
    return (
        f"400 INVALID_ARGUMENT: The Task.scheduleTime, {eta.isoformat()}, is too far in the"
        " future. Schedule time must be no more than 720h in the future."
    )


@dataclass
class CronJob:
    function: str
    region: str
    schedule: str
    timezone: str
    next_at: datetime | None = None
    fired: int = 0


@dataclass
class Clock:
    project: str
    functions: str  # origin of the Functions emulator
    tasks: str  # origin of the Tasks emulator
    origin: str  # this clock's own origin
    queues: dict[str, Queue] = field(default_factory=dict)
    held: dict[str, Held] = field(default_factory=dict)
    refused: deque[Refused] = field(default_factory=lambda: deque(maxlen=MAX_REFUSED))
    cron: dict[str, CronJob] = field(default_factory=dict)
    ready: bool = False
    generation: int = 0  # the Functions emulator's trigger generation, as last seen
    _client: httpx.AsyncClient | None = None
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(600, connect=5))
        return self._client

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- taking the queues over -----------------------------------------------------

    async def take_over(self, only: str | None = None) -> None:
        """Point each task queue (or just `only`) at the clock; learn the cron jobs."""
        backends = (await self.client.get(f"{self.functions}/backends")).json()["backends"]
        for backend in backends:
            for trigger in backend.get("functionTriggers", []):
                name, region = trigger["name"], trigger["region"]
                if "taskQueueTrigger" in trigger and only in (None, name):
                    await self._register(name, region, trigger["taskQueueTrigger"])
                schedule = trigger.get("schedule") or trigger.get("scheduleTrigger")
                if schedule and only is None and name not in self.cron:
                    self.cron[name] = CronJob(
                        function=name,
                        region=region,
                        schedule=str(schedule.get("schedule", "")),
                        timezone=str(schedule.get("timeZone") or "UTC"),
                    )
                    self.spawn(self._run_cron(self.cron[name]))
        self.ready = True

    async def _register(self, name: str, region: str, trigger: dict[str, Any]) -> None:
        queue = Queue(
            project=self.project,
            region=region,
            name=name,
            trigger=trigger,
            target=f"{self.functions}/{self.project}/{region}/{name}",
        )
        body = {**trigger, "defaultUri": f"{self.origin}/dispatch/{region}/{name}"}
        path = f"/projects/{self.project}/locations/{region}/queues/{name}"
        response = await self.client.post(f"{self.tasks}{path}", json=body)
        response.raise_for_status()
        self.queues[name] = queue
        log.info("queue %s now waits for scheduled times", name)

    async def follow_reloads(self, log_path: Path) -> None:
        """Take a queue over again whenever the Functions emulator re-registers it."""
        with log_path.open(errors="replace") as stream:
            stream.seek(0, 2)
            while True:
                line = stream.readline()
                if not line:
                    await asyncio.sleep(0.2)
                    continue
                match = RELOADED.search(line)
                if match and match["name"] in self.queues:
                    with contextlib.suppress(httpx.HTTPError):
                        await self.take_over(only=match["name"])

    # --- tasks ------------------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        name = request.path_params["name"]
        queue = self.queues.get(name)
        if queue is None:
            return Response(f"unknown queue {name}", status_code=404)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        body = await request.body()
        eta = _eta(request.headers.get("x-cloudtasks-tasketa"))
        task = request.headers.get("x-cloudtasks-taskname", "?")
        reason = too_far_ahead(eta, datetime.now(UTC))
        if reason is not None:
            # Production refuses it at enqueue; here it is already queued. A 2xx makes the
            # Tasks emulator drop it instead of retrying it.
            self.refused.append(Refused(queue=name, task=task, eta=eta, reason=reason))
            log.warning("%s task %s refused: %s", name, task, reason)
            return Response(status_code=200)
        if eta.timestamp() - time.time() <= DUE_SLACK_S:
            status = await self._post(queue, headers, body)
            return Response(status_code=status)
        self.held[task] = Held(queue=name, task=task, eta=eta)
        self.spawn(self._deliver_later(queue, task, eta, headers, body))
        return Response(status_code=200)

    async def _post(self, queue: Queue, headers: dict[str, str], body: bytes) -> int:
        try:
            response = await self.client.post(queue.target, headers=headers, content=body)
        except httpx.HTTPError as exc:
            log.warning("%s: %s", queue.name, exc)
            return 503
        return response.status_code

    async def _deliver_later(
        self, queue: Queue, task: str, eta: datetime, headers: dict[str, str], body: bytes
    ) -> None:
        await asyncio.sleep(max(0.0, eta.timestamp() - time.time()))
        self.held.pop(task, None)
        for attempt in range(queue.max_attempts):
            if attempt:
                await asyncio.sleep(queue.backoff(attempt))
            headers = {**headers, "X-CloudTasks-TaskRetryCount": str(attempt)}
            status = await self._post(queue, headers, body)
            if 200 <= status < 300:
                return
            log.info("%s task %s: HTTP %s (attempt %s)", queue.name, task, status, attempt + 1)
        log.warning("%s task %s: gave up after %s attempts", queue.name, task, attempt + 1)

    # --- cron ---------------------------------------------------------------------------

    async def _run_cron(self, job: CronJob) -> None:
        try:
            times = CronSim(job.schedule, datetime.now(ZoneInfo(job.timezone)))
        except (CronSimError, KeyError, ValueError) as exc:
            log.warning("%s: cannot follow schedule %r (%s)", job.function, job.schedule, exc)
            return
        for fire_at in times:
            job.next_at = fire_at.astimezone(UTC)
            await asyncio.sleep(max(0.0, job.next_at.timestamp() - time.time()))
            await self.fire(job.function, job.next_at)

    async def fire(self, function: str, at: datetime | None = None) -> int:
        """Run scheduled `function` as Cloud Scheduler would, with its schedule time.

        The Functions emulator registers a 2nd-gen scheduled function under the trigger
        key `<region>-<name>-<generation>` (the generation grows with each reload) and
        does not route `firebase-schedule-*` Pub/Sub messages to it, so the clock calls
        that trigger directly.
        """
        job = self.cron.get(function)
        if job is None:
            return 404
        when = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "X-CloudScheduler-JobName": f"firebase-schedule-{function}-{job.region}",
            "X-CloudScheduler-ScheduleTime": when,
        }
        base = f"{self.functions}/functions/projects/{self.project}/triggers"
        for generation in range(self.generation, self.generation + 50):
            response = await self.client.post(
                f"{base}/{job.region}-{function}-{generation}", json={}, headers=headers
            )
            if response.status_code != 404:
                self.generation = generation
                job.fired += 1
                log.info("fired %s (HTTP %s)", function, response.status_code)
                return response.status_code
        log.warning("fired %s: the Functions emulator does not know it", function)
        return 404

    def state(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "queues": {name: q.target for name, q in self.queues.items()},
            "held": [
                {"queue": h.queue, "task": h.task, "eta": h.eta.isoformat()}
                for h in sorted(self.held.values(), key=lambda h: h.eta)
            ],
            "refused": [
                {"queue": r.queue, "task": r.task, "eta": r.eta.isoformat(), "reason": r.reason}
                for r in self.refused
            ],
            "cron": [
                {
                    "function": j.function,
                    "schedule": j.schedule,
                    "timezone": j.timezone,
                    "nextAt": j.next_at.isoformat() if j.next_at else None,
                    "fired": j.fired,
                }
                for j in self.cron.values()
            ],
        }


def _eta(raw: str | None) -> datetime:
    """`X-CloudTasks-TaskETA`: the task's RFC 3339 scheduleTime, or epoch milliseconds."""
    if not raw:
        return datetime.now(UTC)
    if raw.isdigit():
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    try:
        eta = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return eta if eta.tzinfo else eta.replace(tzinfo=UTC)


def create_app(clock: Clock, log_path: Path | None) -> Starlette:
    async def dispatch(request: Request) -> Response:
        return await clock.dispatch(request)

    async def state(_request: Request) -> Response:
        return JSONResponse(clock.state())

    async def fire(request: Request) -> Response:
        status = await clock.fire(request.path_params["function"])
        return JSONResponse({"status": status}, status_code=200 if status == 200 else 502)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        for _ in range(100):
            try:
                await clock.take_over()
                break
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                log.info("waiting for the emulators (%s)", exc)
                await asyncio.sleep(0.5)
        if log_path is not None:
            clock.spawn(clock.follow_reloads(log_path))
        yield
        await clock.client.aclose()

    return Starlette(
        routes=[
            Route("/dispatch/{region}/{name}", dispatch, methods=["POST"]),
            Route("/_clock/state", state),
            Route("/_clock/fire/{function}", fire, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.clock", description=__doc__)
    parser.add_argument("--port", type=int, default=CLOCK_PORT)
    parser.add_argument("--project", required=True)
    parser.add_argument("--functions", required=True, help="origin of the Functions emulator")
    parser.add_argument("--tasks", required=True, help="origin of the Tasks emulator")
    parser.add_argument("--emulator-log", type=Path, help="the emulators' log, to see reloads")
    args = parser.parse_args(argv)
    logging.basicConfig(level="INFO", format="[clock] %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    origin = f"http://127.0.0.1:{args.port}"
    clock = Clock(
        project=args.project,
        functions=args.functions,
        tasks=args.tasks,
        origin=origin,
    )
    app = create_app(clock, args.emulator_log)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cloud Tasks' 30-day horizon: far times travel in hops on `rearm` (shared/tasks.py),
decided against a recording enqueuer and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.platform.cloud_tasks import (
    CLOUD_TASKS_MAX_AHEAD,
    FARTHEST,
    HORIZON,
    REARM_QUEUE,
    CloudTasks,
    Rearm,
    TooFarAhead,
    hop_name,
    hops_left,
)
from shared.workflows.models import DelayNode
from shared.workflows.nodes import NodeContext, NodeFailed, run_delay
from tests.support.workflows import Enqueued, RecordingEnqueuer

NOW = datetime(2026, 12, 1, 21, 41, tzinfo=UTC)
PAYLOAD = {"uid": "u1", "workflow_id": "w1", "fire_at": "2027-01-01T00:00:00+00:00"}


def enqueuer(at: datetime = NOW) -> tuple[CloudTasks, RecordingEnqueuer]:
    sent = RecordingEnqueuer()
    return CloudTasks(send=sent, clock=lambda: at), sent


def run_hop(task: Enqueued, sent: RecordingEnqueuer, *, late: timedelta = timedelta()) -> bool:
    """Deliver a hop as Cloud Tasks would: at its time (or `late` after it)."""
    assert task.at is not None
    tasks = CloudTasks(send=sent, clock=lambda: task.at + late)  # type: ignore[operator]
    return tasks.rearm(Rearm.model_validate(task.payload))


@pytest.mark.parametrize("ahead", [None, timedelta(0), timedelta(days=3), HORIZON])
def test_a_time_inside_the_horizon_is_queued_as_it_is(ahead: timedelta | None) -> None:
    tasks, sent = enqueuer()
    at = None if ahead is None else NOW + ahead

    assert tasks.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)

    assert sent.tasks == [Enqueued("firetimer", PAYLOAD, "tmr-1", at)]


def test_a_time_in_the_past_is_queued_as_it_is() -> None:
    tasks, sent = enqueuer()
    assert tasks.enqueue("runstep", PAYLOAD, name="t-1", at=NOW - timedelta(days=40))
    assert [t.queue for t in sent.tasks] == ["runstep"]


def test_a_time_beyond_the_horizon_queues_a_hop_carrying_the_real_task() -> None:
    tasks, sent = enqueuer()
    at = NOW + timedelta(days=40)

    assert tasks.enqueue("runstep", PAYLOAD, name="t-step", at=at)

    [hop] = sent.tasks
    assert hop.queue == REARM_QUEUE
    assert hop.at == at - HORIZON  # 11 days from now: the grid counts back from `at`
    assert hop.name == hop_name("t-step", at, 1)
    carried = Rearm.model_validate(hop.payload)
    assert (carried.queue, carried.name, carried.at, carried.payload) == (
        "runstep",
        "t-step",
        at,
        PAYLOAD,
    )


def test_just_past_the_horizon_the_hop_comes_at_once_and_the_real_task_next() -> None:
    tasks, sent = enqueuer()
    at = NOW + HORIZON + timedelta(seconds=1)

    tasks.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)
    assert sent.tasks[0].at == NOW + timedelta(seconds=1)
    run_hop(sent.tasks[0], sent)

    assert sent.tasks[1] == Enqueued("firetimer", PAYLOAD, "tmr-1", at)


@pytest.mark.parametrize(
    "ahead",
    [timedelta(days=30, hours=2), timedelta(days=62), timedelta(days=365), timedelta(days=2995)],
)
def test_a_chain_of_hops_ends_in_the_real_task_with_every_time_inside_the_limit(
    ahead: timedelta,
) -> None:
    tasks, sent = enqueuer()
    at = NOW + ahead

    tasks.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)
    queued_at = NOW
    while sent.tasks[-1].queue == REARM_QUEUE:
        hop = sent.tasks[-1]
        assert hop.at is not None
        assert queued_at < hop.at <= queued_at + HORIZON
        queued_at = hop.at
        assert run_hop(hop, sent)

    real = sent.tasks[-1]
    assert real == Enqueued("firetimer", PAYLOAD, "tmr-1", at)
    assert at - queued_at <= HORIZON < CLOUD_TASKS_MAX_AHEAD
    assert len(sent.tasks) - 1 == hops_left(at, NOW)  # the fewest hops: one per horizon


def test_a_hop_delivered_twice_rearms_once() -> None:
    tasks, sent = enqueuer()
    at = NOW + timedelta(days=100)
    tasks.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)
    hop = sent.tasks[0]

    first = run_hop(hop, sent)
    second = run_hop(hop, sent, late=timedelta(minutes=7))  # Cloud Tasks delivered it again

    assert (first, second) == (True, False)
    assert len(sent.tasks) == 2


def test_the_last_hop_delivered_twice_queues_the_real_task_once() -> None:
    tasks, sent = enqueuer()
    tasks.enqueue("runstep", PAYLOAD, name="t-step", at=NOW + timedelta(days=40))
    hop = sent.tasks[0]

    assert run_hop(hop, sent)
    assert not run_hop(hop, sent, late=timedelta(seconds=30))

    assert [t.queue for t in sent.tasks] == [REARM_QUEUE, "runstep"]


def test_arming_the_same_far_task_again_later_joins_the_chain_already_queued() -> None:
    """A schedule saved twice, days apart, must not grow a second chain."""
    at = NOW + timedelta(days=100)
    tasks, sent = enqueuer()
    assert tasks.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)

    again = CloudTasks(send=sent, clock=lambda: NOW + timedelta(days=3))
    assert not again.enqueue("firetimer", PAYLOAD, name="tmr-1", at=at)
    assert len(sent.tasks) == 1


def test_a_hop_that_arrives_after_the_real_time_queues_the_task_now() -> None:
    tasks, sent = enqueuer()
    at = NOW + timedelta(days=40)
    tasks.enqueue("runstep", PAYLOAD, name="t-step", at=at)

    run_hop(sent.tasks[0], sent, late=timedelta(days=12))  # an outage: later than `at`

    assert sent.tasks[1] == Enqueued("runstep", PAYLOAD, "t-step", at)


def test_a_time_beyond_what_hops_carry_is_refused() -> None:
    tasks, sent = enqueuer()
    with pytest.raises(TooFarAhead):
        tasks.enqueue("runstep", PAYLOAD, name="t-step", at=NOW + FARTHEST + timedelta(days=1))
    assert sent.tasks == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"queue": REARM_QUEUE}, "queue"),  # a hop never carries a hop
        ({"queue": "run_step"}, "queue"),  # not a task-queue function's name
        ({"name": "a/b"}, "name"),  # not a Cloud Tasks task id
        ({"at": "2027-01-01T00:00:00"}, "at"),  # no offset
        ({"payload": {"blob": "x" * 20_000}}, "payload"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_hop_payload_that_can_never_succeed_is_refused(
    change: dict[str, Any], field: str
) -> None:
    good = {"queue": "runstep", "name": "t-1", "at": "2027-01-01T00:00:00Z", "payload": {}}
    Rearm.model_validate(good)

    with pytest.raises(ValidationError) as caught:
        Rearm.model_validate({**good, **change})

    assert caught.value.errors()[0]["loc"][0] == field


def test_hops_left_counts_whole_horizons() -> None:
    assert hops_left(NOW + HORIZON, NOW) == 0
    assert hops_left(NOW + HORIZON + timedelta(microseconds=1), NOW) == 1
    assert hops_left(NOW + 2 * HORIZON, NOW) == 1
    assert hops_left(NOW + 2 * HORIZON + timedelta(microseconds=1), NOW) == 2


def delay_context(until: datetime) -> NodeContext:
    return NodeContext(
        uid="u1",
        execution_id="e1",
        correlation_id="c1",
        plan="free",
        scope={"input": {"until": until.isoformat()}},
        db=None,  # type: ignore[arg-type]  (a delay touches nothing)
        now=NOW,
        gateway=lambda: None,  # type: ignore[arg-type, return-value]
        publish=lambda envelope: None,
    )


DELAY = DelayNode.model_validate(
    {"id": "wait", "type": "delay", "config": {"until": "{{ input.until }}"}}
)


def test_a_delay_until_40_days_ahead_waits_for_its_time() -> None:
    until = NOW + timedelta(days=40)
    assert run_delay(DELAY, delay_context(until)).wait_until == until


def test_a_delay_until_beyond_what_hops_carry_fails_without_retries() -> None:
    with pytest.raises(NodeFailed) as failed:
        run_delay(DELAY, delay_context(NOW + FARTHEST + timedelta(days=1)))
    assert not failed.value.retryable
    assert "until: more than" in str(failed.value)

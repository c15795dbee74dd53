"""The workflow runtime for this instance: Firestore, Cloud Tasks, the gateway, Pub/Sub."""

from __future__ import annotations

import functools
from typing import Any

from functions import _ai
from shared import runtime as platform
from shared.tasks import CloudTasks
from shared.workflows.executions import Runtime


def _publish(envelope: Any) -> None:
    from shared.events import service as events

    events.publish(
        publisher=platform.get_publisher(), project=platform.project_id(), envelope=envelope
    )


@functools.cache
def runtime() -> Runtime:
    return Runtime(
        db=platform.get_db(),
        enqueuer=CloudTasks(),
        gateway=_ai.gateway,
        publish=_publish,
        # The local stack's test servers live on loopback; production refuses private URLs.
        allow_private_urls=platform.in_emulator(),
    )

"""`publish_event`: a client puts a domain event on the bus."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.events import service
from shared.events.models import PublishEvent
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def publish_event(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Input `PublishEvent` ({type, subject?, data?, id?,
    correlationId?}); output {id, correlationId}. `aura.*` types are refused. Passing
    `id` makes a retried publish idempotent: the bus records and acts on an id once.
    """
    with _edge.call(req, "publish_event") as caller:
        command = parse(PublishEvent, req.data)
        result = service.publish_from_client(
            publisher=clients.get_publisher(),
            project=clients.project_id(),
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

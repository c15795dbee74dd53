"""`test_workflow_node`: test one node of a workflow definition against sample data."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients
from shared.validation import parse
from shared.workflows import stepper
from shared.workflows.stepper import StepTest


@_edge.on_call()
def test_workflow_node(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Reads and writes nothing (pure: a repeat answers the same).

    Input `StepTest` ({definition, nodeId, input?, vars?, nodes?: {id: output}, trigger?,
    live?: false}); output `StepTestResult` ({ok, output, error: {field, message} | null,
    wouldDo: {kind, summary, request} | null, durationMs}). transform, condition and
    delay nodes run with the engine's evaluators and limits; http, ai, task, notify,
    event and decision nodes only say what they would do (`wouldDo`): nothing is sent or
    written. A template or condition that fails is `ok: false` with `error.field` its
    path in the definition (`nodes[2].config.url`). `invalid-argument` names the first
    bad field of the request (`definition.nodes[1].config.url`, `nodeId`, `live`).
    """
    with _edge.call(req, "test_workflow_node") as caller:
        command = parse(StepTest, req.data)
        result = stepper.try_node(
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
            # The local stack's test servers live on loopback, as for runs.
            allow_private_urls=clients.in_emulator(),
        )
        return result.to_wire()

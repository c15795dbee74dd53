"""`test_workflow_node`: test one node of a workflow definition against sample data."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import AI_SECRETS, AI_TIMEOUT_S
from shared import registry
from shared.platform import clients
from shared.validation import parse
from shared.workflows import stepper
from shared.workflows.stepper import StepTest


@_edge.on_call(secrets=AI_SECRETS, timeout_sec=AI_TIMEOUT_S)
def test_workflow_node(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. Reads and writes nothing (pure: a repeat answers the same).

    Input `StepTest` ({definition, nodeId, input?, vars?, nodes?: {id: output}, trigger?,
    live?: false}); output `StepTestResult` ({ok, output, error: {field, message} | null,
    wouldDo: {kind, summary, request} | null, live, durationMs}). transform, condition and
    delay nodes run with the engine's evaluators and limits; http, ai, task, notify,
    event and decision nodes only say what they would do (`wouldDo`): nothing is sent or
    written. With `live: true` an http node's request is sent, or an ai node's model
    asked (the caller's plan and quotas), with the runners a step uses; `live` for any
    other node is `invalid-argument`. A template or condition that fails is `ok: false`
    with `error.field` its path in the definition (`nodes[2].config.url`).
    `invalid-argument` names the first bad field of the request
    (`definition.nodes[1].config.url`, `nodeId`, `live`).
    """
    with _edge.call(req, "test_workflow_node") as caller:
        command = parse(StepTest, req.data)
        plan = "free"
        if command.live:  # the AI gateway's quotas follow the profile's plan, as in a run
            profile = registry.profile_ref(clients.get_db(), caller.uid).get().to_dict() or {}
            plan = str(profile.get("plan", "free"))
        result = stepper.try_node(
            uid=caller.uid,
            command=command,
            now=datetime.now(UTC),
            # The local stack's test servers live on loopback, as for runs.
            allow_private_urls=clients.in_emulator(),
            gateway=_clients.gateway,
            plan=plan,
        )
        return result.to_wire()

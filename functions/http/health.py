"""`health`: public JSON health report, 200 when healthy and 503 when not."""

import json

from firebase_functions import https_fn
from flask import Request, Response

from functions import _clients
from functions.params import AI_SECRETS
from shared import __version__
from shared.health import checks
from shared.health.service import run_checks
from shared.platform import clients, logs


@https_fn.on_request(secrets=AI_SECRETS)
def health(req: Request) -> Response:
    """HTTPS GET, public (also at /api/health through Hosting).

    Output `HealthReport` ({status, version, environment, checks{name: {ok, critical,
    latencyMs, detail}}}). Read-only, so safe to call any number of times.
    """
    if req.method not in {"GET", "HEAD"}:
        return Response(status=405, headers={"Allow": "GET, HEAD"})
    ai = _clients.gateway_config()
    report = run_checks(
        checks.default_checks(ai=ai),
        version=__version__,
        environment=clients.environment(),
    )
    if not report.healthy:
        failing = [name for name, check in report.checks.items() if not check.ok]
        logs.warning("health degraded", failing=failing)
    return Response(
        json.dumps(report.to_wire()),
        status=200 if report.healthy else 503,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )

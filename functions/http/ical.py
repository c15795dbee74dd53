"""`ical`: a user's private iCalendar feed (`GET /ical/{uid}/{token}.ics`)."""

from datetime import UTC, datetime

from firebase_functions import https_fn
from flask import Request, Response

from shared.calendar import feed
from shared.platform import clients, logs


@https_fn.on_request()
def ical(req: Request) -> Response:
    """HTTPS GET (HEAD), public but secret-URL (see shared/calendar/feed.py); also at
    `/ical/**` through Hosting. 200 `text/calendar; charset=utf-8`; 404 with one body for
    a bad path, an unknown user, a wrong or revoked token; 405 not GET; 429 over 60
    requests a minute per feed (with Retry-After). Read-only.
    """
    if req.method not in {"GET", "HEAD"}:
        return Response(status=405, headers={"Allow": "GET, HEAD"})
    with logs.context(function="ical"):
        answer = feed.serve(db=clients.get_db(), path=req.path, now=datetime.now(UTC))
        logs.info("ical served", status=answer.status, bytes=len(answer.body))
        body = b"" if req.method == "HEAD" else answer.body
        return Response(body, status=answer.status, headers=answer.headers)

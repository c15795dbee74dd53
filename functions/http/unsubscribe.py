"""`unsubscribe`: the one-click unsubscribe link of every email (`/email/unsubscribe`)."""

from firebase_functions import https_fn
from flask import Request, Response

from functions.params import EMAIL_LINK_KEY
from shared.email import pages, service
from shared.platform import clients, logs


@https_fn.on_request(secrets=[EMAIL_LINK_KEY])
def unsubscribe(req: Request) -> Response:
    """HTTPS, public, authorised by the link's signature (shared/email/links.py); also at
    `/email/unsubscribe` through Hosting. GET answers a page with a confirm button (mail
    scanners that follow links change nothing); POST (the button, or a mail client's
    RFC 8058 one-click `List-Unsubscribe=One-Click`) turns that kind of email off.
    A forged or altered link is 403 and changes nothing; 405 for other methods.
    Idempotent: a second POST changes nothing and answers the same page.
    """
    if req.method not in {"GET", "HEAD", "POST"}:
        return Response(status=405, headers={"Allow": "GET, HEAD, POST"})
    with logs.context(function="unsubscribe"):
        answer = pages.answer(
            db=clients.get_db(),
            key=EMAIL_LINK_KEY.value.encode(),
            method=req.method,
            args={k: req.args.get(k, "") for k in ("u", "k", "t")},
            unsubscribe=service.unsubscribe,
        )
        logs.info("unsubscribe answered", status=answer.status, method=req.method)
        body = b"" if req.method == "HEAD" else answer.body
        return Response(body, status=answer.status, headers=answer.headers)

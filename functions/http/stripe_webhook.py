"""`stripe_webhook`: Stripe's signed events keep the plan, its claim and the subscription
state in step (`POST`, the endpoint registered in the Stripe dashboard)."""

import json
from datetime import UTC, datetime

from firebase_functions import https_fn
from flask import Request, Response

from functions import _clients, _edge
from functions.params import STRIPE_SECRETS
from shared.accounts.repository import FirebaseClaims
from shared.billing import service
from shared.billing.models import WebhookResult
from shared.billing.stripe_api import SdkStripe, SignatureRefused, verify_event
from shared.billing.webhook import MAX_BODY_BYTES, BodyTooLarge, read_body
from shared.errors import AuraError
from shared.platform import clients, logs


def _answer(status: int, body: dict[str, object]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@https_fn.on_request(secrets=STRIPE_SECRETS)
def stripe_webhook(req: Request) -> Response:
    """HTTPS POST, public but signed (`Stripe-Signature`, verified by the stripe SDK with
    the STRIPE_WEBHOOK_SECRET, at most 5 minutes old). 200 {received, outcome} for every
    verified event (applied, stale, ignored or duplicate: Stripe must not retry those);
    400 an unverifiable signature or an event without an id, nothing written; 405 not
    POST; 413 over 256 KiB; 503 billing unconfigured or Stripe unreachable (Stripe
    retries for three days). Idempotent: each event id is recorded once
    (`_stripeEvents/{id}`) in the transaction that applies it.
    """
    if req.method != "POST":
        return Response(status=405, headers={"Allow": "POST"})
    with logs.context(function="stripe_webhook"):
        try:
            body = read_body(req.stream, req.content_length)
            config = _clients.stripe_config()
            event = verify_event(
                payload=body,
                signature=req.headers.get("Stripe-Signature", ""),
                secret=config.webhook_secret,
            )
            outcome = service.handle_event(
                db=clients.get_db(),
                stripe=SdkStripe(config),
                claims=FirebaseClaims(clients.get_app()),
                event=event,
                now=datetime.now(UTC),
            )
        except BodyTooLarge:
            return _answer(413, {"error": f"body over {MAX_BODY_BYTES} bytes"})
        except SignatureRefused as refused:
            logs.warning("stripe webhook refused", reason=str(refused))
            return _answer(400, {"error": "the Stripe-Signature does not verify"})
        except AuraError as exc:
            logs.warning("stripe webhook not handled", code=exc.code, error=exc.message)
            return _answer(_edge.http_status(exc), {"error": exc.message})
        logs.info(
            "stripe event handled", eventId=event.get("id"), type=event.get("type"), outcome=outcome
        )
        return _answer(200, WebhookResult(outcome=outcome).to_wire())

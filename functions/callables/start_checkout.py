"""`start_checkout`: a Stripe Checkout Session for the pro plan (docs/platform.md "Plans
and billing")."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import STRIPE_SECRETS
from shared.billing import service
from shared.billing.models import StartCheckout
from shared.billing.stripe_api import SdkStripe
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=STRIPE_SECRETS)
def start_checkout(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users with a profile.

    Input `StartCheckout` ({successUrl, cancelUrl}, both on the app's own origin, else
    `invalid-argument` naming the field and nothing written); output
    `StartCheckoutResult` ({url, sessionId}): the browser goes to `url` to pay. The
    Stripe customer is created once per user (`_billing/{uid}`, create-once plus an
    idempotency key), so repeated or concurrent calls share it. `failed-precondition`
    when already pro; `unavailable` when Stripe cannot be reached. No retries.
    """
    with _edge.call(req, "start_checkout") as caller:
        command = parse(StartCheckout, req.data)
        config = _clients.stripe_config()
        return service.start_checkout(
            db=clients.get_db(),
            stripe=SdkStripe(config),
            config=config,
            caller=caller,
            command=command,
            allowed_origins=_clients.app_origins(),
            now=datetime.now(UTC),
        ).to_wire()

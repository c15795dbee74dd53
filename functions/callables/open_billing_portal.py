"""`open_billing_portal`: a Stripe billing portal session to manage or cancel the plan."""

from typing import Any

from firebase_functions import https_fn

from functions import _clients, _edge
from functions.params import STRIPE_SECRETS
from shared.billing import service
from shared.billing.models import OpenBillingPortal
from shared.billing.stripe_api import SdkStripe
from shared.platform import clients
from shared.validation import parse


@_edge.on_call(secrets=STRIPE_SECRETS)
def open_billing_portal(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users.

    Input `OpenBillingPortal` ({returnUrl} on the app's own origin, else
    `invalid-argument`); output `OpenBillingPortalResult` ({url}). Reads `_billing/{uid}`
    and writes nothing: `failed-precondition` (reason `no-customer`) before the first
    checkout. Cancelling there keeps pro until the period ends (the webhook downgrades
    on `customer.subscription.deleted`). No retries.
    """
    with _edge.call(req, "open_billing_portal") as caller:
        command = parse(OpenBillingPortal, req.data)
        return service.open_billing_portal(
            db=clients.get_db(),
            stripe=SdkStripe(_clients.stripe_config()),
            caller=caller,
            command=command,
            allowed_origins=_clients.app_origins(),
        ).to_wire()

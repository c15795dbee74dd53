"""Where billing lives (server-only; no client rule matches either):

_billing/{uid}            BillingDoc: the Stripe customer and the deciding subscription
_stripeEvents/{eventId}   each Stripe event handled, once: uid, type, created,
                          subscriptionId, outcome, receivedAt
users/{uid}               `plan` and `subscription` {status, currentPeriodEnd,
                          cancelAtPeriodEnd} (the owner reads them; accounts owns it)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import registry
from shared.billing.models import BillingDoc

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference, Transaction

BILLING = "_billing"
STRIPE_EVENTS = "_stripeEvents"


def billing_ref(db: Client, uid: str) -> DocumentReference:
    ref: DocumentReference = db.collection(BILLING).document(uid)
    return ref


def event_ref(db: Client, event_id: str) -> DocumentReference:
    ref: DocumentReference = db.collection(STRIPE_EVENTS).document(event_id)
    return ref


def profile_ref(db: Client, uid: str) -> DocumentReference:
    return registry.profile_ref(db, uid)


def read_billing(
    ref: DocumentReference, transaction: Transaction | None = None
) -> BillingDoc | None:
    snapshot = ref.get(transaction=transaction)
    if not snapshot.exists:
        return None
    return BillingDoc.model_validate(snapshot.to_dict())


def uid_for_customer(db: Client, customer_id: str) -> str | None:
    """The user whose `_billing` record names `customer_id` (a single-field equality
    query; Firestore indexes it without configuration)."""
    from google.cloud.firestore import FieldFilter

    query = (
        db.collection(BILLING)
        .where(filter=FieldFilter("customerId", "==", customer_id))
        .select(["uid"])
        .limit(1)
    )
    for snapshot in query.stream():
        return snapshot.id
    return None

"""Account erasure driven in process by integration tests: the request written without
queueing its task, and the task run here against the emulators (timers not cancelled,
Stripe only if the test gives a client)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.billing.stripe_api import StripeApi
from shared.platform import clients, erasure
from tools.stack import LOCAL_AUDIT_SUBJECT_KEY


class NoQueue:
    """An enqueuer that queues nothing: the test delivers the task itself."""

    def enqueue(self, queue: str, payload: dict[str, Any], *, name: str, at: Any = None) -> bool:
        return True


def request(uid: str) -> erasure.EraseAccountTask:
    """`request_erasure` as `delete_my_account` calls it (the account marked, the Auth user
    disabled), its task returned instead of queued."""
    requested = erasure.request_erasure(
        db=clients.get_db(),
        auth=erasure.FirebaseAuthAccounts(clients.get_app()),
        enqueuer=NoQueue(),
        uid=uid,
        auth_time=int(time.time()),
        command=erasure.DeleteMyAccount(confirm="delete my account"),
        now=datetime.now(UTC),
    )
    return erasure.EraseAccountTask(uid=uid, request_id=requested.request_id)


def in_process_eraser(stripe: Callable[[], StripeApi] | None = None) -> erasure.Eraser:
    """The task's dependencies on the emulators; without `stripe`, an account with a Stripe
    customer fails the billing step as an unconfigured deployment does."""
    return erasure.Eraser(
        db=clients.get_db(),
        auth=erasure.FirebaseAuthAccounts(clients.get_app()),
        bucket=clients.get_bucket(),
        subject_key=LOCAL_AUDIT_SUBJECT_KEY,
        cancel_task=lambda queue, name: False,
        **({"stripe": stripe} if stripe is not None else {}),
    )

"""`eraseaccount`: erase one account, prove it, keep a receipt (queued by delete_my_account)."""

from typing import Any

from firebase_functions import https_fn, options, tasks_fn
from pydantic import ValidationError

from functions import _clients
from functions.params import AUDIT_SUBJECT_KEY, STRIPE_SECRETS
from shared.billing.stripe_api import SdkStripe
from shared.platform import clients, erasure, logs

ERASE_TIMEOUT_S = 540


@tasks_fn.on_task_dispatched(
    secrets=[AUDIT_SUBJECT_KEY, *STRIPE_SECRETS],
    timeout_sec=ERASE_TIMEOUT_S,
    # A lease (erasure.LEASE_S, 600 s) outlives a dead delivery's timeout; retries back
    # off to 10 minutes so a leftover found by the proof is tried again for about an hour.
    retry_config=options.RetryConfig(
        max_attempts=10, min_backoff_seconds=10, max_backoff_seconds=600
    ),
    rate_limits=options.RateLimits(max_concurrent_dispatches=10),
)
def eraseaccount(req: https_fn.CallableRequest[Any]) -> None:
    """Cloud Tasks; payload `EraseAccountTask` ({uid, requestId}, and `sweep: true` for
    the second pass an hour after the request, `erasure.sweep`).

    Idempotent and resumable: each step done is recorded in `_erasures/{uid}`, so a
    delivery continues where the last one stopped; one that finds no request (finished:
    the receipt is written and the request deleted) does nothing. Raises, so Cloud Tasks
    retries, when the re-scan finds data left (`Leftovers`, logged as an error), a step's
    outside service failed (`StepFailed`: Stripe unreachable, a warning; refusing or not
    configured, an error) or another delivery holds the lease. A payload that can never
    succeed is logged and acknowledged. Stripe is reached (and its secrets read) only for
    an account with a Stripe customer.
    """
    try:
        task = erasure.EraseAccountTask.model_validate(req.data)
    except ValidationError as exc:
        logs.error("unusable erasure task dropped", errors=str(exc)[:500])
        return
    eraser = erasure.Eraser(
        db=clients.get_db(),
        auth=erasure.FirebaseAuthAccounts(clients.get_app()),
        bucket=clients.get_bucket(),
        subject_key=AUDIT_SUBJECT_KEY.value,
        stripe=lambda: SdkStripe(_clients.stripe_config()),
    )
    with logs.context(requestId=task.request_id):  # never the uid: it is being erased
        try:
            outcome = erasure.run(eraser, task)
        except erasure.Leftovers as exc:
            logs.error("erasure left data behind; retrying", leftovers=exc.found)
            raise
        except erasure.StepFailed as exc:
            log = logs.warning if exc.transient else logs.error
            log("erasure step failed; retrying", step=exc.step, reason=exc.reason)
            raise
        except erasure.ErasurePending:
            logs.warning("erasure sweep before the erasure finished; retrying")
            raise
        logs.info(f"erasure {outcome}", outcome=outcome)

"""`delete_my_account`: erase the caller's account (the work runs as the task `eraseaccount`)."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.platform import clients, erasure
from shared.platform.cloud_tasks import CloudTasks
from shared.validation import parse


@_edge.on_call()
def delete_my_account(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users, their own account only.

    Input `DeleteMyAccount` ({confirm: "delete my account"}); output
    `DeleteMyAccountResult` ({requestId, status: "queued"}). Needs a sign-in at most
    RECENT_SIGN_IN_S (300 s) old (the ID token's `auth_time`), else `failed-precondition`
    with details {reason: "requires-recent-login"}; a wrong phrase is `invalid-argument`
    (`confirm`); both write nothing. Disables the Auth user, revokes its refresh tokens and
    queues the erasure. Idempotent: a repeat returns the same requestId and queues nothing
    new; `not-found` once the account is gone.
    """
    with _edge.call(req, "delete_my_account") as caller:
        command = parse(erasure.DeleteMyAccount, req.data)
        result = erasure.request_erasure(
            db=clients.get_db(),
            auth=erasure.FirebaseAuthAccounts(clients.get_app()),
            enqueuer=CloudTasks(),
            uid=caller.uid,
            auth_time=caller.auth_time,
            command=command,
            now=datetime.now(UTC),
        )
        return result.to_wire()

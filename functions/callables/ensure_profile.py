"""`ensure_profile`: create the caller's profile on first sign-in, keep it fresh after."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.accounts import service
from shared.accounts.models import EnsureProfile
from shared.accounts.repository import FirebaseClaims
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def ensure_profile(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; signed-in users. The web app calls it after every sign-in.

    Input `EnsureProfile` ({timezone?}); output `EnsureProfileResult`
    ({profile, created, claimsUpdated}). Idempotent: one profile however often it is
    called; `claimsUpdated` tells the client to refresh its ID token. No retries (callable).
    """
    with _edge.call(req, "ensure_profile") as caller:
        command = parse(EnsureProfile, req.data)
        return service.ensure_profile(
            db=clients.get_db(),
            claims=FirebaseClaims(clients.get_app()),
            caller=caller,
            command=command,
            now=datetime.now(UTC),
        ).to_wire()

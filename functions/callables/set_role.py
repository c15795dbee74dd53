"""`set_role`: an admin makes a user an admin, or a user again; audited."""

from datetime import UTC, datetime
from typing import Any

from firebase_functions import https_fn

from functions import _edge
from shared.accounts import service
from shared.accounts.models import SetRole
from shared.accounts.repository import FirebaseClaims
from shared.platform import clients
from shared.validation import parse


@_edge.on_call()
def set_role(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    """Callable; admins only (`role` claim), others get `permission-denied`.

    Input `SetRole` ({uid, role}); output `SetRoleResult`. The profile change and its
    `audit` entry commit together; repeating a call changes nothing and audits nothing.
    """
    with _edge.call(req, "set_role") as caller:
        command = parse(SetRole, req.data)
        return service.set_role(
            db=clients.get_db(),
            claims=FirebaseClaims(clients.get_app()),
            actor=caller.uid,
            actor_is_admin=caller.is_admin,
            command=command,
            now=datetime.now(UTC),
        ).to_wire()

"""Make a user an admin: the operator's way to create the first admin.

Runs with the Admin SDK, so it needs operator credentials, not a signed-in admin:

    # against the local emulators (make dev running):
    make admin EMAIL=you@example.com
    # against a real project (Application Default Credentials of a project owner):
    GOOGLE_CLOUD_PROJECT=my-project venv/bin/python -m tools.make_admin you@example.com

The user must have signed in once (so their profile exists). The change is written to
the audit log with actor `operator:cli`, exactly as `set_role` would write it.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from shared.accounts import service
from shared.accounts.models import SetRole
from shared.accounts.repository import FirebaseClaims
from shared.errors import AuraError, NotFound
from shared.platform import clients

OPERATOR = "operator:cli"

log = logging.getLogger("aura.make_admin")


def make_admin(email: str) -> str:
    """Give the user with `email` the admin role; returns their uid."""
    claims = FirebaseClaims(clients.get_app())
    uid = claims.uid_for_email(email)
    if uid is None:
        raise NotFound(f"No user with email {email}; they must sign up first.")
    service.set_role(
        db=clients.get_db(),
        claims=claims,
        actor=OPERATOR,
        actor_is_admin=True,
        command=SetRole(uid=uid, role="admin"),
        now=datetime.now(UTC),
    )
    return uid


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if len(argv) != 1:
        log.error("usage: python -m tools.make_admin EMAIL")
        return 2
    try:
        uid = make_admin(argv[0])
    except AuraError as exc:
        log.error("%s", exc.message)
        return 1
    log.info("%s (uid %s) is now an admin; they get the claim on their next sign-in.", argv[0], uid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""One tree of domain errors; the edge (`functions/_edge.py`) maps each to an HttpsError.

::

    AuraError                      (never raised itself)
    ├── InvalidArgument            -> invalid-argument     bad input; carries the field path
    ├── Unauthenticated            -> unauthenticated      no signed-in caller
    ├── PermissionDenied           -> permission-denied    signed in, but not allowed (admin-only)
    ├── NotFound                   -> not-found            missing, or someone else's (never leak)
    ├── AlreadyExists              -> already-exists       a create that must not repeat
    ├── FailedPrecondition         -> failed-precondition  valid input, wrong state
    ├── ResourceExhausted          -> resource-exhausted   quota or rate limit
    └── Unavailable                -> unavailable          a dependency is down; safe to retry

Services raise these and nothing else on purpose; anything else is a bug and surfaces as
`internal` (the SDK logs it). Messages are written for the person who sent the request.
"""

from __future__ import annotations

from typing import Any


class AuraError(Exception):
    """Base of every error a service raises on purpose."""

    code: str = "internal"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


class InvalidArgument(AuraError):
    """The request is malformed; `field` is the dotted path of the offending value."""

    code = "invalid-argument"

    def __init__(
        self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        merged = {**(details or {}), **({"field": field} if field is not None else {})}
        super().__init__(message, details=merged)
        self.field = field


class Unauthenticated(AuraError):
    code = "unauthenticated"


class PermissionDenied(AuraError):
    code = "permission-denied"


class NotFound(AuraError):
    code = "not-found"


class AlreadyExists(AuraError):
    code = "already-exists"


class FailedPrecondition(AuraError):
    code = "failed-precondition"


class ResourceExhausted(AuraError):
    code = "resource-exhausted"


class Unavailable(AuraError):
    code = "unavailable"


def stale_version(noun: str, item_id: str, *, expected: int, current: int) -> FailedPrecondition:
    """The one answer to a save or delete whose `expectedVersion` is not the stored
    version (optimistic concurrency: workflows, tasks, calendar events). `current` 0 means
    the item does not exist. Details: {reason: "version-mismatch", expectedVersion,
    version}, so a client reacts the same way to every feature."""
    details = {"reason": "version-mismatch", "expectedVersion": expected, "version": current}
    if current == 0:
        message = (
            f"{noun} '{item_id}' does not exist (it may have been deleted); save without "
            "expectedVersion to create it."
        )
    else:
        message = (
            f"{noun} '{item_id}' changed since you loaded it (version {current} is stored, "
            f"you edited version {expected}); reload it and save again."
        )
    return FailedPrecondition(message, details=details)

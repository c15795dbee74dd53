"""The append-only audit log at `audit/{id}` (admin-readable, never client-writable)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, Transaction

AUDIT = "audit"


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str
    action: str
    target: str
    time: datetime
    details: dict[str, Any] = Field(default_factory=dict)


def append(*, db: Client, transaction: Transaction, entry: AuditEntry) -> str:
    """Add `entry` inside `transaction` so it commits with the change it records.

    Returns:
        The new entry's id. `create` with a fresh id never overwrites: the log only grows.
    """
    ref = db.collection(AUDIT).document()
    transaction.create(ref, entry.model_dump())
    return str(ref.id)

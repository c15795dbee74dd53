"""Document ids: the one type for ids a client sends, and unambiguous server-side keys.

Firestore refuses ids that are `.` or `..`, contain `/`, or match `__.*__` (reserved for
its own use); the Python client raises `ValueError` on them, which would surface as
`internal`. Every id a client sends is a `DocId` (or a narrower type built on
`check_doc_id`), so such an id is an `invalid-argument` naming the field.

Server-only documents keyed by several ids (a webhook secret per user and workflow, a
schedule, a rate-limit window) use `server_key`: a hash of the parts with a separator
that no part can contain, so `("a_b", "c")` and `("a", "b_c")` never share a document.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from pydantic import AfterValidator, Field

MAX_ID_CHARS = 128
_ID = re.compile(r"[A-Za-z0-9_-]+")
_RESERVED = re.compile(r"__.*__")


def check_doc_id(value: str) -> str:
    """Refuse an id Firestore would refuse, or that is not letters, digits, `_` and `-`.

    Raises:
        ValueError: with a message written for the sender.
    """
    if not _ID.fullmatch(value):
        msg = f"'{value[:80]}' is not a valid id: use letters, digits, '_' or '-'"
        raise ValueError(msg)
    if _RESERVED.fullmatch(value):
        msg = f"'{value[:80]}' is not a valid id: ids of the form __name__ are reserved"
        raise ValueError(msg)
    return value


DocId = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS), AfterValidator(check_doc_id)]


def server_key(*parts: str) -> str:
    """The id of a server-only document keyed by `parts` (uid, workflow id, ...)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]

"""Return URLs (checkout success and cancel, the portal's return link) may only lead back
to the app itself (`shared.net.origins.app_origins`): no open redirect through Stripe's
pages.
"""

from __future__ import annotations

from shared.billing.models import MAX_RETURN_URL_CHARS
from shared.errors import InvalidArgument
from shared.net.origins import origin_of


def check_return_url(url: str, *, allowed: frozenset[str], field: str) -> str:
    """`url` when it is an absolute URL on one of the `allowed` origins.

    Raises:
        InvalidArgument: (naming `field`) anything else.
    """
    if len(url) > MAX_RETURN_URL_CHARS:
        raise InvalidArgument(
            f"{field}: is longer than {MAX_RETURN_URL_CHARS} characters", field=field
        )
    origin = origin_of(url)
    if origin is None or origin not in allowed:
        raise InvalidArgument(
            f"{field}: must be an absolute URL on this app's own origin "
            f"({', '.join(sorted(allowed))})",
            field=field,
        )
    return url

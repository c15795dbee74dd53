"""Gateway failures, as the gateway's callers see them."""

from __future__ import annotations

from shared.errors import Unavailable


class ProviderError(Exception):
    """One provider call failed; `retryable` says whether another attempt may succeed."""

    def __init__(
        self, provider: str, message: str, *, retryable: bool, status: int | None = None
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.retryable = retryable
        self.status = status


class AllProvidersFailed(Unavailable):
    """Every configured provider failed (or none is configured)."""


class StreamInterrupted(Unavailable):
    """A stream broke after some text arrived; the partial text is kept by the caller."""


class StructuredOutputInvalid(Unavailable):
    """The model's JSON did not validate, even after one repair attempt."""

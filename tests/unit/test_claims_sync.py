"""Claims mirror the profile; only stale claims are written (a fake ClaimsStore)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.accounts.models import ProfileDoc
from shared.accounts.service import _sync_claims

NOW = datetime(2026, 11, 23, tzinfo=UTC)


class FakeClaims:
    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims
        self.writes: list[dict[str, Any]] = []

    def get(self, uid: str) -> dict[str, Any] | None:
        return dict(self.claims)

    def set(self, uid: str, claims: dict[str, Any]) -> None:
        self.writes.append(claims)
        self.claims = claims


def profile(role: str = "user", plan: str = "free") -> ProfileDoc:
    return ProfileDoc(role=role, plan=plan, created_at=NOW, last_seen_at=NOW)  # type: ignore[arg-type]


def test_matching_token_means_no_lookup_and_no_write() -> None:
    store = FakeClaims({})
    assert not _sync_claims(
        claims=store, uid="u", profile=profile(), known={"role": "user", "plan": "free"}
    )
    assert store.writes == []


def test_stale_token_but_right_record_is_not_rewritten() -> None:
    store = FakeClaims({"role": "admin", "plan": "free"})
    assert not _sync_claims(claims=store, uid="u", profile=profile("admin"), known={"role": "user"})
    assert store.writes == []


def test_drifted_record_is_repaired_keeping_other_claims() -> None:
    store = FakeClaims({"role": "user", "plan": "free", "beta": True})
    assert _sync_claims(claims=store, uid="u", profile=profile("admin", "pro"), known={})
    assert store.writes == [{"role": "admin", "plan": "pro", "beta": True}]

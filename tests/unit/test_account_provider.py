"""The provider's name and photo a profile may keep (shared/accounts/provider.py)."""

from __future__ import annotations

import pytest

from shared.accounts import provider
from shared.accounts.provider import MAX_DISPLAY_NAME_CHARS, MAX_PHOTO_URL_CHARS


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("  Ada \n Lovelace\t", "Ada Lovelace"),
        ("Ada\u202eecalevoL", "AdaecalevoL"),  # a bidi override is dropped
        ("A\x00d\u200ba", "Ada"),  # NUL and zero-width space
        ("\u202e\x00 ", None),
        ("", None),
        (None, None),
        (42, None),
        ("Zoë 山田", "Zoë 山田"),
    ],
)
def test_display_name_is_cleaned(raw: object, kept: str | None) -> None:
    assert provider.display_name(raw) == kept


def test_display_name_is_cut_to_the_limit() -> None:
    name = provider.display_name("x" * (MAX_DISPLAY_NAME_CHARS + 50))
    assert name == "x" * MAX_DISPLAY_NAME_CHARS


@pytest.mark.parametrize(
    "url",
    [
        "https://lh3.googleusercontent.com/a/ACg8ocJ=s96-c",
        "https://avatars.githubusercontent.com/u/1?v=4",
        "https://example.com:8443/p.png",
    ],
)
def test_https_photo_urls_are_kept(url: str) -> None:
    assert provider.photo_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/p.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//example.com/p.png",
        "/p.png",
        "https://",
        "https://user:pw@example.com/p.png",
        "https://example.com/a b.png",
        "https://example.com/\\evil",
        "https://example.com/\x00",
        "https://example.com:99999/p.png",
        "https://[::1/p.png",
        "https://example.com/" + "a" * MAX_PHOTO_URL_CHARS,
        "",
        None,
        ["https://example.com/p.png"],
    ],
)
def test_other_photo_urls_are_dropped(url: object) -> None:
    assert provider.photo_url(url) is None

"""ensure_profile takes the name and photo a sign-in provider put in the ID token, checked
(shared/accounts/provider.py), and fills a profile that lacks them when a provider is
linked later, against the real Auth, Firestore and Functions emulators."""

from __future__ import annotations

from typing import Any

from shared.platform import clients
from tests.support import emulators as emu
from tools.stack import PROJECT_ID


def profile(uid: str) -> dict[str, Any]:
    snap = clients.get_db().collection("users").document(uid).get()
    assert snap.exists
    return snap.to_dict() or {}


def set_auth_profile(user: emu.User, **fields: str) -> emu.User:
    """Set the Auth user's displayName / photoUrl (what a provider or the SDK sets) and
    sign in again, so the ID token carries them as `name` / `picture`."""
    resp = emu.session.post(
        f"{emu.AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:update",
        json={"localId": user.uid, **fields},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()
    return user.refresh()


def test_a_new_profile_takes_the_tokens_name_and_https_photo() -> None:
    user = set_auth_profile(
        emu.sign_up(),
        displayName="Ada \u202eLovelace",
        photoUrl="https://avatars.githubusercontent.com/u/1?v=4",
    )
    result = emu.call("ensure_profile", {}, user.id_token)

    assert result.status == "OK", result.error
    stored = profile(user.uid)
    assert stored["displayName"] == "Ada Lovelace"
    assert stored["photoURL"] == "https://avatars.githubusercontent.com/u/1?v=4"
    assert result.result["profile"]["displayName"] == "Ada Lovelace"


def test_a_hostile_name_is_cut_and_a_non_https_photo_dropped() -> None:
    user = set_auth_profile(
        emu.sign_up(), displayName="n" * 300, photoUrl="javascript:alert(document.cookie)"
    )
    result = emu.call("ensure_profile", {}, user.id_token)

    assert result.status == "OK", result.error
    stored = profile(user.uid)
    assert stored["displayName"] == "n" * 100
    assert stored["photoURL"] is None


def test_a_linked_provider_fills_what_the_profile_lacks_and_never_replaces_it() -> None:
    user = emu.sign_up()
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    assert profile(user.uid)["displayName"] is None

    # The provider is linked: its name and photo reach the token; the profile takes them.
    user = set_auth_profile(
        user, displayName="Grace Hopper", photoUrl="https://lh3.googleusercontent.com/a/x"
    )
    again = emu.call("ensure_profile", {}, user.id_token)
    assert again.status == "OK", again.error
    assert again.result["created"] is False
    assert again.result["profile"]["displayName"] == "Grace Hopper"
    stored = profile(user.uid)
    assert (stored["displayName"], stored["photoURL"]) == (
        "Grace Hopper",
        "https://lh3.googleusercontent.com/a/x",
    )

    # Delivered twice, or a later token with another name: the stored name stays.
    user = set_auth_profile(user, displayName="Someone Else")
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    assert emu.call("ensure_profile", {}, user.id_token).status == "OK"
    assert profile(user.uid)["displayName"] == "Grace Hopper"

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import emulators as emu
from tools.make_admin import make_admin
from tools.stack import Stack


@pytest.fixture(autouse=True)
def clean_state(emulators: Stack) -> None:
    """Each test starts with empty Firestore, Auth and Storage emulators."""
    emu.clear_firestore()
    emu.clear_auth()
    emu.clear_storage()


def _signed_up_with_profile() -> emu.User:
    new = emu.sign_up()
    assert emu.call("ensure_profile", {}, new.id_token).status == "OK"
    return new.refresh()


@pytest.fixture
def user() -> emu.User:
    """A signed-up user whose profile exists (ensure_profile ran, token refreshed)."""
    return _signed_up_with_profile()


@pytest.fixture
def other_user() -> emu.User:
    return _signed_up_with_profile()


@pytest.fixture
def admin() -> emu.User:
    """An admin made the documented operator way (tools.make_admin)."""
    new = _signed_up_with_profile()
    make_admin(new.email)
    return new.refresh()


@pytest.fixture
def standin() -> Iterator[None]:
    """A clean AI stand-in (no faults, empty log) that is quiet again after the test, so
    one test's background AI calls cannot consume the next test's faults."""
    emu.standin_reset()
    yield
    emu.standin_quiesce()
    emu.standin_reset()

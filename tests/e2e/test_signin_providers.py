"""Sign in with Google, GitHub and Microsoft in a real browser, through the Auth
emulator's provider pages (docs/channels.md "Sign-in providers").

"Continue with …" opens Firebase Auth's pop-up on the emulator's IdP page
(`/emulator/auth/handler`); the test adds an account there ("Add new account": email,
name, photo) and signs in; the emulator mints the ID token (signInWithIdp), the app runs
ensure_profile, and the profile shows the provider's name.

Linking: an email that already has a password account. The emulator's IdP page always
says the provider verified the email, and the emulator then merges the accounts silently
(what Firebase does for a trusted provider); a provider that does not vouch for the
address (GitHub, in production) gets `auth/account-exists-with-different-credential`
instead. The test makes the IdP page say that (its claims' `email_verified: false`), the
app asks for the password, signs in and links: one account, both providers, the
profile's missing name filled from GitHub.

The one stand-in: Google's `gapi.iframes` loader (apis.google.com), which Firebase's
pop-up code and the emulator's helper frame load and this sandbox cannot reach, is
served from tests/e2e/gapi_standin.js (only the postMessage transport; see there).
Other Internet requests of the IdP page (fonts, Material CSS) are refused at once.

axe-core (no serious or critical violation) on the sign-in, sign-up and linking states.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from shared.platform import clients
from tests.e2e.helpers import PASSWORD, TIMEOUT_MS, audit
from tests.support import emulators as emu
from tools.stack import PROJECT_ID

pytestmark = pytest.mark.e2e

GAPI = (Path(__file__).parent / "gapi_standin.js").read_text(encoding="utf-8")
LABELS = {"google": "Google", "github": "GitHub", "microsoft": "Microsoft"}
PROVIDER_IDS = {"google": "google.com", "github": "github.com", "microsoft": "microsoft.com"}
PHOTO = "https://avatars.example.com/u/{}.png"

# Makes the emulator's IdP page say the provider did not verify the email.
UNVERIFIED_EMAIL = """() => {
  const original = window.createFakeClaims;
  window.createFakeClaims = (info) => {
    const claims = JSON.parse(decodeURIComponent(original(info)));
    claims.email_verified = false;
    return encodeURIComponent(JSON.stringify(claims));
  };
}"""


def offline_internet(context: BrowserContext) -> None:
    """gapi from the stand-in; every other request off the loopback refused at once."""

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith("https://apis.google.com/js/api.js"):
            route.fulfill(status=200, content_type="text/javascript", body=GAPI)
        elif re.match(r"^https?://(127\.0\.0\.1|localhost)[:/]", url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)


def sign_in_at_idp(
    page: Page, provider: str, *, email: str, name: str, photo: str, unverified: bool = False
) -> None:
    """Click "Continue with <provider>" and add an account on the emulator's IdP page."""
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name=f"Continue with {LABELS[provider]}").click()
    popup = popup_info.value
    popup.wait_for_load_state("domcontentloaded")
    expect(popup).to_have_url(re.compile(r"/emulator/auth/handler\?"))
    assert f"providerId={PROVIDER_IDS[provider]}" in popup.url
    popup.get_by_role("button", name="Add new account").click()
    popup.locator("#email-input").fill(email)
    popup.locator("#display-name-input").fill(name)
    popup.locator("#profile-photo-input").fill(photo)
    if unverified:
        popup.evaluate(UNVERIFIED_EMAIL)
    popup.locator("#sign-in").click()


def account(email: str) -> dict[str, Any]:
    """The one Auth account with this email (fails if there are none or several)."""
    resp = emu.session.post(
        f"{emu.AUTH}/identitytoolkit.googleapis.com/v1/projects/{PROJECT_ID}/accounts:lookup",
        json={"email": [email]},
        headers={"Authorization": "Bearer owner"},
        timeout=10,
    )
    resp.raise_for_status()
    users: list[dict[str, Any]] = resp.json().get("users", [])
    assert len(users) == 1, users
    return users[0]


def providers_of(user: dict[str, Any]) -> set[str]:
    return {info["providerId"] for info in user.get("providerUserInfo", [])}


def stored_profile(uid: str) -> dict[str, Any]:
    snap = clients.get_db().collection("users").document(uid).get()
    assert snap.exists
    return snap.to_dict() or {}


def expect_profile_name(page: Page, name: str) -> None:
    expect(page).to_have_url(re.compile(r"/profile$"), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("profile-display-name")).to_have_text(name, timeout=TIMEOUT_MS)


@pytest.mark.parametrize(
    ("provider", "start"), [("google", "signin"), ("github", "signup"), ("microsoft", "signin")]
)
def test_provider_sign_in_fills_the_profile(
    page: Page, web_url: str, artifacts_dir: Path, provider: str, start: str
) -> None:
    offline_internet(page.context)
    tag = uuid4().hex[:8]
    email = f"e2e-{provider}-{tag}@example.com"
    name = f"{LABELS[provider]} Person {tag}"
    photo = PHOTO.format(tag)
    page.goto(f"{web_url}/{start}")
    expect(page.get_by_role("button", name=f"Continue with {LABELS[provider]}")).to_be_visible()
    audit(page, f"/{start} with provider buttons")
    page.screenshot(path=str(artifacts_dir / f"providers-{start}.png"))

    sign_in_at_idp(page, provider, email=email, name=name, photo=photo)

    expect_profile_name(page, name)
    expect(page.get_by_test_id("profile-email")).to_have_text(email)
    user = account(email)
    assert providers_of(user) == {PROVIDER_IDS[provider]}
    stored = stored_profile(user["localId"])
    assert (stored["displayName"], stored["photoURL"]) == (name, photo)
    page.screenshot(path=str(artifacts_dir / f"providers-{provider}-profile.png"))


def test_a_non_https_photo_from_a_provider_is_not_stored(page: Page, web_url: str) -> None:
    offline_internet(page.context)
    tag = uuid4().hex[:8]
    email = f"e2e-photo-{tag}@example.com"
    page.goto(f"{web_url}/signin")
    sign_in_at_idp(
        page, "google", email=email, name=f"Photo {tag}", photo="http://tracker.example/p.gif"
    )
    expect_profile_name(page, f"Photo {tag}")
    assert stored_profile(account(email)["localId"])["photoURL"] is None


def test_a_password_account_links_the_provider_after_its_password(
    page: Page, web_url: str, artifacts_dir: Path
) -> None:
    offline_internet(page.context)
    tag = uuid4().hex[:8]
    email = f"e2e-link-{tag}@example.com"
    existing = emu.sign_up(email, PASSWORD)
    assert emu.call("ensure_profile", {}, existing.id_token).status == "OK"
    assert stored_profile(existing.uid)["displayName"] is None

    page.goto(f"{web_url}/signin")
    sign_in_at_idp(
        page,
        "github",
        email=email,
        name=f"Octo Cat {tag}",
        photo=PHOTO.format(tag),
        unverified=True,
    )

    form = page.get_by_role("form", name="Link GitHub to your account")
    expect(form).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("link-explanation")).to_contain_text(email)
    audit(page, "/signin linking step")
    page.screenshot(path=str(artifacts_dir / "providers-link.png"))

    # A wrong password: refused, nothing linked, the step stays.
    form.get_by_label(f"Password for {email}").fill("not-the-password")
    form.get_by_role("button", name="Sign in and link GitHub").click()
    expect(form.get_by_role("alert")).to_be_visible(timeout=TIMEOUT_MS)
    assert providers_of(account(email)) == {"password"}

    form.get_by_label(f"Password for {email}").fill(PASSWORD)
    form.get_by_role("button", name="Sign in and link GitHub").click()

    expect_profile_name(page, f"Octo Cat {tag}")
    user = account(email)
    assert user["localId"] == existing.uid
    assert providers_of(user) == {"password", "github.com"}
    assert stored_profile(existing.uid)["photoURL"] == PHOTO.format(tag)

    # Next time GitHub alone signs in to the same account.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"), timeout=TIMEOUT_MS)
    with page.expect_popup() as popup_info:
        page.get_by_role("button", name="Continue with GitHub").click()
    popup = popup_info.value
    popup.wait_for_load_state("domcontentloaded")
    popup.get_by_text(f"Octo Cat {tag}").click()
    expect_profile_name(page, f"Octo Cat {tag}")
    assert account(email)["localId"] == existing.uid

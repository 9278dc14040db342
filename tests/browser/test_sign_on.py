"""End to end in Chromium: a real OpenID Connect provider (the `oidc-provider` npm package, run with
Node.js on 127.0.0.1 at a free port) signs a council officer in; an admin completes the second factor;
the new sign-in, two-factor, password-reset and people pages pass axe."""

from __future__ import annotations

import base64
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import SignInEvent, SignInMethod, SignOnIdentity

pytestmark = pytest.mark.browser

PROVIDER_SCRIPT = Path(__file__).resolve().parent.parent / "accounts" / "identity_provider" / "provider.mjs"
TENANT = "council-tenant-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def identity_provider(live_server, settings):
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to run the test identity provider (`make test` installs it).")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT), str(port), "tracker", "tracker-secret",
         f"{live_server.url}/sign-in/council/callback/", TENANT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready"), f"the identity provider did not start: {line!r}"
        settings.OIDC_ENABLED = True
        settings.OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID = "tracker"
        settings.OIDC_RP_CLIENT_SECRET = "tracker-secret"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
        settings.OIDC_ALLOWED_TENANTS = [TENANT]
        settings.OIDC_GROUP_ACCESS = "group-casey=barnsley:Improvement lead"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_council_officer_signs_in_through_the_identity_provider(browser_session, demo, identity_provider):
    session = browser_session()
    page = session.page
    page.goto("/sign-in/")
    session.assert_accessible("sign-in-with-council-button")
    session.screenshot("sign-in-page")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.wait_for_url(f"{identity_provider}/**")
    page.locator("input[name=login]").fill("casey")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/(?!sign-in).*"))
    expect(page.get_by_text("Signed in as Casey Council")).to_be_visible()
    expect(page.get_by_test_id("council-label")).to_have_text("Barnsley Council")
    session.screenshot("home-after-sign-on")
    identity = SignOnIdentity.objects.get()
    assert identity.subject == "object-id-casey" and identity.tenant == TENANT
    assert SignInEvent.objects.filter(user=identity.user, method=SignInMethod.SINGLE_SIGN_ON).exists()


def test_a_tenant_not_allowed_sees_a_clear_page(browser_session, demo, identity_provider, settings):
    settings.OIDC_ALLOWED_TENANTS = ["another-tenant"]
    session = browser_session()
    page = session.page
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.locator("input[name=login]").fill("casey")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    expect(page.get_by_test_id("refusal-reason")).to_contain_text("tenant is not allowed")
    session.assert_accessible("sign-on-refused")
    session.screenshot("sign-on-refused")
    page.goto("/authorities/")
    assert "/sign-in/" in page.url


def test_an_admin_completes_the_second_factor_before_any_page(browser_session, demo, settings):
    from datasets.demo.data import DEMO_PASSWORD
    from tests.conftest import demo_totp_code

    from accounts.services import two_factor_device_install
    from datasets.demo.data import DEMO_TOTP_KEY

    settings.TWO_FACTOR_REQUIRED = True
    two_factor_device_install(user=demo["admin"], key=DEMO_TOTP_KEY)  # as load_demo does when required
    session = browser_session(javascript=False)
    page = session.page
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    session.assert_accessible("two-factor-verify")
    session.screenshot("two-factor-verify")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(demo_totp_code())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_a_lead_sets_up_two_factor_and_an_admin_manages_people(signed_in, demo):
    from django_otp.oath import totp
    session = signed_in("lead", javascript=False)
    page = session.page
    page.get_by_role("link", name="Two-factor authentication").click()
    session.assert_accessible("two-factor-offer")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    session.assert_accessible("two-factor-setup")
    session.screenshot("two-factor-setup")
    # Type the key shown on the page into "the app" (here: django-otp's TOTP function).
    key = base64.b32decode(page.get_by_test_id("otp-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from your app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    session.assert_accessible("recovery-codes")
    session.screenshot("recovery-codes")

    admin = signed_in("admin", javascript=False)
    page = admin.page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    admin.assert_accessible("people")
    admin.screenshot("people")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    admin.assert_accessible("invite-errors")
    page.get_by_label("Email address").fill("new.partner@nhs.example")
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("Last name").fill("Partner")
    page.get_by_label("Council").select_option(label="Barnsley")
    page.get_by_label("Role", exact=True).select_option(label="Partner")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name="Noor Partner")).to_be_visible()
    admin.assert_accessible("person")
    admin.screenshot("person")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the person page scrolls sideways at 320 px"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Role", exact=True).select_option(label="Viewer")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_role("link", name="Back to people").click()
    page.get_by_role("link", name="Changes to people's access").click()
    expect(page.get_by_role("cell", name="Deactivated")).to_be_visible()
    admin.assert_accessible("people-changes")
    admin.screenshot("people-changes")
    assert any("new.partner@nhs.example" in message.to for message in mail.outbox)


def test_password_reset_pages(browser_session, demo):
    session = browser_session(javascript=False)
    page = session.page
    page.goto("/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    session.assert_accessible("password-reset")
    page.get_by_label("Email address").fill("lead@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    session.assert_accessible("password-reset-sent")
    link = re.search(r"http://\S+/sign-in/reset/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    session.assert_accessible("password-reset-confirm")
    session.screenshot("password-reset-confirm")
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase-2026")
    page.get_by_label("New password confirmation").fill("a-brand-new-passphrase-2026")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    page.goto(link)
    expect(page.get_by_test_id("link-invalid")).to_be_visible()
    session.assert_accessible("password-reset-used")

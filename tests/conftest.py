"""Shared fixtures: personas, demo data and the browser harness (Playwright driving Debian's Chromium).

Browser tests start the app with pytest-django's live server, drive /usr/bin/chromium, sign in as a
role, run axe-core (WCAG 2.2 AA: a violation fails the test) and save a screenshot when a test fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by test code here
# are still synchronous, so allow them (as djangoproject.com's Playwright tests do).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(autouse=True)
def _fast_passwords(request):
    # Tests that run without Django (the pure importer, under `-p no:django`) have no `settings` fixture.
    if "settings" not in request.fixturenames and not request.config.pluginmanager.hasplugin("django"):
        return
    request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_data_cache(request):
    # Each test's database starts again from the same ids and data revisions, so council figures kept by
    # one test would be found by the next (a real database never reuses a revision): every test starts
    # with none.
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def demo(db):
    """The demo data set (Barnsley and Barnet), as `make run` loads it."""
    from datasets.demo.loader import demo_load

    demo_load()
    from django.contrib.auth import get_user_model

    return {user.username: user for user in get_user_model().objects.all()}


# --- personas (healthchecks' alice/bob/charlie style): one council, its people, and an outsider ----------


@pytest.fixture
def our_council(db):
    from tests.factories import LocalAuthorityFactory

    return LocalAuthorityFactory(name="Ourshire", slug="ourshire")


@pytest.fixture
def their_council(db):
    from tests.factories import LocalAuthorityFactory

    return LocalAuthorityFactory(name="Theirshire", slug="theirshire")


def _persona(username: str, role: str, council, **extra):
    from tests.factories import UserFactory

    return UserFactory(username=username, first_name=username.capitalize(), role=role, authorities=[council], **extra)


@pytest.fixture
def owner(our_council):
    """An improvement lead who owns the action under test."""
    return _persona("owner", "Improvement lead", our_council)


@pytest.fixture
def colleague(our_council):
    """Another improvement lead of the same council: may change the action, may not verify it."""
    return _persona("colleague", "Improvement lead", our_council)


@pytest.fixture
def leader(our_council):
    """A senior leader of the council: comments, and verifies (the second person's check)."""
    return _persona("leader", "Senior leader", our_council)


@pytest.fixture
def partner(our_council):
    """A partner agency's officer: progress notes and evidence on their own actions only."""
    return _persona("partner", "Partner", our_council)


@pytest.fixture
def outsider(their_council):
    """An improvement lead of another council: none of our council's rows exist for them."""
    return _persona("outsider", "Improvement lead", their_council)


@pytest.fixture
def council_admin(our_council):
    """The council's admin, with the admin site's permissions for its models (as the demo's admin)."""
    from django.contrib.auth.models import Permission

    admin = _persona("council-admin", "Admin", our_council, is_staff=True)
    admin.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["inspections", "findings", "actions", "accounts"])
    )
    return admin


# --- browser harness -----------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def demo_totp_code() -> str:
    """The code the demo admin's and partner's authenticator app shows now."""
    from django_otp.oath import totp

    from datasets.demo.data import DEMO_TOTP_KEY

    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY), t0=0, step=30, digits=6, drift=0):06d}"


class BrowserSession:
    """A browser context for one persona, with helpers the UI tests share."""

    def __init__(self, browser, base_url: str, request, *, javascript: bool = True):
        self.base_url = base_url
        self.javascript = javascript
        self._browser = browser
        self.context = browser.new_context(
            base_url=base_url, java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self._request = request
        self.console_errors: list[str] = []
        self.page.on(
            "console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None
        )

    def sign_in(self, username: str, password: str):
        page = self.page
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in", exact=True).click()
        if "/sign-in/two-factor/" in page.url:
            # The demo admin and partner have an authenticator app (two-factor is required of them when
            # TWO_FACTOR_REQUIRED is on): enter its current code, as a person would.
            page.get_by_label("Code").fill(demo_totp_code())
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
        assert "/sign-in/" not in page.url, f"sign-in failed for {username}"
        return page

    def assert_accessible(self, label: str | None = None):
        """Run axe-core on the page as it is now (assert visible content first with playwright's expect,
        so that axe runs on the loaded page).

        axe is JavaScript, so for a session with JavaScript off the page's HTML, as the server sent it and
        without its scripts, is served again to a JavaScript-enabled page at the same URL (same origin,
        same styles) and checked there: what a person without JavaScript gets is what axe checks.
        """
        from axe_playwright_python.sync_playwright import Axe

        target, sibling = self.page, None
        if not self.javascript:
            html = re.sub(r"<script\b[^>]*>.*?</script>", "", self.page.content(), flags=re.S | re.I)
            sibling = self._browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900})
            target = sibling.new_page()
            url = self.page.url
            target.route(
                url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            )
            target.goto(url)
        try:
            results = Axe().run(target, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        finally:
            if sibling is not None:
                sibling.close()
        if results.violations_count:
            self.screenshot(f"axe-{label or 'page'}")
            pytest.fail(f"axe found WCAG 2.2 AA violations on {self.page.url}:\n{results.generate_report()}")

    def screenshot(self, label: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self._request.node.name}-{label}")[:150]
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def browser_session(browser, live_server, request):
    """A factory of browser sessions: `browser_session()` or `browser_session(javascript=False)`."""
    sessions: list[BrowserSession] = []

    def make(*, javascript: bool = True) -> BrowserSession:
        session = BrowserSession(browser, live_server.url, request, javascript=javascript)
        sessions.append(session)
        return session

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, session in enumerate(sessions):
        if failed:
            session.screenshot(f"failure-{index}")
        session.close()


@pytest.fixture
def signed_in(browser_session, demo):
    """Sign in as a demo user: `page = signed_in("lead")`."""
    from datasets.demo.data import DEMO_PASSWORD

    def make(username: str, *, javascript: bool = True) -> BrowserSession:
        session = browser_session(javascript=javascript)
        session.sign_in(username, DEMO_PASSWORD)
        return session

    return make

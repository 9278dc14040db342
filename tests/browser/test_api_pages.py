"""The API tokens page and the API's documentation pages in Chromium: a token made and shown once, then
used and revoked; axe finds no WCAG 2.2 AA violation; no page scrolls sideways at 320 px; the Swagger UI
reference loads its files from the app (no CDN) without a Content-Security-Policy error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return fits


def test_a_person_makes_uses_and_revokes_a_token(signed_in, live_server):
    session = signed_in("lead")
    page = session.page
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    session.assert_accessible("tokens-empty")

    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    session.assert_accessible("tokens-error")

    page.get_by_label("Name").fill("Power BI board report")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    key = page.locator("#new-token-key").inner_text().strip()
    assert key.startswith("ift_") and len(key) > 40
    session.assert_accessible("token-made")
    session.screenshot("token-made")
    assert no_sideways_scroll(page)

    answer = page.request.get(f"{live_server.url}/api/v1/actions/?format=csv",
                              headers={"Authorization": f"Token {key}"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")

    page.goto("/account/api-tokens/")
    assert key not in page.content(), "the key is shown once only"
    card = page.get_by_test_id("token").filter(has_text="Power BI board report")
    expect(card.get_by_text("Active")).to_be_visible()
    card.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    expect(page.get_by_test_id("token").filter(has_text="Power BI board report").locator(".govuk-tag")).to_have_text("Revoked")
    session.assert_accessible("token-revoked")
    refused = page.request.get(f"{live_server.url}/api/v1/actions/", headers={"Authorization": f"Token {key}"})
    assert refused.status == 401
    assert not session.console_errors, session.console_errors


def test_the_api_guide_and_the_swagger_reference(signed_in):
    session = signed_in("leader")
    page = session.page
    page.goto("/api/")
    expect(page.get_by_role("heading", name="The tracker's API")).to_be_visible()
    session.assert_accessible("guide")
    session.screenshot("guide")
    assert no_sideways_scroll(page)

    outside = []
    page.on("request", lambda request: outside.append(request.url) if "127.0.0.1" not in request.url and "localhost" not in request.url else None)
    page.get_by_role("link", name="Interactive reference (Swagger UI)").click()
    # Swagger UI builds the page from the description in the browser: slow on a loaded machine.
    expect(page.get_by_text("Inspection Findings Tracker API").first).to_be_visible(timeout=45_000)
    expect(page.get_by_text("/api/v1/actions/positions/").first).to_be_visible()
    assert not outside, f"the reference fetched from elsewhere: {outside}"
    assert not [e for e in session.console_errors if "Content Security Policy" in e], session.console_errors

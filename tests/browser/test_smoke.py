"""Every demo role signs in and visits every page of the foundation; axe finds no WCAG 2.2 AA violation."""

import pytest
from playwright.sync_api import expect

from actions.models import Action
from inspections.models import Inspection

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["admin", "lead", "leader", "viewer"])
def test_each_demo_role_can_browse_the_foundation_pages(signed_in, username):
    session = signed_in(username)
    page = session.page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Councils", exact=True).click()  # home is now the dashboard
    expect(page.get_by_role("heading", name="Your councils")).to_be_visible()
    session.assert_accessible("authorities")

    page.get_by_role("link", name="Barnsley").click()
    expect(page.get_by_role("heading", name="Barnsley", exact=True)).to_be_visible()
    session.assert_accessible("authority")

    page.get_by_role("link", name="Short inspection").click()
    expect(page.get_by_role("heading", name="Judgements")).to_be_visible()
    expect(page.get_by_text("Requires improvement to be good").first).to_be_visible()
    session.assert_accessible("inspection")

    action = Action.objects.filter(finding__inspection__kind="short_inspection").order_by("id").first()
    page.get_by_role("link", name=action.title).click()
    expect(page.get_by_role("heading", name=action.title)).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    session.assert_accessible("action")
    assert not session.console_errors, session.console_errors


def test_focused_visit_page_shows_the_care_leaver_findings(signed_in):
    session = signed_in("leader")
    visit = Inspection.objects.get(authority__slug="barnsley", kind="focused_visit")
    session.page.goto(visit.get_absolute_url())
    expect(session.page.get_by_text("Earlier opportunities for care leavers")).to_be_visible()
    expect(session.page.get_by_text("Claire Beckingham")).to_be_visible()
    session.assert_accessible("focused-visit")


def test_sign_in_sign_out_and_public_pages_are_accessible(browser_session, demo):
    from datasets.demo.data import DEMO_PASSWORD

    session = browser_session()
    page = session.page
    page.goto("/authorities/")
    assert "/sign-in/" in page.url
    session.assert_accessible("sign-in")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    session.assert_accessible("sign-in-error")
    session.sign_in("lead", DEMO_PASSWORD)
    assert "Barnsley Council" in page.get_by_test_id("council-label").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")
    page.goto("/accessibility/")
    session.assert_accessible("accessibility")


def test_pages_work_without_javascript(signed_in):
    session = signed_in("lead", javascript=False)
    session.page.goto("/authorities/barnsley/")
    expect(session.page.get_by_role("heading", name="Inspections and visits")).to_be_visible()
    session.assert_accessible("no-js-authority")


def test_barnet_user_cannot_open_barnsley_in_the_browser(signed_in):
    session = signed_in("barnet-lead")
    visit = Inspection.objects.get(authority__slug="barnsley", kind="focused_visit")
    response = session.page.goto(visit.get_absolute_url())
    assert response.status == 404
    expect(session.page.get_by_role("heading", name="Page not found")).to_be_visible()

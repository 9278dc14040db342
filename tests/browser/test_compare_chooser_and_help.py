"""Choosing visits to compare (without JavaScript), the help page, and the stale flags a leader sees."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from inspections.models import LocalAuthority

pytestmark = pytest.mark.browser


def test_leader_chooses_two_visits_to_compare_without_javascript(signed_in):
    session = signed_in("leader", javascript=False)
    page = session.page
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    visits = list(barnsley.inspections.order_by("-visit_start", "-id"))
    assert len(visits) >= 2
    page.goto("/authorities/barnsley/compare/")
    chooser = page.get_by_test_id("visit-chooser")
    chooser.locator("summary").click()  # a native <details>: opens without JavaScript
    boxes = chooser.get_by_role("checkbox")
    expect(boxes).to_have_count(len(visits))
    for index in range(len(visits)):
        if boxes.nth(index).is_checked():
            boxes.nth(index).uncheck()
    # The oldest and the newest visit.
    boxes.nth(0).check()
    boxes.nth(len(visits) - 1).check()
    with page.expect_navigation():
        chooser.get_by_role("button", name="Compare these visits").click()
    expect(page.get_by_test_id("visit-window")).to_contain_text("Comparing the 2 visits you chose")
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(2)
    session.assert_accessible("compare-chosen")
    session.screenshot("compare-chosen")

    # One visit only: a clear error, linked from the summary to the checkboxes.
    page.get_by_test_id("visit-chooser").locator("summary").click()
    boxes = page.get_by_test_id("visit-chooser").get_by_role("checkbox")
    boxes.nth(0).uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Compare these visits").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least two visits to compare")
    expect(page.locator(".govuk-error-message")).to_contain_text("Choose at least two visits to compare")
    assert page.title().startswith("Error:")
    session.assert_accessible("compare-error")
    session.screenshot("compare-error")
    # The chooser reflows at 320 px: nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_help_page_is_linked_from_the_footer_and_accessible(signed_in):
    session = signed_in("leader")
    page = session.page
    page.get_by_role("link", name="How the tracker works").click()
    expect(page.get_by_role("heading", name="How the tracker works", level=1)).to_be_visible()
    for heading in ("Red, amber and green (RAG)", "Completing and verifying an action",
                    "Ofsted's deadlines: 20 and 70 working days", "The monthly update cycle"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    session.assert_accessible("help")
    session.screenshot("help")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_stale_actions_on_the_dashboard_and_the_list(signed_in):
    session = signed_in("leader")
    page = session.page
    page.goto("/authorities/barnsley/dashboard/")
    figure = page.get_by_test_id("figure-stale")
    expect(figure).to_be_visible()
    expect(page.get_by_test_id("figures-rag")).to_be_visible()
    session.assert_accessible("dashboard")
    session.screenshot("dashboard")
    with page.expect_navigation():
        figure.click()
    assert "stale=1" in page.url
    expect(page.get_by_label("No recent progress update")).to_be_checked()
    session.assert_accessible("stale-list")
    session.screenshot("stale-list")

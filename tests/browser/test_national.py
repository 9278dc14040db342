"""The national picture in a browser: Ofsted's published outcomes imported for every council, the /national/
page filtered and sorted (GET, with or without JavaScript), and a council's compare page against its
region and England; axe on each, and no sideways scrolling at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.permissions import SYSTEM
from inspections.services import published_outcomes_import
from tests.inspections.published_outcomes_file import outcomes_ods

pytestmark = pytest.mark.browser


@pytest.fixture
def published(demo):
    return published_outcomes_import(user=SYSTEM, source=outcomes_ods())


def _no_sideways_scroll(page, what: str):
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"the {what} scrolls sideways at 320 px"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_leader_reads_the_national_picture_and_their_council_against_it(signed_in, published, javascript):
    session = signed_in("leader", javascript=javascript)
    page = session.page
    page.get_by_role("link", name="National picture").click()
    expect(page.get_by_role("heading", name="National picture", level=1)).to_be_visible()
    expect(page.get_by_test_id("national-count")).to_contain_text("153 councils in England")
    table = page.get_by_role("region", name="Councils and their latest grades")
    expect(table.get_by_role("rowheader", name="Westminster")).to_be_visible()
    session.assert_accessible("national")
    session.screenshot("national")

    page.get_by_label("Ofsted region").select_option("London")
    page.get_by_label("Sort by").select_option("-grade")
    page.get_by_role("button", name="Show councils").click()
    expect(page.get_by_test_id("national-count")).to_contain_text("33 councils in the London region")
    assert "region=London" in page.url and "sort=-grade" in page.url
    expect(table.get_by_role("rowheader", name="Barnsley")).to_have_count(0)
    first_grade = table.locator("tbody tr").first.locator("td").first
    expect(first_grade).to_contain_text("Inadequate")
    # The column heading sorts too: by time since the last inspection, longest first.
    page.get_by_role("link", name="Last graded inspection").click()
    assert "sort=inspected" in page.url and "region=London" in page.url
    session.assert_accessible("national-london")
    _no_sideways_scroll(page, "national page")
    session.screenshot("national-320")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/authorities/barnsley/compare/")
    section = page.get_by_test_id("national-grades")
    expect(section.get_by_role("heading", name="Against the region and England")).to_be_visible()
    grades = section.get_by_role("table")
    expect(grades.get_by_role("columnheader", name="North East, Yorkshire and the Humber")).to_be_visible()
    expect(grades.get_by_role("columnheader", name="England")).to_be_visible()
    expect(grades.get_by_role("rowheader", name="Overall effectiveness")).to_be_visible()
    session.assert_accessible("compare-national")
    section.screenshot(path=str(session.screenshot("compare").with_name(f"compare-national-{'js' if javascript else 'no-js'}.png")))
    _no_sideways_scroll(page, "compare page")
    session.screenshot("compare-320")

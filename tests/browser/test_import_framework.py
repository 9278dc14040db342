"""The newest letters in the browser: national framework tags beside each point, and a "what needs to
improve" heading with no point read shown as an error that Confirm cannot pass without an explicit tick.
axe on each page, and the page at 320 px without sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from findings.models import Finding
from inspections.models import Inspection
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.browser

LETTER = """6 November 2025
Dear Ms Director
Focused visit to Barnet children’s services
This letter summarises the findings of the focused visit to Barnet children’s services on 7 and
8 October 2025. His Majesty’s Inspectors for this visit were Rachel Fairhurst and Rebekah Tucker.
Inspectors looked at the local authority’s arrangements for children in need and those children
subject to a child protection plan.
Headline findings
Leaders have sustained a culture of continuous improvement.
What needs to improve in this area of social work practice?1
{points}
Main findings
The request for support hub ensures that referrals progress without delay.
1
The areas for improvement have been cross-referenced with the outcomes, enablers or principles in
the Children’s Social Care: National Framework. This statutory guidance sets out the purpose,
principles for practice and expected outcomes of children’s social care.
Yours sincerely
Rachel Fairhurst
His Majesty’s Inspector
"""
POINTS = """◼ The consistency and quality of safety planning for children. (Outcome 3, national framework)
◼ The quality of supervision and management oversight. (Enabler 3,
national framework)"""


def _paste(page, text):
    page.goto("/import/")
    page.get_by_label("Or paste the text of the letter or report").fill(text)
    page.get_by_role("button", name="Read the document").click()
    expect(page.get_by_role("heading", name="Check the imported publication")).to_be_visible()


def _no_sideways_scroll(page):
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_tags_are_shown_corrected_and_saved(signed_in, private_storage):
    session = signed_in("admin")
    page = session.page
    _paste(page, LETTER.format(points=POINTS))
    expect(page.locator("#id_points-0-text")).to_have_value("The consistency and quality of safety planning for children.")
    expect(page.get_by_text("National framework: Outcome 3")).to_be_visible()
    expect(page.get_by_text("National framework: Enabler 3")).to_be_visible()
    expect(page.get_by_text("No improvement point was read")).to_have_count(0)
    session.assert_accessible("preview-tags")
    page.get_by_text("National framework: Enabler 3").click()
    page.get_by_label("Principle 1: Children's welfare is paramount").nth(1).check()
    session.assert_accessible("preview-tags-open")
    _no_sideways_scroll(page)
    session.screenshot("preview-tags")
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_text("Imported focused visit of Barnet")).to_be_visible()
    inspection = Inspection.objects.get(authority__slug="barnet", visit_start="2025-10-07")
    assert list(inspection.findings.order_by("position").values_list("framework_refs", flat=True)) == [
        ["outcome 3"], ["enabler 3", "principle 1"]
    ]


def test_no_point_read_is_an_error_that_needs_an_explicit_tick(signed_in, private_storage):
    session = signed_in("admin")
    page = session.page
    _paste(page, LETTER.format(points=""))
    expect(page.get_by_text("No improvement point was read")).to_be_visible()
    expect(page.get_by_role("heading", name="Text under the heading in the publication")).to_be_visible()
    assert page.title().startswith("Error:")
    session.assert_accessible("preview-no-points")
    _no_sideways_scroll(page)
    session.screenshot("preview-no-points")
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_role("link", name="The publication has a “What needs to improve” section")).to_be_visible()
    session.assert_accessible("preview-no-points-error")
    assert not Inspection.objects.filter(authority__slug="barnet", visit_start="2025-10-07").exists()
    page.get_by_label("This publication names nothing to improve").check()
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_text("Imported focused visit of Barnet")).to_be_visible()
    inspection = Inspection.objects.get(authority__slug="barnet", visit_start="2025-10-07")
    assert not Finding.objects.filter(inspection=inspection).exists()


def test_add_another_point_opens_at_the_new_box_with_focus_in_it(signed_in, private_storage):
    session = signed_in("admin")
    page = session.page
    _paste(page, LETTER.format(points=POINTS))
    page.get_by_role("button", name="Add another point").click()
    expect(page.get_by_role("heading", name="Point 3 of 3")).to_be_visible()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_points-2-text'")
    top = page.evaluate("document.getElementById('id_points-2-text').getBoundingClientRect().top")
    assert 0 <= top < 900  # scrolled to the new box, not back at the top of the page
    page.keyboard.type("Typed straight into the new box.")
    expect(page.locator("#id_points-2-text")).to_have_value("Typed straight into the new box.")
    session.assert_accessible("preview-added-point")

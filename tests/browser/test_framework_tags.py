"""National framework tags in the browser: an admin tags a finding on its edit page; a senior leader sees
progress by outcome and enabler on the dashboard and follows a row to the filtered action list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from findings.models import Finding
from inspections.models import LocalAuthority
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.browser

OUTCOME_4 = "Outcome 4: Children in care and care leavers have stable, loving homes"
ENABLER_2 = "Enabler 2: Leaders drive conditions for effective practice"


def _current_plan():
    from dashboards.selectors import inspections_with_actions

    return inspections_with_actions(LocalAuthority.objects.get(slug="barnsley")).first()


def test_an_admin_tags_a_finding_on_its_edit_page(signed_in):
    plan = _current_plan()
    finding = plan.findings.order_by("-kind", "position").first()
    session = signed_in("admin")
    page = session.page
    page.goto(plan.get_absolute_url())
    page.locator(f"#finding-{finding.pk}").get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change")
    page.get_by_label(OUTCOME_4).check()
    page.get_by_label(ENABLER_2).check()
    session.assert_accessible("finding-edit")
    session.screenshot("finding-edit")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save the finding").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text(OUTCOME_4)
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text(ENABLER_2)
    finding.refresh_from_db()
    assert finding.framework_refs == ["outcome 4", "enabler 2"]

    # Bad input: an empty text is refused with a message, and nothing changes.
    page.goto(f"/inspections/{plan.pk}/findings/{finding.pk}/")
    page.get_by_label("What needs to improve").fill("")
    page.get_by_role("button", name="Save the finding").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what needs to improve")
    session.assert_accessible("finding-edit-error")
    assert Finding.objects.get(pk=finding.pk).text == finding.text


def test_the_dashboard_shows_progress_by_outcome_and_the_list_filters_by_it(signed_in):
    plan = _current_plan()
    findings = list(plan.findings.order_by("-kind", "position"))
    Finding.objects.filter(pk=findings[0].pk).update(framework_refs=["outcome 4", "enabler 2"])
    Finding.objects.filter(pk__in=[f.pk for f in findings[1:3]]).update(framework_refs=["outcome 1"])
    session = signed_in("leader")
    page = session.page
    page.goto("/authorities/barnsley/dashboard/")
    table = page.get_by_test_id("progress-by-framework")
    expect(table).to_contain_text(OUTCOME_4)
    expect(table).to_contain_text(ENABLER_2)
    expect(page.locator("canvas[data-chart='framework']")).to_be_visible()
    session.assert_accessible("dashboard-framework")
    page.get_by_role("heading", name="Progress by national framework outcome and enabler").scroll_into_view_if_needed()
    session.screenshot("dashboard-framework")
    # At 320 px the outcome table stays within the page: wider, it scrolls inside its own labelled region.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    region = page.get_by_role("region", name="Actions by outcome or enabler")
    expect(region).to_be_visible()
    assert region.bounding_box()["x"] + region.bounding_box()["width"] <= 320
    page.set_viewport_size({"width": 1280, "height": 900})

    link = table.get_by_role("link", name=OUTCOME_4)
    assert parse_qs(urlsplit(link.get_attribute("href")).query)["framework"] == ["outcome 4"]
    link.click()
    page.wait_for_load_state()
    expect(page.get_by_label("National framework")).to_have_value("outcome 4")
    expect(page.locator("main")).to_contain_text(f"National framework: {OUTCOME_4}")
    for action in findings[0].actions.all():
        expect(page.get_by_role("link", name=action.title).first).to_be_visible()
    session.assert_accessible("action-list-framework")
    session.screenshot("action-list-framework")
    assert not [e for e in session.console_errors if "404" not in e], session.console_errors


def test_the_preview_shows_the_document_beside_the_points(signed_in, private_storage):  # noqa: F811
    from tests.browser.test_import_framework import LETTER, POINTS, _paste

    session = signed_in("admin")
    page = session.page
    _paste(page, LETTER.format(points=POINTS))
    region = page.get_by_role("region", name="The document as read")
    expect(region).to_be_visible()
    marked = region.locator(".app-source__line--point")
    expect(marked.first).to_contain_text("Point 1")
    expect(marked.first).to_contain_text("The consistency and quality of safety planning")
    expect(region.locator(".app-source__line--point", has_text="Point 2")).to_have_count(1)
    expect(page.get_by_role("heading", name="The action plan")).to_be_visible()
    session.assert_accessible("preview-source")
    session.screenshot("preview-source")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    session.screenshot("preview-source-320")

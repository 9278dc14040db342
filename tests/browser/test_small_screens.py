"""At 320 px (WCAG 2.2 reflow) no page scrolls sideways, axe finds nothing, the action lists' filters
sit behind a "Show filters" toggle, and the header's search box works; with and without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Action
from inspections.models import ImportDraft, Inspection
from tests.browser.test_import_journey import BARNET_REPORT_TEXT
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}

# What overflows, named for the failure message: the widest elements past the viewport's right edge.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const wide = [];
  if (root.scrollWidth > root.clientWidth) {
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      let clipped = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') { clipped = up.getBoundingClientRect().right <= root.clientWidth; break; }
      }
      if (box.right > root.clientWidth + 1 && !clipped) {
        wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.') + ' ' + Math.round(box.right));
      }
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide.slice(0, 8)};
}"""


def _pages(admin_user) -> dict[str, str]:
    barnsley_visit = Inspection.objects.get(authority__slug="barnsley", kind="short_inspection")
    action = Action.objects.filter(finding__inspection=barnsley_visit).order_by("pk").first()
    return {
        "dashboard": reverse("dashboards:dashboard", kwargs={"slug": "barnsley"}),
        "dashboard home": reverse("dashboards:home"),
        "my actions": reverse("actions:my_actions"),
        "action list": reverse("actions:action_list"),
        "action": action.get_absolute_url(),
        "add action": reverse("actions:action_add", kwargs={"finding_pk": action.finding_id}),
        "plan dates": reverse("actions:plan_record", kwargs={"pk": barnsley_visit.pk}),
        "inspection": barnsley_visit.get_absolute_url(),
        "compare": reverse("dashboards:compare", kwargs={"slug": "barnsley"}),
        "board report": reverse("dashboards:board_report", kwargs={"slug": "barnsley"}),
        "overview": reverse("dashboards:overview"),
        "council list": reverse("inspections:authority_list"),
        "council": reverse("inspections:authority_detail", kwargs={"slug": "barnsley"}),
        "import": reverse("inspections:import_start"),
        "plan import": reverse("actions:plan_import"),
        "people": reverse("accounts:people"),
        "person": reverse("accounts:person_detail", kwargs={"pk": admin_user.pk}),
        "people changes": reverse("accounts:people_changes"),
        "invite": reverse("accounts:person_invite"),
        "search": reverse("search:results") + "?q=care+leavers",
        "two-factor": reverse("accounts:two_factor"),
    }


def _assert_no_sideways_scroll(page, name):
    measured = page.evaluate(OVERFLOW_JS)
    assert measured["scroll"] <= measured["client"], f"{name} scrolls sideways at 320 px: {measured}"


def test_every_main_page_fits_320_px_and_passes_axe(signed_in, demo, private_storage):
    session = signed_in("admin")
    page = session.page
    page.set_viewport_size(NARROW)
    failures = []
    for name, url in _pages(demo["admin"]).items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        measured = page.evaluate(OVERFLOW_JS)
        if measured["scroll"] > measured["client"]:
            failures.append(f"{name} ({url}): {measured}")
        if name in ("dashboard", "my actions", "inspection") or measured["scroll"] > measured["client"]:
            session.screenshot(f"320-{name}")  # test-artifacts/, to look at
        try:
            session.assert_accessible(name.replace(" ", "-"))
        except pytest.fail.Exception as error:
            failures.append(f"{name} ({url}): {str(error)[:600]}")
    # The letter import's preview, reached as an admin does.
    page.goto(reverse("inspections:import_start"))
    page.get_by_label("Or paste the text of the letter or report").fill(BARNET_REPORT_TEXT.read_text())
    page.get_by_role("button", name="Read the document").click()
    expect(page.get_by_role("heading", name="Check the imported publication")).to_be_visible()
    assert ImportDraft.objects.exists()
    measured = page.evaluate(OVERFLOW_JS)
    if measured["scroll"] > measured["client"]:
        failures.append(f"import preview: {measured}")
    session.assert_accessible("import-preview")
    assert not failures, "\n".join(failures)


def test_wide_tables_scroll_in_labelled_focusable_regions(signed_in):
    session = signed_in("lead")
    page = session.page
    page.set_viewport_size(NARROW)
    page.goto(reverse("actions:action_list"))
    region = page.get_by_role("region", name="Actions")
    expect(region).to_be_visible()
    assert region.get_attribute("tabindex") == "0"
    region.focus()
    page.keyboard.press("ArrowRight")
    _assert_no_sideways_scroll(page, "action list")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_my_actions_puts_the_filters_behind_a_toggle_on_a_small_screen(signed_in, javascript):
    session = signed_in("lead", javascript=javascript)
    page = session.page
    page.set_viewport_size(NARROW)
    page.goto(reverse("actions:action_list"))
    status = page.get_by_role("group", name="Status")
    toggle = page.locator("summary.app-filter-toggle__summary")
    expect(page.get_by_text("Show filters")).to_be_visible()
    expect(page.get_by_text("Hide filters")).to_be_hidden()
    expect(status).to_be_hidden()
    # The list comes straight after the toggle: its heading is on the first screen.
    assert page.get_by_role("heading", name="actions", exact=False).first.bounding_box()["y"] < NARROW["height"]
    toggle.click()
    expect(status).to_be_visible()
    expect(page.get_by_text("Hide filters")).to_be_visible()
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Selected filters")).to_be_visible()  # the filters in use, above the toggle
    _assert_no_sideways_scroll(page, "filtered list")
    if javascript:
        session.assert_accessible("filters-open")


def test_on_a_wide_screen_the_filters_are_open_with_javascript(signed_in):
    session = signed_in("lead")
    session.page.goto(reverse("actions:my_actions"))
    expect(session.page.get_by_role("group", name="Status")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_header_search_finds_a_finding_at_320_px(signed_in, javascript):
    session = signed_in("lead", javascript=javascript)
    page = session.page
    page.set_viewport_size(NARROW)
    page.goto(reverse("actions:my_actions"))
    page.get_by_role("search").get_by_label("Search inspections, findings and actions").fill("care leavers")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Findings")).to_be_visible()
    expect(page.locator("#group-findings + ol li").first).to_be_visible()
    _assert_no_sideways_scroll(page, "search results")
    session.screenshot("search-320")


def test_the_date_input_explains_an_impossible_date(signed_in):
    session = signed_in("lead")
    page = session.page
    page.set_viewport_size(NARROW)
    action = Action.objects.filter(finding__inspection__authority__slug="barnsley", status="in_progress").first()
    page.goto(action.get_absolute_url())
    due = page.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2031")
    page.get_by_label("Reason for changing the due date").fill("Moved")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("The due date must be a real date").first).to_be_visible()
    _assert_no_sideways_scroll(page, "action with an error")
    session.assert_accessible("date-error")

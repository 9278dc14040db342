"""Owners without accounts in the browser: a lead edits an action's details (title, owner, due date with
its reason) on the action's own page, and keeps the council's owners; axe checks each page and state."""

import pytest
from playwright.sync_api import expect

from actions.models import Action, Owner, Status

pytestmark = pytest.mark.browser


def _open_action():
    return (Action.objects.filter(finding__inspection__authority__slug="barnsley", status=Status.IN_PROGRESS)
            .order_by("id").first())


def test_a_lead_edits_an_actions_details_and_gives_it_an_owner_without_an_account(signed_in, demo):
    action = _open_action()
    nurse = Owner.objects.get(name="Jo Carter")
    session = signed_in("lead")
    page = session.page
    page.goto(action.get_absolute_url())
    page.get_by_role("link", name="Edit action details").click()
    expect(page.get_by_role("heading", name="Edit action details")).to_be_visible()
    session.assert_accessible("details-form")
    session.screenshot("details-form")
    page.get_by_label("Action", exact=True).fill("Review every out-of-date pathway plan by March")
    page.get_by_label("Owner").select_option(label=nurse.description)
    due = page.get_by_role("group", name="Due date")  # the GOV.UK date input: day, month and year
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("3")
    due.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Enter why the due date is changing.").first).to_be_visible()
    session.assert_accessible("details-error")
    assert Action.objects.get(pk=action.pk).version == action.version  # nothing saved
    page.get_by_label("Reason for changing the due date").fill("Agreed at the improvement board")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("The action's details were saved.")).to_be_visible()
    expect(page.get_by_test_id("timeline").get_by_text("Owner:", exact=False).first).to_be_visible()
    saved = Action.objects.get(pk=action.pk)
    assert (saved.title, saved.owner, saved.version) == (
        "Review every out-of-date pathway plan by March", nurse, action.version + 1)
    session.assert_accessible("action-after-details")


def test_a_lead_adds_an_owner_on_the_councils_owners_page(signed_in, demo):
    session = signed_in("lead")
    page = session.page
    page.goto("/authorities/barnsley/owners/")
    expect(page.get_by_role("heading", name="Owners of actions")).to_be_visible()
    expect(page.get_by_test_id("owners").get_by_role("link", name="Mo Khan", exact=True)).to_be_visible()
    session.assert_accessible("owners")
    session.screenshot("owners")
    page.get_by_role("button", name="Add an owner").click()
    page.get_by_label("Name").fill("B. Barnet")
    page.get_by_label("Email address (optional)").fill("not an email")
    page.get_by_role("button", name="Save owner").click()
    expect(page.get_by_text("Enter an email address in the correct format").first).to_be_visible()
    session.assert_accessible("owner-form-error")
    page.get_by_label("Email address (optional)").fill("")
    page.get_by_label("Organisation (optional)").fill("Barnsley Council")
    page.get_by_role("button", name="Save owner").click()
    expect(page.get_by_text("B. Barnet was added to Barnsley's owners.")).to_be_visible()
    assert Owner.objects.filter(authority__slug="barnsley", name="B. Barnet", user=None).exists()


def test_the_owners_page_fits_a_small_screen(signed_in, demo):
    session = signed_in("lead")
    page = session.page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/authorities/barnsley/owners/")
    expect(page.get_by_role("heading", name="Owners of actions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    region = page.get_by_role("region", name="Owners of actions")
    assert region.evaluate("e => e.getBoundingClientRect().right") <= 320
    session.screenshot("owners-320")

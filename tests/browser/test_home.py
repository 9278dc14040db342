""""Your tasks" as each role's home, and the partner's whole journey: sign in, home, their action, a note and
evidence, Complete; a senior leader finds it awaiting verification and verifies it. axe on every page, no
sideways scrolling at 320 px, and no link on a visited page that leads nowhere."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from actions.models import Action, Status

pytestmark = pytest.mark.browser


def assert_no_dead_ends(session, checked: set[str]) -> None:
    """Every same-site link on the page answers 200 for this person (asked with their cookies)."""
    page = session.page
    base = urlsplit(session.base_url)
    hrefs = page.eval_on_selector_all("main a[href], header a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:")):
            continue
        url = urljoin(page.url, href)
        if urlsplit(url).netloc != base.netloc or url in checked:
            continue
        checked.add(url)
        response = session.context.request.get(url)
        assert response.status == 200, f"{href} on {page.url} answers {response.status}"


def assert_no_sideways_scroll(session, label: str) -> None:
    page = session.page
    page.set_viewport_size({"width": 320, "height": 800})
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (
            f"{label} scrolls sideways at 320 px"
        )
        session.screenshot(f"{label}-320")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("username", ["admin", "lead", "leader", "viewer", "partner"])
def test_each_role_lands_on_their_tasks(signed_in, username):
    session = signed_in(username)
    page = session.page
    expect(page.get_by_role("heading", name="Your tasks", level=1)).to_be_visible()
    expect(page.get_by_text("not a member of any council")).to_have_count(0)
    menu = page.get_by_role("navigation", name="Menu")
    council_pages = ["Dashboard", "Compare visits", "Councils", "All actions"]
    for label in council_pages:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0 if username == "partner" else 1)
    if username in ("admin", "leader"):
        expect(page.get_by_test_id("checker-tasks")).to_be_visible()
    if username in ("lead", "partner"):
        expect(page.get_by_test_id("owner-tasks")).to_be_visible()
    if username == "partner":
        expect(page.get_by_test_id("partner-actions").get_by_role("link")).to_have_count(1)
    session.assert_accessible(f"home-{username}")
    session.screenshot(f"home-{username}")
    assert_no_sideways_scroll(session, f"home-{username}")
    assert_no_dead_ends(session, set())
    assert not session.console_errors, session.console_errors


def test_the_partner_journey_from_home_to_a_verified_action(signed_in, demo):
    action = Action.objects.get(owner__user__username="partner")
    checked: set[str] = set()

    partner = signed_in("partner")
    page = partner.page
    expect(page.get_by_role("heading", name="Your tasks", level=1)).to_be_visible()
    assert_no_dead_ends(partner, checked)

    page.get_by_test_id("partner-actions").get_by_role("link", name=action.title).click()
    expect(page.get_by_role("heading", name=action.title, level=1)).to_be_visible()
    # The finding is shown where they are, not linked to an inspection page they cannot open.
    expect(page.get_by_text(action.finding.text, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="See the finding")).to_have_count(0)
    expect(page.get_by_test_id("role-hint")).to_have_text(
        "As a partner you can add notes and evidence and mark the action Complete for a checker to verify."
    )
    partner.assert_accessible("partner-action")
    assert_no_dead_ends(partner, checked)

    # Complete before any evidence is refused with why; then a note and evidence with it.
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Add evidence (a file, a link or a summary) before marking the action complete.").first).to_be_visible()
    partner.assert_accessible("partner-action-error")
    page.get_by_label("Progress update").fill("Attendance is now recorded at every strategy meeting")
    page.get_by_label("Evidence summary").fill("Attendance log for the last three strategy meetings")
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Your update was saved.").wait_for()
    expect(page.get_by_test_id("action-tags").get_by_text("Complete")).to_be_visible()
    partner.assert_accessible("partner-action-complete")
    assert_no_dead_ends(partner, checked)
    action.refresh_from_db()
    assert action.status == Status.COMPLETE
    partner.screenshot("partner-action-complete")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My actions", exact=True).click()
    expect(page.get_by_role("heading", name="My actions", level=1)).to_be_visible()
    partner.assert_accessible("partner-my-actions")
    assert_no_dead_ends(partner, checked)

    # A senior leader finds it from their home among the actions awaiting verification, and verifies it.
    leader = signed_in("leader")
    lpage = leader.page
    waiting = Action.objects.filter(finding__inspection__authority__slug="barnsley", status=Status.COMPLETE).count()
    figure = lpage.get_by_test_id("task-awaiting_verification")
    expect(figure).to_contain_text(str(waiting))
    figure.click()
    expect(lpage.get_by_role("heading", name=f"{waiting} action")).to_be_visible()
    lpage.get_by_role("link", name=action.title).click()
    expect(lpage.get_by_role("heading", name=action.title, level=1)).to_be_visible()
    lpage.get_by_label("Verify and close").check()
    lpage.get_by_role("button", name="Save decision").click()
    lpage.get_by_text("The action is verified and closed.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.CLOSED

    # Back on the partner's side, their action shows as closed, and still no link leads nowhere.
    page.goto("/")
    expect(page.get_by_test_id("partner-actions")).to_contain_text("Closed")
    assert_no_dead_ends(partner, checked)

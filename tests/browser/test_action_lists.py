"""A lead filters, sorts and pages their actions (with and without JavaScript), changes several at once,
imports a plan, and every page passes axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, ActionUpdate, Status
from tests.factories import action_through_services

pytestmark = pytest.mark.browser


def _many_overdue_for(username: str, count: int = 30) -> None:
    from django.contrib.auth import get_user_model

    lead = get_user_model().objects.get(username=username)
    finding = Action.objects.filter(owner__user=lead).select_related("finding").first().finding
    today = timezone.localdate()
    for n in range(count):
        action_through_services(finding=finding, title=f"Backlog case review {n:02d}", owner=lead, status=Status.IN_PROGRESS,
                      due_date=today - dt.timedelta(days=60 + n))


def _filter_to_my_overdue(page) -> None:
    page.get_by_role("link", name="All actions").click()
    expect(page.get_by_role("heading", name="All actions", exact=True)).to_be_visible()
    page.wait_for_load_state()  # app.js has run: on a wide screen it opens the filters
    if page.get_by_text("Show filters").is_visible():  # without JavaScript they start folded (MOJ filter pattern)
        page.locator("summary.app-filter-toggle__summary").click()
    page.get_by_label("Overdue only").check()
    page.get_by_label("Owner", exact=True).select_option(label="Lee Lead")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="32 actions match your filters")).to_be_visible()
    assert "overdue=true" in page.url and "owner=" in page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_lead_filters_to_their_overdue_actions_sorts_and_pages(signed_in, javascript):
    _many_overdue_for("lead")
    session = signed_in("lead", javascript=javascript)
    page = session.page
    _filter_to_my_overdue(page)
    if javascript:  # axe runs as a script, so it checks the page with JavaScript on
        session.assert_accessible("filtered")
    rows = page.locator("table.app-action-table tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("table.app-action-table tbody").get_by_text("Overdue", exact=True)).to_have_count(25)

    # 32 overdue: 25 on the first page, 7 on the second. Sorted by due date (oldest first) already: the header toggles to newest first.
    due_header = page.locator("th", has=page.get_by_role("link", name=re.compile(r"^Due")))
    expect(due_header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_contain_text("Backlog case review 29")
    page.get_by_role("link", name=re.compile(r"^Due")).click()
    expect(due_header).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Multi-agency referral quality workshop")
    assert "sort=-due" in page.url and "overdue=true" in page.url

    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(7)
    expect(rows.last).to_contain_text("Backlog case review 29")
    assert "page=2" in page.url and "sort=-due" in page.url and "overdue=true" in page.url
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    if javascript:
        session.assert_accessible("page-2")

    # The URL is the view: opening it afresh shows the same page.
    url = page.url
    page.goto(url)
    expect(page.get_by_label("Overdue only")).to_be_checked()
    expect(rows).to_have_count(7)

    page.get_by_role("link", name="Clear filters").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ actions$"))).to_be_visible()


def test_my_actions_lists_overdue_first(signed_in):
    session = signed_in("lead")
    page = session.page
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", name="My actions", exact=True)).to_be_visible()
    rows = page.locator("table.app-action-table tbody tr")
    expect(rows.first).to_contain_text("Overdue")
    expect(page.get_by_role("link", name="My actions")).to_have_attribute("aria-current", "true")
    session.assert_accessible("my-actions")


def test_bulk_change_with_confirmation_records_history(signed_in):
    session = signed_in("lead")
    page = session.page
    page.goto("/actions/?overdue=true&sort=title")
    first, second = Action.objects.filter(
        title__in=["Multi-agency referral quality workshop with police and health", "Review all out-of-date pathway plans"]
    ).order_by("title")
    page.get_by_label(f"Select {first.title}").check()
    page.get_by_label(f"Select {second.title}").check()
    new_date = timezone.localdate() + dt.timedelta(days=45)
    new_due = page.get_by_role("group", name="New due date")
    new_due.get_by_label("Day").fill(str(new_date.day))
    new_due.get_by_label("Month").fill(str(new_date.month))
    new_due.get_by_label("Year").fill(str(new_date.year))
    page.get_by_label("Reason for the change").fill("Replanned at the March improvement board")
    page.get_by_role("button", name="Check changes").click()
    expect(page.get_by_role("heading", name="Check your changes before they are saved")).to_be_visible()
    expect(page.get_by_text(f"{new_date.day} {new_date:%B %Y}")).to_be_visible()
    session.assert_accessible("bulk-confirm")
    assert ActionUpdate.objects.filter(note="Replanned at the March improvement board").count() == 0
    page.get_by_role("button", name="Change 2 actions").click()
    expect(page.get_by_text("Changed 2 actions.")).to_be_visible()
    assert "overdue=true" in page.url and "sort=title" in page.url  # back to the same view
    session.assert_accessible("bulk-done")
    for action in (first, second):
        action.refresh_from_db()
        assert action.due_date == new_date
        assert action.updates.filter(note="Replanned at the March improvement board").count() == 1


def test_bulk_change_errors_keep_what_was_typed(signed_in):
    session = signed_in("lead")
    page = session.page
    page.goto("/actions/?overdue=true")
    page.locator("input[name=selected]").first.check()
    page.get_by_label("Reason for the change").fill("Board decision")
    page.get_by_role("button", name="Check changes").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Reason for the change")).to_have_value("Board decision")
    session.assert_accessible("bulk-error")


def test_import_a_plan_through_every_step(signed_in, tmp_path):
    from inspections.models import Inspection

    visit = Inspection.objects.get(authority__slug="barnsley", kind="focused_visit")
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text(
        "Finding,Action,Owner,Due date,Status,RAG\n"
        "Improvement 4,Quarterly data integrity audit,Amir Hussain,30/06/2027,Not started,Green\n"
        "Improvement 5,Practice week for care-leaver workers,lead,31 July 2027,In progress,Amber\n"
    )
    session = signed_in("lead")
    page = session.page
    page.goto("/actions/")
    page.get_by_role("link", name="Import an action plan from a spreadsheet").click()
    session.assert_accessible("import-upload")
    page.get_by_label("Which inspection or visit is this plan for?").select_option(value=str(visit.pk))
    page.get_by_label("Upload the action plan").set_input_files(str(csv_file))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Match your columns")).to_be_visible()
    session.assert_accessible("import-columns")
    page.get_by_role("button", name="Check the rows").click()
    expect(page.get_by_role("heading", name="Check the actions before importing")).to_be_visible()
    session.assert_accessible("import-check")
    page.get_by_role("button", name="Import 2 actions").click()
    expect(page.get_by_text("Imported 2 actions")).to_be_visible()
    expect(page.get_by_role("link", name="Practice week for care-leaver workers")).to_be_visible()
    assert Action.objects.get(title="Quarterly data integrity audit").owner.user.username == "ahussain"


def test_import_errors_page_is_accessible(signed_in, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("Finding,Action,Owner\nImprovement 9,Nowhere,nobody\n")
    session = signed_in("lead")
    page = session.page
    page.goto("/actions/import/")
    page.get_by_label("Which inspection or visit is this plan for?").select_option(index=1)
    page.get_by_label("Upload the action plan").set_input_files(str(csv_file))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Check the rows").click()
    expect(page.get_by_text("nothing has been saved")).to_be_visible()
    session.assert_accessible("import-errors")
    page.goto("/actions/import/")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Choose a spreadsheet to upload").first).to_be_visible()
    session.assert_accessible("import-upload-errors")

"""A senior leader's minute with the tracker: dashboard, the figures' lists, visits compared, board pack."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from actions.models import DONE_STATUSES, Action
from inspections.models import LocalAuthority

pytestmark = pytest.mark.browser


def test_leader_opens_the_dashboard_and_follows_a_figure_to_its_list(signed_in):
    session = signed_in("leader")
    page = session.page
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    # Home is "Your tasks" (tests/browser/test_home.py); the menu's Dashboard opens the council's.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page).to_have_url(f"{session.base_url}/authorities/barnsley/dashboard/")
    expect(page.get_by_role("heading", name="Progress dashboard")).to_be_visible()
    # The dashboard opens on the current plan: the latest inspection or visit with actions.
    from dashboards.selectors import inspections_with_actions

    plan = inspections_with_actions(barnsley).first()
    expect(page.locator("#plan")).to_have_value(str(plan.pk))
    total = Action.objects.filter(finding__inspection=plan).count()
    done = Action.objects.filter(finding__inspection=plan, status__in=DONE_STATUSES).count()
    expect(page.get_by_role("link", name="Actions complete")).to_contain_text(f"{done} of {total}, {round(100 * done / total)}%")
    # Charts are drawn from the JSON data without a console error (CSP would report inline code).
    expect(page.locator("canvas[data-chart='themes']")).to_be_visible()
    expect(page.get_by_test_id("progress-over-time")).to_be_hidden()  # folded: the charts show it
    page.get_by_text("Figures for each month").click()
    expect(page.get_by_test_id("progress-over-time")).to_be_visible()
    session.assert_accessible("dashboard")
    session.screenshot("dashboard")

    overdue = page.get_by_test_id("figure-overdue")
    href = overdue.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/actions/"
    assert query == {"authority": [str(barnsley.pk)], "inspection": [str(plan.pk)], "overdue": ["1"]}
    overdue.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/actions/" and "overdue=1" in page.url
    if page.get_by_role("heading", name="Page not found").count() == 0:
        # The action list is there: it shows exactly the overdue actions the figure counted.
        from django.utils import timezone

        overdue_titles = [
            a.title
            for a in Action.objects.filter(finding__inspection=plan, due_date__lt=timezone.localdate())
            .exclude(status__in=DONE_STATUSES)
        ]
        for title in overdue_titles:
            expect(page.get_by_role("link", name=title).first).to_be_visible()
        session.assert_accessible("overdue-list")
    assert not [e for e in session.console_errors if "404" not in e], session.console_errors


def test_dashboard_makes_sense_without_javascript(signed_in):
    session = signed_in("leader", javascript=False)
    page = session.page
    page.goto("/authorities/barnsley/dashboard/")
    # No canvases to see; every figure is in a table instead.
    expect(page.locator("canvas[data-chart='themes']")).to_be_hidden()
    expect(page.get_by_test_id("progress-by-theme")).to_be_visible()
    expect(page.get_by_test_id("progress-by-owner")).to_contain_text("Dana Walker")
    # The monthly figures are open without JavaScript (the charts fold them away when they can draw).
    expect(page.get_by_test_id("progress-over-time")).to_be_visible()
    expect(page.get_by_role("heading", name="Open actions outstanding (burn-down)")).to_be_hidden()
    session.assert_accessible("dashboard-no-js")
    session.screenshot("dashboard-no-js")
    for path in ("/authorities/barnsley/compare/", "/authorities/barnsley/board-report/?since=2023-06-01", "/overview/"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        if "board-report" in path:
            expect(page.get_by_test_id("board-report")).to_contain_text("actions complete")
        session.assert_accessible(f"no-js-{path.split('/')[-2] or 'page'}")


def test_comparison_for_barnsley_shows_the_decline_and_the_focused_visit(signed_in):
    session = signed_in("leader")
    page = session.page
    page.get_by_role("link", name="Compare visits").first.click()
    expect(page.get_by_role("heading", name="Compare inspections and visits")).to_be_visible()
    grid = page.get_by_test_id("judgement-grid")
    row = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Help and protection"))
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_contain_text("Good")
    expect(cells.nth(1)).to_contain_text("Requires improvement to be good")
    expect(cells.nth(1)).to_contain_text("▼ Declined from Good")
    headers = grid.get_by_role("columnheader")
    expect(headers.nth(1)).to_contain_text("March 2018")
    expect(headers.nth(2)).to_contain_text("September 2023")
    # The 2018 combined judgement stands for both areas after the 2023 split.
    care_leavers = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Care leavers", exact=True))
    expect(care_leavers.get_by_role("cell").nth(0)).to_contain_text("Judged with children in care")
    expect(care_leavers.get_by_role("cell").nth(1)).to_contain_text("Unchanged: Good")

    findings = page.get_by_test_id("findings-across-visits")
    expect(findings.get_by_role("columnheader").filter(has_text="January 2023")).to_be_visible()
    expect(findings).to_contain_text("Earlier opportunities for care leavers to build supportive relationships with consistent personal advisers.")
    expect(findings).to_contain_text("Needs assessments and pathway plans")
    expect(page.get_by_test_id("since-last-visit")).to_contain_text("Grades changed")
    expect(page.get_by_test_id("timeline")).to_contain_text("Focused visit: care leavers")
    session.assert_accessible("compare")
    session.screenshot("compare")


def test_board_report_rejects_an_impossible_date_then_prints(signed_in):
    session = signed_in("leader")
    page = session.page
    page.goto("/authorities/barnsley/board-report/")
    session.assert_accessible("board-form")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("alert")).to_contain_text("The date of the previous board must be a real date")
    session.assert_accessible("board-error")

    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("2023")
    page.get_by_role("button", name="Show the report").click()
    report = page.get_by_test_id("board-report")
    expect(report).to_contain_text("Progress since the board on 1 June 2023")
    expect(page.get_by_test_id("board-summary")).to_contain_text("actions complete")
    expect(page.get_by_test_id("board-overdue")).to_contain_text("Waiting for supplier fix")
    session.assert_accessible("board-report")
    session.screenshot("board-report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the report")).to_be_hidden()
    expect(report).to_be_visible()
    session.screenshot("board-report-print")


def test_overview_for_a_user_with_two_councils(signed_in):
    session = signed_in("admin")
    page = session.page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Overview of your councils")).to_be_visible()
    table = page.get_by_test_id("overview-table")
    expect(table).to_contain_text("Barnsley")
    expect(table).to_contain_text("Barnet")
    table.get_by_role("link", name="Overdue actions", exact=True).click()
    expect(page).to_have_url(f"{session.base_url}/overview/?sort=overdue")
    expect(page.get_by_test_id("overview-table").get_by_role("columnheader", name="Overdue actions")).to_have_attribute("aria-sort", "ascending")
    session.assert_accessible("overview")
    session.screenshot("overview")

"""The dashboard pages as a user meets them: scope, comparison, overview sorting, board report and exports."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, Status
from dashboards import selectors
from inspections.models import Grade, InspectionKind, JudgementArea
from tests.dashboards.generated import build_plan
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    JudgementFactory,
    LocalAuthorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt_timezone.utc


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- scope ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "compare", "board_report"])
def test_another_councils_pages_are_not_found(client, name):
    mine, theirs = LocalAuthorityFactory(), LocalAuthorityFactory()
    client.force_login(UserFactory(role="Senior leader", authorities=[mine]))
    assert client.get(reverse(f"dashboards:{name}", kwargs={"slug": mine.slug})).status_code == 200
    assert client.get(reverse(f"dashboards:{name}", kwargs={"slug": theirs.slug})).status_code == 404
    assert client.get(reverse(f"dashboards:{name}", kwargs={"slug": theirs.slug}) + "?since=2025-01-01&format=xlsx").status_code == 404


def test_overview_lists_only_the_users_councils(client):
    mine, other, theirs = LocalAuthorityFactory(), LocalAuthorityFactory(), LocalAuthorityFactory()
    client.force_login(UserFactory(role="Senior leader", authorities=[mine, other]))
    body = text_of(client.get(reverse("dashboards:overview")))
    assert mine.name in body and other.name in body and theirs.name not in body


def test_the_dashboard_menu_goes_to_the_dashboard_for_one_council_and_the_overview_for_several(client):
    # The home page is "Your tasks" (tests/dashboards/test_home.py); the menu's Dashboard comes here.
    one = LocalAuthorityFactory()
    client.force_login(UserFactory(authorities=[one]))
    response = client.get(reverse("dashboards:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:dashboard", kwargs={"slug": one.slug})
    client.force_login(UserFactory(authorities=[one, LocalAuthorityFactory()]))
    response = client.get(reverse("dashboards:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:overview")
    assert client.get(reverse("dashboards:compare_home")).url == reverse("dashboards:overview") + "#compare"


def test_dashboard_shows_counts_beside_percentages_and_links_each_figure(client):
    plan = build_plan(12, seed=5)
    client.force_login(plan.user)
    response = client.get(reverse("dashboards:dashboard", kwargs={"slug": plan.authority.slug}), {"inspection": "all"})
    body = text_of(response)
    today = timezone.localdate()
    done = sum(1 for a in plan.actions if a.status in (Status.COMPLETE, Status.CLOSED))
    assert f"{done} of 12, {round(100 * done / 12)}%" in body
    overdue = sum(
        1 for a in plan.actions
        if a.status not in (Status.COMPLETE, Status.CLOSED) and a.due_date and a.due_date < today
    )
    html = response.content.decode()
    link = f'href="/actions/?authority={plan.authority.pk}&amp;overdue=1"'
    assert re.search(re.escape(link) + r'[^>]*>\s*<span class="app-figure__label">Overdue actions</span>\s*<span class="app-figure__value">' + str(overdue) + "<", html)
    # Chart data travels as JSON data, never as an inline script.
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert "<script>" not in html and "style=" not in html


def test_dashboard_for_one_plan_counts_only_that_plans_actions(client):
    plan = build_plan(8, seed=9)
    other = InspectionFactory(authority=plan.authority)
    ActionFactory.create_batch(3, finding=FindingFactory(inspection=other), status=Status.CLOSED)
    client.force_login(plan.user)
    url = reverse("dashboards:dashboard", kwargs={"slug": plan.authority.slug})
    assert "0 of 3, 0%" not in text_of(client.get(url, {"inspection": "all"}))
    body = text_of(client.get(url, {"inspection": other.pk}))
    assert "3 of 3, 100%" in body
    # An inspection of another council in the query string is ignored, not shown.
    foreign = InspectionFactory()
    assert client.get(url, {"inspection": foreign.pk}).status_code == 200
    assert client.get(url, {"inspection": "nonsense"}).status_code == 200


def test_dashboard_opens_on_the_current_plan_and_caps_its_lists_with_links_to_all(client):
    plan = build_plan(4, seed=3)
    today = timezone.localdate()
    later = InspectionFactory(authority=plan.authority, visit_start=date(2025, 6, 2), visit_end=date(2025, 6, 6))
    finding = FindingFactory(inspection=later, position=1)
    late = ActionFactory.create_batch(
        selectors.DASHBOARD_LIST_LIMIT + 3, finding=finding, status=Status.IN_PROGRESS, due_date=today - timedelta(days=5)
    )
    client.force_login(plan.user)
    url = reverse("dashboards:dashboard", kwargs={"slug": plan.authority.slug})
    response = client.get(url)
    html, body = response.content.decode(), text_of(response)
    assert response.context["inspection"] == later
    # By finding shows the current plan's findings only; the older plan's are one choice away.
    assert [f.pk for f in response.context["by_finding"]] == [finding.pk]
    assert len(response.context["overdue"]) == selectors.DASHBOARD_LIST_LIMIT
    assert f"See all {len(late)} overdue actions" in body
    assert f'href="/actions/?authority={plan.authority.pk}&amp;inspection={later.pk}&amp;overdue=1"' in html
    assert len(response.context["recent"]) <= selectors.DASHBOARD_LIST_LIMIT
    everything = client.get(url, {"inspection": "all"})
    assert everything.context["inspection"] is None
    assert everything.context["by_finding"] == []
    assert everything.context["headline"].total_actions == 4 + len(late)


# --- comparing visits -------------------------------------------------------------------------------------


def test_comparison_shows_the_latest_six_visits_with_a_link_to_all(client):
    authority = LocalAuthorityFactory()
    visits = [
        InspectionFactory(authority=authority, kind=InspectionKind.FULL, visit_start=date(2010 + i, 5, 3), visit_end=date(2010 + i, 5, 7))
        for i in range(8)
    ]
    grades = [Grade.INADEQUATE, Grade.GOOD] * 4
    for visit, grade in zip(visits, grades):
        JudgementFactory(inspection=visit, area=JudgementArea.OVERALL, grade=grade)
    earlier = FindingFactory(inspection=visits[1], position=1)
    later = FindingFactory(inspection=visits[2], position=1, repeats=earlier)
    for visit in visits[3:]:
        FindingFactory(inspection=visit, position=1)
    client.force_login(UserFactory(role="Senior leader", authorities=[authority]))
    url = reverse("dashboards:compare", kwargs={"slug": authority.slug})
    response = client.get(url)
    html = response.content.decode()
    assert [v.pk for v in response.context["graded"]] == [v.pk for v in visits[2:]]
    assert [v.pk for v in response.context["visits"]] == [v.pk for v in visits[2:]]
    assert [v.pk for v in response.context["finding_visits"]] == [v.pk for v in visits[2:]]
    # The first column shown still compares with the visit before it (inadequate after good).
    assert response.context["grid"][0][1][0].change == "declined"
    assert "Show all 8 visits" in text_of(response) and 'href="?visits=all"' in html
    # The earlier finding's visit is not a column: the repeat links to that finding's own page.
    assert f'href="{earlier.get_absolute_url()}"' in html and f'id="cmp-finding-{later.pk}"' in html
    everything = client.get(url, {"visits": "all"})
    assert [v.pk for v in everything.context["graded"]] == [v.pk for v in visits]
    assert f'href="#cmp-finding-{earlier.pk}"' in everything.content.decode()



def test_judgement_grid_compares_across_the_2023_split():
    authority = LocalAuthorityFactory()
    old = InspectionFactory(authority=authority, kind=InspectionKind.FULL, visit_start=date(2019, 5, 6), visit_end=date(2019, 5, 17))
    new = InspectionFactory(authority=authority, kind=InspectionKind.SHORT, visit_start=date(2024, 2, 5), visit_end=date(2024, 2, 9))
    InspectionFactory(authority=authority, kind=InspectionKind.FOCUSED, visit_start=date(2021, 3, 1), visit_end=date(2021, 3, 2))
    for area, grade in [
        (JudgementArea.OVERALL, Grade.REQUIRES_IMPROVEMENT),
        (JudgementArea.HELP_AND_PROTECTION, Grade.GOOD),
        (JudgementArea.IN_CARE_AND_LEAVERS, Grade.REQUIRES_IMPROVEMENT),
    ]:
        JudgementFactory(inspection=old, area=area, grade=grade)
    for area, grade in [
        (JudgementArea.OVERALL, Grade.REQUIRES_IMPROVEMENT),
        (JudgementArea.HELP_AND_PROTECTION, Grade.INADEQUATE),
        (JudgementArea.CHILDREN_IN_CARE, Grade.GOOD),
        (JudgementArea.CARE_LEAVERS, Grade.REQUIRES_IMPROVEMENT),
    ]:
        JudgementFactory(inspection=new, area=area, grade=grade)
    columns, rows = selectors.judgement_grid(authority)
    assert columns == [old, new]  # graded only, oldest first
    grid = {label: cells for label, cells in rows}
    assert [(c.grade, c.change) for c in grid["Overall effectiveness"]] == [("requires_improvement", ""), ("requires_improvement", "unchanged")]
    assert [(c.grade, c.change) for c in grid["Help and protection"]] == [("good", ""), ("inadequate", "declined")]
    # The 2019 combined grade stands for both areas and each 2024 grade is compared with it.
    assert [(c.grade, c.combined, c.change) for c in grid["Children in care"]] == [
        ("requires_improvement", True, ""), ("good", False, "improved")]
    assert [(c.grade, c.combined, c.change) for c in grid["Care leavers"]] == [
        ("requires_improvement", True, ""), ("requires_improvement", False, "unchanged")]
    assert [c.grade for c in grid["Impact of leaders"]] == [None, None]


def _repeat_setup():
    """An earlier visit with actions, and a later visit raising two of its findings again."""
    authority = LocalAuthorityFactory()
    user = UserFactory(role="Senior leader", authorities=[authority])
    earlier = InspectionFactory(authority=authority, visit_start=date(2024, 3, 4), visit_end=date(2024, 3, 5))
    later = InspectionFactory(authority=authority, visit_start=date(2025, 4, 1), visit_end=date(2025, 4, 2))
    still_open, finished, resolved = (FindingFactory(inspection=earlier, position=i) for i in (1, 2, 3))

    def action(finding, history):
        a = ActionFactory(finding=finding, status=history[-1][1], version=len(history))
        for version, (moment, status) in enumerate(history, start=1):
            ActionUpdate.objects.create(action=a, created_at=moment, version=version, status=status, rag="green")
        return a

    # Completed at 00:30 BST on 2 April 2025, i.e. 23:30 UTC on 1 April: after the later visit's first day.
    action(still_open, [(datetime(2024, 4, 1, 9, tzinfo=UTC), Status.IN_PROGRESS), (datetime(2025, 4, 1, 23, 30, tzinfo=UTC), Status.COMPLETE)])
    action(still_open, [(datetime(2024, 4, 1, 9, tzinfo=UTC), Status.COMPLETE)])
    # Completed at 00:30 BST on 1 April 2025 (23:30 UTC on 31 March): done by the first day of the visit.
    action(finished, [(datetime(2024, 4, 1, 9, tzinfo=UTC), Status.IN_PROGRESS), (datetime(2025, 3, 31, 23, 30, tzinfo=UTC), Status.CLOSED)])
    # Created after the later visit: not part of where the earlier plan stood.
    action(finished, [(datetime(2025, 5, 1, 9, tzinfo=UTC), Status.NOT_STARTED)])
    again_open = FindingFactory(inspection=later, position=1, repeats=still_open)
    again_done = FindingFactory(inspection=later, position=2, repeats=finished)
    brand_new = FindingFactory(inspection=later, position=3)
    return authority, user, locals()


def test_findings_across_visits_show_where_the_earlier_actions_stood():
    authority, user, f = _repeat_setup()
    visits, rows, positions = selectors.findings_across_visits(authority)
    assert visits == [f["earlier"], f["later"]]
    assert positions[f["again_open"].pk].total == 2 and positions[f["again_open"].pk].open == 1
    assert positions[f["again_done"].pk].total == 1 and positions[f["again_done"].pk].open == 0
    cells = [finding for row in rows for cell in row["cells"] for finding in cell]
    by_pk = {finding.pk: finding for finding in cells}
    assert by_pk[f["again_open"].pk].earlier_position.still_open
    assert not by_pk[f["again_done"].pk].earlier_position.still_open
    assert by_pk[f["still_open"].pk].raised_again_in == [by_pk[f["again_open"].pk]]


def test_compare_page_summarises_since_the_last_visit(client):
    authority, user, f = _repeat_setup()
    client.force_login(user)
    response = client.get(reverse("dashboards:compare", kwargs={"slug": authority.slug}))
    since = response.context["since"]
    assert since.new == [f["brand_new"]]
    assert set(since.repeated) == {f["again_open"], f["again_done"]}
    assert since.resolved == [f["resolved"]]
    body = text_of(response)
    assert "Raised again while still open" in body
    assert "1 of 2 earlier actions still open on 1 April 2025" in body
    assert "All 1 earlier action complete by 1 April 2025" in body


def test_barnsley_comparison_from_the_demo(client, demo):
    client.force_login(demo["leader"])
    response = client.get(reverse("dashboards:compare", kwargs={"slug": "barnsley"}))
    grid = dict(response.context["grid"])
    help_cells = grid["Help and protection"]
    assert [c.grade for c in help_cells] == [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT]
    assert help_cells[1].change == "declined"
    body = text_of(response)
    assert "▼ Declined from Good" in body
    assert "Earlier opportunities for care leavers to build supportive relationships" in body
    assert [v.visit_start.year for v in response.context["graded"]] == [2018, 2023]


# --- overview ---------------------------------------------------------------------------------------------


def test_overview_sorts_by_whitelisted_columns_only(client):
    user = UserFactory(role="Senior leader")
    plans = [build_plan(n, seed=n, user=user) for n in (3, 9, 6)]
    graded = InspectionFactory(authority=plans[1].authority, kind=InspectionKind.FULL, visit_start=date(2025, 1, 6), visit_end=date(2025, 1, 10))
    JudgementFactory(inspection=graded, area=JudgementArea.OVERALL, grade=Grade.INADEQUATE)
    client.force_login(user)
    today = timezone.localdate()

    def overdue(plan):
        return sum(1 for a in plan.actions if a.status not in (Status.COMPLETE, Status.CLOSED) and a.due_date and a.due_date < today)

    rows = client.get(reverse("dashboards:overview"), {"sort": "-overdue"}).context["rows"]
    assert [r.overdue for r in rows] == sorted((overdue(p) for p in plans), reverse=True)
    rows = client.get(reverse("dashboards:overview"), {"sort": "name"}).context["rows"]
    assert [r.name for r in rows] == sorted(p.authority.name for p in plans)
    rows = client.get(reverse("dashboards:overview"), {"sort": "-overall_effectiveness"}).context["rows"]
    assert rows[0].pk == plans[1].authority.pk  # inadequate ranks lowest; ungraded councils go last
    response = client.get(reverse("dashboards:overview"), {"sort": "password; drop table"})
    assert response.status_code == 200 and response.context["sort"] == "name"
    progress = {r.pk: (r.done_actions, r.total_actions) for r in response.context["rows"]}
    for plan in plans:
        done = sum(1 for a in plan.actions if a.status in (Status.COMPLETE, Status.CLOSED))
        assert progress[plan.authority.pk] == (done, len(plan.actions))


# --- board report -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ({"day": "31", "month": "2", "year": "2026"}, "The date of the previous board must be a real date"),
        ({"since": "2026-02-30"}, "The date of the previous board must be a real date"),
        ({"day": "1", "month": "", "year": "2026"}, "The date of the previous board must include a month"),
        ({"day": "x", "month": "3", "year": "2026"}, "must be a real date"),
        ({"day": "1", "month": "3", "year": "26"}, "Year must include 4 numbers"),
        ({"day": "1", "month": "1", "year": "2999"}, "must be today or in the past"),
        ({"since": "yesterday"}, "must be a real date"),
    ],
)
def test_board_report_rejects_impossible_dates_clearly(client, query, message):
    plan = build_plan(3)
    client.force_login(plan.user)
    url = reverse("dashboards:board_report", kwargs={"slug": plan.authority.slug})
    response = client.get(url, query)
    body = text_of(response)
    assert "There is a problem" in body and message in body
    assert response.context["report"] is None
    assert "govuk-input--error" in response.content.decode()
    # An export of an invalid date is the page with the error, not a file.
    response = client.get(url, {**query, "format": "xlsx"})
    assert response["Content-Type"].startswith("text/html")


def test_board_report_page_then_and_now(client):
    plan = build_plan(20, seed=11)
    client.force_login(plan.user)
    url = reverse("dashboards:board_report", kwargs={"slug": plan.authority.slug})
    assert client.get(url).context["report"] is None  # the form first, no errors
    response = client.get(url, {"day": "30", "month": "6", "year": "2025"})
    report = response.context["report"]
    assert report.since == date(2025, 6, 30)
    body = text_of(response)
    assert f"{report.done_then} of {report.total_then} actions complete" in body
    assert f"{report.done_now} of {report.total_now} actions complete, {round(100 * report.done_now / report.total_now)}%" in body
    for item in report.overdue:
        assert item.action.title in body


def test_board_report_as_xlsx_matches_the_page_and_neutralises_formulas(client):
    from openpyxl import load_workbook

    plan = build_plan(10, seed=12)
    Action.objects.filter(pk=plan.actions[0].pk).update(title="=HYPERLINK(\"http://evil\")")
    client.force_login(plan.user)
    url = reverse("dashboards:board_report", kwargs={"slug": plan.authority.slug})
    response = client.get(url, {"since": "2025-06-30", "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Actions"].iter_rows(values_only=True))
    assert rows[0][3] == "Action" and len(rows) == 11
    titles = {row[3] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in titles
    report = selectors.board_report_for(plan.user, plan.authority, date(2025, 6, 30), timezone.localdate())
    summary = list(book["Summary"].iter_rows(values_only=True))
    complete = next(row for row in summary if row and row[0] == "Actions complete or closed")
    assert complete[1:7] == (report.done_then, report.total_then, report.percent_then, report.done_now, report.total_now, report.percent_now)


def test_board_report_as_word(client):
    from docx import Document

    plan = build_plan(6, seed=13)
    client.force_login(plan.user)
    url = reverse("dashboards:board_report", kwargs={"slug": plan.authority.slug})
    response = client.get(url, {"since": "2025-06-30", "format": "docx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{plan.authority.name}: progress against the inspection action plan" in text
    assert "At the board on 30 June 2025:" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for action in plan.actions:
        assert action.title in cells

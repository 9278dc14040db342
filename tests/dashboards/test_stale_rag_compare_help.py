"""The dashboard's stale and RAG figures, dated notes in the board report, the visit chooser on the
comparison, and the help page."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Action, Rag, Status
from actions.services import SYSTEM, action_change, action_create
from inspections.models import Grade, InspectionKind, JudgementArea
from tests.factories import FindingFactory, InspectionFactory, JudgementFactory, LocalAuthorityFactory, UserFactory
from tests.factories import london_noon_days_ago

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _action(finding, title, *, note_days_ago=None, due_in=30, rag=Rag.GREEN, status=Status.IN_PROGRESS):
    action = action_create(user=SYSTEM, finding=finding, title=title, at=london_noon_days_ago(200), status=status, rag=rag,
                           due_date=timezone.localdate() + timedelta(days=due_in))
    Action.objects.filter(pk=action.pk).update(created_at=london_noon_days_ago(200))
    if note_days_ago is not None:
        action.refresh_from_db()
        action_change(action=action, user=SYSTEM, expected_version=action.version, changes={},
                      note=f"Note on {title}.", at=london_noon_days_ago(note_days_ago))
    return Action.objects.get(pk=action.pk)


@pytest.fixture
def plan():
    authority = LocalAuthorityFactory()
    inspection = InspectionFactory(authority=authority, kind=InspectionKind.FULL)
    finding = FindingFactory(inspection=inspection, position=1)
    user = UserFactory(role="Senior leader", authorities=[authority])
    actions = {
        "fresh": _action(finding, "Fresh", note_days_ago=5),
        "stale": _action(finding, "Stale", note_days_ago=60, rag=Rag.AMBER),
        "late": _action(finding, "Late and stale", note_days_ago=100, due_in=-10, rag=Rag.RED),
        "never": _action(finding, "Never updated"),
    }
    return {"authority": authority, "inspection": inspection, "user": user, "actions": actions}


# --- dashboard --------------------------------------------------------------------------------------


def test_dashboard_counts_stale_and_rag_and_links_to_the_lists(client, plan):
    client.force_login(plan["user"])
    authority = plan["authority"]
    response = client.get(reverse("dashboards:dashboard", kwargs={"slug": authority.slug}))
    headline = response.context["headline"]
    # Stale: open, no progress note for over 45 days (the never-updated one counts from creation).
    assert headline.stale == 3
    html = response.content.decode()
    stale_link = f'href="/actions/?authority={authority.pk}&amp;inspection={plan["inspection"].pk}&amp;stale=1"'
    assert re.search(re.escape(stale_link) + r' data-testid="figure-stale">\s*<span class="app-figure__label">No progress update for over 45 days</span>\s*<span class="app-figure__value">3<', html)
    assert [(f.label, f.count) for f in headline.by_rag] == [("Red", 1), ("Amber", 1), ("Green", 2)]
    assert "rag=red" in headline.by_rag[0].url and "status=in_progress" in headline.by_rag[0].url
    # The links land on lists with the same counts.
    listed = client.get(headline.links["stale"].replace("&amp;", "&"))
    assert listed.context["page_obj"].paginator.count == 3
    assert client.get(headline.by_rag[0].url).context["page_obj"].paginator.count == 1
    # The overdue list's quoted note carries its date and the stale flag.
    when = timezone.localdate(plan["actions"]["late"].last_progress_at)
    assert f"{when:%-d %b %Y}: Note on Late and stale." in text_of(response)
    assert "No update for 100 days" in text_of(response)


def test_dashboard_query_count_does_not_grow_with_stale_actions(client, plan):
    client.force_login(plan["user"])
    url = reverse("dashboards:dashboard", kwargs={"slug": plan["authority"].slug})
    client.get(url)
    from django.core.cache import caches

    caches["default"].clear()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    finding = FindingFactory(inspection=plan["inspection"], position=2)
    for n in range(15):
        _action(finding, f"More {n}", note_days_ago=50 + n, due_in=-n - 1)
    caches["default"].clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["headline"].stale == 18
    assert len(large.captured_queries) <= len(small.captured_queries)


# --- board report -----------------------------------------------------------------------------------


def test_board_report_dates_each_quoted_note_and_counts_stale_actions(client, plan):
    client.force_login(plan["user"])
    url = reverse("dashboards:board_report", kwargs={"slug": plan["authority"].slug})
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    response = client.get(url, {"since": since})
    body = text_of(response)
    late = plan["actions"]["late"]
    when = timezone.localdate(late.last_progress_at)
    assert f"{when:%-d %b %Y}: Note on Late and stale." in body
    assert "No update for 100 days" in body
    assert re.search(r"No progress update for over 45 days\s+3 of 4 actions", body)
    book = load_workbook(io.BytesIO(client.get(url, {"since": since, "format": "xlsx"}).content))
    sheet = book["Actions"]
    headers = [cell.value for cell in sheet[1]]
    rows = {row[headers.index("Action")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Late and stale"][headers.index("Note dated")].date() == when
    assert rows["Late and stale"][headers.index("No recent update")] == "No update for 100 days"
    assert rows["Fresh"][headers.index("No recent update")] is None
    docx = client.get(url, {"since": since, "format": "docx"})
    from docx import Document

    text = "\n".join(cell.text for table in Document(io.BytesIO(docx.content)).tables for row in table.rows for cell in row.cells)
    assert f"{when.day} {when:%B %Y}: Note on Late and stale." in text


# --- comparing chosen visits ------------------------------------------------------------------------


@pytest.fixture
def visits():
    authority = LocalAuthorityFactory()
    rows = []
    for i, grade in enumerate([Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.OUTSTANDING,
                               Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.INADEQUATE]):
        visit = InspectionFactory(authority=authority, kind=InspectionKind.FULL,
                                  visit_start=date(2012 + i, 3, 5), visit_end=date(2012 + i, 3, 9))
        JudgementFactory(inspection=visit, area=JudgementArea.OVERALL, grade=grade)
        FindingFactory(inspection=visit, position=1)
        rows.append(visit)
    user = UserFactory(role="Senior leader", authorities=[authority])
    return {"authority": authority, "visits": rows, "user": user,
            "url": reverse("dashboards:compare", kwargs={"slug": authority.slug})}


def test_the_chooser_defaults_to_the_latest_visits(client, visits):
    client.force_login(visits["user"])
    response = client.get(visits["url"])
    html = response.content.decode()
    for visit in visits["visits"][2:]:
        assert re.search(rf'value="{visit.pk}" checked', html)
    for visit in visits["visits"][:2]:
        assert f'value="{visit.pk}"' in html and f'value="{visit.pk}" checked' not in html


def test_any_two_visits_can_be_compared(client, visits):
    first, fourth = visits["visits"][0], visits["visits"][3]
    client.force_login(visits["user"])
    response = client.get(visits["url"], {"choose": "1", "visit": [fourth.pk, first.pk]})
    assert response.status_code == 200
    assert [v.pk for v in response.context["graded"]] == [first.pk, fourth.pk]
    assert [v.pk for v in response.context["visits"]] == [first.pk, fourth.pk]
    assert [v.pk for v in response.context["finding_visits"]] == [first.pk, fourth.pk]
    # Outstanding after inadequate: compared with the chosen visit before it, not the one in between.
    cell = response.context["grid"][0][1][1]
    assert cell.change == "improved" and cell.previous == Grade.INADEQUATE
    assert "Comparing the 2 visits you chose" in text_of(response)
    assert re.search(rf'value="{first.pk}" checked', response.content.decode())


@pytest.mark.parametrize("chosen", [[], ["first"]])
def test_fewer_than_two_visits_is_a_clear_error(client, visits, chosen):
    client.force_login(visits["user"])
    ids = [visits["visits"][0].pk for _ in chosen]
    response = client.get(visits["url"], {"choose": "1", "visit": ids})
    body = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in body and "Choose at least two visits to compare" in body
    assert "<title>Error:" in response.content.decode()
    assert "graded" not in response.context


def test_another_councils_visit_is_left_out_with_a_message(client, visits):
    theirs = InspectionFactory(kind=InspectionKind.FULL)
    JudgementFactory(inspection=theirs, area=JudgementArea.OVERALL, grade=Grade.OUTSTANDING)
    first, second = visits["visits"][:2]
    client.force_login(visits["user"])
    response = client.get(visits["url"], {"visit": [first.pk, second.pk, theirs.pk, "nonsense"]})
    assert [v.pk for v in response.context["visits"]] == [first.pk, second.pk]
    assert "2 of the visits in this link are not visits of" in text_of(response)
    assert f'value="{theirs.pk}"' not in response.content.decode()
    # Only the other council's visit and nothing else: fewer than two left is the error, not a 500.
    response = client.get(visits["url"], {"visit": [first.pk, theirs.pk]})
    assert "Choose at least two visits to compare" in text_of(response)


def test_the_chooser_reads_a_fixed_number_of_queries(client, visits, django_assert_max_num_queries):
    client.force_login(visits["user"])
    ids = [v.pk for v in visits["visits"]]
    from django.core.cache import caches

    client.get(visits["url"], {"visit": ids[:2]})  # warm the session
    caches["default"].clear()
    with CaptureQueriesContext(connection) as two:
        client.get(visits["url"], {"visit": ids[:2]})
    caches["default"].clear()
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(visits["url"], {"visit": ids})
    assert len(response.context["visits"]) == 8


# --- help ----------------------------------------------------------------------------------------


def test_help_page_explains_the_rules_with_the_settings_in_force(client, settings):
    settings.STALE_UPDATE_DAYS = 30
    settings.UPDATE_CYCLE_DAY = 3
    body = text_of(client.get(reverse("help")))  # open to everyone, like the accessibility statement
    assert "due within 14 days" in body
    assert "70 working days after the date of the letter" in body and "20 working days after the letter" in body
    assert "does not own the action" in body
    assert "on day 3 of each month" in body and "more than 30 days" in body


def test_the_forms_that_apply_the_rules_link_to_help(client, our_council, owner, leader):
    from tests.factories import action_through_services

    inspection = InspectionFactory(authority=our_council, kind=InspectionKind.FULL)
    finding = FindingFactory(inspection=inspection)
    action = action_through_services(finding=finding, title="Audit", status=Status.COMPLETE, owner=owner)
    client.force_login(owner)
    html = client.get(action.get_absolute_url()).content.decode()
    assert 'href="/help/"' in html and 'href="/help/#rag"' in html  # the update form
    html = client.get(reverse("actions:plan_record", kwargs={"pk": inspection.pk})).content.decode()
    assert 'href="/help/#deadlines"' in html
    client.force_login(leader)
    html = client.get(action.get_absolute_url()).content.decode()
    assert 'href="/help/#verification"' in html  # the verify form
    # The footer of every page.
    assert 'href="/help/">How the tracker works</a>' in html

"""National framework tags in the product (issue 14, item 4): shown in the framework's wording, edited on
the finding page, filtered by in the action list, counted on the dashboard, carried by the exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actions.filters import ActionFilter
from actions.models import Action, Status
from dashboards import selectors as dashboard_selectors
from dashboards.services import board_report_xlsx, dashboard_chart_data
from findings.models import Finding
from findings.services import FindingChangedMeanwhile, finding_fingerprint, finding_update
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    LocalAuthorityFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OUTCOME_4 = "Outcome 4: Children in care and care leavers have stable, loving homes"
ENABLER_2 = "Enabler 2: Leaders drive conditions for effective practice"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def council():
    return LocalAuthorityFactory(name="Ourshire", slug="ourshire")


@pytest.fixture
def inspection(council):
    return InspectionFactory(authority=council)


@pytest.fixture
def admin(council):
    return UserFactory(role=Role.ADMIN, authorities=[council])


@pytest.fixture
def lead(council):
    return UserFactory(role=Role.IMPROVEMENT_LEAD, authorities=[council])


# --- the model and the service ---------------------------------------------------------------------------


def test_tags_show_in_the_frameworks_order_and_wording(inspection):
    finding = FindingFactory(inspection=inspection, framework_refs=["enabler 2", "outcome 4"])
    assert finding.framework_ref_labels == [OUTCOME_4, ENABLER_2]
    assert FindingFactory(inspection=inspection).framework_ref_labels == []


def test_an_admin_changes_the_theme_and_tags(inspection, admin, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Children in care")
    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 1"])
    revision = inspection.authority.data_revision
    with django_capture_on_commit_callbacks(execute=True):
        finding_update(
            finding=finding, user=admin, read_fingerprint=finding_fingerprint(finding),
            changes={"text": finding.text, "theme": theme, "framework_refs": ["enabler 2", "outcome 4", "outcome 4"]},
        )
    finding.refresh_from_db()
    assert finding.theme == theme
    assert finding.framework_refs == ["outcome 4", "enabler 2"]  # the framework's order, once each
    inspection.authority.refresh_from_db()
    assert inspection.authority.data_revision > revision  # the dashboard's kept figures are not reused


def test_an_unknown_tag_is_refused_and_nothing_changes(inspection, admin):
    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 1"])
    with pytest.raises(ValidationError, match="outcome 9"):
        finding_update(finding=finding, user=admin, changes={"framework_refs": ["outcome 9"]})
    finding.refresh_from_db()
    assert finding.framework_refs == ["outcome 1"]


def test_a_change_made_meanwhile_is_not_overwritten(inspection, admin):
    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 1"])
    read = finding_fingerprint(finding)
    finding_update(finding=finding, user=admin, changes={"framework_refs": ["outcome 2"]}, read_fingerprint=read)
    with pytest.raises(FindingChangedMeanwhile):
        finding_update(finding=finding, user=admin, changes={"framework_refs": ["outcome 3"]}, read_fingerprint=read)
    finding.refresh_from_db()
    assert finding.framework_refs == ["outcome 2"]


def test_only_an_admin_of_the_council_may_change_a_finding(inspection, lead):
    finding = FindingFactory(inspection=inspection)
    outsider = UserFactory(role=Role.ADMIN, authorities=[LocalAuthorityFactory()])
    for user in (lead, outsider):
        with pytest.raises(PermissionDenied):
            finding_update(finding=finding, user=user, changes={"framework_refs": ["outcome 1"]})
    finding.refresh_from_db()
    assert finding.framework_refs == []


# --- the finding edit page --------------------------------------------------------------------------------


def edit_url(finding) -> str:
    return reverse("inspections:finding_edit", kwargs={"pk": finding.inspection_id, "finding_pk": finding.pk})


def test_the_inspection_page_shows_tags_and_links_admins_to_the_edit_page(client, inspection, admin, lead):
    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 4"])
    client.force_login(admin)
    response = client.get(inspection.get_absolute_url())
    assert OUTCOME_4 in text_of(response)
    assert edit_url(finding) in response.content.decode()
    client.force_login(lead)
    response = client.get(inspection.get_absolute_url())
    assert OUTCOME_4 in text_of(response)
    assert edit_url(finding) not in response.content.decode()


def test_the_edit_page_saves_theme_and_tags(client, inspection, admin):
    theme = ThemeFactory(name="Leadership")
    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 1"])
    client.force_login(admin)
    page = client.get(edit_url(finding))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="outcome 1" checked' in body.replace('"\n', '"')
    assert OUTCOME_4 in text_of(page)
    response = client.post(edit_url(finding), {
        "text": "  Leaders' oversight of   permanence planning.  ",
        "theme": theme.pk,
        "framework_refs": ["outcome 4", "enabler 2"],
        "read_fingerprint": finding_fingerprint(finding),
    })
    assert response.status_code == 302 and response.url.endswith(f"#finding-{finding.pk}")
    finding.refresh_from_db()
    assert (finding.text, finding.theme, finding.framework_refs) == (
        "Leaders' oversight of permanence planning.", theme, ["outcome 4", "enabler 2"]
    )


def test_the_edit_page_refuses_bad_input_with_a_message(client, inspection, admin):
    finding = FindingFactory(inspection=inspection, text="As published.")
    client.force_login(admin)
    response = client.post(edit_url(finding), {"text": " ", "framework_refs": ["outcome 9"]})
    assert response.status_code == 400
    body = text_of(response)
    assert "Enter what needs to improve" in body and "Choose national framework references from the list" in body
    finding.refresh_from_db()
    assert finding.text == "As published."


def test_the_edit_page_says_when_someone_else_changed_the_finding(client, inspection, admin):
    finding = FindingFactory(inspection=inspection)
    client.force_login(admin)
    stale = finding_fingerprint(finding)
    Finding.objects.filter(pk=finding.pk).update(framework_refs=["outcome 2"])
    response = client.post(edit_url(finding), {"text": finding.text, "framework_refs": ["outcome 3"], "read_fingerprint": stale})
    assert response.status_code == 409
    assert "Someone else changed this finding" in text_of(response)
    finding.refresh_from_db()
    assert finding.framework_refs == ["outcome 2"]


def test_the_edit_page_is_for_admins_of_the_council_only(client, inspection, lead):
    finding = FindingFactory(inspection=inspection)
    client.force_login(lead)
    assert client.get(edit_url(finding)).status_code == 403
    client.force_login(UserFactory(role=Role.ADMIN, authorities=[LocalAuthorityFactory()]))
    assert client.get(edit_url(finding)).status_code == 404
    other = FindingFactory(inspection=InspectionFactory(authority=inspection.authority))
    client.force_login(UserFactory(role=Role.ADMIN, authorities=[inspection.authority]))
    wrong_pair = reverse("inspections:finding_edit", kwargs={"pk": inspection.pk, "finding_pk": other.pk})
    assert client.get(wrong_pair).status_code == 404


# --- the action list filter ----------------------------------------------------------------------------------


def test_the_action_list_filters_by_framework_tag(client, inspection, lead):
    tagged = ActionFactory(finding=FindingFactory(inspection=inspection, framework_refs=["outcome 4", "enabler 2"]))
    other = ActionFactory(finding=FindingFactory(inspection=inspection, framework_refs=["outcome 1"]))
    untagged = ActionFactory(finding=FindingFactory(inspection=inspection))
    rows = Action.objects.all()

    def chosen(value):
        filterset = ActionFilter({"framework": value}, rows, user=lead)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs)

    assert chosen("outcome 4") == {tagged}
    assert chosen("enabler 2") == {tagged}
    assert chosen("outcome 1") == {other}
    assert chosen("none") == {untagged}
    assert chosen("") == {tagged, other, untagged}
    assert not ActionFilter({"framework": "outcome 9"}, rows, user=lead).is_valid()

    client.force_login(lead)
    response = client.get(reverse("actions:action_list"), {"framework": "outcome 4"})
    body = text_of(response)
    assert "1 action match your filters" in body
    assert f"National framework: {OUTCOME_4}" in body  # the selected filters summary
    assert tagged.title in body and other.title not in body


# --- the dashboard ---------------------------------------------------------------------------------------------


def test_progress_by_outcome_and_enabler_counts_each_action_under_every_tag(inspection):
    today = timezone.localdate()
    both = FindingFactory(inspection=inspection, framework_refs=["outcome 4", "enabler 2", "principle 1"])
    one = FindingFactory(inspection=inspection, framework_refs=["outcome 4"])
    none = FindingFactory(inspection=inspection)
    ActionFactory(finding=both, status=Status.COMPLETE)
    ActionFactory(finding=both, due_date=today - timedelta(days=3))
    ActionFactory(finding=one)
    ActionFactory(finding=none)
    rows = dashboard_selectors.progress_by_framework(Action.objects.all(), today)
    by_id = {row["id"]: row for row in rows}
    assert [row["id"] for row in rows] == ["outcome 4", "enabler 2", "none"]
    assert (by_id["outcome 4"]["total"], by_id["outcome 4"]["done"], by_id["outcome 4"]["overdue"]) == (3, 1, 1)
    assert (by_id["enabler 2"]["total"], by_id["enabler 2"]["done"], by_id["enabler 2"]["percent"]) == (2, 1, 50)
    assert by_id["none"]["total"] == 1
    assert by_id["outcome 4"]["name"] == OUTCOME_4
    chart = dashboard_chart_data([], [], [], rows)["framework"]
    assert chart["labels"] == ["Outcome 4", "Enabler 2", "No tag"]
    assert chart["series"][0]["data"] == [1, 1, 0]


def test_a_plan_without_tags_shows_no_outcome_rows(inspection):
    ActionFactory(finding=FindingFactory(inspection=inspection))
    assert dashboard_selectors.progress_by_framework(Action.objects.all(), timezone.localdate()) == []


def test_the_dashboard_shows_the_outcome_table_with_links_and_queries_do_not_grow(
    client, inspection, council, django_assert_max_num_queries
):
    leader = UserFactory(role=Role.SENIOR_LEADER, authorities=[council])
    client.force_login(leader)
    url = reverse("dashboards:dashboard", kwargs={"slug": council.slug})

    def add(count):
        for index in range(count):
            refs = [["outcome 1"], ["outcome 4", "enabler 3"], []][index % 3]
            ActionFactory(finding=FindingFactory(inspection=inspection, framework_refs=refs))

    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django.core.cache import caches

    caches["default"].clear()
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    body = text_of(response)
    assert "Progress by national framework outcome and enabler" in body
    assert "Enabler 3: The workforce is equipped and effective" in body
    assert "framework=outcome+4" in response.content.decode()
    add(30)
    caches["default"].clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- the exports ---------------------------------------------------------------------------------------------


def test_the_action_export_carries_the_tags(client, inspection, lead):
    action = ActionFactory(finding=FindingFactory(inspection=inspection, framework_refs=["enabler 2", "outcome 4"]))
    client.force_login(lead)
    response = client.get(reverse("actions:action_list"), {"format": "csv", "inspection": inspection.pk})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Action"] == action.title
    assert rows[0]["National framework"] == f"{OUTCOME_4}; {ENABLER_2}"


def test_the_board_report_carries_the_tags(client, inspection, council):
    from openpyxl import load_workbook

    finding = FindingFactory(inspection=inspection, framework_refs=["outcome 4"])
    ActionFactory(finding=finding)
    leader = UserFactory(role=Role.SENIOR_LEADER, authorities=[council])
    client.force_login(leader)
    url = reverse("dashboards:board_report", kwargs={"slug": council.slug})
    since = (date.today() - timedelta(days=30)).isoformat()
    page = client.get(url, {"since": since})
    assert OUTCOME_4 in text_of(page)
    response = client.get(url, {"since": since, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content))["Actions"]
    headers = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=headers.index("National framework") + 1).value == OUTCOME_4
    report = dashboard_selectors.board_report_for(leader, council, date.today() - timedelta(days=30), date.today())
    assert board_report_xlsx(report)  # the selector's report, as the view makes it

"""The import preview for the newest letters: national framework tags beside each point (editable, saved
with the finding), and never a silent empty list when the document has a "what needs to improve" heading."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from findings.models import Finding, FindingKind
from findings.forms import ImportPreviewForm
from inspections.models import Inspection, LocalAuthority
from tests.factories import UserFactory
from tests.inspections.import_support import FOCUSED_VISITS, private_storage  # noqa: F401
from tests.inspections.test_import_views import preview_post_data, upload

IMPORT = reverse("inspections:import_start")
SUFFOLK_PDF = FOCUSED_VISITS / "suffolk-2025-10-16.pdf"

LETTER_WITHOUT_READABLE_POINTS = """16 October 2025
Dear Ms Director
Focused visit to Suffolk children’s services
This letter summarises the findings of the focused visit to Suffolk children’s services on 16 and
17 September 2025. His Majesty’s Inspectors for this visit were Margaret Burke and Monique Lindsay.
Inspectors looked at the local authority’s arrangements for the front door.
Headline findings
Children receive a timely response. Leaders know the service well.
What needs to improve in this area of social work practice?1
Main findings
Most children are seen promptly and their needs are assessed well.
Yours sincerely
Margaret Burke
His Majesty’s Inspector
"""


@pytest.fixture
def suffolk_admin(demo):
    suffolk = LocalAuthority.objects.get(name="Suffolk")
    return UserFactory(username="suffolk-admin", role="Admin", authorities=[suffolk])


def test_tags_are_shown_checked_beside_each_point_and_saved_with_the_finding(client, suffolk_admin, private_storage):
    client.force_login(suffolk_admin)
    url = upload(client, SUFFOLK_PDF)["Location"]
    preview = client.get(url)
    html = preview.content.decode()
    assert "National framework: Outcome 1" in html
    assert "No improvement point was read" not in html
    data = preview_post_data(preview)
    assert [data[f"points-{i}-framework_refs"] for i in range(4)] == [
        ["outcome 1"], ["outcome 3"], ["enabler 2"], ["enabler 3"]
    ]
    assert "(outcome" not in data["points-0-text"]
    # the admin corrects the tags of the last point
    data["points-3-framework_refs"] = ["enabler 3", "principle 1"]
    data["confirm"] = "1"
    assert client.post(url, data).status_code == 302
    saved = list(
        Finding.objects.filter(inspection__authority__name="Suffolk").order_by("position").values_list("framework_refs", flat=True)
    )
    assert saved == [["outcome 1"], ["outcome 3"], ["enabler 2"], ["enabler 3", "principle 1"]]


def test_tags_survive_reordering_and_an_unknown_tag_is_refused(client, suffolk_admin, private_storage):
    client.force_login(suffolk_admin)
    url = upload(client, SUFFOLK_PDF)["Location"]
    data = preview_post_data(client.get(url))
    data["points-0-ORDER"], data["points-3-ORDER"] = "4", "1"
    reordered = preview_post_data(client.post(url, {**data, "update": "1"}))
    assert reordered["points-0-framework_refs"] == ["enabler 3"]
    assert reordered["points-3-framework_refs"] == ["outcome 1"]
    reordered["points-1-framework_refs"] = ["outcome 9"]
    reordered["confirm"] = "1"
    refused = client.post(url, reordered)
    assert refused.status_code == 400
    assert "Choose national framework references from the list" in refused.content.decode()
    assert not Inspection.objects.filter(authority__name="Suffolk").exists()


def test_a_heading_without_points_is_an_error_at_the_top_and_needs_an_explicit_tick(client, suffolk_admin, private_storage):
    client.force_login(suffolk_admin)
    response = client.post(IMPORT, {"text": LETTER_WITHOUT_READABLE_POINTS})
    url = response["Location"]
    preview = client.get(url)
    html = preview.content.decode()
    assert "<title>Error:" in html
    assert html.index('data-testid="no-points-read"') < html.index("Check the imported publication</h1>")
    assert 'data-testid="unread-section"' in html
    assert "This publication names nothing to improve" in html
    data = preview_post_data(preview)
    data["confirm"] = "1"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "no point was read from it" in refused.content.decode()
    assert not Inspection.objects.filter(authority__name="Suffolk").exists()
    data["nothing_to_improve"] = "on"
    assert client.post(url, data).status_code == 302
    inspection = Inspection.objects.get(authority__name="Suffolk")
    assert inspection.findings.count() == 0


def test_a_point_added_by_hand_is_enough_without_the_tick(client, suffolk_admin, private_storage):
    client.force_login(suffolk_admin)
    url = client.post(IMPORT, {"text": LETTER_WITHOUT_READABLE_POINTS})["Location"]
    data = preview_post_data(client.post(url, {**preview_post_data(client.get(url)), "add_point": "1"}))
    data["points-0-text"] = "The timeliness of responses to requests for help."
    data["points-0-framework_refs"] = ["outcome 1"]
    data["confirm"] = "1"
    assert client.post(url, data).status_code == 302
    finding = Finding.objects.get(inspection__authority__name="Suffolk")
    assert (finding.kind, finding.framework_refs) == (FindingKind.IMPROVEMENT, ["outcome 1"])


def _report_form(start: dt.date, grades: dict) -> ImportPreviewForm:
    authority = LocalAuthority.objects.get(name="Suffolk")
    data = {
        "authority": authority.slug, "kind": "full_inspection", "focus_area": "",
        "visit_start_day": start.day, "visit_start_month": start.month, "visit_start_year": start.year,
        "visit_end_day": (start + dt.timedelta(days=11)).day, "visit_end_month": (start + dt.timedelta(days=11)).month,
        "visit_end_year": (start + dt.timedelta(days=11)).year,
        # a report's date is asked for: the action plan's 70 working days count from it
        "published_on_day": (start + dt.timedelta(days=40)).day, "published_on_month": (start + dt.timedelta(days=40)).month,
        "published_on_year": (start + dt.timedelta(days=40)).year,
        "inspectors": "Jane Doe", "headline": "",
        **{f"grade_{area}": grade for area, grade in grades.items()},
    }
    return ImportPreviewForm(data, authorities=[authority])


FOUR = {"impact_of_leaders": "good", "help_and_protection": "good", "children_in_care": "good", "care_leavers": "good"}


def test_reports_from_april_2026_need_no_overall_grade(demo):
    assert _report_form(dt.date(2026, 4, 13), FOUR).is_valid()
    earlier = _report_form(dt.date(2026, 3, 2), FOUR)
    assert not earlier.is_valid() and "grade_overall_effectiveness" in earlier.errors
    nothing = _report_form(dt.date(2026, 4, 13), {})
    assert not nothing.is_valid() and "grade_overall_effectiveness" in nothing.errors


def test_points_added_by_hand_are_kept_on_reload_with_a_suggested_theme_and_tags(client, suffolk_admin, private_storage):
    from findings.models import Theme

    client.force_login(suffolk_admin)
    url = upload(client, SUFFOLK_PDF)["Location"]
    added = client.post(url, {**preview_post_data(client.get(url)), "add_point": "1"})
    data = preview_post_data(added)
    assert data["points-TOTAL_FORMS"] == "5" and data["points-4-text"] == ""
    assert 'name="points-4-was_empty"' in added.content.decode()
    data["points-4-text"] = "The quality of supervision and management oversight. (enabler 2, national framework)"
    data["points-4-was_empty"] = "1"
    data["points-1-text"] = "Edited by the admin."
    client.post(url, {**data, "update": "1"})
    reloaded = preview_post_data(client.get(url))  # a reload: the list as the admin left it
    assert reloaded["points-TOTAL_FORMS"] == "5"
    assert reloaded["points-1-text"] == "Edited by the admin."
    assert reloaded["points-4-text"] == "The quality of supervision and management oversight."
    assert reloaded["points-4-framework_refs"] == ["enabler 2"]
    assert reloaded["points-4-theme"] == str(Theme.objects.get(slug="management-oversight-and-supervision").pk)
    reloaded["confirm"] = "1"
    assert client.post(url, reloaded).status_code == 302
    assert Finding.objects.filter(inspection__authority__name="Suffolk").count() == 5

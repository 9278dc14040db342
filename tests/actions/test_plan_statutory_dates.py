"""The action plan's statutory dates (issue 14, item 5): counted from the letter, recorded at import or
later by admins, leads and senior leaders, "sent N working days late", and no ever-growing overdue count
for an old inspection imported for the record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actions.models import ActionPlan
from actions.selectors import plan_deadlines_for
from actions.services import action_plan_record
from core.workdays import add_working_days, working_days_between
from findings.forms import ImportPreviewForm
from findings.models import FindingKind
from findings.services import InspectionInput, inspection_import
from inspections.models import Inspection, InspectionKind
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _imported_on(inspection, day: dt.date) -> Inspection:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Inspection.objects.filter(pk=inspection.pk).update(created_at=moment)
    inspection.refresh_from_db()
    return inspection


def _full(**fields) -> Inspection:
    fields.setdefault("visit_start", dt.date(2024, 10, 7))
    fields.setdefault("visit_end", dt.date(2024, 10, 18))
    fields.setdefault("published_on", dt.date(2024, 11, 29))
    return InspectionFactory(kind=InspectionKind.FULL, **fields)


# --- the rules --------------------------------------------------------------------------------------------


def test_the_plan_counts_from_the_letter_and_says_when_it_falls_back_to_the_last_day_on_site():
    dated = _imported_on(_full(), dt.date(2024, 12, 2))
    deadlines = plan_deadlines_for(dated, today=dt.date(2025, 1, 6))
    assert deadlines.letter_date_known and deadlines.plan_due == add_working_days(dt.date(2024, 11, 29), 70)
    undated = _imported_on(_full(published_on=None, visit_start=dt.date(2024, 9, 2), visit_end=dt.date(2024, 9, 13)),
                           dt.date(2024, 9, 20))
    deadlines = plan_deadlines_for(undated, today=dt.date(2024, 10, 1))
    assert not deadlines.letter_date_known and deadlines.plan_due == add_working_days(dt.date(2024, 9, 13), 70)


def test_a_plan_sent_late_says_how_many_working_days_late():
    inspection = _imported_on(_full(plan_submitted_on=dt.date(2025, 3, 19)), dt.date(2024, 12, 2))
    deadlines = plan_deadlines_for(inspection, today=dt.date(2025, 6, 1))
    assert deadlines.plan_due == dt.date(2025, 3, 12)
    assert deadlines.plan_days_late == 5  # 13, 14, 17, 18 and 19 March 2025
    assert deadlines.plan_days_left is None and not deadlines.plan_overdue
    on_time = _imported_on(_full(visit_start=dt.date(2023, 1, 9), visit_end=dt.date(2023, 1, 20),
                                 published_on=dt.date(2023, 2, 24), plan_submitted_on=dt.date(2023, 3, 1)),
                           dt.date(2023, 2, 27))
    assert plan_deadlines_for(on_time).plan_days_late is None


def test_an_inspection_imported_after_its_deadline_shows_not_recorded_not_an_overdue_count():
    # A 2019 report added in 2026: its plan was due years before anyone put it in the tracker.
    old = _imported_on(_full(visit_start=dt.date(2019, 1, 7), visit_end=dt.date(2019, 1, 18),
                             published_on=None), dt.date(2026, 11, 2))
    FindingFactory(inspection=old, kind=FindingKind.PRIORITY_ACTION)
    deadlines = plan_deadlines_for(old, today=dt.date(2026, 12, 1))
    assert deadlines.plan_not_recorded and deadlines.draft_not_recorded
    assert deadlines.plan_days_left is None and not deadlines.plan_overdue
    assert deadlines.draft_days_left is None and not deadlines.draft_overdue


def test_an_inspection_imported_in_time_is_still_counted_down_and_then_overdue():
    inspection = _imported_on(_full(), dt.date(2024, 12, 2))
    deadlines = plan_deadlines_for(inspection, today=dt.date(2025, 3, 14))
    assert not deadlines.plan_not_recorded
    assert deadlines.plan_overdue and deadlines.plan_days_left == -2


def test_the_inspection_page_shows_sent_late_and_not_recorded(client):
    council = LocalAuthorityFactory()
    client.force_login(UserFactory(role=Role.VIEWER, authorities=[council]))
    late = _imported_on(_full(authority=council, plan_submitted_on=dt.date(2025, 3, 19)), dt.date(2024, 12, 2))
    body = text_of(client.get(late.get_absolute_url()))
    assert "Sent 19 March 2025 sent 5 working days late" in body
    old = _imported_on(_full(authority=council, visit_start=dt.date(2019, 1, 7), visit_end=dt.date(2019, 1, 18),
                             published_on=None), dt.date(2026, 11, 2))
    body = text_of(client.get(old.get_absolute_url()))
    assert "Not recorded" in body and "Overdue by" not in body
    assert "the letter’s date is not recorded" in body


def test_the_dashboard_shows_not_recorded_and_sent_late(client):
    council = LocalAuthorityFactory()
    client.force_login(UserFactory(role=Role.SENIOR_LEADER, authorities=[council]))
    _imported_on(_full(authority=council, visit_start=dt.date(2019, 1, 7), visit_end=dt.date(2019, 1, 18),
                       published_on=None), dt.date(2026, 11, 2))
    _imported_on(_full(authority=council, plan_submitted_on=dt.date(2025, 3, 19)), dt.date(2024, 12, 2))
    body = text_of(client.get(reverse("dashboards:dashboard", kwargs={"slug": council.slug})))
    assert "Not recorded" in body
    assert "sent 5 working days late" in body
    assert not re.search(r"Overdue \d[\d,]* working days late", body)


# --- recording it later -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.IMPROVEMENT_LEAD, Role.SENIOR_LEADER])
def test_admins_leads_and_senior_leaders_record_the_plan(client, role):
    inspection = _full()
    client.force_login(UserFactory(role=role, authorities=[inspection.authority]))
    url = reverse("actions:plan_record", kwargs={"pk": inspection.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"plan_submitted_on": "2025-03-19"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.plan_submitted_on == dt.date(2025, 3, 19)


def test_viewers_and_other_councils_cannot_record_the_plan(client):
    inspection = _full()
    viewer = UserFactory(role=Role.VIEWER, authorities=[inspection.authority])
    with pytest.raises(PermissionDenied):
        action_plan_record(inspection=inspection, user=viewer, plan_submitted_on=dt.date(2025, 1, 6), draft_submitted_on=None)
    outsider = UserFactory(role=Role.SENIOR_LEADER, authorities=[LocalAuthorityFactory()])
    with pytest.raises(PermissionDenied):
        action_plan_record(inspection=inspection, user=outsider, plan_submitted_on=dt.date(2025, 1, 6), draft_submitted_on=None)
    client.force_login(viewer)
    assert client.get(reverse("actions:plan_record", kwargs={"pk": inspection.pk})).status_code == 403
    inspection.refresh_from_db()
    assert inspection.plan_submitted_on is None and not ActionPlan.objects.exists()


def test_the_record_link_shows_for_senior_leaders_not_viewers(client):
    inspection = _full()
    url = reverse("actions:plan_record", kwargs={"pk": inspection.pk})
    client.force_login(UserFactory(role=Role.SENIOR_LEADER, authorities=[inspection.authority]))
    assert url in client.get(inspection.get_absolute_url()).content.decode()
    client.force_login(UserFactory(role=Role.VIEWER, authorities=[inspection.authority]))
    assert url not in client.get(inspection.get_absolute_url()).content.decode()


# --- at import ----------------------------------------------------------------------------------------------


def _preview(**fields) -> ImportPreviewForm:
    authority = LocalAuthorityFactory()
    data = {
        "authority": authority.slug, "kind": "full_inspection", "focus_area": "",
        "visit_start_day": "7", "visit_start_month": "1", "visit_start_year": "2019",
        "visit_end_day": "18", "visit_end_month": "1", "visit_end_year": "2019",
        "published_on_day": "1", "published_on_month": "3", "published_on_year": "2019",
        "inspectors": "Jane Doe", "headline": "", "grade_overall_effectiveness": "good",
        **fields,
    }
    return ImportPreviewForm(data, authorities=[authority], undated=True)


def test_the_preview_asks_for_the_date_of_an_undated_report():
    form = _preview(published_on_day="", published_on_month="", published_on_year="")
    assert not form.is_valid()
    assert "counted from it" in form.fields["published_on"].help_text
    assert form.errors["published_on"] == ["Enter the date of the report: the action plan is due 70 working days after it"]


def test_the_preview_records_a_plan_already_sent():
    form = _preview(plan_sent="yes", plan_sent_on_day="10", plan_sent_on_month="6", plan_sent_on_year="2019")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["plan_submitted_on"] == dt.date(2019, 6, 10)
    not_sent = _preview(plan_sent="no")
    assert not_sent.is_valid() and not_sent.cleaned_data["plan_submitted_on"] is None


@pytest.mark.parametrize("fields, error", [
    ({"plan_sent": "yes"}, "Enter the date the action plan was sent"),
    ({"plan_sent": "yes", "plan_sent_on_day": "1", "plan_sent_on_month": "2", "plan_sent_on_year": "2019"},
     "The date the action plan was sent must be the same as or after the date of the letter"),
    ({"plan_sent": "yes", "plan_sent_on_day": "1", "plan_sent_on_month": "1", "plan_sent_on_year": "2099"},
     "The date the action plan was sent must be today or in the past"),
])
def test_the_preview_refuses_a_bad_sent_date(fields, error):
    form = _preview(**fields)
    assert not form.is_valid()
    assert error in " ".join(form.errors["plan_sent_on"])


def test_the_import_saves_the_sent_date_and_the_service_checks_it(django_capture_on_commit_callbacks):
    authority = LocalAuthorityFactory()
    admin = UserFactory(role=Role.ADMIN, authorities=[authority])

    def data(sent):
        return InspectionInput(authority=authority, kind=InspectionKind.FULL, visit_start=dt.date(2019, 1, 7),
                               visit_end=dt.date(2019, 1, 18), published_on=dt.date(2019, 3, 1), plan_submitted_on=sent)

    with pytest.raises(ValidationError):
        inspection_import(data=data(dt.date(2019, 2, 1)), source=b"letter", filename="", user=admin)
    assert not Inspection.objects.exists()
    inspection = inspection_import(data=data(dt.date(2019, 6, 20)), source=b"letter", filename="", user=admin)
    assert inspection.plan_submitted_on == dt.date(2019, 6, 20)
    deadlines = plan_deadlines_for(inspection)
    assert deadlines.plan_due == dt.date(2019, 6, 13)
    assert deadlines.plan_days_late == 5 == working_days_between(deadlines.plan_due, dt.date(2019, 6, 20))

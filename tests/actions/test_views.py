"""The action page, its update form (htmx and full page), conflicts, evidence downloads, verification,
adding actions and the plan's dates; per role."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from actions.models import Action, Evidence, Status
from actions.services import action_change
from findings.models import FindingKind
from inspections.models import InspectionKind
from tests.factories import PASSWORD, FindingFactory, InspectionFactory, OwnerFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def update_url(action):
    return reverse("actions:action_update", kwargs={"pk": action.pk})


def test_a_lead_updates_without_javascript_and_is_sent_back_to_the_action(make_action, people):
    action = make_action()
    response = client_for(people["lead"]).post(
        update_url(action), {"version": 1, "status": "in_progress", "rag": "green", "note": "Audit booked"}
    )
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    action.refresh_from_db()
    assert (action.status, action.version, action.progress_notes) == ("in_progress", 2, "Audit booked")
    page = client_for(people["lead"]).get(action.get_absolute_url()).content.decode()
    assert "Status: Not started → In progress" in page and "Audit booked" in page


def test_with_htmx_the_update_returns_the_refreshed_panel(make_action, people):
    action = make_action()
    response = client_for(people["lead"]).post(
        update_url(action), {"version": 1, "status": "in_progress", "rag": "green", "note": "Audit booked"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Your update was saved." in body and "Status: Not started → In progress" in body
    assert 'name="version" value="2"' in body


def test_form_errors_are_shown_and_nothing_is_saved(make_action, people):
    action = make_action(due_date=dt.date(2030, 1, 1))
    response = client_for(people["lead"]).post(
        update_url(action), {"version": 1, "status": "not_started", "rag": "green", "due_date": "2030-02-01"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter why the due date is changing." in body
    assert Action.objects.get(pk=action.pk).version == 1


def _stale_post(client, action, **extra):
    return client.post(
        update_url(action),
        {"version": 1, "status": "blocked", "rag": "green", "note": "My long careful note about the audit"},
        **extra,
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_save_shows_what_changed_and_keeps_the_typed_text(make_action, people, htmx):
    action = make_action()
    action_change(action=action, user=people["owner"], expected_version=1, changes={"status": "in_progress"},
                  note="Owner started it")
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = _stale_post(client_for(people["lead"]), action, **extra)
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 409)
    assert "Someone else updated this action while you were editing it" in body
    assert "Status: Not started → In progress" in body and "Owner started it" in body
    assert "My long careful note about the audit" in body  # nothing typed is lost
    assert 'name="version" value="2"' in body  # re-saving is a deliberate choice against the new version
    assert '<option value="blocked" selected>' in body  # what they changed stays as they typed it
    assert Action.objects.get(pk=action.pk).status == "in_progress"


def test_the_action_page_query_count_does_not_grow_with_history(make_action, people, django_assert_num_queries):
    def count_for(action):
        client = client_for(people["lead"])
        client.get(action.get_absolute_url())  # warm the session
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(action.get_absolute_url()).status_code == 200
        return len(queries)

    small = make_action(title="Small")
    large = make_action(title="Large", measure_name="Plans up to date", measure_baseline=54)
    for index in range(15):
        action_change(action=Action.objects.get(pk=large.pk), user=people["lead"],
                               expected_version=index + 1, changes={"measure_latest": 54 + index},
                               note=f"Update {index}", evidence_links=[f"https://example.org/{index}"])
    assert count_for(small) == count_for(large)


def test_evidence_is_downloaded_only_as_an_attachment_by_people_who_can_see_the_action(make_action, people):
    action = make_action()
    client_for(people["lead"]).post(
        update_url(action),
        {"version": 1, "status": "not_started", "rag": "green", "evidence_file": SimpleUploadedFile("audit.pdf", PDF)},
    )
    evidence = Evidence.objects.get(action=action)
    url = evidence.get_absolute_url()
    response = client_for(people["viewer"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "audit.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert client_for(people["outsider"]).get(url).status_code == 404
    assert client_for(people["partner"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to sign-in


def test_a_disguised_upload_is_refused_with_a_message(make_action, people):
    action = make_action()
    response = client_for(people["lead"]).post(
        update_url(action),
        {"version": 1, "status": "not_started", "rag": "green",
         "evidence_file": SimpleUploadedFile("audit.pdf", b"MZ\x90\x00\x03\x00binary\x00")},
    )
    assert "must be a PDF, an image" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("role, status", [("viewer", 403), ("outsider", 404), ("partner", 404)])
def test_people_who_cannot_update_are_refused(make_action, people, role, status):
    action = make_action()
    client = client_for(people[role])
    assert client.get(update_url(action)).status_code == status
    assert client.post(update_url(action), {"version": 1, "note": "x"}).status_code == status
    assert Action.objects.get(pk=action.pk).version == 1


def test_a_senior_leader_sees_a_comment_form_only(make_action, people):
    action = make_action()
    body = client_for(people["leader"]).get(action.get_absolute_url()).content.decode()
    assert "Add a comment" in body and 'name="status"' not in body
    response = client_for(people["leader"]).post(update_url(action), {"version": 1, "note": "Board asks for dates"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).updates.filter(note="Board asks for dates").exists()


def test_a_partner_sees_their_action_with_notes_evidence_and_complete_only(make_action, people, council):
    action = make_action(owner=people["partner"])
    client = client_for(people["partner"])
    body = client.get(action.get_absolute_url()).content.decode()
    assert 'name="note"' in body and 'name="evidence_file"' in body
    assert 'name="rag"' not in body and 'name="due_date"' not in body
    # The form says what a partner may change, and offers only the status it has and Complete.
    assert "As a partner you can add notes and evidence and mark the action Complete for a checker to verify" in body
    status_select = re.search(r'<select name="status".*?</select>', body, re.S).group(0)
    assert re.findall(r'value="(\w+)"', status_select) == [Status.NOT_STARTED, Status.COMPLETE]
    # Complete without evidence is refused with why, and nothing is saved.
    refused = client.post(update_url(action), {"version": 1, "note": "ok", "status": "complete"})
    assert refused.status_code == 200 and "Add evidence" in refused.content.decode()
    assert Action.objects.get(pk=action.pk).version == 1
    # No link on the page leads where the partner cannot go: the finding's text is shown instead.
    assert escape(action.finding.text) in body
    for page in (action.finding.inspection.get_absolute_url(), action.finding.get_absolute_url(),
                 reverse("inspections:authority_list"), council.get_absolute_url()):
        assert f'href="{page}"' not in body
    assert f'href="{reverse("home")}"' in body and f'href="{reverse("actions:my_actions")}"' in body
    assert client.get(action.finding.inspection.get_absolute_url()).status_code == 404
    assert client.get(reverse("inspections:authority_detail", kwargs={"slug": council.slug})).status_code == 404


def test_verify_and_send_back_through_the_page(make_action, people):
    action = make_action(status=Status.COMPLETE, evidence="Audit report")
    url = reverse("actions:action_verify", kwargs={"pk": action.pk})
    version = action.version
    assert client_for(people["lead"]).post(url, {"version": version, "decision": "verify"}).status_code == 403
    response = client_for(people["leader"]).post(url, {"version": version, "decision": "send_back", "reason": ""})
    assert "Enter why the action is being sent back" in response.content.decode()
    response = client_for(people["leader"]).post(url, {"version": version, "decision": "verify"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == Status.CLOSED


def test_adding_actions_from_a_finding(finding, people):
    url = reverse("actions:action_add", kwargs={"finding_pk": finding.pk})
    client = client_for(people["lead"])
    owner = OwnerFactory(authority=finding.inspection.authority, user=people["owner"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Recruit advisers", "owner": owner.pk, "status": "not_started",
                                 "rag": "green", "due_date": "2030-03-31", "add_another": "1"})
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(url, {"title": "", "status": "not_started", "rag": "green"})
    assert "Enter the action" in response.content.decode()
    elsewhere = OwnerFactory(user=people["outsider"])  # an owner of another council
    response = client.post(url, {"title": "Second", "owner": elsewhere.pk, "status": "not_started", "rag": "green"})
    assert "Select a valid choice" in response.content.decode()
    assert list(finding.actions.values_list("title", flat=True)) == ["Recruit advisers"]
    assert client_for(people["viewer"]).get(url).status_code == 403
    assert client_for(people["outsider"]).get(url).status_code == 404


def test_the_inspection_page_shows_plan_dates_and_records_submission(council, people):
    inspection = InspectionFactory(authority=council, kind=InspectionKind.FOCUSED, visit_start=dt.date(2025, 3, 10),
                                   visit_end=dt.date(2025, 3, 11), published_on=dt.date(2025, 4, 1))
    finding = FindingFactory(inspection=inspection, kind=FindingKind.PRIORITY_ACTION)
    # imported in time (imported after its dates had passed, an inspection's plan is "Not recorded")
    type(inspection).objects.filter(pk=inspection.pk).update(
        created_at=dt.datetime(2025, 4, 2, 12, tzinfo=dt.timezone.utc)
    )
    page = client_for(people["lead"]).get(inspection.get_absolute_url()).content.decode()
    assert "Draft action plan due" in page and "Action plan due to Ofsted" in page and "Overdue by" in page
    assert reverse("actions:action_add", kwargs={"finding_pk": finding.pk}) in page
    viewer_page = client_for(people["viewer"]).get(inspection.get_absolute_url()).content.decode()
    assert "Add an action" not in viewer_page and "Record when the plan was sent" not in viewer_page
    url = reverse("actions:plan_record", kwargs={"pk": inspection.pk})
    response = client_for(people["lead"]).post(url, {"draft_submitted_on": "2025-04-20", "plan_submitted_on": "2099-01-01"})
    assert "must be today or in the past" in response.content.decode()
    response = client_for(people["lead"]).post(url, {"draft_submitted_on": "2025-04-20", "plan_submitted_on": "2025-06-30"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.plan_submitted_on == dt.date(2025, 6, 30)
    assert inspection.action_plan.draft_submitted_on == dt.date(2025, 4, 20)
    page = client_for(people["lead"]).get(inspection.get_absolute_url()).content.decode()
    assert "Sent 30 June 2025" in page and "Sent 20 April 2025" in page
    assert client_for(people["viewer"]).post(url, {}).status_code == 403


def test_after_a_conflict_fields_left_untouched_show_the_newer_values(make_action, people):
    action = make_action(due_date=dt.date(2030, 1, 1))
    action_change(action=action, user=people["owner"], expected_version=1,
                  changes={"status": "in_progress", "due_date": dt.date(2030, 6, 1)}, note="Moved",
                  due_date_reason="Waiting for the new system")
    response = client_for(people["lead"]).post(
        update_url(action),
        {"version": 1, "status": "not_started", "rag": "amber", "due_date": "2030-01-01", "note": "Mine"},
    )
    body = response.content.decode()
    assert '<option value="in_progress" selected>' in body
    # The due date's day, month and year boxes show the newer date.
    for part, value in (("day", "1"), ("month", "6"), ("year", "2030")):
        assert f'name="due_date_{part}" type="text" inputmode="numeric" value="{value}"' in body
    assert '<option value="amber" selected>' in body and "Mine" in body


def test_the_update_form_of_a_closed_action_shows_and_keeps_its_status(client, demo):
    """A closed action's form must not fall back to "Not started": saving a note would reopen it."""
    from actions.models import Action, Status

    action = Action.objects.filter(status=Status.CLOSED, finding__inspection__authority__slug="barnsley").first()
    client.force_login(demo["lead"])
    page = client.get(f"/actions/{action.pk}/").content.decode()
    assert '<option value="closed" selected>Closed (verified)</option>' in page
    response = client.post(
        f"/actions/{action.pk}/update/",
        {"version": action.version, "status": "closed", "rag": action.rag, "note": "Still embedded, checked in audit.",
         "due_date": action.due_date.isoformat() if action.due_date else ""},
    )
    assert response.status_code in (200, 302)
    action.refresh_from_db()
    assert action.status == Status.CLOSED


def test_the_due_date_is_typed_as_day_month_and_year(make_action, people):
    action = make_action(due_date=dt.date(2030, 1, 1))
    client = client_for(people["lead"])
    response = client.post(update_url(action), {
        "version": 1, "status": "not_started", "rag": "green", "due_date_day": "31", "due_date_month": "2",
        "due_date_year": "2030", "due_date_reason": "New system late",
    })
    body = response.content.decode()
    assert response.status_code == 200 and "The due date must be a real date" in body
    assert 'href="#id_due_date_day"' in body  # the error summary links to the day box
    action.refresh_from_db()
    assert (action.due_date, action.version) == (dt.date(2030, 1, 1), 1)

    response = client.post(update_url(action), {
        "version": 1, "status": "not_started", "rag": "green", "due_date_day": "28", "due_date_month": "2",
        "due_date_year": "2030", "due_date_reason": "New system late",
    })
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_date == dt.date(2030, 2, 28)

"""One test per rule of an action, run through every door that could break it.

Doors: the action page's form (no JavaScript), the same form through htmx, bulk change, spreadsheet
import, the admin site, and the service call that commands and the demo loader make. A refused change
writes nothing (row, history, evidence, count unchanged); an accepted one writes exactly one history row.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action, ActionUpdate, Status
from actions.services import SYSTEM, StaleActionError, action_change, action_create, action_verify
from tests.doors.conftest import (
    admin_change_url,
    client_for,
    fresh,
    history_count,
    import_rows,
    post_admin,
    post_bulk,
    post_page,
    post_verify,
    snapshot,
)

pytestmark = pytest.mark.django_db

PAGE_DOORS = ["form", "htmx"]
IMPORT_HEADER = "Ref,Action,Owner,Due date,Status,RAG\n"


def _page(door, user, action, **overrides):
    return post_page(user, action, htmx=door == "htmx", **overrides)


# --- Complete needs evidence -------------------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "bulk", "service", "admin", "import"])
def test_complete_needs_evidence(door, make_action, colleague, council_admin, finding):
    action = make_action(status=Status.IN_PROGRESS)
    before = snapshot(action)
    why = "Add evidence (a file, a link or a summary) before marking the action complete."
    if door in PAGE_DOORS:
        response = _page(door, colleague, action, status=Status.COMPLETE)
        assert why in response.content.decode()
    elif door == "bulk":
        response = post_bulk(colleague, action, status=Status.COMPLETE)
        assert response.status_code == 200 and why in response.content.decode()
    elif door == "service":
        with pytest.raises(ValidationError) as error:
            action_change(action=action, user=colleague, expected_version=action.version,
                          changes={"status": Status.COMPLETE})
        assert why in error.value.messages
    elif door == "admin":
        page = client_for(council_admin).get(admin_change_url(action)).content.decode()
        assert 'name="status"' not in page  # read-only on the admin site
        post_admin(council_admin, action, status=Status.COMPLETE)
    elif door == "import":
        check, saved = import_rows(colleague, finding.inspection,
                                   IMPORT_HEADER + f"{finding.position},A new action,owner,31/03/2030,Complete,Green\n")
        assert "once its evidence is added there" in check.content.decode()
        assert saved.status_code == 200
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["form", "htmx", "bulk", "service"])
def test_complete_with_evidence_writes_one_history_row(door, make_action, colleague):
    action = make_action(status=Status.IN_PROGRESS, evidence="Audit of twenty case files")
    rows = history_count(action)
    if door in PAGE_DOORS:
        _page(door, colleague, action, status=Status.COMPLETE)
    elif door == "bulk":
        post_bulk(colleague, action, status=Status.COMPLETE)
    else:
        action_change(action=action, user=colleague, expected_version=action.version, changes={"status": Status.COMPLETE})
    assert fresh(action).status == Status.COMPLETE
    assert history_count(action) == rows + 1


def test_complete_with_evidence_added_in_the_same_save(make_action, colleague):
    action = make_action(status=Status.IN_PROGRESS)
    rows = history_count(action)
    _page("form", colleague, action, status=Status.COMPLETE, evidence="Audit of twenty case files")
    assert fresh(action).status == Status.COMPLETE and history_count(action) == rows + 1


# --- Closing needs a second person -------------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "verify", "verify-htmx", "bulk", "service", "admin", "import"])
def test_closing_needs_a_second_person(door, make_action, owner, colleague, leader, council_admin, finding):
    action = make_action(status=Status.COMPLETE)
    own = make_action(status=Status.COMPLETE, owner=leader, title="Leader's own action")
    before, own_before = snapshot(action), snapshot(own)
    if door in PAGE_DOORS:
        # Closed is not a status anyone may choose: it is what a verification does.
        response = _page(door, owner, action, status=Status.CLOSED)
        assert "Select a valid choice" in response.content.decode()
    elif door in ("verify", "verify-htmx"):
        # An improvement lead cannot verify (403); a senior leader cannot verify their own action.
        assert post_verify(colleague, action, htmx=door == "verify-htmx").status_code == 403
        response = post_verify(leader, own, htmx=door == "verify-htmx")
        assert "Someone other than the owner must verify and close this action." in response.content.decode()
        assert snapshot(own) == own_before
    elif door == "bulk":
        response = post_bulk(colleague, action, status=Status.CLOSED)
        assert "Select a valid choice" in response.content.decode()
    elif door == "service":
        with pytest.raises(ValidationError, match="someone other than its owner verifies it"):
            action_change(action=action, user=colleague, expected_version=action.version,
                          changes={"status": Status.CLOSED})
        with pytest.raises(PermissionDenied):
            action_verify(action=action, user=colleague, expected_version=action.version)
        with pytest.raises(PermissionDenied):
            action_verify(action=action, user=SYSTEM, expected_version=action.version)
    elif door == "admin":
        page = client_for(council_admin).get(admin_change_url(action)).content.decode()
        assert 'name="status"' not in page
        post_admin(council_admin, action, status=Status.CLOSED)
    elif door == "import":
        check, saved = import_rows(colleague, finding.inspection,
                                   IMPORT_HEADER + f"{finding.position},A new action,owner,31/03/2030,Closed (verified),Green\n")
        assert "when someone other than its owner checks its evidence" in check.content.decode()
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["verify", "verify-htmx", "service"])
def test_a_second_person_closes_with_one_history_row(door, make_action, leader):
    action = make_action(status=Status.COMPLETE)
    rows = history_count(action)
    if door == "service":
        action_verify(action=action, user=leader, expected_version=action.version)
    else:
        post_verify(leader, action, htmx=door == "verify-htmx")
    action = fresh(action)
    assert action.status == Status.CLOSED and history_count(action) == rows + 1
    assert action.updates.order_by("-version").first().author == leader


def test_a_new_action_never_starts_complete_or_closed(finding, colleague):
    for status in (Status.COMPLETE, Status.CLOSED):
        with pytest.raises(ValidationError):
            action_create(user=colleague, finding=finding, title="Audit", status=status)
        with pytest.raises(ValidationError):
            action_create(user=SYSTEM, finding=finding, title="Audit", status=status)
    assert not Action.objects.exists() and not ActionUpdate.objects.exists()


# --- A due-date change needs a reason ----------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "service", "admin"])
def test_a_due_date_change_needs_a_reason(door, make_action, colleague, council_admin):
    action = make_action(status=Status.IN_PROGRESS)
    before = snapshot(action)
    new_date = action.due_date + dt.timedelta(days=30)
    if door in PAGE_DOORS:
        response = _page(door, colleague, action, due_date=new_date.isoformat())
        assert "Enter why the due date is changing." in response.content.decode()
    elif door == "service":
        with pytest.raises(ValidationError, match="Enter why the due date is changing"):
            action_change(action=action, user=colleague, expected_version=action.version,
                          changes={"due_date": new_date})
    elif door == "admin":
        page = client_for(council_admin).get(admin_change_url(action)).content.decode()
        assert 'name="due_date"' not in page
        post_admin(council_admin, action, due_date=new_date.isoformat())
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["form", "htmx", "bulk", "service"])
def test_a_due_date_change_with_its_reason_writes_one_history_row(door, make_action, colleague):
    action = make_action(status=Status.IN_PROGRESS)
    rows = history_count(action)
    new_date = action.due_date + dt.timedelta(days=30)
    reason = "Waiting for the new case system"
    if door in PAGE_DOORS:
        _page(door, colleague, action, due_date=new_date.isoformat(), due_date_reason=reason)
    elif door == "bulk":
        # The bulk change's reason is the reason for the new due date, in every action's history.
        post_bulk(colleague, action, due_date=new_date, note=reason)
    else:
        action_change(action=action, user=colleague, expected_version=action.version,
                      changes={"due_date": new_date}, due_date_reason=reason)
    action = fresh(action)
    assert action.due_date == new_date and history_count(action) == rows + 1
    assert action.updates.order_by("-version").first().changes["due_date_reason"] == [None, reason]


# --- A RAG override needs a reason -------------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "service", "admin"])
def test_a_rag_override_needs_a_reason(door, make_action, colleague, council_admin):
    action = make_action(status=Status.IN_PROGRESS)  # due in 60 days, in progress: green suggested
    before = snapshot(action)
    if door in PAGE_DOORS:
        response = _page(door, colleague, action, rag="red")
        assert "Enter why the RAG differs from the suggested green." in response.content.decode()
    elif door == "service":
        with pytest.raises(ValidationError, match="Enter why the RAG differs"):
            action_change(action=action, user=colleague, expected_version=action.version, changes={"rag": "red"})
    elif door == "admin":
        page = client_for(council_admin).get(admin_change_url(action)).content.decode()
        assert 'name="rag"' not in page
        post_admin(council_admin, action, rag="red")
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["form", "htmx", "service"])
def test_a_rag_override_with_its_reason_writes_one_history_row(door, make_action, colleague):
    action = make_action(status=Status.IN_PROGRESS)
    rows = history_count(action)
    if door in PAGE_DOORS:
        _page(door, colleague, action, rag="red", rag_reason="Recruitment has stalled")
    else:
        action_change(action=action, user=colleague, expected_version=action.version, changes={"rag": "red"},
                      rag_reason="Recruitment has stalled")
    assert fresh(action).rag == "red" and history_count(action) == rows + 1


# --- Partners: only their own actions, only their fields ---------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "verify", "bulk", "service", "admin"])
def test_a_partner_cannot_touch_an_action_that_is_not_theirs(door, make_action, partner):
    action = make_action(status=Status.COMPLETE)
    before = snapshot(action)
    if door in PAGE_DOORS:
        assert _page(door, partner, action, note="Done").status_code == 404
    elif door == "verify":
        assert post_verify(partner, action, htmx=False).status_code == 404
    elif door == "bulk":
        assert post_bulk(partner, action, status=Status.IN_PROGRESS).status_code == 403
    elif door == "service":
        with pytest.raises(PermissionDenied):
            action_change(action=action, user=partner, expected_version=action.version, changes={}, note="Done")
    elif door == "admin":
        assert post_admin(partner, action, title="Renamed").status_code == 302  # to the admin's sign-in
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["form", "htmx", "service"])
def test_a_partner_changes_only_notes_and_evidence_on_their_own_action(door, make_action, partner):
    action = make_action(status=Status.IN_PROGRESS, owner=partner)
    before = snapshot(action)
    if door in PAGE_DOORS:
        # The form offers a partner only the status it has and Complete: Blocked is refused, nothing saved.
        response = _page(door, partner, action, status=Status.BLOCKED, note="Two of three sessions held")
        assert "Select a valid choice" in response.content.decode()
        assert snapshot(action) == before
        _page(door, partner, action, note="Two of three sessions held")
        assert fresh(action).status == Status.IN_PROGRESS
        assert history_count(action) == before[1] + 1
    else:
        with pytest.raises(PermissionDenied, match="status"):
            action_change(action=action, user=partner, expected_version=action.version,
                          changes={"status": Status.BLOCKED})
        assert snapshot(action) == before
        action_change(action=action, user=partner, expected_version=action.version, changes={},
                      note="Two of three sessions held")
        assert history_count(action) == before[1] + 1
    assert fresh(action).progress_notes == "Two of three sessions held"


@pytest.mark.parametrize("door", ["form", "htmx", "service"])
def test_a_partner_marks_their_action_complete_with_evidence(door, make_action, partner):
    action = make_action(status=Status.IN_PROGRESS, owner=partner)
    rows = history_count(action)
    if door in PAGE_DOORS:
        _page(door, partner, action, status=Status.COMPLETE, evidence="Attendance register for all three sessions",
              note="All three sessions held")
    else:
        action_change(action=action, user=partner, expected_version=action.version,
                      changes={"status": Status.COMPLETE, "evidence": "Attendance register for all three sessions"},
                      note="All three sessions held")
    after = fresh(action)
    assert after.status == Status.COMPLETE and after.evidence == "Attendance register for all three sessions"
    assert after.progress_notes == "All three sessions held"
    assert history_count(action) == rows + 1


@pytest.mark.parametrize("door", ["form", "htmx", "service"])
def test_a_partner_cannot_mark_complete_without_evidence(door, make_action, partner):
    action = make_action(status=Status.IN_PROGRESS, owner=partner)
    before = snapshot(action)
    why = "Add evidence (a file, a link or a summary) before marking the action complete."
    if door in PAGE_DOORS:
        assert why in _page(door, partner, action, status=Status.COMPLETE).content.decode()
    else:
        with pytest.raises(ValidationError) as error:
            action_change(action=action, user=partner, expected_version=action.version,
                          changes={"status": Status.COMPLETE})
        assert why in error.value.messages
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["form", "htmx", "service"])
@pytest.mark.parametrize("start", [Status.IN_PROGRESS, Status.COMPLETE])
@pytest.mark.parametrize("target", [Status.CLOSED, Status.NOT_STARTED, Status.BLOCKED])
def test_a_partner_sets_no_status_but_complete(door, start, target, make_action, partner):
    """Not Closed (only a checker's verification closes), no other status, and not back out of Complete."""
    action = make_action(status=start, owner=partner, evidence="Attendance register")
    before = snapshot(action)
    if door in PAGE_DOORS:
        page = client_for(partner).get(action.get_absolute_url()).content.decode()
        response = _page(door, partner, action, status=target)
        if start == Status.COMPLETE:
            # Nothing left to choose: no status field, and a posted status is not read.
            assert 'name="status"' not in page
            assert "Nothing had changed" in response.content.decode() or response.status_code == 302
        else:
            assert "Select a valid choice" in response.content.decode()
    else:
        with pytest.raises(PermissionDenied, match="status"):
            action_change(action=action, user=partner, expected_version=action.version, changes={"status": target})
    assert snapshot(action) == before


@pytest.mark.parametrize("door", ["verify", "send-back", "bulk", "admin"])
def test_a_partner_cannot_close_or_bulk_change_their_own_action(door, make_action, partner):
    action = make_action(status=Status.COMPLETE, owner=partner)
    before = snapshot(action)
    if door == "verify":
        assert post_verify(partner, action, htmx=False).status_code == 403
    elif door == "send-back":
        assert post_verify(partner, action, htmx=False, decision="send_back", reason="Not yet").status_code == 403
    elif door == "bulk":
        assert post_bulk(partner, action, status=Status.IN_PROGRESS).status_code == 403
    elif door == "admin":
        assert post_admin(partner, action, status=Status.CLOSED).status_code == 302  # to the admin's sign-in
    with pytest.raises(PermissionDenied):
        action_verify(action=action, user=partner, expected_version=action.version)
    assert snapshot(action) == before


# --- An outsider gets 404 and nothing changes --------------------------------------------------------


@pytest.fixture
def outsider_admin(their_council):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    admin = UserFactory(username="their-admin", role="Admin", authorities=[their_council], is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="actions"))
    return admin


@pytest.mark.parametrize("door", ["form", "htmx", "verify", "bulk", "import", "service", "admin", "view-on-site"])
def test_an_outsider_gets_404_and_nothing_changes(door, make_action, outsider, outsider_admin, finding):
    action = make_action(status=Status.COMPLETE)
    before = snapshot(action)
    if door in PAGE_DOORS:
        assert _page(door, outsider, action, status=Status.IN_PROGRESS).status_code == 404
    elif door == "verify":
        assert post_verify(outsider, action, htmx=False).status_code == 404
    elif door == "bulk":
        assert post_bulk(outsider, action, status=Status.IN_PROGRESS).status_code == 404
    elif door == "import":
        upload, saved = import_rows(outsider, finding.inspection, IMPORT_HEADER + "1,A,owner,31/03/2030,In progress,Green\n")
        assert saved is None and "Select a valid choice" in upload.content.decode()
    elif door == "service":
        with pytest.raises(PermissionDenied):
            action_change(action=action, user=outsider, expected_version=action.version, changes={"rag": "red"},
                          rag_reason="x")
    elif door == "admin":
        client = client_for(outsider_admin)
        assert client.get(admin_change_url(action)).status_code == 302  # "doesn't exist": back to the index
        post_admin(outsider_admin, action, title="Renamed by another council")
    elif door == "view-on-site":
        from django.contrib.contenttypes.models import ContentType

        from actions.models import Evidence

        evidence = Evidence.objects.create(action=action, link="https://intranet.ourshire.example/audit")
        before = snapshot(action)
        content_type = ContentType.objects.get_for_model(Evidence)
        response = client_for(outsider_admin).get(f"/admin/r/{content_type.pk}/{evidence.pk}/")
        assert response.status_code == 404
    assert snapshot(action) == before


# --- A stale version is refused ----------------------------------------------------------------------


@pytest.mark.parametrize("door", ["form", "htmx", "verify", "bulk", "service", "admin"])
def test_a_stale_version_is_refused(door, make_action, colleague, leader, council_admin):
    action = make_action(status=Status.COMPLETE)
    read_version = action.version
    # Someone else saves after this person read the action.
    action_change(action=action, user=colleague, expected_version=read_version, changes={}, note="Newer note")
    before = snapshot(action)
    if door in PAGE_DOORS:
        response = _page(door, colleague, action, version=read_version, note="My note")
        assert 'data-testid="conflict"' in response.content.decode()
        assert response.status_code == (409 if door == "form" else 200)
    elif door == "verify":
        response = post_verify(leader, action, htmx=False, version=read_version)
        assert "Someone changed this action while you were reading it" in response.content.decode()
    elif door == "bulk":
        response = post_bulk(colleague, action, version=read_version, status=Status.IN_PROGRESS)
        assert "Changed by someone else since you looked" in response.content.decode()
    elif door == "service":
        with pytest.raises(StaleActionError):
            action_change(action=action, user=colleague, expected_version=read_version, changes={}, note="Mine")
    elif door == "admin":
        response = post_admin(council_admin, action, version=read_version, title="Corrected title")
        assert "Someone changed this action since you opened it" in response.content.decode()
    assert snapshot(action) == before


# --- The admin site saves through the service --------------------------------------------------------


def test_an_admin_correction_goes_through_the_service_with_one_history_row(make_action, council_admin):
    action = make_action(status=Status.IN_PROGRESS)
    rows = history_count(action)
    response = post_admin(council_admin, action, title="Audit twenty-five pathway plans", status=Status.CLOSED)
    assert response.status_code == 302
    action = fresh(action)
    assert action.title == "Audit twenty-five pathway plans" and action.status == Status.IN_PROGRESS
    assert history_count(action) == rows + 1
    latest = action.updates.order_by("-version").first()
    assert latest.author == council_admin and latest.changes["title"][1] == "Audit twenty-five pathway plans"


def test_history_and_evidence_are_read_only_on_the_admin_site(make_action, council_admin):
    action = make_action(status=Status.IN_PROGRESS)
    update = action.updates.first()
    client = client_for(council_admin)
    assert client.get("/admin/actions/actionupdate/add/").status_code == 403
    page = client.get(f"/admin/actions/actionupdate/{update.pk}/change/").content.decode()
    assert 'name="note"' not in page
    assert client.post(f"/admin/actions/actionupdate/{update.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/actions/action/add/").status_code == 403
    assert ActionUpdate.objects.filter(pk=update.pk).exists()

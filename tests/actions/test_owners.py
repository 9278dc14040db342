"""Owners without accounts (issue 15, item 3): an action's owner is a person record of the council,
optionally linked to a user; its management, the rules that read it, reminders, the import and the
"Edit action details" form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action, Owner, ReminderLog, Status
from actions.permissions import action_permissions, action_policy
from actions.selectors import my_action_rows_for
from actions.services import (
    StaleActionError, action_change, action_create, action_plan_import, action_verify, owner_create, owner_update,
)
from core.people import person_label
from tests.factories import OwnerFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
DUE = dt.date(2027, 1, 15)


@pytest.fixture
def nurse(council):
    """A partner agency's nurse named in the plan, who will never sign in."""
    return OwnerFactory(authority=council, name="Jo Carter", job_title="Designated nurse",
                        organisation="NHS South Yorkshire", email="jo.carter@example.org")


# --- the record and the services ------------------------------------------------------------------


def test_a_user_named_as_owner_gets_one_owner_record_per_council(finding, people):
    first = action_create(user=people["lead"], finding=finding, title="One", owner=people["owner"])
    second = action_create(user=people["lead"], finding=finding, title="Two", owner=people["owner"])
    assert first.owner == second.owner
    assert (first.owner.user, first.owner.name, first.owner.email) == (
        people["owner"], person_label(people["owner"]), people["owner"].email)
    assert Owner.objects.filter(user=people["owner"]).count() == 1


def test_an_owner_without_an_account_owns_an_action_and_the_history_names_them(finding, people, nurse):
    action = action_create(user=people["lead"], finding=finding, title="Health assessments", owner=nurse)
    assert action.owner == nurse
    assert action.updates.get().changes["owner"] == [None, "Jo Carter"]
    # Nobody is "the owner" of it: no account, no owner's rights.
    assert not any(action_policy.is_owner(person, action) for person in people.values())
    assert action_permissions(people["partner"], action).fields == frozenset()


def test_the_linked_user_is_the_owner_for_permissions_and_my_actions(finding, people):
    action = action_create(user=people["lead"], finding=finding, title="Partner's action", owner=people["partner"])
    assert action_permissions(people["partner"], action).can_update
    assert list(my_action_rows_for(people["partner"])) == [action]
    assert list(my_action_rows_for(people["owner"])) == []


def test_an_owner_of_another_council_is_refused(finding, people):
    elsewhere = OwnerFactory(name="Someone Else")
    with pytest.raises(ValidationError) as error:
        action_create(user=people["lead"], finding=finding, title="X", owner=elsewhere)
    assert "is not an owner in Testborough" in str(error.value)
    action = action_create(user=people["lead"], finding=finding, title="Y")
    with pytest.raises(ValidationError):
        action_change(action=action, user=people["lead"], expected_version=1, changes={"owner": elsewhere})
    action.refresh_from_db()
    assert (action.owner, action.version) == (None, 1)


def test_the_leader_who_owns_an_action_cannot_verify_it(make_action, people):
    action = make_action(status=Status.COMPLETE, evidence="Audit done", owner=people["leader"])
    with pytest.raises(ValidationError):
        action_verify(action=action, user=people["leader"], expected_version=action.version)


def test_leads_and_admins_add_and_change_owners(council, people):
    owner = owner_create(user=people["lead"], authority=council, name="  Mo Khan ", job_title="Detective inspector",
                         organisation="South Yorkshire Police")
    assert (owner.name, owner.email, owner.user) == ("Mo Khan", "", None)
    changed = owner_update(user=people["admin"], owner=owner, changes={"email": "mo.khan@example.org",
                                                                       "user": people["partner"]})
    assert (changed.email, changed.user) == ("mo.khan@example.org", people["partner"])


@pytest.mark.parametrize("who", ["leader", "viewer", "partner", "outsider"])
def test_others_cannot_manage_owners(council, people, who):
    with pytest.raises(PermissionDenied):
        owner_create(user=people[who], authority=council, name="Mo Khan")
    assert not Owner.objects.exists()


def test_owner_values_are_checked(council, people):
    with pytest.raises(ValidationError) as error:
        owner_create(user=people["lead"], authority=council, name=" ", email="not-an-email", account=people["outsider"])
    assert set(error.value.message_dict) == {"name", "email", "user"}
    owner_create(user=people["lead"], authority=council, name="Owen", account=people["owner"])
    with pytest.raises(ValidationError) as error:
        owner_create(user=people["lead"], authority=council, name="Owen again", account=people["owner"])
    assert "already has an owner record" in error.value.message_dict["user"][0]
    assert Owner.objects.count() == 1


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_go_to_owners_with_an_email_and_skip_those_without(finding, people, nurse, council, settings):
    settings.UPDATE_CYCLE_DAY, settings.UPDATE_ESCALATION_DAYS = 1, 10
    today = dt.date(2026, 6, 10)
    silent = OwnerFactory(authority=council, name="Mo Khan", email="")
    at = dt.datetime(2026, 6, 5, 9, tzinfo=LONDON)
    for title, owner in (("Nurse's action", nurse), ("Police action", silent), ("Owner's action", people["owner"])):
        action_create(user=people["lead"], finding=finding, title=title, owner=owner,
                      due_date=today + dt.timedelta(days=2), status=Status.IN_PROGRESS, at=at)
    call_command("send_reminders", "--date", today.isoformat(), stdout=open("/dev/null", "w"))
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"jo.carter@example.org", people["owner"].email}
    assert "Hello Jo Carter," in by_recipient["jo.carter@example.org"].body
    assert "Nurse's action" in by_recipient["jo.carter@example.org"].body
    assert "Police action" not in "".join(m.body for m in mail.outbox)
    assert ReminderLog.objects.filter(user=None, email="jo.carter@example.org").count() == 1
    call_command("send_reminders", "--date", today.isoformat(), stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 2  # once a day


# --- the spreadsheet import: a new owner's name ---------------------------------------------------


def test_importing_a_new_owner_name_lists_them_then_adds_them(client, people, finding):
    from tests.actions.test_plan_import import run_import

    csv = (
        "Finding,Action,Owner,Due date\n"
        f"{finding.position},Health assessments within 20 days,B. Barnet,01/02/2027\n"
        f"{finding.position},Health passports for care leavers,b.  barnet,01/03/2027\n"
        f"{finding.position},Supervision audit,{people['owner'].get_full_name().upper()},01/03/2027\n"
    )
    check_url = run_import(client, people["lead"], finding.inspection, csv.encode())
    preview = client.get(check_url)
    page = preview.content.decode()
    assert not preview.context["problems"]
    assert "These owners will be added: B. Barnet." in page
    assert not Owner.objects.filter(name="B. Barnet").exists()
    assert client.post(check_url).status_code == 302
    barnet = Owner.objects.get(name="B. Barnet")
    assert (barnet.authority, barnet.user) == (finding.inspection.authority, None)
    assert set(barnet.actions.values_list("title", flat=True)) == {
        "Health assessments within 20 days", "Health passports for care leavers"}
    assert Action.objects.get(title="Supervision audit").owner.user == people["owner"]


def test_the_import_matches_an_existing_owner_by_name_or_email(people, finding, nurse):
    from actions import plan_import

    checker = plan_import.RowChecker(finding.inspection)
    for text in ("jo carter", "  Jo   Carter ", "JO.CARTER@example.org"):
        row = checker.check(2, {"finding_ref": str(finding.position), "title": f"Row {text}", "owner": text})
        assert (row.errors, row.owner) == ([], nurse)
    rows = [checker.check(3, {"finding_ref": str(finding.position), "title": "New", "owner": "Dr New"})]
    assert rows[0].owner_is_new and plan_import.new_owners(rows)[0].name == "Dr New"
    created = action_plan_import(user=people["lead"], inspection=finding.inspection, rows=rows)
    assert created[0].owner.name == "Dr New" and created[0].owner.pk is not None


# --- "Edit action details" on the action's page ---------------------------------------------------


def details_url(action) -> str:
    return reverse("actions:action_details", args=[action.pk])


def test_a_lead_edits_title_description_owner_and_due_date_with_one_history_row(client, make_action, people, nurse):
    action = make_action(title="Old title", status=Status.IN_PROGRESS, due_date=DUE)
    client.force_login(people["lead"])
    page = client.get(action.get_absolute_url()).content.decode()
    assert details_url(action) in page and "Edit action details" in page
    new_due = action.due_date + dt.timedelta(days=30)
    response = client.post(details_url(action), {
        "version": action.version, "title": "New title", "description": "Now with detail", "owner": nurse.pk,
        "due_date": new_due.isoformat(), "due_date_reason": "Agreed at the board",
    })
    assert response.status_code == 302
    before = action.version
    action.refresh_from_db()
    assert (action.title, action.description, action.owner, action.due_date, action.version) == (
        "New title", "Now with detail", nurse, new_due, before + 1)
    latest = action.updates.order_by("-version").first()
    assert set(latest.changes) >= {"title", "description", "owner", "due_date", "due_date_reason"}
    assert latest.changes["owner"][1] == "Jo Carter" and latest.author == people["lead"]
    assert action.updates.count() == before + 1


def test_a_new_due_date_without_a_reason_is_refused_and_nothing_changes(client, make_action, people):
    action = make_action(due_date=DUE)
    client.force_login(people["lead"])
    response = client.post(details_url(action), {
        "version": action.version, "title": "Changed too", "description": "", "owner": "",
        "due_date": (action.due_date + dt.timedelta(days=1)).isoformat(),
    })
    assert response.status_code == 200
    assert "Enter why the due date is changing" in response.content.decode()
    action.refresh_from_db()
    assert (action.title, action.version) == ("Audit pathway plans", 1)


def test_a_stale_details_form_saves_nothing(client, make_action, people):
    action = make_action(due_date=DUE)
    action_change(action=action, user=people["lead"], expected_version=1, changes={"title": "Someone else's"})
    client.force_login(people["admin"])
    response = client.post(details_url(action), {"version": 1, "title": "Mine", "description": "", "owner": "",
                                                 "due_date": action.due_date.isoformat()})
    assert response.status_code == 409
    action.refresh_from_db()
    assert (action.title, action.version) == ("Someone else's", 2)


@pytest.mark.parametrize("who", ["leader", "viewer", "partner"])
def test_only_leads_and_admins_edit_details(client, make_action, people, who):
    action = make_action(owner=people["partner"] if who == "partner" else people["owner"])
    client.force_login(people[who])
    assert client.get(details_url(action)).status_code == 403
    assert "Edit action details" not in client.get(action.get_absolute_url()).content.decode()
    response = client.post(details_url(action), {"version": 1, "title": "Hijacked", "description": "", "owner": ""})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.title == "Audit pathway plans"


def test_the_details_form_refuses_another_councils_owner(client, make_action, people):
    action = make_action(due_date=DUE)
    elsewhere = OwnerFactory(name="Someone Else")
    client.force_login(people["lead"])
    response = client.post(details_url(action), {"version": 1, "title": action.title, "description": "",
                                                 "owner": elsewhere.pk, "due_date": action.due_date.isoformat()})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.owner.user == people["owner"]


# --- the owners page -----------------------------------------------------------------------------


def test_the_owners_page_lists_and_adds_owners(client, council, people, nurse, make_action,
                                               django_assert_max_num_queries):
    make_action(owner=nurse)
    list_url = reverse("actions:owner_list", kwargs={"slug": council.slug})
    client.force_login(people["lead"])
    with django_assert_max_num_queries(12):
        page = client.get(list_url).content.decode()
    assert "Jo Carter" in page and "Designated nurse, NHS South Yorkshire" in page and "Add an owner" in page
    add_url = reverse("actions:owner_add", kwargs={"slug": council.slug})
    response = client.post(add_url, {"name": "Mo Khan", "job_title": "DI", "organisation": "Police", "email": "",
                                     "user": ""})
    assert response.status_code == 302
    assert Owner.objects.filter(authority=council, name="Mo Khan", user=None).exists()
    edit_url = reverse("actions:owner_edit", kwargs={"slug": council.slug, "pk": nurse.pk})
    response = client.post(edit_url, {"name": "Jo Carter-Smith", "job_title": "", "organisation": "NHS",
                                      "email": "bad", "user": ""})
    assert response.status_code == 200 and "Enter an email address in the correct format" in response.content.decode()
    nurse.refresh_from_db()
    assert nurse.name == "Jo Carter"


def test_viewers_read_the_owners_page_but_cannot_add(client, council, people, nurse):
    client.force_login(people["viewer"])
    page = client.get(reverse("actions:owner_list", kwargs={"slug": council.slug})).content.decode()
    assert "Jo Carter" in page and "Add an owner" not in page
    add_url = reverse("actions:owner_add", kwargs={"slug": council.slug})
    assert client.post(add_url, {"name": "Sneaky"}).status_code == 403
    client.force_login(people["outsider"])
    assert client.get(reverse("actions:owner_list", kwargs={"slug": council.slug})).status_code == 404
    assert not Owner.objects.filter(name="Sneaky").exists()

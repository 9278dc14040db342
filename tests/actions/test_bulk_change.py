"""Bulk change from All actions: confirmation first, one history row per action, stale versions reported."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from actions.models import Action, ActionUpdate, Owner, Status
from core.people import person_label
from actions.services import action_change
from tests.actions.list_fixtures import council  # noqa: F401

pytestmark = pytest.mark.django_db

BULK = reverse("actions:bulk_change")


def selection(*actions):
    return [f"{action.pk}:{action.version}" for action in actions]


def post(client, user, **data):
    client.force_login(user)
    data.setdefault("next", "/actions/?status=blocked")
    return client.post(BULK, data)


@pytest.fixture
def two(council):
    actions = council["actions"]
    return [actions["Data integrity checks"], actions["Weekly data quality report"]]


def test_first_post_shows_a_confirmation_and_changes_nothing(client, council, two):
    new_date = council["today"] + dt.timedelta(days=90)
    response = post(client, council["people"]["lead"], selected=selection(*two), due_date=new_date.isoformat(),
                    status="in_progress", note="Replanned at the improvement board")
    assert response.status_code == 200
    assert "actions/bulk_confirm.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Change 2 actions" in page and f"{new_date.day} {new_date:%B %Y}" in page
    assert ActionUpdate.objects.filter(action__in=two).count() == 2  # only the creation rows


def test_confirming_changes_each_action_with_one_history_row(client, council, two):
    new_date = council["today"] + dt.timedelta(days=90)
    colleague = council["people"]["colleague"]
    lead = council["people"]["lead"]
    leads_record = Owner.objects.get(user=lead)
    response = post(client, lead, selected=selection(*two), owner=leads_record.pk, due_date=new_date.isoformat(),
                    status="in_progress", note="Replanned at the improvement board", confirm="yes")
    assert response.status_code == 302 and response["Location"] == "/actions/?status=blocked"
    for action in two:
        action.refresh_from_db()
        assert (action.owner, action.due_date, action.status, action.version) == (leads_record, new_date, "in_progress", 2)
        latest = action.updates.order_by("-version").first()
        assert latest.author == lead and latest.note == "Replanned at the improvement board"
        assert latest.changes["owner"] == [person_label(colleague), person_label(lead)]
        assert latest.changes["due_date"][1] == new_date.isoformat()
        assert action.updates.count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Changed 2 actions."]


def test_a_stale_action_is_reported_and_not_overwritten_while_the_others_change(client, council, two):
    lead, colleague = council["people"]["lead"], council["people"]["colleague"]
    chosen = selection(*two)  # versions as the lead read them
    action_change(action=two[1], user=colleague, expected_version=1, changes={"rag": "red"}, note="Fixed by supplier",
                  rag_reason="Supplier late")
    response = post(client, lead, selected=chosen, status="in_progress", note="Restarting", confirm="yes")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Changed by someone else since you looked" in page
    assert "Fixed by supplier" in page and "Cal Owens" in page
    two[0].refresh_from_db()
    two[1].refresh_from_db()
    assert two[0].status == Status.IN_PROGRESS and two[0].version == 2
    assert (two[1].status, two[1].rag, two[1].version) == (Status.BLOCKED, "red", 2)  # the colleague's save stands
    assert "Changed 1 action" in page


def test_missing_reason_and_missing_change_are_errors(client, council, two):
    versions = dict(Action.objects.values_list("pk", "version"))
    response = post(client, council["people"]["lead"], selected=selection(*two), note="")
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a reason for the change" in page
    response = post(client, council["people"]["lead"], selected=selection(*two), note="Why")
    assert "Choose a new owner, due date or status" in response.content.decode()
    assert dict(Action.objects.values_list("pk", "version")) == versions


def test_an_owner_from_another_council_is_refused(client, council):
    admin, outsider = council["people"]["admin"], council["people"]["outsider"]
    action = council["actions"]["Data integrity checks"]
    # The outsider's owner record belongs to Southshire, one of the admin's councils too: offered in the
    # list, refused for a Northshire action by the service.
    southern = Owner.objects.get(user=outsider)
    response = post(client, admin, selected=selection(action), owner=southern.pk, note="Move", confirm="yes")
    assert "is not an owner in Northshire" in response.content.decode()
    action.refresh_from_db()
    assert action.version == 1


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_readers_get_403(client, council, two, role):
    versions = dict(Action.objects.values_list("pk", "version"))
    response = post(client, council["people"][role], selected=selection(*two), status="complete", note="x", confirm="yes")
    assert response.status_code == 403
    assert dict(Action.objects.values_list("pk", "version")) == versions


def test_another_councils_action_is_404(client, council):
    southern = council["actions"]["southern"]
    response = post(client, council["people"]["lead"], selected=selection(southern), status="complete", note="x", confirm="yes")
    assert response.status_code == 404
    southern.refresh_from_db()
    assert southern.version == 1


def test_next_never_leaves_the_action_list(client, council, two):
    response = post(client, council["people"]["lead"], selected=selection(*two), status="in_progress", note="x",
                    confirm="yes", next="https://evil.example/actions/")
    assert response["Location"] == "/actions/"


def test_get_is_not_allowed(client, council):
    client.force_login(council["people"]["lead"])
    assert client.get(BULK).status_code == 405

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.models import ActionUpdate
from actions.services import SYSTEM, StaleActionError, action_change, action_create
from tests.factories import FindingFactory, Role, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    return action_create(finding=FindingFactory(), title="Allocate personal advisers at 16", user=SYSTEM)


def test_creating_an_action_writes_its_first_history_row(action):
    update = action.updates.get()
    assert update.version == 1
    assert update.changes["title"] == [None, "Allocate personal advisers at 16"]
    assert update.status == "not_started"


def test_an_update_records_who_changed_what_from_what(action):
    lead = UserFactory(username="lead-a", role=Role.IMPROVEMENT_LEAD, authorities=[action.finding.inspection.authority])
    result = action_change(
        action=action, user=lead, expected_version=1, changes={"status": "in_progress", "rag": "amber"}, note="Started",
        rag_reason="Recruitment is slow",
    )
    assert result.action.version == 2
    latest = action.updates.order_by("-version").first()
    assert latest.author == lead
    assert latest.changes == {
        "status": ["not_started", "in_progress"], "rag": ["green", "amber"], "rag_reason": [None, "Recruitment is slow"],
        "progress_notes": ["", "Started"],
    }
    assert (latest.status, latest.rag, latest.note) == ("in_progress", "amber", "Started")


def test_a_stale_save_is_refused_and_changes_nothing(action):
    action_change(action=action, user=SYSTEM, expected_version=1, changes={"status": "in_progress"})
    with pytest.raises(StaleActionError) as error:
        action_change(action=action, user=SYSTEM, expected_version=1, changes={"status": "blocked"})
    action.refresh_from_db()
    assert action.status == "in_progress" and action.version == 2
    assert [u.changes for u in error.value.changes_since] == [{"status": ["not_started", "in_progress"]}]


def test_history_is_append_only(action):
    update = action.updates.get()
    update.note = "rewritten"
    with pytest.raises(ValidationError):
        update.save()
    with pytest.raises(ValidationError):
        update.delete()
    assert ActionUpdate.objects.get(pk=update.pk).note == "Action created"


def test_two_history_rows_cannot_claim_the_same_version(action):
    first = action.updates.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionUpdate.objects.create(
            action=action, created_at=first.created_at, version=1, status="blocked", rag="red"
        )


def test_unknown_fields_cannot_be_changed_through_the_service(action):
    with pytest.raises(ValueError):
        action_change(action=action, user=SYSTEM, expected_version=1, changes={"version": 99})

"""Action history is append-only in the database itself (PostgreSQL trigger), not only in the model."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from actions.models import Action, ActionUpdate

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@needs_postgresql
@pytest.mark.parametrize(
    "statement",
    ["UPDATE actions_actionupdate SET note = 'rewritten' WHERE id = %s", "DELETE FROM actions_actionupdate WHERE id = %s"],
)
def test_raw_sql_cannot_change_or_remove_history(demo, statement):
    update = ActionUpdate.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [update.pk])
    update.refresh_from_db()
    assert update.note != "rewritten"


@needs_postgresql
def test_queryset_update_and_delete_are_refused_too(demo):
    count = ActionUpdate.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.filter(pk=ActionUpdate.objects.first().pk).update(note="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.all()._raw_delete(ActionUpdate.objects.db)
    assert ActionUpdate.objects.count() == count


def test_an_action_with_history_is_never_deleted(demo):
    """Actions are never deleted (the history keeps them): Django refuses before the database would."""
    action = Action.objects.filter(updates__isnull=False).first()
    with pytest.raises(ProtectedError):
        action.delete()
    assert Action.objects.filter(pk=action.pk).exists()


def test_new_history_is_still_written(demo):
    from actions.services import action_create

    before = ActionUpdate.objects.count()
    action_create(finding=Action.objects.first().finding, title="Another", user=demo["lead"])
    assert ActionUpdate.objects.count() == before + 1

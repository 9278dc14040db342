"""Audit trails are append-only: action history and imports cannot be edited or deleted, even in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actions.models import ActionUpdate
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)


def barnsley_update():
    return ActionUpdate.objects.filter(action__finding__inspection__authority__name="Barnsley").order_by("pk").first()


def test_history_rows_cannot_be_changed_or_deleted_through_the_model(demo):
    update = barnsley_update()
    update.note = "rewritten"
    with pytest.raises(ValidationError):
        update.save()
    with pytest.raises(ValidationError):
        update.delete()
    assert ActionUpdate.objects.get(pk=update.pk).note != "rewritten"


def test_the_admin_shows_history_read_only_even_to_a_superuser(client, demo, root):
    update = barnsley_update()
    count = ActionUpdate.objects.count()
    client.force_login(root)
    changelist = client.get(reverse("admin:actions_actionupdate_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    change = client.get(reverse("admin:actions_actionupdate_change", args=[update.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:actions_actionupdate_add")).status_code == 403
    assert client.post(reverse("admin:actions_actionupdate_change", args=[update.pk]), {"note": "x"}).status_code == 403
    assert client.post(reverse("admin:actions_actionupdate_delete", args=[update.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:actions_actionupdate_changelist"),
                {"action": "delete_selected", "_selected_action": [update.pk], "post": "yes"})
    assert ActionUpdate.objects.count() == count
    assert ActionUpdate.objects.get(pk=update.pk).note == update.note


def test_an_imports_source_fields_are_read_only_and_it_cannot_be_deleted_in_the_admin(client, demo, root):
    inspection = Inspection.objects.filter(authority__name="Barnsley").order_by("pk").first()
    Inspection.objects.filter(pk=inspection.pk).update(source_sha256="a" * 64, source_filename="letter.pdf")
    client.force_login(root)
    page = client.get(reverse("admin:inspections_inspection_change", args=[inspection.pk])).content.decode()
    for name in ("source_document", "source_sha256", "source_filename", "imported_by"):
        assert f'name="{name}"' not in page, f"{name} is editable"
    assert client.post(reverse("admin:inspections_inspection_delete", args=[inspection.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:inspections_inspection_changelist"),
                {"action": "delete_selected", "_selected_action": [inspection.pk], "post": "yes"})
    inspection.refresh_from_db()
    assert (inspection.source_sha256, inspection.source_filename) == ("a" * 64, "letter.pdf")


def test_every_action_change_through_the_service_leaves_a_history_row(demo):
    from actions.models import Action
    from actions.services import action_change

    action = Action.objects.filter(finding__inspection__authority__name="Barnsley").first()
    before = action.updates.count()
    action_change(action=action, user=demo["lead"], expected_version=action.version, changes={"rag": "red"}, note="Slipping",
                  rag_reason="Recruitment slipping")
    action.refresh_from_db()
    latest = action.updates.order_by("-version").first()
    assert action.updates.count() == before + 1
    assert (latest.version, latest.rag, latest.author) == (action.version, "red", demo["lead"])

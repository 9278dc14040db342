"""export_authority / import_authority: one council's data round-trips through JSON unchanged."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Membership
from actions.models import Action, ActionUpdate, Evidence
from findings.models import Finding
from inspections.models import Inspection, LocalAuthority

pytestmark = pytest.mark.django_db(transaction=True)


def export(tmp_path, slug, name):
    path = tmp_path / name
    call_command("export_authority", slug, "--output", str(path))
    return path, json.loads(path.read_text())


def empty_the_database():
    call_command("flush", "--no-input")


def test_the_round_trip_is_identical(demo, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    from django.core.files.base import ContentFile

    from actions.services import action_change

    action = Action.objects.filter(finding__inspection__authority__name="Barnsley").first()
    action_change(action=action, user=demo["lead"], expected_version=action.version, changes={},
                  evidence_files=[ContentFile(b"%PDF-1.4 x", name="audit.pdf")])
    path, first = export(tmp_path, "barnsley", "first.json")

    barnsley_counts = {
        "inspections": Inspection.objects.filter(authority__name="Barnsley").count(),
        "findings": Finding.objects.filter(inspection__authority__name="Barnsley").count(),
        "repeats": Finding.objects.filter(inspection__authority__name="Barnsley", repeats__isnull=False).count(),
        "actions": Action.objects.filter(finding__inspection__authority__name="Barnsley").count(),
        "history": ActionUpdate.objects.filter(action__finding__inspection__authority__name="Barnsley").count(),
        "memberships": Membership.objects.filter(authority__name="Barnsley").count(),
    }
    assert barnsley_counts["repeats"] > 0 and barnsley_counts["history"] > barnsley_counts["actions"]
    assert len(first["inspections"]) == barnsley_counts["inspections"]
    assert len(first["action_updates"]) == barnsley_counts["history"]
    assert len(first["evidence"]) == 1 and first["evidence"][0]["original_name"] == "audit.pdf"
    assert "Barnet" not in json.dumps(first["inspections"] + first["findings"])
    assert all("password" not in user for user in first["users"])

    empty_the_database()
    assert not LocalAuthority.objects.exists() and not ActionUpdate.objects.exists()
    call_command("import_authority", str(path))

    assert Finding.objects.filter(repeats__isnull=False).count() == barnsley_counts["repeats"]
    assert ActionUpdate.objects.count() == barnsley_counts["history"]
    assert Evidence.objects.count() == 1
    _, second = export(tmp_path, "barnsley", "second.json")
    assert second == first
    assert (tmp_path / "first.json").read_text() == (tmp_path / "second.json").read_text()


def test_imported_users_cannot_sign_in_until_they_set_a_password(demo, tmp_path):
    from django.contrib.auth import get_user_model

    path, _ = export(tmp_path, "barnet", "barnet.json")
    empty_the_database()
    call_command("import_authority", str(path))
    user = get_user_model().objects.get(username="barnet-lead")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Improvement lead"]
    # New rows after an import get fresh ids (the id sequences were moved past the imported ones).
    finding = Finding.objects.first()
    Action.objects.create(finding=finding, title="After import")


def test_importing_into_a_database_that_has_the_authority_is_refused(demo, tmp_path):
    path, _ = export(tmp_path, "barnsley", "barnsley.json")
    before = ActionUpdate.objects.count()
    with pytest.raises(CommandError, match="already in this database"):
        call_command("import_authority", str(path))
    assert ActionUpdate.objects.count() == before


def test_an_unknown_slug_or_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No authority"):
        call_command("export_authority", "atlantis", "--output", str(tmp_path / "x.json"))
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="not an authority export"):
        call_command("import_authority", str(tmp_path / "bad.json"))

"""Nothing shown to a signed-in person is cached; evidence is offered under a name matching its content;
a duplicate import never names another council's inspection."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action
from actions.services import action_change
from core.uploads import download_name_for
from inspections.models import Inspection
from inspections.services import DuplicateImport

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/actions/", "/actions/mine/", "/authorities/", "/authorities/barnsley/", "/authorities/barnsley/dashboard/",
        "/authorities/barnsley/board-report/", "/actions/?format=csv", "/actions/?format=xlsx",
        "/authorities/barnsley/board-report/?since=2023-01-01&format=xlsx",
        "/authorities/barnsley/board-report/?since=2023-01-01&format=docx",
    ],
)
def test_every_signed_in_page_and_export_is_private_and_not_stored(client, demo, path):
    client.force_login(demo["leader"])
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store, max-age=0"


@pytest.mark.parametrize(
    ("name", "data", "offered"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "page.html.txt"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg.txt"),
        ("notes.txt", b"plain notes", "notes.txt"),
        ("figures.csv", b"a,b\n1,2\n", "figures.csv"),
    ],
)
def test_evidence_stored_as_text_is_offered_as_text(client, demo, settings, tmp_path, name, data, offered):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    action = Action.objects.filter(finding__inspection__authority__name="Barnsley").first()
    action_change(action=action, user=demo["lead"], expected_version=action.version, changes={},
                  evidence_files=[SimpleUploadedFile(name, data)])
    evidence = action.evidence_items.get(original_name=name)
    client.force_login(demo["viewer"])
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert f'filename="{offered}"' in response["Content-Disposition"]
    assert response["Content-Type"].startswith("text/")


def test_download_names_follow_the_content():
    assert download_name_for("a.pdf", "application/pdf") == "a.pdf"
    assert download_name_for("a.html", "application/pdf") == "a.html.pdf"
    assert download_name_for("photo.JPG", "image/jpeg") == "photo.JPG"


def test_a_duplicate_names_the_inspection_only_to_those_who_may_see_its_council(demo):
    barnet = Inspection.objects.get(authority__name="Barnet")
    duplicate = DuplicateImport(barnet, same_document=True)
    assert "Barnet" in duplicate.message_for(demo["barnet-lead"])
    hidden = duplicate.message_for(demo["lead"])
    assert "Barnet" not in hidden and "a council you do not have access to" in hidden
    other = DuplicateImport(barnet, same_document=False)
    assert "Barnet" not in other.message_for(demo["lead"])

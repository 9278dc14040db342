"""The daily purge of abandoned imports (purge_abandoned_imports)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from inspections.models import ImportDraft
from tests.factories import UserFactory
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def test_expired_letter_and_plan_drafts_go_with_their_files_live_ones_stay(private_storage, capsys):
    user = UserFactory()
    letter_file = default_storage.save("import-drafts/letter", ContentFile(b"letter"))
    sheet_file = default_storage.save("import-drafts/sheet", ContentFile(b"a,b\n"))
    live_file = default_storage.save("import-drafts/live", ContentFile(b"a,b\n"))
    common = {"user": user, "source_sha256": "0" * 64, "parsed": {}}
    past, future = timezone.now() - dt.timedelta(hours=1), timezone.now() + dt.timedelta(hours=1)
    expired_letter = ImportDraft.objects.create(token="letter", source_name=letter_file, expires_at=past, **common)
    expired_sheet = ImportDraft.objects.create(
        token="sheet", kind=ImportDraft.Kind.ACTION_PLAN, source_name=sheet_file, expires_at=past, **common
    )
    live = ImportDraft.objects.create(
        token="live", kind=ImportDraft.Kind.ACTION_PLAN, source_name=live_file, expires_at=future, **common
    )

    call_command("purge_abandoned_imports")

    assert "Purged 2 expired import drafts (letters and plan spreadsheets)." in capsys.readouterr().out
    assert not ImportDraft.objects.filter(pk__in=[expired_letter.pk, expired_sheet.pk]).exists()
    assert ImportDraft.objects.filter(pk=live.pk).exists()
    assert not default_storage.exists(letter_file) and not default_storage.exists(sheet_file)
    assert default_storage.exists(live_file)
    call_command("purge_abandoned_imports")  # again: nothing left to do, no error

"""The daily purge of abandoned imports (purge_abandoned_imports)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from actions.services import PLAN_IMPORT_FOLDER
from inspections.models import ImportDraft
from tests.factories import UserFactory
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def test_expired_drafts_and_day_old_plan_files_go_fresh_ones_stay(private_storage, capsys):
    user = UserFactory()
    old_file = default_storage.save(f"{PLAN_IMPORT_FOLDER}/old.csv", ContentFile(b"a,b\n"))
    new_file = default_storage.save(f"{PLAN_IMPORT_FOLDER}/new.csv", ContentFile(b"a,b\n"))
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old_file), (two_days_ago, two_days_ago))
    draft_file = default_storage.save("import-drafts/x", ContentFile(b"letter"))
    common = {"user": user, "source_sha256": "0" * 64, "parsed": {}}
    expired = ImportDraft.objects.create(
        token="expired", source_name=draft_file, expires_at=timezone.now() - dt.timedelta(hours=1), **common
    )
    live = ImportDraft.objects.create(
        token="live", source_name="import-drafts/y", expires_at=timezone.now() + dt.timedelta(hours=1), **common
    )

    call_command("purge_abandoned_imports")

    assert "Purged 1 expired import drafts and 1 abandoned plan spreadsheets." in capsys.readouterr().out
    assert not ImportDraft.objects.filter(pk=expired.pk).exists() and ImportDraft.objects.filter(pk=live.pk).exists()
    assert not default_storage.exists(old_file) and not default_storage.exists(draft_file)
    assert default_storage.exists(new_file)
    call_command("purge_abandoned_imports")  # again: nothing left to do, no error

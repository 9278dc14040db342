"""python manage.py import_letter: the command-line contract scripts and checks rely on."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfWriter

from findings.models import Finding, FindingKind
from findings.services import themes_load_defaults
from inspections.models import ImportDraft, Inspection, Judgement, LocalAuthority
from inspections.services import authorities_load_reference
from tests.inspections.import_support import CORPUS, FOCUSED_VISITS, ROOT, private_storage, stored_files  # noqa: F401

YORK = FOCUSED_VISITS / "york-2023-09-06.pdf"
CONTRACT_KEYS = [
    "local_authority", "kind", "visit_start", "visit_end", "published_on", "inspectors", "judgements",
    "improvements", "priority_actions",
]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_letter", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def authorities(db):
    authorities_load_reference()
    themes_load_defaults()


def test_dry_run_json_prints_one_object_matching_the_answer_key_and_touches_nothing(
    authorities, private_storage, django_assert_num_queries
):
    with django_assert_num_queries(0):
        out, _ = run(YORK, "--dry-run", "--format", "json")
    assert out.count("\n") <= 1
    contract = json.loads(out)
    expected = json.loads((CORPUS / "expected" / "focused-visits" / "york-2023-09-06.json").read_text())
    assert list(contract)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    for key in CONTRACT_KEYS:
        assert contract[key] == expected[key], key
    assert (Inspection.objects.count(), Finding.objects.count(), ImportDraft.objects.count()) == (0, 0, 0)
    assert stored_files(private_storage) == []


@pytest.mark.parametrize("pdf", sorted(FOCUSED_VISITS.glob("*.pdf"))[:4], ids=lambda p: p.stem)
def test_dry_run_contract_types_on_real_letters(pdf, db):
    contract = json.loads(run(pdf, "--dry-run", "--format", "json")[0])
    assert contract["kind"] == "focused_visit"
    assert contract["judgements"] == []
    for key in ("visit_start", "visit_end", "published_on"):
        assert contract[key] is None or len(contract[key]) == 10
    assert all(isinstance(point, str) and point and not point.startswith(("•", "-")) for point in contract["improvements"])
    assert Inspection.objects.count() == 0


def test_dry_run_text_format_is_readable(db):
    out, _ = run(YORK, "--dry-run")
    assert "Dry run: nothing was saved." in out
    assert "Local authority: York" in out
    assert "1. The consistency and recording of case supervision" in out


def test_import_saves_as_the_web_import_does_and_refuses_a_second_time(authorities, private_storage):
    out, _ = run(YORK, "--format", "json")
    payload = json.loads(out)
    inspection = Inspection.objects.get()
    assert payload["inspection_id"] == inspection.pk
    assert (inspection.authority.name, inspection.kind, str(inspection.visit_start)) == ("York", "focused_visit", "2023-08-01")
    assert inspection.source_sha256 and inspection.source_document.name.startswith("letters/")
    assert inspection.findings.filter(kind=FindingKind.IMPROVEMENT).count() == 2
    assert inspection.findings.filter(theme__isnull=False).count() >= 1  # themes suggested as on the web
    assert len(stored_files(private_storage)) == 1

    with pytest.raises(CommandError) as caught:
        run(YORK)
    assert caught.value.returncode == 3
    assert f"inspection {inspection.pk}" in str(caught.value)
    assert Inspection.objects.count() == 1


def test_authority_option_overrides_the_matched_council(authorities, private_storage):
    run(YORK, "--authority", "barnsley")
    assert Inspection.objects.get().authority.slug == "barnsley"
    with pytest.raises(CommandError, match="no authority with the slug 'atlantis'"):
        run(YORK, "--authority", "atlantis")
    assert Inspection.objects.count() == 1


def test_a_council_missing_from_the_database_is_added_from_the_reference_list(db, private_storage):
    assert not LocalAuthority.objects.exists()
    run(YORK)
    assert Inspection.objects.get().authority.ofsted_urn == "80453"


def _pdf(*, encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty.pdf": (b"", "empty"),
    "picture.pdf": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    "locked.pdf": (_pdf(encrypt=True), "encrypted"),
    "scanned.pdf": (_pdf(), "no text layer"),
    "minutes.txt": (b"Minutes of the parish council meeting.\nItem 1: the village fete.\n" * 5, "does not look like an Ofsted"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_unreadable_input_fails_with_a_one_line_reason_and_saves_nothing(name, tmp_path, authorities, private_storage):
    content, reason = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(content)
    for extra in ([], ["--dry-run", "--format", "json"]):
        with pytest.raises(CommandError) as caught:
            run(path, *extra)
        assert caught.value.returncode == 2
        assert reason.lower() in str(caught.value).lower()
        assert "\n" not in str(caught.value)
    assert Inspection.objects.count() == 0 and Judgement.objects.count() == 0
    assert stored_files(private_storage) == []


def test_missing_file_and_directory(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "nope.pdf")
    with pytest.raises(CommandError, match="is a directory"):
        run(tmp_path)


def test_exit_status_and_stderr_from_a_real_process(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    bad = subprocess.run(
        [sys.executable, "manage.py", "import_letter", str(empty), "--dry-run", "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "The file is empty." in bad.stderr

    good = subprocess.run(
        [sys.executable, "manage.py", "import_letter", str(YORK), "--dry-run", "--format", "json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["local_authority"] == "York"


SUFFOLK = FOCUSED_VISITS / "suffolk-2025-10-16.pdf"


def test_dry_run_json_gives_the_national_framework_tags_beside_the_points(db):
    contract = json.loads(run(SUFFOLK, "--dry-run", "--format", "json")[0])
    expected = json.loads((CORPUS / "expected" / "focused-visits" / "suffolk-2025-10-16.json").read_text())
    assert contract["improvement_refs"] == expected["improvement_refs"] == [
        ["outcome 1"], ["outcome 3"], ["enabler 2"], ["enabler 3"]
    ]
    assert contract["priority_action_refs"] == []
    assert len(contract["improvement_refs"]) == len(contract["improvements"])
    assert not any("framework" in point for point in contract["improvements"])
    # every field of the contract stays, the tags come after them
    assert list(contract)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    out, _ = run(SUFFOLK, "--dry-run")
    assert "regarding thresholds. [enabler 3]" in out


def test_import_stores_the_tags_on_each_finding(authorities, private_storage):
    run(SUFFOLK, "--format", "json")
    stored = list(Finding.objects.filter(kind=FindingKind.IMPROVEMENT).order_by("position").values_list("framework_refs", flat=True))
    assert stored == [["outcome 1"], ["outcome 3"], ["enabler 2"], ["enabler 3"]]

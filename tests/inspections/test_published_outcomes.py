"""Ofsted's published outcomes (ODS): the service, the command and the admin upload.

The file is built here with odfpy in the published layout (title rows, headings at row 3, the three
sheets) for all 153 councils of the reference list."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.permissions import SYSTEM
from inspections.models import Inspection, InspectionKind, Judgement, LocalAuthority
from inspections.services import authorities_load_reference, published_outcomes_import
from tests.factories import JudgementFactory, UserFactory
from tests.inspections.published_outcomes_file import HISTORY_HEADINGS, WORDS, history_rows, outcomes_ods

SOURCE = "Ofsted published outcomes, as at 31 March 2026"


@pytest.fixture(scope="module")
def ods_file() -> bytes:
    return outcomes_ods()


@pytest.fixture
def councils(db):
    authorities_load_reference()
    return {a.ons_code: a for a in LocalAuthority.objects.exclude(ons_code="")}


def _snapshot():
    return sorted(
        Judgement.objects.values_list(
            "inspection__authority__ons_code", "inspection__kind", "inspection__visit_start",
            "inspection__published_on", "area", "grade", "source",
        )
    )


def test_the_reference_list_has_153_councils_with_an_ons_code_and_an_ofsted_region(councils):
    assert len(councils) == 153
    regions = {a.ofsted_region for a in councils.values()}
    assert len(regions) == 8
    assert councils["E08000016"].name == "Barnsley"
    assert councils["E08000016"].ofsted_region == "North East, Yorkshire and the Humber"
    assert councils["E09000003"].ofsted_region == "London"


def test_the_import_fills_the_history_of_every_council_and_a_second_run_changes_nothing(councils, ods_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = published_outcomes_import(user=SYSTEM, source=ods_file)
    assert (first.created, first.updated, first.unchanged, first.letter_kept) == (306, 0, 0, 0)
    assert first.councils == 153
    assert first.source == SOURCE
    assert Inspection.objects.values("authority").distinct().count() == 153
    assert set(Inspection.objects.values_list("source", flat=True)) == {SOURCE}
    assert set(Judgement.objects.values_list("source", flat=True)) == {SOURCE}
    barnsley = councils["E08000016"]
    barnsley.refresh_from_db()
    assert barnsley.data_revision == 1  # raised once, after the commit
    history = list(barnsley.inspections.order_by("visit_start"))
    assert history[0].visit_start.year == 2019 and history[1].visit_start.year in (2024, 2025)
    assert {j.area for j in history[0].judgements.all()} == {
        "overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care_and_care_leavers",
    }
    assert {j.area for j in history[1].judgements.all()} == {
        "overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers",
    }
    assert history[1].published_on == history[1].visit_start + dt.timedelta(days=40)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        second = published_outcomes_import(user=SYSTEM, source=ods_file)
    assert (second.created, second.updated, second.unchanged, second.letter_kept) == (0, 0, 306, 0)
    assert _snapshot() == before
    barnsley.refresh_from_db()
    assert barnsley.data_revision == 1  # nothing changed, so no council's cached figures are dropped


def test_short_inspections_and_grades_are_read_in_ofsteds_words(councils, ods_file):
    published_outcomes_import(user=SYSTEM, source=ods_file)
    first_council = sorted(councils)[0]
    rows = [r for r in history_rows() if r[1] == first_council]
    inspection = Inspection.objects.get(authority=councils[first_council], visit_start=rows[1][3])
    expected_kind = InspectionKind.SHORT if "short" in rows[1][5] else InspectionKind.FULL
    assert inspection.kind == expected_kind
    grade_words = {v: k for k, v in WORDS.items()}
    assert inspection.judgements.get(area="overall_effectiveness").grade == grade_words[rows[1][6]]
    assert Inspection.objects.filter(kind=InspectionKind.SHORT).count() == 51  # every third council's later one


def test_a_changed_grade_in_a_later_file_updates_only_that_inspection(councils, ods_file):
    published_outcomes_import(user=SYSTEM, source=ods_file)
    rows = history_rows()
    rows[1] = rows[1][:6] + ["Outstanding"] + rows[1][7:]
    result = published_outcomes_import(user=SYSTEM, source=outcomes_ods(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 305)
    judgement = Judgement.objects.get(
        inspection__authority__ons_code=rows[1][1], inspection__visit_start=rows[1][3], area="overall_effectiveness"
    )
    assert judgement.grade == "outstanding"


def test_an_inspection_imported_from_the_letter_keeps_the_letters_judgements(councils, ods_file):
    rows = history_rows()
    barnsley_row = next(r for r in rows if r[1] == "E08000016" and r[3].year > 2019)
    letter_judgement = JudgementFactory(
        inspection__authority=councils["E08000016"],
        inspection__kind=InspectionKind.SHORT if "short" in barnsley_row[5] else InspectionKind.FULL,
        inspection__visit_start=barnsley_row[3] - dt.timedelta(days=9),
        inspection__visit_end=barnsley_row[3],  # the letter's dates span the date Ofsted lists
        area="overall_effectiveness",
        grade="inadequate",  # whatever the file says, the letter's grade stands
    )
    result = published_outcomes_import(user=SYSTEM, source=ods_file)
    assert (result.created, result.letter_kept) == (305, 1)
    letter = letter_judgement.inspection
    assert list(letter.judgements.values_list("area", "grade", "source")) == [("overall_effectiveness", "inadequate", "")]
    assert letter.source == ""
    assert Inspection.objects.filter(authority=councils["E08000016"]).count() == 2
    again = published_outcomes_import(user=SYSTEM, source=ods_file)
    assert (again.created, again.updated, again.unchanged, again.letter_kept) == (0, 0, 305, 1)


def _expect_refused(source: bytes, words: str):
    with pytest.raises(ValidationError) as refused:
        published_outcomes_import(user=SYSTEM, source=source)
    assert words in " ".join(refused.value.messages)
    assert not Inspection.objects.exists()
    assert not Judgement.objects.exists()


def test_an_unknown_ons_code_refuses_the_whole_file(councils):
    rows = history_rows()
    rows[200] = [rows[200][0], "E09999999"] + rows[200][2:]
    _expect_refused(outcomes_ods(rows), "No council in the tracker has the ONS code E09999999")


def test_a_file_that_is_not_a_spreadsheet_is_refused(councils):
    _expect_refused(b"%PDF-1.7 not a spreadsheet", "could not be read as a spreadsheet")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<not-xml")
    _expect_refused(buffer.getvalue(), "could not be read")


def test_a_spreadsheet_without_ofsteds_sheets_is_refused(councils):
    _expect_refused(outcomes_ods(sheets=("Sheet1",)), "none of Ofsted's sheets")


def test_a_missing_column_is_named(councils):
    headings = [h if h != "Inspection type" else "Remarks" for h in HISTORY_HEADINGS]
    _expect_refused(outcomes_ods(headings=headings), "has no column headed “Inspection type”")


def test_a_grade_ofsted_does_not_use_is_refused_with_where_it_is(councils):
    rows = history_rows()
    rows[5] = rows[5][:6] + ["Brilliant"] + rows[5][7:]
    _expect_refused(outcomes_ods(rows), "“brilliant” in sheet")


def test_a_file_without_its_as_at_date_needs_one_given(councils):
    source = outcomes_ods(history_rows()[:4], as_at="")
    _expect_refused(source, "does not say which date")
    result = published_outcomes_import(user=SYSTEM, source=source, as_at=dt.date(2025, 3, 31))
    assert result.source == "Ofsted published outcomes, as at 31 March 2025"


def test_only_a_superuser_or_the_system_may_import(councils, ods_file, council_admin):
    with pytest.raises(PermissionDenied):
        published_outcomes_import(user=council_admin, source=ods_file)
    assert not Inspection.objects.exists()


# --- the command -------------------------------------------------------------------------------------------


def test_the_command_imports_the_file_and_reports_the_counts(councils, ods_file, tmp_path):
    path = tmp_path / "outcomes.ods"
    path.write_bytes(ods_file)
    out = io.StringIO()
    call_command("import_ofsted_outcomes", str(path), stdout=out)
    assert "306 inspections created, 0 updated, 0 unchanged" in out.getvalue()
    out = io.StringIO()
    call_command("import_ofsted_outcomes", str(path), stdout=out)
    assert "0 inspections created, 0 updated, 306 unchanged" in out.getvalue()


def test_the_command_says_why_a_file_is_refused(councils, tmp_path):
    path = tmp_path / "notes.ods"
    path.write_bytes(b"just some text")
    with pytest.raises(CommandError, match="could not be read as a spreadsheet"):
        call_command("import_ofsted_outcomes", str(path))
    with pytest.raises(CommandError, match="No file at"):
        call_command("import_ofsted_outcomes", str(tmp_path / "missing.ods"))
    assert not Inspection.objects.exists()


# --- the admin upload ----------------------------------------------------------------------------------------

URL = "admin:inspections_inspection_published_outcomes"


def _upload(client, data: bytes, name="outcomes.ods"):
    return client.post(reverse(URL), {"file": SimpleUploadedFile(name, data)})


def test_a_superuser_uploads_the_file_on_the_admin_site(councils, ods_file):
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    changelist = client.get(reverse("admin:inspections_inspection_changelist")).content.decode()
    assert reverse(URL) in changelist
    assert client.get(reverse(URL)).status_code == 200
    response = _upload(client, ods_file)
    assert response.status_code == 302
    assert Inspection.objects.count() == 306
    page = client.get(response.url).content.decode()
    assert "306 inspections created" in page
    _upload(client, ods_file)
    assert "306 unchanged" in client.get(response.url).content.decode()
    assert Inspection.objects.count() == 306


def test_the_admin_upload_refuses_a_file_by_its_content_not_its_name(councils, settings):
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = _upload(client, b"%PDF-1.7 pretending", name="outcomes.ods")
    assert response.status_code == 200
    assert "must be an OpenDocument (ODS) or Excel spreadsheet" in response.content.decode()
    settings.MAX_UPLOAD_BYTES = 1000
    response = _upload(client, outcomes_ods(history_rows()[:4]))
    assert "must be smaller than" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_admin_upload_shows_the_services_refusal_and_saves_nothing(councils):
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    rows = history_rows()
    rows[0] = [rows[0][0], "E09999999"] + rows[0][2:]
    response = _upload(client, outcomes_ods(rows))
    assert response.status_code == 200
    assert "No council in the tracker has the ONS code E09999999" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_council_admin_cannot_open_the_upload(councils, council_admin):
    client = Client()
    client.force_login(council_admin)
    assert client.get(reverse(URL)).status_code == 403
    changelist = client.get(reverse("admin:inspections_inspection_changelist"))
    assert changelist.status_code == 200
    assert "published outcomes" not in changelist.content.decode()


def test_the_upload_gate_knows_an_ods_by_its_content():
    from core.uploads import sniff

    assert sniff(io.BytesIO(outcomes_ods(history_rows()[:2]))) == "ods"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")  # a word-processor file
        archive.writestr("content.xml", "<office:document-content/>")
    assert sniff(io.BytesIO(buffer.getvalue())) is None

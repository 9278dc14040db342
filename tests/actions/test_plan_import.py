"""Importing an action plan from CSV or XLSX: sniffing, column mapping, every row checked, one transaction."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Membership, Role
from actions import plan_import
from actions.models import Action, ActionUpdate
from findings.models import FindingKind
from inspections.models import ImportDraft
from inspections.services import import_draft_store
from tests.actions.list_fixtures import council  # noqa: F401
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, UserFactory
from tests.inspections.import_support import private_storage, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db

UPLOAD = reverse("actions:plan_import")

GOOD_CSV = (
    "Ref,Action,Owner,Due date,Status,RAG,Progress\n"
    "Improvement 1,Audit twenty pathway plans,nlead,04/11/2026,In progress,Amber,Ten done\n"
    "2,Fix the supplier report,cal owens,31 March 2027,Not started,green,\n"
    "Priority action 1,Daily referral huddle,ncolleague@example.org,2027-01-15,Stalled,R,Running daily\n"
)


def upload(client, user, inspection, content: bytes, name="plan.csv"):
    client.force_login(user)
    return client.post(UPLOAD, {"inspection": inspection.pk, "file": SimpleUploadedFile(name, content)})


def run_import(client, user, inspection, content: bytes, name="plan.csv", mapping=None):
    response = upload(client, user, inspection, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    columns_url = response["Location"]
    page = client.get(columns_url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: (mapping or {}).get(name, field.initial or "") for name, field in form.fields.items()}
    response = client.post(columns_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def test_a_valid_csv_is_checked_then_saved_with_history(client, council):
    lead = council["people"]["lead"]
    check_url = run_import(client, lead, council["inspection"], GOOD_CSV.encode())
    preview = client.get(check_url)
    assert preview.status_code == 200
    assert not preview.context["problems"]
    assert Action.objects.filter(title="Audit twenty pathway plans").count() == 0  # nothing saved yet
    response = client.post(check_url)
    assert response.status_code == 302
    assert response["Location"] == f"/actions/?inspection={council['inspection'].pk}"
    audit = Action.objects.get(title="Audit twenty pathway plans")
    assert (audit.finding, audit.owner.user, audit.due_date, audit.status, audit.rag, audit.progress_notes) == (
        council["findings"][0], lead, dt.date(2026, 11, 4), "in_progress", "amber", "Ten done"
    )
    supplier = Action.objects.get(title="Fix the supplier report")
    assert (supplier.finding, supplier.owner.user.username, supplier.due_date, supplier.rag) == (
        council["findings"][1], "ncolleague", dt.date(2027, 3, 31), "green"
    )
    huddle = Action.objects.get(title="Daily referral huddle")
    assert (huddle.finding.kind, huddle.status, huddle.rag) == (FindingKind.PRIORITY_ACTION, "blocked", "red")
    update = ActionUpdate.objects.get(action=huddle)
    assert update.author == lead and "plan.csv" in update.note
    # The file is gone and the token with it.
    assert client.get(check_url).status_code == 404


def test_every_row_is_checked_and_nothing_is_saved_while_any_row_has_a_problem(client, council):
    bad = (
        "Finding,Action,Owner,Due date,Status,RAG\n"
        "Improvement 1,A good row,nlead,01/02/2027,In progress,Green\n"
        "9,Row with a finding that does not exist,nlead,01/02/2027,,\n"
        "2,Row with a stranger,Somebody Else,01/02/2027,,\n"
        "2,Row with a US date,nlead,12/31/2026,,\n"
        "2,Row with odd status,nlead,,Sort of done,Purple\n"
        "Improvement 1,,nlead,,,\n"
        "Improvement 1,Review every out-of-date pathway plan,nlead,,,\n"
        "1,Ambiguous finding number,nlead,,,\n"
    )
    check_url = run_import(client, council["people"]["lead"], council["inspection"], bad.encode())
    preview = client.get(check_url)
    rows = {row.number: row.errors for row in preview.context["rows"]}
    assert rows[2] == []
    assert "There is no finding “9”" in rows[3][0]
    assert rows[4] == []  # a name that matches no one is a new owner, listed for confirmation
    assert "is not a date" in rows[5][0]
    assert any("Sort of done" in e for e in rows[6]) and any("Purple" in e for e in rows[6])
    assert rows[7] == ["Enter the action"]
    assert rows[8] == ["This action is already in the plan for this finding"]
    assert rows[9] == ["“1” could be Improvement 1 or Priority action 1: say which"]
    page = preview.content.decode()
    assert "6 of 8 rows have problems: nothing has been saved" in page
    assert "These owners will be added: Somebody Else." in page
    assert "Import 8 actions" not in page
    before = Action.objects.count()
    client.post(check_url)  # a forced post still saves nothing
    assert Action.objects.count() == before


def test_xlsx_with_excel_dates_and_day_numbers(client, council):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Finding text", "Action title", "Responsible officer", "Target date", "RAG rating"])
    sheet.append(["Performance data is not reliable", "Monthly data board", "Nia Lead", dt.datetime(2027, 2, 1), "Amber"])
    sheet.append(["pathway plans for care leavers are NOT reviewed.", "Pathway plan panel", "nlead", 46000, "G"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_url = run_import(client, council["people"]["lead"], council["inspection"], buffer.getvalue(), "plan.xlsx")
    client.post(check_url)
    board = Action.objects.get(title="Monthly data board")
    assert (board.finding, board.due_date, board.rag) == (council["findings"][1], dt.date(2027, 2, 1), "amber")
    panel = Action.objects.get(title="Pathway plan panel")
    assert (panel.finding, panel.due_date) == (council["findings"][0], dt.date(2025, 12, 9))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "must be an Excel spreadsheet (.xlsx) or a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "must be an Excel spreadsheet (.xlsx) or a CSV file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel file (.xls)"),
        (b"PK\x03\x04not really a zip", "damaged"),
        (b"", "The submitted file is empty"),
        (b"Action,Owner\n", "no actions under it"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(client, council, content, message):
    response = upload(client, council["people"]["lead"], council["inspection"], content, "plan.xlsx")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_a_zip_that_is_not_a_workbook_is_refused(client, council):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(client, council["people"]["lead"], council["inspection"], buffer.getvalue(), "plan.xlsx")
    assert "must be an Excel spreadsheet (.xlsx) or a CSV file" in response.content.decode()


def test_an_oversized_file_is_refused(client, council, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = upload(client, council["people"]["lead"], council["inspection"], GOOD_CSV.encode() * 30)
    assert "must be smaller than" in response.content.decode()


def test_the_mapping_must_name_the_action_and_the_finding_once(client, council):
    response = upload(client, council["people"]["lead"], council["inspection"], GOOD_CSV.encode())
    columns_url = response["Location"]
    response = client.post(columns_url, {"col_0": "", "col_1": "title", "col_2": "title", "col_3": "", "col_4": "", "col_5": "", "col_6": ""})
    page = response.content.decode()
    assert "Action is chosen for more than one column" in page
    assert "which finding each action is for" in page


def test_suggested_mapping_from_headers():
    headers = ["Ref", "Action", "Owner", "Owner email", "Due date", "Status", "RAG", "Council", "Progress"]
    assert plan_import.suggest_mapping(headers) == [
        "finding_ref", "title", "", "owner", "due_date", "status", "rag", "", "progress_notes"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("04/11/2026", dt.date(2026, 11, 4)),
        ("4/11/26", dt.date(2026, 11, 4)),
        ("4 November 2026", dt.date(2026, 11, 4)),
        ("4th Nov 2026", dt.date(2026, 11, 4)),
        ("2026-11-04", dt.date(2026, 11, 4)),
        ("04.11.2026", dt.date(2026, 11, 4)),
        (46000, dt.date(2025, 12, 9)),
        ("", None),
    ],
)
def test_uk_dates(text, expected):
    assert plan_import.parse_uk_date(text) == expected


@pytest.mark.parametrize("text", ["11/31/2026", "next week", "12/25/2026", 12])
def test_dates_that_are_not_uk_dates_are_errors(text):
    with pytest.raises(ValueError):
        plan_import.parse_uk_date(text)


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_readers_cannot_import(client, council, role):
    client.force_login(council["people"][role])
    assert client.get(UPLOAD).status_code == 403
    response = upload(client, council["people"][role], council["inspection"], GOOD_CSV.encode())
    assert response.status_code == 403


def test_an_upload_belongs_to_the_user_who_made_it(client, council):
    columns_url = upload(client, council["people"]["lead"], council["inspection"], GOOD_CSV.encode())["Location"]
    client.force_login(council["people"]["colleague"])
    assert client.get(columns_url).status_code == 404


def test_another_councils_inspection_cannot_be_chosen(client, council):
    outsider = council["people"]["outsider"]
    response = upload(client, outsider, council["inspection"], GOOD_CSV.encode())
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_round_trip_export_then_import_into_a_fresh_council(client, council):
    """Export an inspection's plan as XLSX; import it into another council's matching inspection."""
    lead = council["people"]["lead"]
    client.force_login(lead)
    # Open actions only: a complete or closed one is never imported (evidence and a check are needed).
    open_statuses = ["not_started", "in_progress", "blocked"]
    exported = client.get(reverse("actions:action_list"),
                          {"inspection": council["inspection"].pk, "status": open_statuses, "format": "xlsx"})
    assert exported.status_code == 200

    fresh = LocalAuthorityFactory(name="Freshford", slug="freshford")
    for person in council["people"].values():  # the same people work for the new council
        Membership.objects.get_or_create(user=person, authority=fresh)
    fresh_lead = UserFactory(username="fresh-lead", role=Role.IMPROVEMENT_LEAD, authorities=[fresh])
    twin = InspectionFactory(authority=fresh, visit_start=dt.date(2025, 3, 3), visit_end=dt.date(2025, 3, 5))
    for finding in council["findings"]:
        FindingFactory(inspection=twin, kind=finding.kind, position=finding.position, text=finding.text)

    check_url = run_import(client, fresh_lead, twin, exported.content, "exported.xlsx")
    preview = client.get(check_url)
    assert not preview.context["problems"], [r.errors for r in preview.context["problems"]]
    client.post(check_url)

    def plan(inspection):
        return sorted(
            (a.finding.kind, a.finding.position, a.title, a.owner.user_id if a.owner else None, a.due_date, a.status,
             a.rag, a.progress_notes)
            for a in Action.objects.filter(finding__inspection=inspection, status__in=open_statuses)
            .select_related("finding", "owner")
        )

    assert len(plan(twin)) == 5 == Action.objects.filter(finding__inspection=twin).count()
    assert plan(twin) == plan(council["inspection"])


def test_import_link_only_for_editors(client, council):
    client.force_login(council["people"]["viewer"])
    assert "Import an action plan" not in client.get(reverse("actions:action_list")).content.decode()
    client.force_login(council["people"]["lead"])
    assert "Import an action plan" in client.get(reverse("actions:action_list")).content.decode()
    assert re.search(r"Upload your spreadsheet", client.get(UPLOAD).content.decode())


@pytest.mark.parametrize(
    "word, why",
    [
        ("Complete", "an action is marked complete in the tracker, once its evidence is added there"),
        ("Done", "an action is marked complete in the tracker, once its evidence is added there"),
        ("Closed (verified)", "an action is closed in the tracker when someone other than its owner checks its evidence"),
        ("Verified", "an action is closed in the tracker when someone other than its owner checks its evidence"),
    ],
)
def test_a_row_complete_or_closed_is_refused_with_why_and_nothing_is_saved(client, council, word, why):
    lead = council["people"]["lead"]
    content = (
        "Ref,Action,Owner,Due date,Status,RAG,Progress\n"
        "Improvement 1,Audit twenty pathway plans,nlead,04/11/2026,In progress,Amber,Ten done\n"
        f"2,Fix the supplier report,nlead,31 March 2027,{word},green,\n"
    )
    before = (Action.objects.count(), ActionUpdate.objects.count())
    check_url = run_import(client, lead, council["inspection"], content.encode())
    preview = client.get(check_url)
    [problem] = preview.context["problems"]
    assert problem.number == 3 and why in " ".join(problem.errors)
    assert why in preview.content.decode()
    response = client.post(check_url)
    assert response.status_code == 200
    assert (Action.objects.count(), ActionUpdate.objects.count()) == before


# --- one draft design: the spreadsheet waits in an ImportDraft, as a letter does ---------------------------


def test_the_upload_waits_in_an_import_draft_not_in_the_session_and_goes_once_imported(
    client, council, private_storage
):
    check_url = run_import(client, council["people"]["lead"], council["inspection"], GOOD_CSV.encode())
    draft = ImportDraft.objects.get(kind=ImportDraft.Kind.ACTION_PLAN)
    assert draft.user == council["people"]["lead"] and draft.token in check_url
    assert draft.parsed["inspection"] == council["inspection"].pk and draft.parsed["mapping"]
    assert [p.name for p in stored_files(private_storage)] == [draft.source_name.rsplit("/", 1)[-1]]
    assert not any("import" in key for key in client.session.keys())
    assert client.post(check_url).status_code == 302
    assert not ImportDraft.objects.exists() and stored_files(private_storage) == []


def test_a_letter_drafts_token_does_not_open_the_spreadsheet_steps(client, council, private_storage):
    lead = council["people"]["lead"]
    letter = import_draft_store(user=lead, kind=ImportDraft.Kind.LETTER, source=b"text", filename="", parsed={})
    client.force_login(lead)
    assert client.get(reverse("actions:plan_import_columns", args=[letter.token])).status_code == 404


def test_an_upload_over_the_one_size_limit_is_refused_and_nothing_is_kept(client, council, settings, private_storage):
    settings.MAX_UPLOAD_BYTES = len(GOOD_CSV.encode()) - 1
    response = upload(client, council["people"]["lead"], council["inspection"], GOOD_CSV.encode())
    assert response.status_code == 200
    assert "The selected file must be smaller than" in response.content.decode()
    assert not ImportDraft.objects.exists() and stored_files(private_storage) == []

"""The admin's import journey over HTTP: upload, preview, corrections, confirm; and every way it can go wrong."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from findings.models import Finding, FindingKind, Theme
from findings.forms import GovukDateField
from inspections.models import ImportDraft, Inspection, LocalAuthority
from tests.factories import FindingFactory, InspectionFactory, UserFactory
from tests.inspections.import_support import FOCUSED_VISITS, SEED_LETTER, private_storage, stored_files  # noqa: F401

YORK_PDF = FOCUSED_VISITS / "york-2023-09-06.pdf"
IMPORT = reverse("inspections:import_start")


@pytest.fixture
def york(demo):
    return LocalAuthority.objects.get(slug="york")


@pytest.fixture
def york_admin(york):
    return UserFactory(username="york-admin", role="Admin", authorities=[york])


def upload(client, path=YORK_PDF, *, name=None, content=None):
    handle = io.BytesIO(path.read_bytes() if content is None else content)
    handle.name = name or path.name
    return client.post(IMPORT, {"document": handle})


def preview_post_data(response) -> dict:
    """What the browser would post back from the preview page, unchanged."""
    form, points = response.context["form"], response.context["points"]
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        if isinstance(field, GovukDateField):
            for part, value in bound.parts.items():
                data[f"{name}_{part}"] = value
        else:
            value = bound.value()
            data[name] = "" if value is None else value
    management = points.management_form
    for name in management.fields:
        data[f"{points.prefix}-{name}"] = str(management[name].value())
    for point in points:
        for name in point.fields:
            value = point[name].value()
            if name == "DELETE":
                if value:
                    data[point.add_prefix(name)] = "on"
                continue
            data[point.add_prefix(name)] = "" if value is None else value
    return data


def _pdf(*, encrypt=False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- who may import -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lead", "leader", "viewer", "barnet-lead"])
def test_only_admins_reach_the_import_pages(client, demo, username, private_storage):
    client.force_login(demo[username])
    assert client.get(IMPORT).status_code == 403
    assert upload(client).status_code == 403
    assert ImportDraft.objects.count() == 0 and stored_files(private_storage) == []
    assert b">Import<" not in client.get(reverse("inspections:authority_list")).content


def test_admins_see_the_import_link_and_page(client, demo):
    client.force_login(demo["admin"])
    assert b'href="/import/"' in client.get(reverse("inspections:authority_list")).content
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert b"Upload a PDF or text file" in page.content and b"Or paste the text" in page.content


def test_signed_out_users_are_sent_to_sign_in(client, db):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


# --- bad input on the upload page -----------------------------------------------------------------

BAD_UPLOADS = {
    "empty": ("letter.pdf", b"", "The selected file is empty."),
    "png renamed": ("letter.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 200, "PNG image"),
    "encrypted": ("letter.pdf", _pdf(encrypt=True), "encrypted or password-protected"),
    "scanned": ("letter.pdf", _pdf(), "no text layer (it looks scanned)"),
    "not ofsted": ("minutes.txt", b"Minutes of the parish council.\nItem 1: the village fete and its budget.\n" * 4,
                   "does not look like an Ofsted"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_uploads_get_a_clear_message_and_save_nothing(client, demo, case, private_storage):
    name, content, message = BAD_UPLOADS[case]
    client.force_login(demo["admin"])
    before = Inspection.objects.count()
    response = client.post(IMPORT, {"document": _named(content, name)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert 'govuk-form-group--error' in html
    assert Inspection.objects.count() == before and ImportDraft.objects.count() == 0
    assert stored_files(private_storage) == []


def _named(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_file_over_the_size_limit_is_refused_without_being_kept(client, demo, settings, private_storage):
    settings.MAX_UPLOAD_BYTES = 50_000
    client.force_login(demo["admin"])
    assert YORK_PDF.stat().st_size > 50_000
    response = upload(client)
    assert response.status_code == 400
    assert "The selected file must be smaller than 48.8\xa0KB." in response.content.decode()
    assert ImportDraft.objects.count() == 0 and stored_files(private_storage) == []


def test_pasted_text_that_is_not_ofsted_is_refused(client, demo, private_storage):
    client.force_login(demo["admin"])
    response = client.post(IMPORT, {"text": "Dear resident, your bins will be collected on Tuesday."})
    assert response.status_code == 400
    assert "does not look like an Ofsted" in response.content.decode()
    assert ImportDraft.objects.count() == 0


def test_nothing_given_or_both_given(client, demo, private_storage):
    client.force_login(demo["admin"])
    nothing = client.post(IMPORT, {"text": "   "})
    assert "Select a PDF or text file, or paste the text of the letter." in nothing.content.decode()
    both = client.post(IMPORT, {"document": _named(YORK_PDF.read_bytes(), "y.pdf"), "text": "Some text"})
    assert "Upload a file or paste text, not both." in both.content.decode()
    assert ImportDraft.objects.count() == 0


# --- preview and confirm --------------------------------------------------------------------------


def test_upload_preview_correct_and_confirm(client, york_admin, private_storage):
    client.force_login(york_admin)
    response = upload(client)
    assert response.status_code == 302
    draft = ImportDraft.objects.get()
    assert response["Location"] == reverse("inspections:import_preview", args=[draft.token])
    assert draft.user == york_admin and draft.source_filename == "york-2023-09-06.pdf"
    assert [p.name for p in stored_files(private_storage)] == [draft.source_name.split("/")[-1]]

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Check the imported publication" in html
    assert 'value="2023"' in html and "Louise Walker" in html
    data = preview_post_data(preview)
    assert data["authority"] == "york" and data["kind"] == "focused_visit"
    assert (data["visit_start_day"], data["visit_start_month"], data["visit_start_year"]) == ("1", "8", "2023")
    assert data["points-TOTAL_FORMS"] == "2"
    # The suggested theme is preselected for each point.
    assert data["points-0-theme"] == str(Theme.objects.get(slug="management-oversight-and-supervision").pk)

    data["points-0-text"] = "The consistency and recording of supervision (corrected)."
    data["confirm"] = "1"
    done = client.post(response["Location"], data)
    inspection = Inspection.objects.get(authority__slug="york")
    assert done.status_code == 302 and done["Location"] == inspection.get_absolute_url()
    assert inspection.imported_by == york_admin
    assert list(inspection.findings.order_by("position").values_list("text", flat=True)) == [
        "The consistency and recording of supervision (corrected).",
        "The timely updating of pathway plans where appropriate and when care leavers needs change.",
    ]
    assert inspection.source_sha256 == draft.source_sha256
    assert ImportDraft.objects.count() == 0
    # The draft's copy is gone; the letter is kept once, under letters/.
    assert [p.parent.name for p in stored_files(private_storage)] == ["letters"]
    page = client.get(done["Location"])
    assert "Imported focused visit of York" in page.content.decode()
    assert "(corrected)" in page.content.decode()


def test_points_can_be_removed_reordered_and_added_without_javascript(client, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    data = preview_post_data(client.get(url))
    # Move the second point first, then add one.
    data["points-0-ORDER"], data["points-1-ORDER"] = "2", "1"
    data["add_point"] = "1"
    added = client.post(url, data)
    assert added.status_code == 200
    data = preview_post_data(added)
    assert data["points-TOTAL_FORMS"] == "3"
    assert data["points-0-text"].startswith("The timely updating of pathway plans")
    assert data["points-2-text"] == ""
    data["points-2-text"] = "Areas for priority action: a new point typed by the admin."
    data["points-2-kind"] = FindingKind.PRIORITY_ACTION
    data["points-1-DELETE"] = "on"  # remove the supervision point
    updated = client.post(url, {**data, "update": "1"})
    data = preview_post_data(updated)
    assert data["points-TOTAL_FORMS"] == "2"
    data["confirm"] = "1"
    assert client.post(url, data).status_code == 302
    inspection = Inspection.objects.get(authority__slug="york")
    saved = list(inspection.findings.order_by("kind", "position").values_list("kind", "position", "text"))
    assert saved == [
        (FindingKind.IMPROVEMENT, 1, "The timely updating of pathway plans where appropriate and when care leavers needs change."),
        (FindingKind.PRIORITY_ACTION, 1, "Areas for priority action: a new point typed by the admin."),
    ]


def test_an_impossible_date_is_refused_with_a_clear_message(client, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    data = preview_post_data(client.get(url))
    data.update(visit_start_day="31", visit_start_month="2", visit_start_year="2023", confirm="1")
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date the visit started must be a real date" in html
    assert 'href="#id_visit_start_day"' in html
    assert Inspection.objects.filter(authority__slug="york").count() == 0
    assert ImportDraft.objects.count() == 1  # the admin can fix it and confirm


def test_end_before_start_and_grades_on_a_visit_are_refused(client, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    data = preview_post_data(client.get(url))
    data.update(visit_end_day="1", visit_end_month="7", grade_overall_effectiveness="good", confirm="1")
    html = client.post(url, data).content.decode()
    assert "The date the visit ended must be the same as or after the date it started" in html
    assert "Visits are not graded" in html
    assert Inspection.objects.filter(authority__slug="york").count() == 0


def test_repeat_suggestions_can_be_accepted(client, york, york_admin, private_storage):
    earlier = FindingFactory(
        inspection=InspectionFactory(authority=york, visit_start=dt.date(2021, 5, 4)),
        text="The timeliness of updates to pathway plans when care leavers' needs change.",
    )
    client.force_login(york_admin)
    url = upload(client)["Location"]
    preview = client.get(url)
    html = preview.content.decode()
    assert "Does this point repeat an earlier finding?" in html
    assert earlier.text[:60] in html
    data = preview_post_data(preview)
    assert data["points-1-repeats"] == ""  # offered, not assumed
    data.update({"points-1-repeats": str(earlier.pk), "confirm": "1"})
    assert client.post(url, data).status_code == 302
    saved = Finding.objects.get(inspection__visit_start=dt.date(2023, 8, 1), position=2)
    assert saved.repeats == earlier


def test_a_repeat_of_another_councils_finding_is_refused(client, demo, york_admin, private_storage):
    barnsley_finding = Finding.objects.filter(inspection__authority__slug="barnsley").first()
    client.force_login(york_admin)
    url = upload(client)["Location"]
    data = preview_post_data(client.get(url))
    data.update({"points-0-repeats": str(barnsley_finding.pk), "confirm": "1"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Inspection.objects.filter(authority__slug="york").exists()


# --- duplicates -----------------------------------------------------------------------------------


def test_reimporting_a_publication_is_caught_at_preview_and_refused_at_confirm(client, demo, private_storage):
    client.force_login(demo["admin"])
    existing = Inspection.objects.get(authority__slug="barnsley", kind="focused_visit")
    url = client.post(IMPORT, {"text": SEED_LETTER.read_text()})["Location"]
    preview = client.get(url)
    html = preview.content.decode()
    assert "Barnsley already has a focused visit on 25 to 26 January 2023" in html
    assert f'href="{existing.get_absolute_url()}"' in html
    data = preview_post_data(preview)
    data["confirm"] = "1"
    refused = client.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html and "Nothing was saved." in html
    assert f'href="{existing.get_absolute_url()}"' in html
    assert Inspection.objects.filter(authority__slug="barnsley", kind="focused_visit").count() == 1


def test_the_same_document_uploaded_again_is_caught(client, york_admin, private_storage):
    client.force_login(york_admin)
    first = upload(client)["Location"]
    data = preview_post_data(client.get(first))
    client.post(first, {**data, "confirm": "1"})
    inspection = Inspection.objects.get(authority__slug="york")
    again = client.get(upload(client)["Location"])
    html = again.content.decode()
    assert "This document has already been imported" in html
    assert f'href="{inspection.get_absolute_url()}"' in html


# --- scope ----------------------------------------------------------------------------------------


def test_an_admin_of_barnet_cannot_import_into_barnsley(client, demo, private_storage):
    barnet_admin = UserFactory(username="barnet-admin", role="Admin", authorities=[LocalAuthority.objects.get(slug="barnet")])
    client.force_login(barnet_admin)
    url = client.post(IMPORT, {"text": SEED_LETTER.read_text()})["Location"]
    preview = client.get(url)
    html = preview.content.decode()
    assert "This publication is about Barnsley, which is not one of your councils" in html
    assert 'value="barnsley"' not in html
    assert "already has a focused visit" not in html or "for a council you do not have access to" in html
    data = preview_post_data(preview)
    data.update(authority="barnsley", confirm="1", visit_start_day="2")  # a different date: not a duplicate
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Inspection.objects.filter(authority__slug="barnsley").count() == 3


def test_a_council_new_to_the_tracker_can_be_added_on_confirmation(client, demo, private_storage):
    LocalAuthority.objects.filter(slug="york").delete()
    client.force_login(demo["admin"])
    url = upload(client)["Location"]
    preview = client.get(url)
    assert "Add York to the tracker (Ofsted URN 80453)" in preview.content.decode()
    data = preview_post_data(preview)
    assert data["authority"] == "new"
    client.post(url, {**data, "confirm": "1"})
    york = LocalAuthority.objects.get(ofsted_urn="80453")
    assert york.inspections.count() == 1
    assert demo["admin"].memberships.filter(authority=york).exists()


# --- the draft between steps ----------------------------------------------------------------------


def test_stale_someone_elses_or_made_up_tokens_restart_the_import(client, demo, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    draft = ImportDraft.objects.get()
    data = preview_post_data(client.get(url))

    client.force_login(demo["admin"])  # another admin cannot use it
    for target in (url, reverse("inspections:import_preview", args=["made-up-token"])):
        response = client.get(target, follow=True)
        assert response.redirect_chain[-1][0] == IMPORT
        assert "That import has expired or could not be found" in response.content.decode()

    client.force_login(york_admin)
    ImportDraft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(url, {**data, "confirm": "1"}, follow=True)
    assert "That import has expired or could not be found" in response.content.decode()
    assert not Inspection.objects.filter(authority__slug="york").exists()


def test_expired_drafts_and_their_files_are_purged(client, york_admin, private_storage):
    client.force_login(york_admin)
    upload(client)
    ImportDraft.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.post(IMPORT, {"text": SEED_LETTER.read_text()})
    assert ImportDraft.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


def test_cancel_discards_the_draft_and_its_file(client, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    token = ImportDraft.objects.get().token
    response = client.post(reverse("inspections:import_cancel", args=[token]), follow=True)
    assert "The import was cancelled and nothing was saved." in response.content.decode()
    assert ImportDraft.objects.count() == 0 and stored_files(private_storage) == []
    assert client.get(url).status_code == 302


# --- queries do not grow with the letter ----------------------------------------------------------


def _draft_with_points(client, admin, count: int):
    client.force_login(admin)
    url = upload(client)["Location"]
    draft = ImportDraft.objects.get(token=url.rstrip("/").split("/")[-1])
    draft.parsed["improvements"] = [f"Point {n} about pathway plans and supervision for care leavers." for n in range(count)]
    draft.save()
    return url


@pytest.mark.parametrize("points, earlier", [(2, 1), (12, 25)])
def test_preview_and_confirm_query_counts_do_not_grow(client, york, york_admin, private_storage, points, earlier,
                                                      django_assert_num_queries):
    visit = InspectionFactory(authority=york, visit_start=dt.date(2020, 1, 6))
    for n in range(earlier):
        FindingFactory(inspection=visit, text=f"Earlier point {n} about pathway plans for care leavers.", position=n + 1)
    url = _draft_with_points(client, york_admin, points)
    # A fixed set whatever the points (the council scope and the header's label are one read).
    with django_assert_num_queries(11):
        preview = client.get(url)
    data = preview_post_data(preview)
    data["confirm"] = "1"
    # Saving writes one row per point and judgement; everything else is fixed.
    with django_assert_num_queries(28 + points):
        response = client.post(url, data)
    assert response.status_code == 302


def test_the_kept_document_is_served_only_to_members_of_its_council(client, demo, york_admin, private_storage):
    client.force_login(york_admin)
    url = upload(client)["Location"]
    client.post(url, {**preview_post_data(client.get(url)), "confirm": "1"})
    inspection = Inspection.objects.get(authority__slug="york")
    source = reverse("inspections:inspection_source", args=[inspection.pk])
    response = client.get(source)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == YORK_PDF.read_bytes()
    client.force_login(demo["admin"])  # Barnsley and Barnet, not York
    assert client.get(source).status_code == 404
    barnsley_visit = Inspection.objects.get(authority__slug="barnsley", kind="focused_visit")
    assert client.get(reverse("inspections:inspection_source", args=[barnsley_visit.pk])).status_code == 404

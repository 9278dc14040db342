"""An admin imports a real Ofsted report in the browser: upload → check and correct → confirm → inspection page.
Also without JavaScript (pasted text), and axe on every page of the journey."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from findings.models import Finding
from inspections.models import ImportDraft, Inspection
from tests.inspections.import_support import CORPUS, private_storage  # noqa: F401

pytestmark = pytest.mark.browser

BARNET_REPORT = CORPUS / "inspections" / "barnet-2019-07-01.pdf"
BARNET_REPORT_TEXT = CORPUS / "text" / "inspections" / "barnet-2019-07-01.txt"
CORRECTED = "The incorporation of actions from the vulnerable adolescents at risk panel (corrected in the preview)."


def test_admin_imports_a_pdf_corrects_a_point_and_confirms(signed_in, private_storage):
    session = signed_in("admin")
    page = session.page
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import an Ofsted letter or report")).to_be_visible()
    session.assert_accessible("import")

    # A mistake first: nothing chosen.
    page.get_by_role("button", name="Read the document").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    session.assert_accessible("import-error")

    page.get_by_label("Upload a PDF or text file").set_input_files(str(BARNET_REPORT))
    page.get_by_role("button", name="Read the document").click()
    expect(page.get_by_role("heading", name="Check the imported publication")).to_be_visible()
    expect(page.get_by_label("Council")).to_have_value("barnet")
    expect(page.get_by_label("Kind of publication")).to_have_value("full_inspection")
    expect(page.get_by_label("Overall effectiveness")).to_have_value("good")
    session.assert_accessible("preview")

    first_point = page.locator("#id_points-0-text")
    original = first_point.input_value()
    assert original.startswith("The incorporation of actions")
    first_point.fill(CORRECTED)
    # An impossible date: refused with the error summary, and the correction typed above is kept.
    page.locator("#id_published_on_day").fill("31")
    page.locator("#id_published_on_month").fill("2")
    page.locator("#id_published_on_year").fill("2019")
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_role("link", name="The date of the letter must be a real date")).to_be_visible()
    expect(page.locator("#id_points-0-text")).to_have_value(CORRECTED)
    session.assert_accessible("preview-error")
    page.locator("#id_published_on_day").fill("1")
    page.locator("#id_published_on_month").fill("7")
    page.get_by_role("button", name="Confirm and save").click()

    expect(page.get_by_text("Imported full inspection of Barnet")).to_be_visible()
    expect(page.get_by_text(CORRECTED)).to_be_visible()
    assert str(Inspection.objects.get(authority__slug="barnet", kind="full_inspection").published_on) == "2019-07-01"
    expect(page.get_by_role("heading", name="Judgements")).to_be_visible()
    session.assert_accessible("inspection")

    inspection = Inspection.objects.get(authority__slug="barnet", kind="full_inspection")
    assert page.url.endswith(inspection.get_absolute_url())
    assert Finding.objects.filter(inspection=inspection, text=CORRECTED).exists()
    assert not Finding.objects.filter(inspection=inspection, text=original).exists()
    assert ImportDraft.objects.count() == 0
    # The only errors the browser logs are the 400 statuses of the two deliberately wrong submissions.
    unexpected = [e for e in session.console_errors if "status of 400" not in e]
    assert not unexpected and len(session.console_errors) == 2, session.console_errors


def test_the_journey_works_without_javascript(signed_in, private_storage):
    session = signed_in("admin", javascript=False)
    page = session.page
    page.goto("/import/")
    page.get_by_label("Or paste the text of the letter or report").fill(BARNET_REPORT_TEXT.read_text())
    page.get_by_role("button", name="Read the document").click()
    expect(page.get_by_role("heading", name="Check the imported publication")).to_be_visible()
    points_before = page.locator("textarea[name$='-text']").count()

    # Add a point (a real round trip), type it, move it to the top, remove the last published point.
    page.get_by_role("button", name="Add another point").click()
    expect(page.locator("textarea[name$='-text']")).to_have_count(points_before + 1)
    page.locator(f"#id_points-{points_before}-text").fill("A point the admin added by hand.")
    page.locator(f"#id_points-{points_before}-ORDER").fill("0")
    page.locator(f"#id_points-{points_before - 1}-DELETE").check()
    page.get_by_role("button", name="Update the list").click()
    expect(page.locator("#id_points-0-text")).to_have_value("A point the admin added by hand.")
    expect(page.locator("textarea[name$='-text']")).to_have_count(points_before)
    # (axe needs JavaScript, so it checks these same pages in the test above.)
    # The 2019 report prints no date: the plan's 70 working days count from the one the admin gives.
    page.locator("#id_published_on_day").fill("1")
    page.locator("#id_published_on_month").fill("7")
    page.locator("#id_published_on_year").fill("2019")
    page.get_by_role("button", name="Confirm and save").click()

    expect(page.get_by_text("Imported full inspection of Barnet")).to_be_visible()
    inspection = Inspection.objects.get(authority__slug="barnet", kind="full_inspection")
    texts = list(inspection.findings.order_by("position").values_list("text", flat=True))
    assert texts[0] == "A point the admin added by hand."
    assert len(texts) == points_before
    assert inspection.source_filename == ""

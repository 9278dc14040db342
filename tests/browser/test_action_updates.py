"""A lead updates an action in place (htmx) and without JavaScript; two people edit at once; evidence;
a senior leader verifies. axe checks every page and state."""

import pytest
from playwright.sync_api import expect

from actions.models import Action, Evidence, Status

pytestmark = pytest.mark.browser


def _open_action(demo):
    return Action.objects.filter(finding__inspection__authority__slug="barnsley", status=Status.IN_PROGRESS).order_by("id").first()


def test_a_lead_updates_with_htmx_and_sees_it_in_the_history_without_a_reload(signed_in, demo):
    action = _open_action(demo)
    session = signed_in("lead")
    page = session.page
    page.goto(action.get_absolute_url())
    session.assert_accessible("action")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Progress update").fill("Audit of 20 plans booked for next week")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Your update was saved.").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # no page load happened
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("Audit of 20 plans booked for next week")).to_be_visible()
    session.assert_accessible("action-after-htmx-save")
    session.screenshot("action-saved")


def test_the_same_without_javascript(signed_in, demo):
    action = _open_action(demo)
    session = signed_in("lead", javascript=False)
    page = session.page
    page.goto(action.get_absolute_url())
    page.get_by_label("Progress update").fill("Written without JavaScript")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state()
    assert page.url.endswith(action.get_absolute_url())
    expect(page.get_by_text("Your update was saved.")).to_be_visible()
    expect(page.get_by_test_id("timeline").get_by_text("Written without JavaScript")).to_be_visible()
    version = Action.objects.get(pk=action.pk).version
    page.goto(f"{action.get_absolute_url()}update/")
    _fill_due_date(page, "31", "1", "2031")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Enter why the due date is changing.").first).to_be_visible()
    assert Action.objects.get(pk=action.pk).version == version  # nothing saved


def _fill_due_date(page, day: str, month: str, year: str) -> None:
    """The GOV.UK date input: day, month and year boxes in the "Due date" group."""
    due = page.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill(day)
    due.get_by_label("Month").fill(month)
    due.get_by_label("Year").fill(year)


def test_the_full_page_update_form_and_its_errors_are_accessible(signed_in, demo):
    # axe needs JavaScript to run, so the no-JavaScript pages (the same HTML) are checked here.
    action = _open_action(demo)
    session = signed_in("lead")
    page = session.page
    page.goto(f"{action.get_absolute_url()}update/")
    session.assert_accessible("update-page")
    _fill_due_date(page, "31", "1", "2031")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Enter why the due date is changing.").first.wait_for()
    session.assert_accessible("update-page-errors")
    session.screenshot("update-form-errors")


@pytest.mark.parametrize("javascript", [True, False])
def test_two_people_edit_the_same_action_and_the_second_keeps_their_text(signed_in, demo, javascript):
    action = _open_action(demo)
    first = signed_in("lead", javascript=javascript)
    second = signed_in("pmorgan", javascript=javascript)
    for session in (first, second):
        session.page.goto(action.get_absolute_url())
    first.page.get_by_label("Status").select_option("blocked")
    first.page.get_by_label("Progress update").fill("Blocked: waiting for the case system")
    first.page.get_by_role("button", name="Save update").click()
    first.page.get_by_text("Your update was saved.").wait_for()

    typed = "Second person's careful note, which must not be lost"
    second.page.get_by_label("Progress update").fill(typed)
    second.page.get_by_role("button", name="Save update").click()
    conflict = second.page.get_by_test_id("conflict")
    conflict.wait_for()
    expect(conflict.get_by_text("Status: In progress → Blocked")).to_be_visible()
    assert second.page.get_by_label("Progress update").input_value() == typed
    # The status they did not touch now shows the other person's change, so re-saving keeps it.
    assert second.page.get_by_label("Status").input_value() == "blocked"
    if javascript:  # axe runs only with JavaScript
        second.assert_accessible("conflict")
        second.screenshot("conflict")
    # Re-saving deliberately now lands on top of the other person's change.
    second.page.get_by_role("button", name="Save update").click()
    second.page.get_by_text("Your update was saved.").wait_for()
    action.refresh_from_db()
    assert action.progress_notes == typed and action.status == Status.BLOCKED


def test_evidence_upload_download_then_verify_and_send_back(signed_in, demo, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    action = _open_action(demo)
    owner = signed_in(action.owner.user.username)
    page = owner.page
    page.goto(action.get_absolute_url())
    report = tmp_path / "audit-report.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Upload evidence").set_input_files(str(report))
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Your update was saved.").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("evidence-list").get_by_role("link", name="audit-report.pdf").click()
    assert download.value.suggested_filename == "audit-report.pdf"
    assert Evidence.objects.filter(action=action).count() == 1

    leader = signed_in("leader")
    leader.page.goto(action.get_absolute_url())
    leader.assert_accessible("verify")
    leader.page.get_by_label("Send back").check()
    leader.page.get_by_role("button", name="Save decision").click()
    leader.page.get_by_text("Enter why the action is being sent back").first.wait_for()
    leader.page.get_by_label("Send back").check()
    leader.page.get_by_label("Reason or comment").fill("The audit covers one team only")
    leader.page.get_by_role("button", name="Save decision").click()
    leader.page.get_by_text("The action was sent back to its owner.").wait_for()
    expect(leader.page.get_by_test_id("timeline").get_by_text("The audit covers one team only").first).to_be_visible()
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS

    page.reload()
    page.get_by_label("Status").select_option("complete")
    page.get_by_role("button", name="Save update").click()
    page.get_by_text("Your update was saved.").wait_for()
    leader.page.reload()
    leader.page.get_by_label("Verify and close").check()
    leader.page.get_by_role("button", name="Save decision").click()
    leader.page.get_by_text("The action is verified and closed.").wait_for()
    action.refresh_from_db()
    assert action.status == Status.CLOSED


def test_adding_an_action_and_the_plan_dates_pages_are_accessible(signed_in, demo):
    from inspections.models import Inspection

    session = signed_in("lead")
    page = session.page
    inspection = Inspection.objects.get(authority__slug="barnsley", kind="short_inspection")
    page.goto(inspection.get_absolute_url())
    expect(page.get_by_test_id("plan-due")).to_be_visible()
    page.get_by_test_id("add-action").first.click()
    session.assert_accessible("add-action")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Enter the action").first).to_be_visible()
    session.assert_accessible("add-action-errors")
    page.get_by_label("Action", exact=True).fill("Weekly oversight huddles")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("link", name="Weekly oversight huddles")).to_be_visible()
    page.goto(f"/inspections/{inspection.pk}/action-plan/")
    session.assert_accessible("plan-record")

"""The rules of updating an action, per role: services enforce them whatever the page sends."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.models import Action, Evidence, Rag, Status
from actions.selectors import actions_for
from actions.services import (
    StaleActionError,
    action_create,
    action_change,
    action_send_back,
    action_change,
    action_verify,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def progress(action, user, **kwargs):
    kwargs.setdefault("changes", {})
    return action_change(action=action, user=user, expected_version=action.version, today=TODAY, **kwargs)


# --- suggested RAG ---


@pytest.mark.parametrize(
    "status, due, expected",
    [
        (Status.IN_PROGRESS, TODAY - dt.timedelta(days=1), Rag.RED),
        (Status.NOT_STARTED, TODAY + dt.timedelta(days=14), Rag.AMBER),
        (Status.NOT_STARTED, TODAY + dt.timedelta(days=15), Rag.GREEN),
        (Status.IN_PROGRESS, TODAY + dt.timedelta(days=3), Rag.GREEN),
        (Status.BLOCKED, TODAY + dt.timedelta(days=90), Rag.AMBER),
        (Status.COMPLETE, TODAY - dt.timedelta(days=30), Rag.GREEN),
        (Status.CLOSED, TODAY - dt.timedelta(days=30), Rag.GREEN),
        (Status.IN_PROGRESS, None, Rag.GREEN),
    ],
)
def test_suggested_rag_follows_dates_and_progress(status, due, expected):
    assert Action(status=status, due_date=due).suggested_rag(TODAY) == expected


def test_a_rag_other_than_the_suggested_one_needs_a_reason_recorded_in_history(make_action, people):
    action = make_action(status=Status.IN_PROGRESS, due_date=TODAY + dt.timedelta(days=60))
    with pytest.raises(ValidationError) as error:
        progress(action, people["lead"], changes={"rag": Rag.RED})
    assert "rag_reason" in error.value.message_dict
    action.refresh_from_db()
    assert action.rag == Rag.GREEN and action.version == 1

    result = progress(action, people["lead"], changes={"rag": Rag.RED}, rag_reason="Recruitment has stalled")
    assert result.action.rag == Rag.RED
    assert result.update.changes["rag"] == ["green", "red"]
    assert result.update.changes["rag_reason"] == [None, "Recruitment has stalled"]


def test_choosing_the_suggested_rag_needs_no_reason(make_action, people):
    action = make_action(status=Status.IN_PROGRESS, due_date=TODAY - dt.timedelta(days=2))
    assert progress(action, people["lead"], changes={"rag": Rag.RED}).action.rag == Rag.RED


# --- due dates, notes, measures ---


def test_moving_the_due_date_needs_a_reason(make_action, people):
    action = make_action(due_date=TODAY)
    with pytest.raises(ValidationError) as error:
        progress(action, people["lead"], changes={"due_date": TODAY + dt.timedelta(days=30)})
    assert "due_date_reason" in error.value.message_dict
    result = progress(action, people["lead"], changes={"due_date": TODAY + dt.timedelta(days=30)},
                      due_date_reason="Waiting for the new case system")
    assert result.update.changes["due_date"] == [TODAY.isoformat(), (TODAY + dt.timedelta(days=30)).isoformat()]
    assert result.update.changes["due_date_reason"][1] == "Waiting for the new case system"


def test_a_progress_note_becomes_the_latest_progress_and_the_history_note(make_action, people):
    action = make_action()
    result = progress(action, people["owner"], note="Twelve plans reviewed")
    assert result.action.progress_notes == "Twelve plans reviewed"
    assert result.update.note == "Twelve plans reviewed"


def test_every_update_records_the_measure_value_then(make_action, people):
    action = make_action(measure_name="Pathway plans up to date (%)", measure_baseline=Decimal("54"),
                         measure_latest=Decimal("54"), measure_target=Decimal("90"))
    first = progress(action, people["owner"], changes={"measure_latest": Decimal("71")})
    assert first.update.measure_value == Decimal("71")
    assert first.action.measure_latest_on == TODAY  # defaulted when not given
    second = progress(first.action, people["owner"], note="No change in the figure this month")
    assert second.update.measure_value == Decimal("71")
    assert second.action.measure_summary == "54 → 71, target 90"


# --- completion and closure: a second person checks ---


def test_marking_complete_needs_evidence(make_action, people):
    action = make_action(status=Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        progress(action, people["owner"], changes={"status": Status.COMPLETE})
    assert "evidence" in error.value.message_dict["status"][0].lower()
    result = progress(action, people["owner"], changes={"status": Status.COMPLETE},
                      evidence_links=["https://intranet.example.gov.uk/audit"])
    assert result.action.status == Status.COMPLETE
    assert Evidence.objects.get(action=action).update == result.update


def test_evidence_text_is_enough_to_mark_complete(make_action, people):
    action = make_action(status=Status.IN_PROGRESS)
    result = progress(action, people["lead"], changes={"status": Status.COMPLETE, "evidence": "Audit: 48 of 50 plans up to date"})
    assert result.action.status == Status.COMPLETE


def test_nobody_closes_an_action_through_an_ordinary_update(make_action, people):
    action = make_action(status=Status.COMPLETE, evidence="Audit done")
    for role in ("lead", "admin"):
        with pytest.raises((ValidationError, PermissionDenied)):
            progress(action, people[role], changes={"status": Status.CLOSED})
    action.refresh_from_db()
    assert action.status == Status.COMPLETE


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_an_admin_or_senior_leader_who_is_not_the_owner_verifies(make_action, people, role):
    action = make_action(status=Status.COMPLETE, evidence="Audit done")
    result = action_verify(action=action, user=people[role], expected_version=action.version)
    assert result.action.status == Status.CLOSED
    assert result.update.author == people[role]


@pytest.mark.parametrize("role", ["lead", "viewer", "partner", "owner"])
def test_others_cannot_verify(make_action, people, role):
    action = make_action(status=Status.COMPLETE, evidence="Audit done")
    with pytest.raises((ValidationError, PermissionDenied)):
        action_verify(action=action, user=people[role], expected_version=action.version)
    action.refresh_from_db()
    assert action.status == Status.COMPLETE


def test_a_senior_leader_who_owns_the_action_cannot_verify_it(make_action, people):
    action = make_action(status=Status.COMPLETE, evidence="Audit done", owner=people["leader"])
    with pytest.raises(ValidationError):
        action_verify(action=action, user=people["leader"], expected_version=action.version)


def test_an_action_that_is_not_complete_cannot_be_verified(make_action, people):
    action = make_action(status=Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        action_verify(action=action, user=people["leader"], expected_version=action.version)


def test_sending_back_needs_a_reason_and_reopens_the_action(make_action, people):
    action = make_action(status=Status.COMPLETE, evidence="Audit done")
    with pytest.raises(ValidationError):
        action_send_back(action=action, user=people["leader"], expected_version=action.version, reason=" ")
    result = action_send_back(action=action, user=people["leader"], expected_version=action.version,
                              reason="The audit covers only one team")
    assert result.action.status == Status.IN_PROGRESS
    assert result.update.changes["sent_back_reason"][1] == "The audit covers only one team"


def test_bulk_style_updates_cannot_close_either(make_action, people):
    action = make_action(status=Status.COMPLETE)
    with pytest.raises(ValidationError):
        action_change(action=action, user=people["lead"], expected_version=action.version,
                      changes={"status": Status.CLOSED})


# --- roles ---


def test_a_senior_leader_may_only_comment(make_action, people):
    action = make_action()
    result = progress(action, people["leader"], note="Please bring this to the next board")
    assert result.update.note == "Please bring this to the next board"
    assert result.action.progress_notes == ""  # a comment is not the owner's progress
    with pytest.raises(PermissionDenied):
        progress(result.action, people["leader"], changes={"status": Status.IN_PROGRESS})


def test_a_viewer_cannot_update(make_action, people):
    with pytest.raises(PermissionDenied):
        progress(make_action(), people["viewer"], note="hello")


def test_an_outsider_cannot_update(make_action, people):
    with pytest.raises(PermissionDenied):
        progress(make_action(), people["outsider"], note="hello")


def test_a_partner_sees_only_their_own_actions(make_action, people):
    mine = make_action(owner=people["partner"])
    make_action(title="Someone else's")
    assert list(actions_for(people["partner"])) == [mine]


def test_a_partner_updates_progress_and_evidence_only(make_action, people):
    action = make_action(owner=people["partner"])
    upload = SimpleUploadedFile("health-audit.pdf", PDF, content_type="application/pdf")
    result = progress(action, people["partner"], note="GP audit complete", evidence_files=[upload],
                      changes={"evidence": "Health audit attached"})
    assert result.action.progress_notes == "GP audit complete"
    assert Evidence.objects.get(action=action).content_type == "application/pdf"
    for changes in ({"status": Status.IN_PROGRESS}, {"rag": Rag.RED}, {"due_date": TODAY}):
        with pytest.raises(PermissionDenied):
            progress(result.action, people["partner"], changes=changes)


def test_a_partner_cannot_update_someone_elses_action(make_action, people):
    with pytest.raises(PermissionDenied):
        progress(make_action(), people["partner"], note="hello")


def test_an_owner_who_is_not_a_lead_updates_status_and_measure_but_not_the_rag(make_action, people):
    action = make_action(owner=people["viewer"])
    result = progress(action, people["viewer"], changes={"status": Status.IN_PROGRESS}, note="Started")
    assert result.action.status == Status.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        progress(result.action, people["viewer"], changes={"rag": Rag.AMBER}, rag_reason="x")


# --- conflicts ---


def test_a_stale_update_is_refused_and_names_the_newer_change(make_action, people):
    action = make_action()
    stale_copy = Action.objects.get(pk=action.pk)
    progress(action, people["lead"], note="First")
    with pytest.raises(StaleActionError) as error:
        action_change(action=Action.objects.get(pk=action.pk), user=people["owner"],
                               expected_version=stale_copy.version, changes={}, note="Second", today=TODAY)
    assert [u.note for u in error.value.changes_since] == ["First"]
    assert not Action.objects.get(pk=action.pk).updates.filter(note="Second").exists()


# --- evidence files ---


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("report.pdf", PDF, True),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, True),
        ("notes.txt", "Réunion notes\n".encode(), True),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00", False),  # a program renamed to .pdf
        ("page.html", b"\x00\x01binary", False),
    ],
)
def test_evidence_files_are_checked_by_content(make_action, people, name, content, ok):
    action = make_action()
    upload = SimpleUploadedFile(name, content)
    if ok:
        progress(action, people["lead"], evidence_files=[upload])
        evidence = Evidence.objects.get(action=action)
        assert evidence.original_name == name
        assert name not in evidence.file.name  # stored under a random name
    else:
        with pytest.raises(ValidationError):
            progress(action, people["lead"], evidence_files=[upload])
        assert not Evidence.objects.exists()


def test_evidence_files_over_the_limit_are_refused(make_action, people, settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError):
        progress(make_action(), people["lead"], evidence_files=[SimpleUploadedFile("big.txt", b"a" * 101)])


# --- adding actions ---


def test_a_lead_adds_an_action_owned_by_a_member_of_the_council(finding, people):
    action = action_create(finding=finding, user=people["lead"], title="Recruit advisers", owner=people["partner"],
                        measure_name="Advisers in post", measure_baseline=Decimal("4"), measure_target=Decimal("8"))
    assert action.owner.user == people["partner"] and action.updates.count() == 1
    assert action.measure_latest == Decimal("4")


@pytest.mark.parametrize("role", ["leader", "viewer", "partner", "outsider"])
def test_only_leads_and_admins_of_the_council_add_actions(finding, people, role):
    with pytest.raises(PermissionDenied):
        action_create(finding=finding, user=people[role], title="Recruit advisers")


def test_an_owner_from_another_council_is_refused(finding, people):
    with pytest.raises(ValidationError):
        action_create(finding=finding, user=people["lead"], title="Recruit advisers", owner=people["outsider"])

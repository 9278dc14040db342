"""A council's data revision rises after every committed change to what its pages show, and only then.

The data cache keys each council's figures by it (core/datacache.py), and the write services raise it
themselves (inspections.services.authority_data_changed): a service that forgot would leave people
looking at an old dashboard. Each test commits its writes through the on-commit hooks as the running
app does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Role
from accounts.services import user_provision
from accounts.permissions import SYSTEM
from actions.services import action_change, action_create, action_plan_record
from actions.models import Status
from findings.models import Theme
from findings.services import themes_load_defaults
from inspections.models import InspectionKind, LocalAuthority
from findings.services import InspectionInput, inspection_import
from tests.factories import (
    ActionFactory, FindingFactory, InspectionFactory, LocalAuthorityFactory, OwnerFactory, UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils():
    return LocalAuthorityFactory(name="Changeshire"), LocalAuthorityFactory(name="Stillshire")


def _revisions(*councils) -> list[int]:
    return [LocalAuthority.objects.get(pk=c.pk).data_revision for c in councils]


def _visits_revisions(*councils) -> list[int]:
    return [LocalAuthority.objects.get(pk=c.pk).visits_revision for c in councils]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write and its on-commit hooks; returns how each council's revision moved."""

    def run(write, *councils) -> list[int]:
        before = _revisions(*councils)
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return [after - b for after, b in zip(_revisions(*councils), before)]

    return run


def test_an_action_update_raises_its_own_council_only(councils, committed):
    changed, still = councils
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD, authorities=[changed])
    action = ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=changed)))
    ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=still)))

    moved = committed(
        lambda: action_change(action=action, user=lead, expected_version=action.version,
                              changes={"status": Status.IN_PROGRESS}, note="Started."),
        changed, still,
    )
    assert moved[0] >= 1 and moved[1] == 0


@pytest.mark.parametrize("write", ["inspection", "action_create", "plan_dates", "evidence", "rename"])
def test_every_write_service_raises_the_council(councils, committed, settings, tmp_path, write):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    changed, still = councils
    inspection = InspectionFactory(authority=changed, visit_start=dt.date(2025, 1, 6), visit_end=dt.date(2025, 1, 10),
                                   published_on=dt.date(2025, 2, 3))
    finding = FindingFactory(inspection=inspection)
    action = ActionFactory(finding=finding)
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD, authorities=[changed])
    writes = {
        "inspection": lambda: inspection_import(source=b"", filename="", user=None, data=InspectionInput(
            authority=changed, kind=InspectionKind.FOCUSED, visit_start=dt.date(2026, 3, 2),
            visit_end=dt.date(2026, 3, 3))),
        "action_create": lambda: action_create(user=SYSTEM, finding=finding, title="Audit plans", due_date=dt.date(2027, 1, 4)),
        "plan_dates": lambda: action_plan_record(inspection=inspection, user=lead, plan_submitted_on=None,
                                                 draft_submitted_on=dt.date(2025, 3, 3)),
        "evidence": lambda: action_change(action=action, user=lead, expected_version=action.version, changes={},
                                          evidence_files=[SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit")]),
        "rename": lambda: user_provision(username=lead.username, password="x-long-password-1", role=Role.IMPROVEMENT_LEAD,
                                         authorities=[changed], first_name="Renamed"),
    }
    visits_before = _visits_revisions(changed, still)
    moved = committed(writes[write], changed, still)
    assert moved[0] >= 1, f"{write} did not raise the council's revision"
    assert moved[1] == 0, f"{write} raised another council's revision"
    visits_moved = [after - before for after, before in zip(_visits_revisions(changed, still), visits_before)]
    # Only an existing action's own change (here: evidence) leaves the council's visits as they were; a new
    # action gives its visit a plan, and every other write may change a visit.
    if write == "evidence":
        assert visits_moved == [0, 0], "an action's evidence raised the visits revision"
    else:
        assert visits_moved[0] >= 1 and visits_moved[1] == 0, f"{write} did not raise the visits revision"


def test_an_action_update_leaves_the_visits_revision_where_it_was(councils, committed):
    changed, _ = councils
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD, authorities=[changed])
    action = ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=changed)))
    visits_before = _visits_revisions(changed)
    moved = committed(
        lambda: action_change(action=action, user=lead, expected_version=action.version,
                              changes={"status": Status.IN_PROGRESS, "progress_notes": "Audit begun."}, note="Started."),
        changed,
    )
    assert moved == [1] and _visits_revisions(changed) == visits_before


def _statuses_revision(council) -> int:
    return LocalAuthority.objects.get(pk=council.pk).statuses_revision


STATUS_WRITES = {
    # What each write does to where the council's actions stood over time (the burn-down): moved or not.
    "a progress note": ({"progress_notes": "Audit begun."}, {}, False),
    "a new RAG and due date": ({"rag": "red", "due_date": dt.date(2027, 9, 1)},
                               {"rag_reason": "Behind plan.", "due_date_reason": "Audit moved."}, False),
    "a status": ({"status": Status.IN_PROGRESS}, {}, True),
    "a note dated in the past": ({"progress_notes": "Audit begun in March."},
                                 {"at": dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc)}, True),
}


@pytest.mark.parametrize("write", STATUS_WRITES)
def test_only_what_can_move_the_actions_over_time_raises_the_statuses_revision(councils, committed, write):
    changed, still = councils
    changes, extra, moves = STATUS_WRITES[write]
    action = ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=changed)))
    before = [_statuses_revision(changed), _statuses_revision(still)]
    # SYSTEM: the only writer that dates a row in the past (the demo loader and the data generator).
    moved = committed(lambda: action_change(action=action, user=SYSTEM, expected_version=action.version,
                                            changes=changes, note="Update.", **extra), changed, still)
    assert moved == [1, 0]  # the data revision moves with every write
    after = [_statuses_revision(changed), _statuses_revision(still)]
    assert after == [before[0] + moves, before[1]], f"{write}: the statuses revision moved wrongly"


def test_a_new_action_and_a_visit_raise_the_statuses_revision(councils, committed):
    changed, _ = councils
    inspection = InspectionFactory(authority=changed, visit_start=dt.date(2025, 1, 6), visit_end=dt.date(2025, 1, 17),
                                   published_on=dt.date(2025, 2, 20))
    before = _statuses_revision(changed)
    committed(lambda: action_create(user=SYSTEM, finding=FindingFactory(inspection=inspection), title="New",
                                    due_date=dt.date(2027, 3, 1)), changed)
    assert _statuses_revision(changed) == before + 1
    lead = UserFactory(role=Role.IMPROVEMENT_LEAD, authorities=[changed])
    committed(lambda: action_plan_record(inspection=inspection, user=lead, plan_submitted_on=dt.date(2025, 4, 1),
                                         draft_submitted_on=None), changed)
    assert _statuses_revision(changed) == before + 2


def test_a_renamed_owner_raises_the_councils_of_their_actions(councils, committed):
    changed, still = councils
    # A partner agency's person owns an action in a council they are no member of (e.g. after moving on).
    person = UserFactory(username="owner-elsewhere", authorities=[])
    ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=changed)),
                  owner=OwnerFactory(authority=changed, user=person))
    moved = committed(lambda: user_provision(username=person.username, password="x-long-password-1",
                                              role=Role.PARTNER, authorities=[], first_name="Renamed"), changed, still)
    assert moved == [1, 0]


def test_new_themes_raise_every_council(councils, committed):
    Theme.objects.all().delete()
    assert committed(themes_load_defaults, *councils) == [1, 1]
    assert committed(themes_load_defaults, *councils) == [0, 0]  # nothing new: nothing moves


def test_a_rolled_back_change_raises_nothing(councils, committed):
    changed, _ = councils
    finding = FindingFactory(inspection=InspectionFactory(authority=changed))

    def write_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            action_create(user=SYSTEM, finding=finding, title="Never saved")
            raise RuntimeError("the save failed")

    assert committed(write_then_fail, changed) == [0]


def test_nothing_moves_before_the_commit(councils, django_capture_on_commit_callbacks):
    # Readers key their cache by the revision: it must not announce data they cannot see yet.
    changed, _ = councils
    finding = FindingFactory(inspection=InspectionFactory(authority=changed))
    before = _revisions(changed)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        action_create(user=SYSTEM, finding=finding, title="Audit plans")
        assert _revisions(changed) == before
    assert callbacks, "no revision raise was waiting for the commit"

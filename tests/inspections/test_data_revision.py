"""A council's data revision rises after every committed change to what its pages show, and only then.

Cached pages are keyed by it (config/page_cache.py): a write path that forgot to raise it would leave
people looking at an old dashboard. Each test commits its writes through the on-commit hooks as the
running app does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Membership, Role
from actions.models import ActionPlan, Status
from actions.services import SYSTEM, action_change, action_create
from inspections.models import InspectionKind, LocalAuthority
from tests.factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    JudgementFactory,
    LocalAuthorityFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils():
    return LocalAuthorityFactory(name="Changeshire"), LocalAuthorityFactory(name="Stillshire")


def _revisions(*councils) -> list[int]:
    return [LocalAuthority.objects.get(pk=c.pk).data_revision for c in councils]


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


@pytest.mark.parametrize(
    "write",
    ["inspection", "judgement", "finding", "action_create", "finding_delete", "plan_dates", "membership", "rename"],
)
def test_every_kind_of_change_raises_the_council(councils, committed, write):
    changed, still = councils
    inspection = InspectionFactory(authority=changed)
    finding = FindingFactory(inspection=inspection)
    member = UserFactory(authorities=[changed])
    writes = {
        "inspection": lambda: InspectionFactory(authority=changed),
        "judgement": lambda: JudgementFactory(inspection=InspectionFactory(authority=changed, kind=InspectionKind.FULL)),
        "finding": lambda: FindingFactory(inspection=inspection, position=9),
        "action_create": lambda: action_create(user=SYSTEM, finding=finding, title="Audit plans", due_date=dt.date(2027, 1, 4)),
        "finding_delete": lambda: finding.delete(),
        "plan_dates": lambda: ActionPlan.objects.create(inspection=inspection, draft_submitted_on=dt.date(2026, 1, 5)),
        "membership": lambda: Membership.objects.create(user=UserFactory(), authority=changed),
        "rename": lambda: (setattr(member, "first_name", "Renamed"), member.save()),
    }
    moved = committed(writes[write], changed, still)
    assert moved[0] >= 1, f"{write} did not raise the council's revision"
    assert moved[1] == 0, f"{write} raised another council's revision"


def test_a_role_change_raises_the_councils_of_that_person(councils, committed):
    changed, still = councils
    person = UserFactory(authorities=[changed])
    group, _ = Group.objects.get_or_create(name=Role.SENIOR_LEADER)
    assert committed(lambda: person.groups.add(group), changed, still) == [1, 0]


def test_a_theme_rename_raises_every_council(councils, committed):
    theme = ThemeFactory()
    theme.name = "Renamed theme"
    moved = committed(theme.save, *councils)
    assert moved == [1, 1]


def test_signing_in_changes_nothing(councils, committed):
    person = UserFactory(authorities=[councils[0]])
    person.last_login = dt.datetime(2026, 11, 25, 9, tzinfo=dt.timezone.utc)
    assert committed(lambda: person.save(update_fields=["last_login"]), *councils) == [0, 0]


def test_a_rolled_back_change_raises_nothing(councils, committed):
    changed, _ = councils
    finding = FindingFactory(inspection=InspectionFactory(authority=changed))

    def write_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            ActionFactory(finding=finding)
            raise RuntimeError("the save failed")

    assert committed(write_then_fail, changed) == [0]


def test_nothing_moves_before_the_commit(councils, django_capture_on_commit_callbacks):
    # Readers key their cache by the revision: it must not announce data they cannot see yet.
    changed, _ = councils
    finding = FindingFactory(inspection=InspectionFactory(authority=changed))
    before = _revisions(changed)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ActionFactory(finding=finding)
        assert _revisions(changed) == before
    assert callbacks, "no revision raise was waiting for the commit"

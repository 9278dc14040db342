"""Working days, the plan's statutory dates, positions on a past date and the monthly update cycle."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from actions.models import ActionPlan, Status
from actions.selectors import plan_deadlines_for, position_on, positions_on, update_cycle_start, with_update_due
from actions.services import SYSTEM, action_change
from tests.factories import action_through_services
from core.workdays import add_working_days, is_working_day, working_days_between
from findings.models import FindingKind
from inspections.models import InspectionKind
from tests.factories import ActionFactory, FindingFactory, InspectionFactory

LONDON = ZoneInfo("Europe/London")


def test_christmas_and_boxing_day_are_not_working_days():
    # Friday 20 December 2024 + 5 working days skips the weekend, 25 and 26 December.
    assert add_working_days(dt.date(2024, 12, 20), 5) == dt.date(2024, 12, 31)
    assert not is_working_day(dt.date(2024, 12, 25)) and not is_working_day(dt.date(2024, 12, 26))


def test_easter_good_friday_and_monday_are_skipped():
    assert add_working_days(dt.date(2024, 3, 28), 1) == dt.date(2024, 4, 2)


def test_substitute_bank_holidays_count():
    # Christmas 2021 fell on a Saturday: Monday 27 and Tuesday 28 December were bank holidays in England.
    assert add_working_days(dt.date(2021, 12, 24), 1) == dt.date(2021, 12, 29)


def test_working_days_between_counts_both_ways():
    assert working_days_between(dt.date(2024, 12, 20), dt.date(2024, 12, 31)) == 5
    assert working_days_between(dt.date(2024, 12, 31), dt.date(2024, 12, 20)) == -5
    assert working_days_between(dt.date(2024, 12, 20), dt.date(2024, 12, 20)) == 0


def _imported_on(inspection, day):
    from inspections.models import Inspection

    Inspection.objects.filter(pk=inspection.pk).update(created_at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=LONDON))
    inspection.refresh_from_db()


@pytest.mark.django_db
def test_a_full_inspection_plan_is_due_70_working_days_after_the_letter():
    inspection = InspectionFactory(kind=InspectionKind.FULL, visit_start=dt.date(2024, 10, 7),
                                   visit_end=dt.date(2024, 10, 18), published_on=dt.date(2024, 11, 29))
    _imported_on(inspection, dt.date(2024, 12, 2))  # in time: imported after the deadline, it is "not recorded"
    deadlines = plan_deadlines_for(inspection, today=dt.date(2025, 1, 6))
    assert deadlines.applies and deadlines.draft_due is None
    assert deadlines.plan_due == add_working_days(dt.date(2024, 11, 29), 70) == dt.date(2025, 3, 12)
    assert deadlines.plan_days_left == working_days_between(dt.date(2025, 1, 6), dt.date(2025, 3, 12))


@pytest.mark.django_db
def test_a_visit_with_priority_actions_has_a_draft_date_too_and_uses_the_visit_end_without_a_letter():
    inspection = InspectionFactory(kind=InspectionKind.FOCUSED, visit_start=dt.date(2025, 3, 10),
                                   visit_end=dt.date(2025, 3, 11), published_on=None)
    FindingFactory(inspection=inspection, kind=FindingKind.PRIORITY_ACTION)
    _imported_on(inspection, dt.date(2025, 3, 12))
    deadlines = plan_deadlines_for(inspection, today=dt.date(2025, 5, 1))
    # 20 working days from Tuesday 11 March 2025: Good Friday 18 and Easter Monday 21 April are later.
    assert deadlines.draft_due == dt.date(2025, 4, 8)
    assert deadlines.draft_overdue and deadlines.draft_days_left < 0


@pytest.mark.django_db
def test_a_visit_without_priority_actions_has_no_plan_dates():
    inspection = InspectionFactory(kind=InspectionKind.FOCUSED)
    FindingFactory(inspection=inspection, kind=FindingKind.IMPROVEMENT)
    assert not plan_deadlines_for(inspection).applies


@pytest.mark.django_db
def test_submitted_plans_are_no_longer_counted_down():
    inspection = InspectionFactory(kind=InspectionKind.SHORT, plan_submitted_on=dt.date(2020, 5, 1))
    FindingFactory(inspection=inspection, kind=FindingKind.PRIORITY_ACTION)
    ActionPlan.objects.create(inspection=inspection, draft_submitted_on=dt.date(2020, 4, 1))
    deadlines = plan_deadlines_for(inspection)
    assert deadlines.plan_days_left is None and not deadlines.plan_overdue
    assert deadlines.draft_submitted_on == dt.date(2020, 4, 1)


def _at(day, hour=12, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.mark.django_db
def test_position_on_a_date_is_the_latest_row_by_the_end_of_that_day_in_london():
    from actions.services import SYSTEM, action_create

    finding = FindingFactory()
    action = action_create(user=SYSTEM, finding=finding, title="Audit", at=_at(dt.date(2026, 1, 5)))
    action_change(action=action, user=SYSTEM, expected_version=1, changes={"status": Status.IN_PROGRESS},
                  at=_at(dt.date(2026, 2, 2)))
    # 23:30 on 1 June in London (BST) is 22:30 UTC: still 1 June for the board.
    action_change(action=action, user=SYSTEM, expected_version=2, changes={"status": Status.BLOCKED},
                  at=_at(dt.date(2026, 6, 1), 23, 30))
    assert position_on(action, dt.date(2026, 1, 4)) is None
    assert position_on(action, dt.date(2026, 1, 31)).status == Status.NOT_STARTED
    assert position_on(action, dt.date(2026, 5, 31)).status == Status.IN_PROGRESS
    assert position_on(action, dt.date(2026, 6, 1)).status == Status.BLOCKED


@pytest.mark.django_db
def test_positions_for_many_actions_take_one_query(django_assert_num_queries):
    from actions.models import Action
    from actions.services import SYSTEM, action_create

    finding = FindingFactory()
    actions = []
    for index in range(12):
        action = action_create(user=SYSTEM, finding=finding, title=f"A{index}", at=_at(dt.date(2026, 1, 5)))
        action_change(action=action, user=SYSTEM, expected_version=1, changes={"status": Status.IN_PROGRESS},
                      at=_at(dt.date(2026, 3, 1)))
        actions.append(action)
    with django_assert_num_queries(1):
        positions = positions_on(Action.objects.filter(finding=finding), dt.date(2026, 2, 1))
    assert len(positions) == 12 and {p.status for p in positions.values()} == {Status.NOT_STARTED}
    with django_assert_num_queries(1):
        assert {p.status for p in positions_on(actions, dt.date(2026, 3, 1)).values()} == {Status.IN_PROGRESS}


def test_update_cycle_start_clamps_to_short_months(settings):
    settings.UPDATE_CYCLE_DAY = 31
    assert update_cycle_start(dt.date(2026, 2, 28)) == dt.date(2026, 2, 28)
    assert update_cycle_start(dt.date(2026, 3, 30)) == dt.date(2026, 2, 28)
    settings.UPDATE_CYCLE_DAY = 1
    assert update_cycle_start(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert update_cycle_start(dt.date(2026, 1, 20)) == dt.date(2026, 1, 1)


@pytest.mark.django_db
def test_update_due_and_late_annotations(settings):
    from actions.models import Action
    from actions.services import SYSTEM, action_create

    settings.UPDATE_CYCLE_DAY, settings.UPDATE_ESCALATION_DAYS = 1, 10
    finding = FindingFactory()
    stale = action_create(user=SYSTEM, finding=finding, title="Stale", at=_at(dt.date(2026, 4, 20)))
    fresh = action_create(user=SYSTEM, finding=finding, title="Fresh", at=_at(dt.date(2026, 4, 20)))
    action_change(action=fresh, user=SYSTEM, expected_version=1, changes={}, note="May update", at=_at(dt.date(2026, 5, 2)))
    done = action_through_services(finding=finding, title="Done", status=Status.COMPLETE, at=_at(dt.date(2026, 4, 20)))
    rows = {a.title: a for a in with_update_due(Action.objects.all(), today=dt.date(2026, 5, 5))}
    assert rows["Stale"].update_due and not rows["Stale"].update_late
    assert not rows["Fresh"].update_due and not rows["Done"].update_due
    rows = {a.title: a for a in with_update_due(Action.objects.all(), today=dt.date(2026, 5, 12))}
    assert rows["Stale"].update_late
    assert stale and done

"""Council figures for the overview and council list: counted once per council revision and day."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Status
from inspections.models import InspectionKind, LocalAuthority
from dashboards.selectors import council_summaries
from tests.factories import ActionFactory, FindingFactory, InspectionFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def councils():
    first, second = LocalAuthorityFactory(name="Countshire"), LocalAuthorityFactory(name="Tallyshire")
    full = InspectionFactory(authority=first, kind=InspectionKind.FULL, visit_start=dt.date(2025, 3, 3),
                             visit_end=dt.date(2025, 3, 14))
    InspectionFactory(authority=first, visit_start=dt.date(2026, 5, 5), visit_end=dt.date(2026, 5, 6))
    finding = FindingFactory(inspection=full)
    ActionFactory(finding=finding, status=Status.CLOSED, due_date=dt.date(2026, 1, 5))
    ActionFactory(finding=finding, status=Status.IN_PROGRESS, due_date=dt.date(2026, 10, 1))  # overdue
    ActionFactory(finding=finding, status=Status.NOT_STARTED, due_date=dt.date(2027, 1, 4))
    return first, second


def _fresh(*councils):
    return list(LocalAuthority.objects.filter(pk__in=[c.pk for c in councils]).order_by("name"))


def test_figures_are_counted_per_council(councils):
    first, second = councils
    summaries = council_summaries(_fresh(first, second), TODAY)
    counted = summaries[first.pk]
    assert (counted.inspection_count, counted.last_visit, counted.last_inspection) == (
        2, dt.date(2026, 5, 6), dt.date(2025, 3, 14)
    )
    assert (counted.total_actions, counted.done_actions, counted.open_actions, counted.overdue) == (3, 1, 2, 1)
    assert summaries[second.pk].total_actions == 0 and summaries[second.pk].last_visit is None


def test_only_the_council_that_changed_is_counted_again(councils, django_assert_num_queries):
    first, second = councils
    council_summaries(_fresh(first, second), TODAY)
    unchanged = _fresh(first, second)
    with django_assert_num_queries(0):
        council_summaries(unchanged, TODAY)

    ActionFactory(finding=FindingFactory(inspection=InspectionFactory(authority=second)), status=Status.BLOCKED,
                  due_date=dt.date(2026, 11, 1))
    LocalAuthority.objects.filter(pk=second.pk).update(data_revision=second.data_revision + 1)  # as after a commit
    changed = _fresh(first, second)
    with django_assert_num_queries(3):  # visits, actions and grades, of the changed council only
        summaries = council_summaries(changed, TODAY)
    assert summaries[second.pk].total_actions == 1 and summaries[second.pk].overdue == 1
    assert summaries[first.pk].total_actions == 3


def test_a_new_day_counts_again(councils):
    first, _ = councils
    assert council_summaries(_fresh(first), TODAY)[first.pk].overdue == 1
    # The action due on 4 January 2027 is overdue from the 5th.
    assert council_summaries(_fresh(first), dt.date(2027, 1, 5))[first.pk].overdue == 2

"""Every dashboard figure against an independent count over generated data (fixed seed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone as dt_timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, ActionUpdate, Status
from dashboards import selectors
from tests.dashboards.generated import (
    DONE,
    OPEN,
    TODAY,
    build_plan,
    expected_headline,
    expected_over_time,
    first_done_month,
    position_on,
)
from tests.factories import ActionFactory, FindingFactory, InspectionFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt_timezone.utc


def _scope(plan):
    actions = selectors.dashboard_actions(plan.user, plan.authority)
    findings = selectors.dashboard_findings(plan.authority)
    return actions, findings


@pytest.mark.parametrize("seed", [20261124, 7, 1234])
def test_headline_figures_match_an_independent_count(seed):
    plan = build_plan(40, seed=seed)
    build_plan(10, seed=seed + 1)  # another council's plan must not leak into the figures
    actions, findings = _scope(plan)
    headline = selectors.headline_for(actions, findings, link={"authority": plan.authority.pk}, today=TODAY)
    expected = expected_headline(plan)

    assert headline.total_actions == expected["total"] == 40
    assert headline.done_actions == expected["done"]
    assert headline.overdue == expected["overdue"]
    assert headline.due_soon == expected["due_soon"]
    assert {f.label: f.count for f in headline.by_status} == {
        str(label): expected["by_status"][value] for value, label in Status.choices
    }
    assert headline.findings_total == expected["findings_total"]
    assert headline.findings_closed == expected["findings_closed"]
    assert headline.findings_open == expected["findings_total"] - expected["findings_closed"]
    assert headline.percent_complete == round(100 * expected["done"] / expected["total"])


def test_due_date_edges_are_counted_on_the_right_side():
    plan = build_plan(0)
    finding = plan.findings[0]
    cases = {
        TODAY: (False, True),  # due today: not overdue, due soon
        TODAY - timedelta(days=1): (True, False),
        TODAY + timedelta(days=30): (False, True),
        TODAY + timedelta(days=31): (False, False),
    }
    for due in cases:
        ActionFactory(finding=finding, due_date=due, status=Status.IN_PROGRESS)
    ActionFactory(finding=finding, due_date=TODAY - timedelta(days=5), status=Status.COMPLETE)  # done: never overdue
    actions, findings = _scope(plan)
    headline = selectors.headline_for(actions, findings, link={}, today=TODAY)
    assert headline.overdue == sum(1 for overdue, _ in cases.values() if overdue) == 1
    assert headline.due_soon == sum(1 for _, soon in cases.values() if soon) == 2


def test_progress_by_theme_owner_and_finding_match_an_independent_count():
    plan = build_plan(48)
    actions, findings = _scope(plan)

    def tally(key):
        counts = {}
        for a in plan.actions:
            row = counts.setdefault(key(a), {"total": 0, "done": 0, "overdue": 0})
            row["total"] += 1
            row["done"] += a.status in DONE
            row["overdue"] += a.status in OPEN and a.due_date is not None and a.due_date < TODAY
        return counts

    themes = {row["id"]: {k: row[k] for k in ("total", "done", "overdue")} for row in selectors.progress_by_theme(actions, TODAY)}
    assert themes == tally(lambda a: a.finding.theme_id)
    owners = {row["id"]: {k: row[k] for k in ("total", "done", "overdue")} for row in selectors.progress_by_owner(actions, TODAY)}
    assert owners == tally(lambda a: a.owner_id)
    by_finding = {f.pk: {"total": f.total, "done": f.done, "overdue": f.overdue} for f in selectors.progress_by_finding(findings, actions, TODAY)}
    expected = tally(lambda a: a.finding_id)
    for finding in plan.findings:
        assert by_finding[finding.pk] == expected.get(finding.pk, {"total": 0, "done": 0, "overdue": 0})


def test_progress_over_time_matches_an_independent_count_in_london_time():
    plan = build_plan(60)
    actions, _ = _scope(plan)
    points = selectors.progress_over_time(actions, TODAY)
    expected = expected_over_time(plan)
    assert [p.month for p in points] == list(expected)
    assert {p.month: (p.completed, p.outstanding) for p in points} == expected
    # Every completion is counted exactly once.
    assert sum(p.completed for p in points) == sum(1 for a in plan.actions if first_done_month(plan, a))


def test_completions_fall_in_the_london_month_not_the_utc_month():
    plan = build_plan(4)  # the first four actions are completed exactly on clock-change boundaries
    actions, _ = _scope(plan)
    completed = {p.month: p.completed for p in selectors.progress_over_time(actions, TODAY)}
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April.
    assert completed[date(2025, 4, 1)] >= 1
    first = plan.actions[0]
    assert first_done_month(plan, first) == date(2025, 4, 1)
    # 23:30 UTC on 30 September 2025 is 00:30 BST on 1 October.
    assert first_done_month(plan, plan.actions[1]) == date(2025, 10, 1)
    # 23:30 UTC on 31 January 2025 is 23:30 GMT: still January.
    assert first_done_month(plan, plan.actions[2]) == date(2025, 1, 1)
    expected = expected_over_time(plan)
    assert completed == {m: c for m, (c, _) in expected.items()}


def test_position_on_a_day_uses_the_london_date_of_the_update():
    plan = build_plan(0)
    action = ActionFactory(finding=plan.findings[0], status=Status.COMPLETE, version=2)
    ActionUpdate.objects.create(action=action, created_at=datetime(2025, 3, 1, 10, tzinfo=UTC), version=1, status=Status.IN_PROGRESS, rag="green")
    # 23:30 UTC on 31 March 2025 = 00:30 on 1 April in London.
    ActionUpdate.objects.create(action=action, created_at=datetime(2025, 3, 31, 23, 30, tzinfo=UTC), version=2, status=Status.COMPLETE, rag="green")
    actions = Action.objects.filter(pk=action.pk)
    points = {p.month: p for p in selectors.progress_over_time(actions, date(2025, 4, 30))}
    assert points[date(2025, 3, 1)].outstanding == 1  # still open at the end of 31 March, London time
    assert points[date(2025, 3, 1)].completed == 0
    assert points[date(2025, 4, 1)].completed == 1
    assert points[date(2025, 4, 1)].outstanding == 0
    report = selectors.board_report_for(plan.user, plan.authority, date(2025, 3, 31), date(2025, 4, 30))
    item = report.actions[0]
    assert item.status_then == Status.IN_PROGRESS
    assert item.changes == ["Status In progress to Complete"]


def test_board_report_positions_match_the_history(django_assert_max_num_queries):
    plan = build_plan(40)
    since = date(2025, 6, 30)
    with django_assert_max_num_queries(5):  # scope, roles, actions, positions then, findings
        report = selectors.board_report_for(plan.user, plan.authority, since, TODAY)
    assert report.total_now == 40
    for item in report.actions:
        expected = position_on(plan, item.action, since)
        assert (item.then.pk if item.then else None) == (expected.pk if expected else None)
        assert item.overdue == (item.action.status in OPEN and item.action.due_date is not None and item.action.due_date < TODAY)
    assert report.done_then == sum(1 for a in plan.actions if (p := position_on(plan, a, since)) and p.status in DONE)
    assert report.total_then == sum(1 for a in plan.actions if position_on(plan, a, since))
    assert report.done_now == sum(1 for a in plan.actions if a.status in DONE)
    assert len(report.overdue) == expected_headline(plan)["overdue"]


def test_headline_links_carry_the_action_list_filters():
    plan = build_plan(6)
    actions, findings = _scope(plan)
    headline = selectors.headline_for(actions, findings, link={"authority": plan.authority.pk}, today=TODAY)
    overdue = parse_qs(urlsplit(headline.links["overdue"]).query)
    assert overdue == {"authority": [str(plan.authority.pk)], "overdue": ["1"]}
    soon = parse_qs(urlsplit(headline.links["due_soon"]).query)
    assert soon["status"] == [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED]
    assert soon["due_from"] == [TODAY.isoformat()] and soon["due_to"] == [(TODAY + timedelta(days=30)).isoformat()]
    assert parse_qs(urlsplit(headline.links["done"]).query)["status"] == [Status.COMPLETE, Status.CLOSED]
    assert urlsplit(headline.links["overdue"]).path == "/actions/"


def _page_queries(client, url) -> int:
    caches["default"].clear()  # the page as built, not from the data cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_repeats(plan, n):
    """A later visit raising earlier findings again, so the comparison has work to do."""
    later = InspectionFactory(authority=plan.authority, visit_start=date(2025, 6, 2), visit_end=date(2025, 6, 3))
    for i, earlier in enumerate(plan.findings[:n]):
        FindingFactory(inspection=later, position=i + 1, repeats=earlier)


@pytest.mark.parametrize("page", ["dashboard", "compare", "board_report", "overview"])
def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, page):
    from accounts.models import Membership

    def url(plan):
        if page == "overview":
            return reverse("dashboards:overview")
        path = reverse(f"dashboards:{page}", kwargs={"slug": plan.authority.slug})
        return path + ("?since=2025-06-30" if page == "board_report" else "")

    small = build_plan(4, seed=1)
    _add_repeats(small, 1)
    build_plan(3, seed=3, user=small.user)  # a second council, so the header reads "2 councils" both times
    client.force_login(small.user)
    small_count = _page_queries(client, url(small))

    # Twenty times the actions, more findings and repeats, and (for the overview) more councils.
    large = build_plan(80, seed=2, user=small.user)
    _add_repeats(large, 12)
    for extra in range(3):
        Membership.objects.get_or_create(user=small.user, authority=build_plan(5, seed=10 + extra).authority)
    caches["default"].clear()
    with django_assert_num_queries(small_count):
        assert client.get(url(large)).status_code == 200

"""The dashboard's figures built afresh (the first view after a change): few queries, same figures."""

from __future__ import annotations

import pytest

from dashboards import selectors
from tests.dashboards.generated import TODAY, build_plan, expected_headline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("choice", [None, "all"])
def test_figures_built_afresh_read_each_thing_once(choice, django_assert_max_num_queries):
    plan = build_plan(40, seed=11)
    build_plan(10, seed=12)  # another council's plan must not leak into the figures
    expected = expected_headline(plan)
    # Plans, the plan's findings (or their count), the scope's actions once, the history once, the recent
    # and overdue lists, and the plan dates (two): eight, whatever the number of actions. Before the actions
    # were read once, counting them took five aggregates and the history three queries (fourteen).
    with django_assert_max_num_queries(8):
        plans = selectors._dashboard_plans(plan.authority, choice, TODAY)
        figures = selectors._dashboard_figures(plan.authority, plans, TODAY)
        months = selectors.progress_over_time(selectors.council_actions(plan.authority, plans["inspection"]), TODAY)
    assert months, "no burn-down"
    headline = figures["headline"]
    assert headline.total_actions == expected["total"] == 40
    assert headline.done_actions == expected["done"]
    assert headline.overdue == expected["overdue"]
    assert headline.due_soon == expected["due_soon"]
    # The finding with no actions counts, and is open.
    assert headline.findings_total == expected["findings_total"] == len(plan.findings)
    assert headline.findings_closed == expected["findings_closed"]
    assert sum(row["total"] for row in figures["themes"]) == 40
    assert sum(row["total"] for row in figures["owners"]) == 40
    if choice is None:
        assert {f.pk for f in figures["by_finding"]} == {f.pk for f in plan.findings}
        assert sum(f.total for f in figures["by_finding"]) == 40

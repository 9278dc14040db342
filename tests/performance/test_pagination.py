"""Long lists come a page at a time, with the GOV.UK pagination component, and the pages keep their order."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from django.urls import reverse

from actions.selectors import HISTORY_PAGE_SIZE
from dashboards.views import OVERVIEW_PAGE_SIZE
from dashboards.views import VISITS_PAGE_SIZE
from tests.factories import ActionFactory, ActionUpdateFactory, InspectionFactory, LocalAuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_overview_shows_fifty_councils_a_page_keeping_the_sort(client):
    authorities = [LocalAuthorityFactory() for _ in range(OVERVIEW_PAGE_SIZE + 3)]
    user = UserFactory(role="Senior leader", authorities=authorities)
    client.force_login(user)
    url = reverse("dashboards:overview")
    first = client.get(url, {"sort": "-name"})
    assert first.status_code == 200
    assert 'aria-label="Pages of councils"' in first.content.decode()
    assert f"Showing councils 1 to {OVERVIEW_PAGE_SIZE} of {len(authorities)}" in first.content.decode()
    second = client.get(url, {"sort": "-name", "page": 2})
    names = [r.name for r in first.context["rows"]] + [r.name for r in second.context["rows"]]
    assert names == sorted((a.name for a in authorities), reverse=True)
    # The page links keep the sort.
    assert "sort=-name&amp;page=2" in first.content.decode()


def test_authority_page_lists_twenty_visits_a_page_newest_first(client):
    authority = LocalAuthorityFactory()
    visits = [
        InspectionFactory(authority=authority, visit_start=date(2000 + i, 3, 1), visit_end=date(2000 + i, 3, 5))
        for i in range(VISITS_PAGE_SIZE + 2)
    ]
    client.force_login(UserFactory(role="Viewer", authorities=[authority]))
    url = reverse("inspections:authority_detail", kwargs={"slug": authority.slug})
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200
    assert 'aria-label="Pages of visits"' in first.content.decode()
    shown = list(first.context["inspections"]) + list(second.context["inspections"])
    assert [v.pk for v in shown] == [v.pk for v in sorted(visits, key=lambda v: v.visit_start, reverse=True)]


def test_action_history_comes_twenty_changes_a_page_newest_first(client):
    action = ActionFactory()
    authority = action.finding.inspection.authority
    start = dt.datetime(2025, 1, 1, 9, tzinfo=dt.timezone.utc)
    for version in range(1, HISTORY_PAGE_SIZE + 6):
        ActionUpdateFactory(action=action, version=version, created_at=start + dt.timedelta(days=version), note=f"note {version}")
    client.force_login(UserFactory(role="Viewer", authorities=[authority]))
    url = reverse("actions:action_detail", kwargs={"pk": action.pk})
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.status_code == second.status_code == 200
    assert 'aria-label="Pages of history"' in first.content.decode()
    versions = [u.version for u in first.context["history"]] + [u.version for u in second.context["history"]]
    assert versions == list(range(HISTORY_PAGE_SIZE + 5, 0, -1))

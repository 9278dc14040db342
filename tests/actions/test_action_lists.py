"""My actions and All actions: each filter, search, sort, pagination, URL state, scope and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Owner, Rag, Status
from tests.factories import action_through_services
from tests.actions.list_fixtures import council  # noqa: F401
from tests.factories import FindingFactory

pytestmark = pytest.mark.django_db

ALL = reverse("actions:action_list")
MINE = reverse("actions:my_actions")


def titles(response) -> list[str]:
    return [action.title for action in response.context["actions"]]


def get(client, user, url=ALL, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_all_actions_lists_every_action_in_the_users_councils_only(client, council):
    response = get(client, council["people"]["lead"])
    assert sorted(titles(response)) == sorted(t for t in council["actions"] if t != "southern")
    assert "Southern action" not in response.content.decode()


def test_my_actions_are_the_users_own_overdue_first_then_by_due_date_then_finished(client, council):
    response = get(client, council["people"]["lead"], MINE)
    assert titles(response) == [
        "Review every out-of-date pathway plan",  # overdue
        "Record management direction on every referral",  # due in 10 days
        "Pathway plan template",  # complete: last
    ]
    assert response.context["nav_section"] == "my_actions"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "blocked"}, {"Weekly data quality report"}),
        ({"status": ["not_started", "blocked"]}, {"Weekly data quality report", "Data integrity checks", "Record management direction on every referral"}),
        ({"rag": "red"}, {"Review every out-of-date pathway plan"}),
        ({"rag": ["amber"]}, {"Weekly data quality report", "Record management direction on every referral"}),
        ({"overdue": "true"}, {"Review every out-of-date pathway plan", "Weekly data quality report"}),
        ({"q": "backlog"}, {"Review every out-of-date pathway plan"}),  # progress notes
        ({"q": "RELIABLE"}, {"Weekly data quality report", "Data integrity checks"}),  # finding text, any case
        ({"q": "data report"}, {"Weekly data quality report"}),  # every word must match
        ({"q": "referrals monthly"}, {"Dip sample referrals monthly"}),
    ],
)
def test_each_filter_narrows_the_list(client, council, params, expected):
    assert set(titles(get(client, council["people"]["lead"], **params))) == expected


def test_filters_by_theme_finding_inspection_owner_and_council(client, council):
    lead = council["people"]["lead"]
    findings = council["findings"]
    assert set(titles(get(client, lead, theme=council["themes"]["data"].pk))) == {"Weekly data quality report", "Data integrity checks"}
    assert set(titles(get(client, lead, finding=findings[2].pk))) == {"Record management direction on every referral", "Dip sample referrals monthly"}
    assert len(titles(get(client, lead, inspection=council["inspection"].pk))) == 6
    assert set(titles(get(client, lead, owner=Owner.objects.get(user=council["people"]["colleague"]).pk))) == {"Weekly data quality report", "Data integrity checks"}
    assert titles(get(client, lead, owner="null")) == ["Dip sample referrals monthly"]
    admin = council["people"]["admin"]
    assert titles(get(client, admin, authority=council["other"].pk)) == ["Southern action"]


def test_due_date_range(client, council):
    today = council["today"]
    lead = council["people"]["lead"]
    response = get(client, lead, due_from=(today - dt.timedelta(days=5)).isoformat(), due_to=(today + dt.timedelta(days=15)).isoformat())
    assert set(titles(response)) == {"Weekly data quality report", "Record management direction on every referral"}


def test_another_councils_choice_in_a_filter_is_an_error_not_a_leak(client, council):
    response = get(client, council["people"]["lead"], authority=council["other"].pk)
    assert response.context["filter"].form.errors
    assert "Southern action" not in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_a_bad_date_is_reported_and_the_other_filters_still_apply(client, council):
    response = get(client, council["people"]["lead"], due_from="31/02/2026", rag="red")
    assert "due_from" in response.context["filter"].form.errors
    assert titles(response) == ["Review every out-of-date pathway plan"]


@pytest.mark.parametrize(
    "sort, first, last",
    [
        ("due", "Review every out-of-date pathway plan", "Dip sample referrals monthly"),  # no date last
        ("-due", "Data integrity checks", "Dip sample referrals monthly"),  # no date still last
        ("title", "Data integrity checks", "Weekly data quality report"),
        ("-title", "Weekly data quality report", "Data integrity checks"),
        ("status", "Data integrity checks", "Pathway plan template"),  # not started ... complete
        ("rag", "Review every out-of-date pathway plan", "Dip sample referrals monthly"),
    ],
)
def test_sorting_by_a_whitelisted_column(client, council, sort, first, last):
    found = titles(get(client, council["people"]["lead"], sort=sort))
    assert (found[0], found[-1]) == (first, last)


def test_an_unknown_sort_falls_back_to_due_date(client, council):
    response = get(client, council["people"]["lead"], sort="owner__password")
    assert response.context["sort"] == "due"
    assert titles(response)[0] == "Review every out-of-date pathway plan"


def test_column_headers_toggle_the_sort_and_say_which_way_with_aria_sort(client, council):
    page = get(client, council["people"]["lead"], sort="due", rag="amber").content.decode()
    header = re.search(r'<th scope="col" class="govuk-table__header" aria-sort="ascending">\s*<a[^>]*href="([^"]+)"', page)
    assert header, "the sorted column carries aria-sort"
    link = header.group(1).replace("&amp;", "&")
    assert "sort=-due" in link and "rag=amber" in link  # toggles, and keeps the filters
    page = get(client, council["people"]["lead"], sort="-due").content.decode()
    assert 'aria-sort="descending"' in page


def test_pagination_keeps_the_filters_and_pages_by_25(client, council):
    finding = council["findings"][0]
    for n in range(30):
        action_through_services(finding=finding, title=f"Bulk item {n:02d}", status=Status.IN_PROGRESS, rag=Rag.AMBER,
                      due_date=council["today"] + dt.timedelta(days=100 + n))
    lead = council["people"]["lead"]
    first = get(client, lead, q="bulk", sort="title")
    assert len(titles(first)) == 25
    assert first.context["page_obj"].paginator.count == 30
    page = first.content.decode()
    assert 'class="govuk-pagination"' in page
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "q=bulk" in next_link and "sort=title" in next_link and "page=2" in next_link
    second = client.get(ALL + next_link)
    assert titles(second) == [f"Bulk item {n:02d}" for n in range(25, 30)]
    assert get(client, lead, q="bulk", page="999").context["page_obj"].number == 2  # out of range: last page


def test_the_filter_form_is_a_get_form_so_the_url_holds_the_state(client, council):
    page = get(client, council["people"]["lead"], status="blocked", q="data").content.decode()
    assert re.search(r'<form method="get" action="/actions/"', page)
    assert 'value="blocked" checked' in page
    assert 'name="q" type="search" value="data"' in page
    assert "Clear filters" in page and "Apply filters" in page


@pytest.mark.parametrize("role", ["lead", "leader", "viewer", "admin"])
def test_every_role_in_the_council_can_read_both_lists(client, council, role):
    user = council["people"][role]
    assert get(client, user).context["page_obj"].paginator.count >= 6
    get(client, user, MINE)


@pytest.mark.parametrize("role, can_bulk", [("lead", True), ("admin", True), ("leader", False), ("viewer", False)])
def test_only_editors_see_the_bulk_change_controls(client, council, role, can_bulk):
    page = get(client, council["people"][role]).content.decode()
    assert ("Change the selected actions" in page) is can_bulk
    assert ('name="selected"' in page) is can_bulk


def test_outsider_sees_only_their_own_council(client, council):
    response = get(client, council["people"]["outsider"])
    assert titles(response) == ["Southern action"]


def test_signed_out_users_are_sent_to_sign_in(client, council):
    response = client.get(ALL)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def _grow(council, count):
    finding = council["findings"][1]
    for n in range(count):
        action_through_services(finding=finding, title=f"Extra {n}", owner=council["people"]["lead"],
                      due_date=council["today"] + dt.timedelta(days=n))


@pytest.mark.parametrize("url", [ALL, MINE])
def test_query_count_does_not_grow_with_rows(client, council, django_assert_num_queries, url):
    lead = council["people"]["lead"]
    client.force_login(lead)
    params = {"sort": "owner", "q": "extra"}
    _grow(council, 3)
    client.get(url, params)  # warm the session

    caches["default"].clear()  # the list as built
    with CaptureQueriesContext(connection) as small:
        response = client.get(url, params)
    assert response.context["page_obj"].paginator.count == 3
    _grow(council, 57)
    caches["default"].clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.context["page_obj"].paginator.count == 60
    assert len(response.context["actions"]) == 25


def test_visit_and_finding_choices_narrow_with_the_council_and_visit_chosen(client):
    from tests.factories import ActionFactory, InspectionFactory, LocalAuthorityFactory, UserFactory

    first, second = LocalAuthorityFactory(), LocalAuthorityFactory()
    visit_a, visit_b = InspectionFactory(authority=first), InspectionFactory(authority=second)
    finding_a, finding_b = FindingFactory(inspection=visit_a, position=1), FindingFactory(inspection=visit_b, position=1)
    ActionFactory(finding=finding_a, title="In the first council")
    ActionFactory(finding=finding_b, title="In the second council")
    user = UserFactory(role="Senior leader", authorities=[first, second])
    client.force_login(user)

    def choices(response, name):
        return [value for value, _ in response.context["filter"].form.fields[name].choices if value != ""]

    nothing_chosen = client.get(ALL)
    assert choices(nothing_chosen, "inspection") == [] and choices(nothing_chosen, "finding") == []
    assert "Choose a council and apply to list its visits" in nothing_chosen.content.decode()
    council = client.get(ALL, {"authority": first.pk})
    assert [c.value for c in choices(council, "inspection")] == [visit_a.pk]
    visit = client.get(ALL, {"authority": first.pk, "inspection": visit_a.pk})
    assert [c.value for c in choices(visit, "finding")] == [finding_a.pk]
    # A finding in a shared link still filters (and stays selected) with no visit chosen.
    linked = client.get(ALL, {"finding": finding_b.pk})
    assert titles(linked) == ["In the second council"]
    assert [c.value for c in choices(linked, "finding")] == [finding_b.pk]
    # Another council's finding is still refused.
    stranger = FindingFactory()
    assert client.get(ALL, {"finding": stranger.pk}).context["filter"].form.errors

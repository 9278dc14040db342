"""The header's search: full-text on PostgreSQL (ranked, scoped to the user's councils), a plain match
elsewhere, clear messages for queries it cannot run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.services import owner_record_for_user
from search import selectors
from tests.factories import ActionFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

URL = reverse("search:results")


@pytest.fixture
def ours(our_council):
    inspection = InspectionFactory(authority=our_council, headline="Leaders have improved the front door.")
    finding = FindingFactory(
        inspection=inspection, text="The timeliness of return home interviews for children who go missing."
    )
    action = ActionFactory(finding=finding, title="Audit supervision records", description="Monthly audits.")
    return {"inspection": inspection, "finding": finding, "action": action}


def _titles(response, key):
    group = next(g for g in response.context["results"].groups if g.key == key)
    return group.results


def test_finds_a_finding_by_a_word_of_its_text_through_the_header_box(client, owner, ours):
    client.force_login(owner)
    page = client.get(reverse("actions:my_actions"))
    assert 'action="/search/"' in page.content.decode() and 'id="header-search"' in page.content.decode()

    response = client.get(URL, {"q": "interviews"})  # stemmed: "interview" would match too
    assert response.status_code == 200
    assert _titles(response, "findings") == [ours["finding"]]
    body = response.content.decode()
    assert f'{ours["inspection"].get_absolute_url()}#finding-{ours["finding"].pk}' in body
    assert "return home interviews" in body


def test_english_stemming_and_each_group(client, owner, ours):
    client.force_login(owner)
    response = client.get(URL, {"q": "audited"})
    assert _titles(response, "actions") == [ours["action"]]
    assert _titles(response, "findings") == []
    response = client.get(URL, {"q": "improve front door"})
    assert _titles(response, "inspections") == [ours["inspection"]]


def test_websearch_syntax_phrase_and_exclusion(owner, ours):
    assert selectors.search_for(owner, '"go missing"').groups[1].results == [ours["finding"]]
    assert selectors.search_for(owner, '"missing go"').groups[1].results == []
    assert selectors.search_for(owner, "children -missing").groups[1].results == []


def test_a_title_match_ranks_above_a_match_in_the_notes(owner, our_council):
    finding = FindingFactory(inspection=InspectionFactory(authority=our_council))
    in_notes = ActionFactory(finding=finding, title="Recruit staff", progress_notes="Chronology template agreed.")
    in_title = ActionFactory(finding=finding, title="Chronology quality audit")
    in_description = ActionFactory(finding=finding, title="Train managers", description="Chronology training.")
    found = selectors.search_for(owner, "chronology").groups[2].results
    assert found == [in_title, in_description, in_notes]


def test_an_outsider_finds_nothing_of_another_council(client, outsider, ours):
    client.force_login(outsider)
    for words in ("interviews", "audit", "front door"):
        response = client.get(URL, {"q": words})
        assert response.context["results"].total == 0
        assert "Nothing in your councils matches" in response.content.decode()
    # Nor by paging through one group.
    response = client.get(URL, {"q": "interviews", "in": "findings"})
    assert response.context["page_obj"].paginator.count == 0


def test_a_partner_finds_only_their_own_actions(partner, ours, our_council):
    ours["action"].owner = owner_record_for_user(partner, our_council)
    ours["action"].save()
    other = ActionFactory(finding=ours["finding"], title="Audit case files")
    results = selectors.search_for(partner, "audit")
    assert results.groups[2].results == [ours["action"]]
    assert other not in results.groups[2].results
    # Partners see no council pages, so no inspections or findings.
    assert results.groups[0].total == results.groups[1].total == 0
    assert selectors.search_for(partner, "interviews").total == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Enter words to search for"),
        ("   ", "Enter words to search for"),
        ("x" * 201, "Search for 200 characters or fewer"),
        ("!!! &&& |||", "Enter words to search for, using letters or numbers"),
    ],
)
def test_queries_it_cannot_run_get_a_clear_message(client, owner, ours, query, message):
    client.force_login(owner)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "There is a problem" in body
    assert "results" not in response.context


@pytest.mark.parametrize("query", ["children's", "a & b | !c", "(interviews", "'\"", "interviews:*", "\\", "-", '"""', "ñandú <script>"])
def test_special_characters_never_break_the_search(client, owner, ours, query):
    client.force_login(owner)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1].replace("&lt;script&gt;", "")


def test_the_search_page_without_a_query_shows_the_box(client, owner):
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="search-page-q"' in response.content.decode()
    assert "There is a problem" not in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "audit"})
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_groups_are_capped_with_a_link_to_all_of_them(client, owner, our_council):
    finding = FindingFactory(inspection=InspectionFactory(authority=our_council))
    ActionFactory.create_batch(selectors.PER_GROUP + 3, finding=finding, title="Supervision audit")
    client.force_login(owner)
    response = client.get(URL, {"q": "supervision"})
    group = response.context["results"].groups[2]
    assert len(group.results) == selectors.PER_GROUP and group.total == selectors.PER_GROUP + 3
    body = response.content.decode()
    assert f"See all {selectors.PER_GROUP + 3} actions" in body
    assert "/actions/?q=supervision" in body
    all_of_them = client.get(URL, {"q": "supervision", "in": "actions"})
    assert all_of_them.context["page_obj"].paginator.count == selectors.PER_GROUP + 3


def test_query_count_does_not_grow_with_the_results(client, owner, our_council, django_assert_max_num_queries):
    client.force_login(owner)
    client.get(URL, {"q": "safeguarding"})  # the session and the user, once

    def seed(n):
        for _ in range(n):
            inspection = InspectionFactory(authority=our_council, headline="Safeguarding is strong.")
            finding = FindingFactory(inspection=inspection, text="Safeguarding strategy meetings.")
            ActionFactory(finding=finding, title="Safeguarding audit")

    seed(selectors.PER_GROUP + 1)  # every group capped: its rows and its count
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"q": "safeguarding"})
    seed(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"q": "safeguarding"})
    assert response.context["results"].total == 3 * (selectors.PER_GROUP + 21)


def test_the_plain_match_used_without_postgresql(monkeypatch, owner, outsider, ours):
    """SQLite has no full-text search: every word must appear in the record, in any case, newest first."""
    monkeypatch.setattr(selectors, "_full_text", lambda: False)
    assert selectors.search_for(owner, "HOME interviews").groups[1].results == [ours["finding"]]
    assert selectors.search_for(owner, "home zebra").groups[1].results == []
    assert selectors.search_for(owner, "monthly").groups[2].results == [ours["action"]]
    assert selectors.search_for(owner, "front-door").groups[0].results == [ours["inspection"]]
    assert selectors.search_for(outsider, "interviews").total == 0


def test_an_unknown_group_in_the_link_shows_every_group(client, owner, ours):
    client.force_login(owner)
    response = client.get(URL, {"q": "interviews", "in": "people"})
    assert response.status_code == 200
    assert response.context["results"].groups[1].results == [ours["finding"]]

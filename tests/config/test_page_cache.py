"""Cached page parts (config/page_cache.py): a change shows at once, nothing crosses users or sessions.

These tests commit for real (transaction=True), as the running app does, so the revision raised after a
commit is the one the next request reads.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from accounts.models import Role
from actions.models import Status
from tests.factories import action_through_services
from bench.htmlform import form_with_field
from config.page_cache import _csrf_placeholder, page_key
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, UserFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FRAGMENTS = sorted(TEMPLATES.glob("*/_*_body.html")) + sorted(TEMPLATES.glob("*/_*_title.html"))


@pytest.fixture
def council(transactional_db):
    authority = LocalAuthorityFactory(name="Cacheshire")
    finding = FindingFactory(inspection=InspectionFactory(authority=authority))
    people = {
        "lead": UserFactory(username="c-lead", role=Role.IMPROVEMENT_LEAD, authorities=[authority]),
        "leader": UserFactory(username="c-leader", role=Role.SENIOR_LEADER, authorities=[authority]),
        "partner": UserFactory(username="c-partner", role=Role.PARTNER, authorities=[authority]),
    }
    mine = action_through_services(finding=finding, title="Audit the pathway plans", owner=people["lead"],
                         due_date=dt.date(2027, 3, 1))
    theirs = action_through_services(finding=finding, title="Share health assessments", owner=people["partner"],
                           due_date=dt.date(2027, 3, 1))
    return {"authority": authority, "people": people, "mine": mine, "theirs": theirs}


def _signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _status_cell(html: str, title: str) -> str:
    row = html[html.index(title):]
    return re.search(r'class="govuk-tag[^"]*"[^>]*>\s*([^<]+?)\s*<', row).group(1)


def test_a_saved_update_shows_at_once_on_the_cached_pages(council):
    lead, action = council["people"]["lead"], council["mine"]
    client = _signed_in(lead)
    dashboard = f"/authorities/{council['authority'].slug}/dashboard/"
    for path in ("/actions/", dashboard):
        assert client.get(path)["X-Page-Cache"] == "miss"
        assert client.get(path)["X-Page-Cache"] == "hit"
    assert _status_cell(client.get("/actions/").content.decode(), action.title) == "Not started"

    form = form_with_field(client.get(f"/actions/{action.pk}/update/").content.decode(), "version")
    data = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
    data.update(status=Status.IN_PROGRESS, note="Started with the March audit.")
    assert client.post(f"/actions/{action.pk}/update/", data).status_code in (302, 303)

    listing = client.get("/actions/")
    assert listing["X-Page-Cache"] == "miss"
    assert _status_cell(listing.content.decode(), action.title) == "In progress"
    page = client.get(dashboard)
    assert page["X-Page-Cache"] == "miss"
    assert "Started with the March audit." in page.content.decode()  # the dashboard's recent updates


def test_a_cached_page_is_never_served_to_another_user(council):
    people = council["people"]
    lead_view = _signed_in(people["lead"]).get("/actions/").content.decode()
    assert "Share health assessments" in lead_view and "Audit the pathway plans" in lead_view

    partner = _signed_in(people["partner"]).get("/actions/")
    assert partner["X-Page-Cache"] == "miss"
    html = partner.content.decode()
    assert "Share health assessments" in html and "Audit the pathway plans" not in html


def test_each_session_gets_its_own_csrf_token_from_a_cached_page(council):
    lead = council["people"]["lead"]
    first, second = _signed_in(lead, enforce_csrf_checks=True), _signed_in(lead, enforce_csrf_checks=True)
    first_page = first.get("/actions/")
    second_page = second.get("/actions/")
    assert (first_page["X-Page-Cache"], second_page["X-Page-Cache"]) == ("miss", "hit")

    tokens = []
    for client, page in ((first, first_page), (second, second_page)):
        html = page.content.decode()
        assert _csrf_placeholder() not in html
        form = form_with_field(html, "next")
        assert form, "no bulk change form on the list"
        tokens.append(form["fields"]["csrfmiddlewaretoken"])
        # The token works for this session: the bulk change answers (asking what to change), not 403.
        response = client.post("/actions/bulk/", {"csrfmiddlewaretoken": tokens[-1], "selected": []})
        assert response.status_code != 403
    assert tokens[0] != tokens[1]
    # And the other session's token is refused, as it should be.
    assert second.post("/actions/bulk/", {"csrfmiddlewaretoken": "x" * 64, "selected": []}).status_code == 403


def test_the_key_moves_with_the_day_the_query_and_the_revisions(db):
    user = UserFactory()
    request = RequestFactory().get("/actions/?status=blocked")
    request.user = user
    key = page_key("action_list", request=request, revisions=[(1, 5)], today=dt.date(2026, 11, 25))
    assert key == page_key("action_list", request=request, revisions=[(1, 5)], today=dt.date(2026, 11, 25))
    assert key != page_key("action_list", request=request, revisions=[(1, 5)], today=dt.date(2026, 11, 26))
    assert key != page_key("action_list", request=request, revisions=[(1, 6)], today=dt.date(2026, 11, 25))
    other = RequestFactory().get("/actions/?status=complete")
    other.user = user
    assert key != page_key("action_list", request=other, revisions=[(1, 5)], today=dt.date(2026, 11, 25))


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_cached_fragment_holds_a_request_secret(fragment):
    # Scripts (with the CSP nonce) belong to the page template, rendered per request.
    text = fragment.read_text(encoding="utf-8")
    assert "csp_nonce" not in text and "<script" not in text

"""The read-only API as each persona and as an outsider: what it lists, what it refuses, and its costs."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone

from actions.models import Action, ActionUpdate
from api.models import ApiToken
from api.services import token_create, token_revoke
from tests.factories import FindingFactory, action_through_services

pytestmark = pytest.mark.django_db

LISTS = ["councils", "inspections", "judgements", "findings", "actions", "actions/positions"]
PERSONAS = ["owner", "colleague", "leader", "viewer", "council_admin", "partner"]


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def authority_ids(rows) -> set:
    return {row.get("authority_id", row.get("id")) for row in rows}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_list_as_each_persona_shows_their_council_only(request, persona, ours, theirs, token_client, our_council):
    user = request.getfixturevalue(persona)
    client = token_client(user)
    ours_ids = {a.pk for a in ours["actions"]}
    for name in LISTS:
        rows = results(client.get(f"/api/v1/{name}/"))
        if name == "councils":
            assert {r["id"] for r in rows} == (set() if persona == "partner" else {our_council.pk})
        elif name in ("actions", "actions/positions"):
            ids = {r.get("action_id", r.get("id")) for r in rows}
            if persona == "partner":
                assert ids == {a.pk for a in ours["actions"] if a.owner is not None and a.owner.user_id == user.pk}
            else:
                assert ids == ours_ids
        else:
            # A partner reaches its own actions only, never a council's inspections or findings.
            assert authority_ids(rows) == (set() if persona == "partner" else {our_council.pk}), name
    dashboard = client.get(f"/api/v1/dashboard/{our_council.slug}/")
    assert dashboard.status_code == (404 if persona == "partner" else 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_detail_as_each_persona(request, persona, ours, token_client):
    user = request.getfixturevalue(persona)
    client = token_client(user)
    partner = persona == "partner"
    council_rows = {
        "inspections": ours["inspection"].pk,
        "judgements": ours["inspection"].judgements.first().pk,
        "findings": ours["findings"][0].pk,
    }
    for name, pk in council_rows.items():
        assert client.get(f"/api/v1/{name}/{pk}/").status_code == (404 if partner else 200), name
    for action in ours["actions"]:
        visible = not partner or (action.owner is not None and action.owner.user_id == user.pk)
        expected = 200 if visible else 404
        assert client.get(f"/api/v1/actions/{action.pk}/").status_code == expected
        assert client.get(f"/api/v1/actions/{action.pk}/position/").status_code == expected


def test_an_outsider_reads_nothing_of_another_council(outsider, ours, theirs, token_client, our_council, their_council):
    client = token_client(outsider)
    for name in LISTS:
        rows = results(client.get(f"/api/v1/{name}/"))
        assert our_council.pk not in authority_ids(rows), name
        assert "Ourshire" not in str(rows)
    assert {r["id"] for r in results(client.get("/api/v1/actions/"))} == {a.pk for a in theirs["actions"]}
    for path in (
        f"/api/v1/inspections/{ours['inspection'].pk}/",
        f"/api/v1/judgements/{ours['inspection'].judgements.first().pk}/",
        f"/api/v1/findings/{ours['findings'][0].pk}/",
        f"/api/v1/actions/{ours['actions'][0].pk}/",
        f"/api/v1/actions/{ours['actions'][0].pk}/position/?on=2024-05-01",
        f"/api/v1/councils/{our_council.slug}/",
        f"/api/v1/dashboard/{our_council.slug}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Ourshire" not in response.content
    # Another council's id in a filter is not a choice: refused, never an answer about it.
    refused = client.get(f"/api/v1/actions/?authority={our_council.pk}")
    assert refused.status_code == 400 and b"Ourshire" not in refused.content
    assert client.get(f"/api/v1/findings/?inspection={ours['inspection'].pk}").status_code == 400


def test_fields_of_a_finding_and_an_action(owner, ours, token_client, theirs):
    client = token_client(owner)
    finding = next(r for r in results(client.get("/api/v1/findings/")) if r["id"] == ours["findings"][0].pk)
    assert finding["theme_name"] == "Care leavers"
    assert finding["framework_refs"] == ["outcome 4", "enabler 2"]
    tagged = results(client.get("/api/v1/findings/?framework_ref=Outcome%204"))
    assert [r["id"] for r in tagged] == [ours["findings"][0].pk]
    audit = client.get(f"/api/v1/actions/{ours['actions'][0].pk}/").json()
    assert audit["owner"] == "Owner " + owner.last_name
    assert audit["status"] == "in_progress" and audit["status_label"] == "In progress"
    assert audit["rag"] == "green" and audit["due_date"] == "2024-06-30" and audit["overdue"] is True
    assert audit["theme_name"] == "Care leavers"
    assert audit["last_progress_update"]["note"] == "Ourshire twelve plans audited"
    assert audit["last_progress_update"]["at"].startswith("2024-04-02")
    unowned = client.get(f"/api/v1/actions/{ours['actions'][1].pk}/").json()
    assert unowned["owner"] == "Unassigned"
    # "Action created" is the creation's note, the latest note it has.
    assert unowned["last_progress_update"]["note"] == "Action created"


def test_the_action_filters_are_the_pages(owner, ours, token_client):
    client = token_client(owner)
    in_progress = results(client.get("/api/v1/actions/?status=in_progress"))
    assert [r["id"] for r in in_progress] == [ours["actions"][0].pk]
    mine = results(client.get(f"/api/v1/actions/?owner={ours['actions'][0].owner_id}&overdue=true"))
    assert [r["id"] for r in mine] == [ours["actions"][0].pk]
    searched = results(client.get("/api/v1/actions/?q=hyperlink"))
    assert [r["id"] for r in searched] == [ours["actions"][1].pk]
    assert client.get("/api/v1/actions/?status=open").status_code == 400
    by_title = results(client.get("/api/v1/actions/?sort=-title"))
    assert [r["title"] for r in by_title] == sorted((r["title"] for r in by_title), reverse=True)


def test_positions_on_a_date_come_from_the_history(owner, ours, token_client):
    client = token_client(owner)
    audit = ours["actions"][0]
    before = client.get(f"/api/v1/actions/{audit.pk}/position/?on=2024-02-01").json()
    assert before["existed"] is False and before["status"] is None
    created = client.get(f"/api/v1/actions/{audit.pk}/position/?on=2024-03-15").json()
    assert created["existed"] is True and created["status"] == "not_started"
    later = {r["action_id"]: r for r in results(client.get("/api/v1/actions/positions/?on=2024-04-30"))}
    assert later[audit.pk]["status"] == "in_progress"
    assert later[ours["actions"][1].pk]["status"] == "not_started"
    assert client.get("/api/v1/actions/positions/?on=31/04/2024").status_code == 400


def test_the_dashboard_figures_are_the_pages(owner, ours, token_client, our_council, client):
    data = token_client(owner).get(f"/api/v1/dashboard/{our_council.slug}/").json()
    assert data["plan"]["id"] == ours["inspection"].pk
    assert data["headline"]["total_actions"] == 3
    assert data["headline"]["overdue"] == 1
    assert {row["status"]: row["count"] for row in data["headline"]["by_status"]}["in_progress"] == 1
    assert data["headline"]["findings_total"] == 2
    client.force_login(owner)
    page = client.get(f"/authorities/{our_council.slug}/dashboard/")
    assert page.context["headline"].total_actions == data["headline"]["total_actions"]


def test_csv_has_a_row_per_record_and_neutralised_formulas(owner, ours, token_client):
    response = token_client(owner).get("/api/v1/actions/?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Total-Count"] == "3"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert "last_progress_update.note" in rows[0] and "last_progress_update" not in rows[0]
    formula = next(r for r in rows if "supervision" in r["title"])
    assert formula["title"].startswith("'=HYPERLINK")
    accepted = token_client(owner).get("/api/v1/findings/", HTTP_ACCEPT="text/csv")
    assert accepted["Content-Type"].startswith("text/csv")


def test_pages_and_their_headers(owner, ours, token_client):
    client = token_client(owner)
    first = client.get("/api/v1/actions/?page_size=2")
    assert len(first.json()["results"]) == 2 and first.json()["count"] == 3
    assert 'rel="next"' in first["Link"] and first["X-Total-Count"] == "3"
    second = client.get(first.json()["next"])
    assert len(second.json()["results"]) == 1


@pytest.mark.parametrize("path", ["actions", "findings", "actions/positions", "judgements", "inspections"])
def test_query_counts_do_not_grow_with_rows(owner, ours, token_client, path):
    client = token_client(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{path}/").status_code == 200
        return len(queries)

    count()  # the token's first use of the day makes its counter row
    few = count()
    finding = ours["findings"][0]
    for n in range(12):
        extra = FindingFactory(inspection=ours["inspection"], framework_refs=["outcome 1"])
        action = action_through_services(finding=extra, title=f"More {n}", owner=owner)
        action_through_services(finding=finding, title=f"Again {n}")
    assert count() == few


# --- authentication and methods ----------------------------------------------------------------------------


def test_expired_revoked_unknown_and_deactivated_tokens_are_refused(owner, ours, token_client):
    good = token_client(owner)
    assert good.get("/api/v1/actions/").status_code == 200
    token = ApiToken.objects.get(user=owner)
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(created_at=now - dt.timedelta(days=91), expires_at=now - dt.timedelta(days=1))
    expired = good.get("/api/v1/actions/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert expired["WWW-Authenticate"] == "Token"

    revoked = token_client(owner)
    token_revoke(user=owner, token=ApiToken.objects.filter(user=owner).order_by("-pk").first())
    assert revoked.get("/api/v1/actions/").status_code == 401

    assert Client(HTTP_AUTHORIZATION="Token ift_" + "x" * 43).get("/api/v1/actions/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token").get("/api/v1/actions/").status_code == 401
    assert Client().get("/api/v1/actions/").status_code == 401

    deactivated = token_client(owner)
    owner.is_active = False
    owner.save()
    assert deactivated.get("/api/v1/actions/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_methods_are_refused_with_a_token_or_a_session(method, owner, ours, token_client, client):
    action = ours["actions"][0]
    before = (Action.objects.get(pk=action.pk).version, ActionUpdate.objects.count())
    client.force_login(owner)
    for caller in (token_client(owner), client):
        for path in ("/api/v1/actions/", f"/api/v1/actions/{action.pk}/", "/api/v1/dashboard/ourshire/", "/api/v1/",
                     "/api/v1/schema/"):
            response = getattr(caller, method)(path, {"title": "Changed"}, content_type="application/json")
            assert response.status_code == 405, (path, response.status_code)
    assert (Action.objects.get(pk=action.pk).version, ActionUpdate.objects.count()) == before
    assert client.options("/api/v1/actions/").status_code == 200


def test_a_browser_session_reads_the_api(owner, ours, client):
    client.force_login(owner)
    assert len(results(client.get("/api/v1/actions/"))) == 3
    assert client.get("/api/v1/docs/").status_code == 200


def test_requests_are_rate_limited_per_token(owner, ours, token_client, settings):
    settings.API_RATE_LIMIT = "3/min"
    first, second = token_client(owner), token_client(owner)
    assert [first.get("/api/v1/councils/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in first.get("/api/v1/councils/")
    assert second.get("/api/v1/councils/").status_code == 200


def test_every_use_is_counted(owner, ours, token_client):
    client = token_client(owner)
    for _ in range(3):
        client.get("/api/v1/councils/")
    token = ApiToken.objects.get(user=owner)
    assert token.last_used_at is not None
    assert sum(token.uses.values_list("requests", flat=True)) == 3


def test_the_openapi_description_validates(owner, client):
    from openapi_spec_validator import validate

    client.force_login(owner)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert {"/api/v1/actions/", "/api/v1/actions/{id}/position/", "/api/v1/actions/positions/",
            "/api/v1/dashboard/{slug}/", "/api/v1/findings/", "/api/v1/judgements/", "/api/v1/inspections/"} <= set(schema["paths"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert Client().get("/api/v1/schema/").status_code == 401

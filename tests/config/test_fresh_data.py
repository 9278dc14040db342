"""Fresh data without remembering: a change made through any write service shows on the next request
of every page that shows it, whichever cache backend keeps the councils' figures (each process's memory,
or Redis shared by every app server), and nobody is handed data of councils or actions not theirs.

These tests commit for real (transactional_db), as the running app does: the write services raise the
council's data revision after the commit, and the next request reads the figures under the new one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from actions.models import Owner, Status
from accounts.permissions import SYSTEM
from actions.services import action_change, action_create, action_plan_record, actions_bulk_change, owner_update
from bench.htmlform import form_with_field
from findings.models import FindingKind
from inspections.models import Grade, InspectionKind
from findings.services import FindingInput, InspectionInput, JudgementInput, inspection_import, theme_save
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, ThemeFactory, UserFactory

# A Redis database of the local Redis of its own for each pytest-xdist worker (2 for gw0, 3 for gw1, ...)
# unless told otherwise: each test flushes it before and after, which must not empty another worker's.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{2 + _WORKER % 14}")
REDIS_CACHE = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": TEST_REDIS_URL,
    "KEY_PREFIX": "tests",
    "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
}


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings):
    if request.param == "redis":
        settings.CACHES = {"default": REDIS_CACHE}
        settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = False  # a Redis that is not there fails this test loudly
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture
def council(transactional_db):
    authority = LocalAuthorityFactory(name="Freshshire", slug="freshshire")
    elsewhere = LocalAuthorityFactory(name="Othershire", slug="othershire")
    inspection = InspectionFactory(authority=authority, kind=InspectionKind.FULL, visit_start=dt.date(2025, 1, 6),
                                   visit_end=dt.date(2025, 1, 17), published_on=dt.date(2025, 2, 20))
    finding = FindingFactory(inspection=inspection, theme=ThemeFactory(name="Care leavers"))
    people = {
        "lead": UserFactory(username="f-lead", first_name="Lee", last_name="Lead", role=Role.IMPROVEMENT_LEAD,
                            authorities=[authority]),
        "leader": UserFactory(username="f-leader", role=Role.SENIOR_LEADER, authorities=[authority, elsewhere]),
        "partner": UserFactory(username="f-partner", role=Role.PARTNER, authorities=[authority]),
        "outsider": UserFactory(username="f-outsider", role=Role.IMPROVEMENT_LEAD, authorities=[elsewhere]),
    }
    mine = action_create(user=SYSTEM, finding=finding, title="Audit the pathway plans", owner=people["lead"],
                         due_date=dt.date(2027, 3, 1))
    theirs = action_create(user=SYSTEM, finding=finding, title="Share health assessments", owner=people["partner"],
                           due_date=dt.date(2027, 3, 1))
    other_finding = FindingFactory(inspection=InspectionFactory(authority=elsewhere))
    hidden = action_create(user=SYSTEM, finding=other_finding, title="Othershire's own action", owner=people["outsider"])
    return {"authority": authority, "elsewhere": elsewhere, "inspection": inspection, "finding": finding,
            "people": people, "mine": mine, "theirs": theirs, "hidden": hidden}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(council) -> dict[str, str]:
    slug = council["authority"].slug
    return {
        "dashboard": f"/authorities/{slug}/dashboard/",
        "compare": f"/authorities/{slug}/compare/",
        "overview": "/overview/",
        "council_list": "/authorities/",
        "action_list": "/actions/",
        "my_actions": "/actions/mine/",
    }


def _read(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"{path}: HTTP {response.status_code}"
    return response


def _council_row(response, council, key="rows"):
    (row,) = [r for r in response.context[key] if r.pk == council["authority"].pk]
    return row


# What each page shows that a write changes, read from what the page rendered.
def _seen(council, client) -> dict:
    pages = _pages(council)
    dashboard = _read(client, pages["dashboard"])
    compare = _read(client, pages["compare"])
    overview = _read(client, pages["overview"])
    council_list = _read(client, pages["council_list"])
    actions = _read(client, pages["action_list"])
    mine = _read(client, pages["my_actions"])
    return {
        "dashboard_total": dashboard.context["headline"].total_actions,
        "dashboard_owners": sorted(o["name"] for o in dashboard.context["owners"]),
        "dashboard_recent": [a.last_update_note for a in dashboard.context["recent"]],
        "dashboard_plan_submitted": [r["inspection"].plan_submitted_on for r in dashboard.context["plan_dates"]],
        "compare_visits": len(compare.context["visits"]),
        "overview_total": _council_row(overview, council).total_actions,
        "overview_last_inspection": _council_row(overview, council).last_inspection,
        "council_list_visits": _council_row(council_list, council, "authorities").summary.inspection_count,
        "action_list": {a.title: a.status for a in actions.context["actions"]},
        "my_actions": {a.title: a.status for a in mine.context["actions"]},
    }


def _record_progress(council):
    """The lead's update form, as a browser sends it."""
    client, action = _client(council["people"]["lead"]), council["mine"]
    form = form_with_field(client.get(f"/actions/{action.pk}/update/").content.decode(), "version")
    data = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
    data.update(status=Status.IN_PROGRESS, note="Started with the March audit.")
    assert client.post(f"/actions/{action.pk}/update/", data).status_code in (302, 303)


def _create(council):
    action_create(finding=council["finding"], title="A brand new action", owner=council["people"]["lead"],
                  due_date=dt.date(2027, 6, 1), user=council["people"]["lead"])


def _bulk(council):
    lead = council["people"]["lead"]
    result = actions_bulk_change(user=lead, selection=[(council["mine"], council["mine"].version)],
                                 changes={"status": Status.BLOCKED}, note="Waiting for the new case system.")
    assert result.all_applied


def _inspection(council):
    inspection_import(source=b"", filename="", user=None, data=InspectionInput(
        authority=council["authority"], kind=InspectionKind.FULL, visit_start=dt.date(2026, 5, 4),
        visit_end=dt.date(2026, 5, 15), published_on=dt.date(2026, 6, 20),
        judgements=[JudgementInput(area="overall_effectiveness", grade=Grade.GOOD)],
        findings=[FindingInput(text="Leaders should strengthen supervision.", kind=FindingKind.IMPROVEMENT)],
    ))


def _plan_dates(council):
    action_plan_record(inspection=council["inspection"], user=council["people"]["lead"],
                       plan_submitted_on=dt.date(2025, 4, 1), draft_submitted_on=None)


def _rename(council):
    # An owner's name is their owner record's (actions.Owner), changed on the council's Owners page.
    lead = council["people"]["lead"]
    owner_update(user=lead, owner=Owner.objects.get(user=lead, authority=council["authority"]),
                 changes={"name": "Leonora Lead"})


WRITES = {
    "record progress (form)": (_record_progress, lambda b, a, c: (
        a["action_list"]["Audit the pathway plans"] == Status.IN_PROGRESS
        and a["my_actions"]["Audit the pathway plans"] == Status.IN_PROGRESS
        and "Started with the March audit." in a["dashboard_recent"])),
    "create an action": (_create, lambda b, a, c: (
        a["dashboard_total"] == b["dashboard_total"] + 1 and a["overview_total"] == b["overview_total"] + 1
        and "A brand new action" in a["action_list"] and "A brand new action" in a["my_actions"])),
    "bulk change": (_bulk, lambda b, a, c: (
        a["action_list"]["Audit the pathway plans"] == Status.BLOCKED
        and "Waiting for the new case system." in a["dashboard_recent"])),
    "import an inspection": (_inspection, lambda b, a, c: (
        a["compare_visits"] == b["compare_visits"] + 1 and a["council_list_visits"] == b["council_list_visits"] + 1
        and a["overview_last_inspection"] == dt.date(2026, 5, 15))),
    "record the plan dates": (_plan_dates, lambda b, a, c: dt.date(2025, 4, 1) in a["dashboard_plan_submitted"]),
    "rename an owner": (_rename, lambda b, a, c: (
        "Leonora Lead" in a["dashboard_owners"] and "Lee Lead" not in a["dashboard_owners"])),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_change_shows_on_the_next_request_of_every_page(backend, council, write):
    change, shows = WRITES[write]
    client = _client(council["people"]["lead"])
    before = _seen(council, client)
    assert before == _seen(council, client)  # read twice: now from the cache
    if backend == "redis":
        assert caches["default"].keys("*"), "nothing was kept in Redis"
    change(council)
    after = _seen(council, client)
    assert shows(before, after, council), f"{write}: the pages still show the data before the change"
    # And another member (of more councils) who had never read the pages sees the same council figures.
    fresh = _seen(council, _client(council["people"]["leader"]))
    personal = ("action_list", "my_actions")
    assert {k: v for k, v in fresh.items() if k not in personal} == {k: v for k, v in after.items() if k not in personal}


def test_the_figures_are_kept_and_read_back_without_their_queries(backend, council):
    client = _client(council["people"]["lead"])
    for path in (_pages(council)["dashboard"], _pages(council)["compare"], _pages(council)["overview"]):
        with CaptureQueriesContext(connection) as built:
            _read(client, path)
        with CaptureQueriesContext(connection) as kept:
            _read(client, path)
        assert len(kept) < len(built), f"{path}: nothing was read from the data cache"


def test_an_action_update_keeps_what_reads_only_visits_and_rebuilds_the_rest(backend, council):
    """The comparison's grades and findings, the dashboard's plans and the national picture read only
    visits: a council's day-to-day action updates leave them kept (its visits revision does not move),
    while the figures that count actions are built again and show the update."""
    client = _client(council["people"]["lead"])
    pages = _pages(council)
    built = {}
    for name in ("dashboard", "compare"):
        with CaptureQueriesContext(connection) as queries:
            _read(client, pages[name])
        built[name] = len(queries)
    visits_revision = type(council["authority"]).objects.get(pk=council["authority"].pk).visits_revision
    _record_progress(council)
    assert type(council["authority"]).objects.get(pk=council["authority"].pk).visits_revision == visits_revision
    with CaptureQueriesContext(connection) as compare_queries:
        compare = _read(client, pages["compare"])
    with CaptureQueriesContext(connection) as dashboard_queries:
        dashboard = _read(client, pages["dashboard"])
    assert len(compare_queries) < built["compare"], "the comparison's visits were built again after an action update"
    assert len(dashboard_queries) < built["dashboard"], "the dashboard's plans were built again after an action update"
    assert not any("inspections_judgement" in q["sql"] for q in compare_queries.captured_queries)
    assert "Started with the March audit." in [a.last_update_note for a in dashboard.context["recent"]]
    assert [v.pk for v in compare.context["visits"]] == [council["inspection"].pk]
    assert dashboard.context["inspection"].pk == council["inspection"].pk


def test_nobody_receives_data_of_councils_or_actions_not_theirs(backend, council):
    people, pages = council["people"], _pages(council)
    lead = _client(people["lead"])
    for path in pages.values():
        _read(lead, path)  # every council figure of Freshshire is now in the cache

    # A lead of another council: the council's pages are not found, and their lists hold only their own.
    outsider = _client(people["outsider"])
    for path in (pages["dashboard"], pages["compare"]):
        assert outsider.get(path).status_code == 404
    rows = [r.name for r in _read(outsider, pages["overview"]).context["rows"]]
    assert rows == ["Othershire"]
    listed = [a.title for a in _read(outsider, pages["action_list"]).context["actions"]]
    assert listed == ["Othershire's own action"]

    # A partner: no council pages at all, and only the actions assigned to them.
    partner = _client(people["partner"])
    for path in (pages["dashboard"], pages["compare"]):
        assert partner.get(path).status_code == 404
    for path in (pages["action_list"], pages["my_actions"]):
        html = _read(partner, path).content.decode()
        assert "Share health assessments" in html and "Audit the pathway plans" not in html
    assert _read(partner, pages["overview"]).context["rows"] == []

    # A senior leader of both councils sees both, with the same Freshshire figures as the lead.
    leader = _client(people["leader"])
    rows = {r.name: r.total_actions for r in _read(leader, pages["overview"]).context["rows"]}
    assert rows == {"Freshshire": 2, "Othershire": 1}


def test_a_redis_that_is_down_is_a_miss_and_the_page_still_answers(council, settings, caplog):
    settings.CACHES = {"default": {**REDIS_CACHE, "LOCATION": "redis://127.0.0.1:9/0"}}  # nothing listens
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    client = _client(council["people"]["lead"])
    with caplog.at_level(logging.ERROR):
        for path in _pages(council).values():
            _read(client, path)
    assert any("django_redis" in record.name for record in caplog.records), "the failing cache was not logged"
    # Built from the database each time, so a change still shows at once.
    _create(council)
    assert "A brand new action" in _read(client, "/actions/").content.decode()


def _burn_down_queries(queries) -> list[str]:
    # The burn-down reads the history with a window over each action's rows (LAG), on either database.
    return [q["sql"] for q in queries.captured_queries if "LAG(" in q["sql"].upper()]


def test_a_note_keeps_the_burn_down_and_a_status_change_rebuilds_it(backend, council):
    """Where the actions stood month by month moves only with a status (or a new action, or a row dated
    in the past): a progress note leaves the council's statuses revision, so the burn-down is kept; the
    next status change shows in it at once."""
    lead, action = council["people"]["lead"], council["mine"]
    client = _client(lead)
    dashboard_path = _pages(council)["dashboard"]
    before = _read(client, dashboard_path).context["months"][-1]
    authority = type(council["authority"]).objects.get(pk=council["authority"].pk)

    action_change(action=action, user=lead, expected_version=action.version,
                  changes={"progress_notes": "Audit of 20 pathway plans begun."}, note="Audit begun.")
    after_note = type(authority).objects.get(pk=authority.pk)
    assert after_note.data_revision > authority.data_revision
    assert after_note.statuses_revision == authority.statuses_revision
    with CaptureQueriesContext(connection) as queries:
        page = _read(client, dashboard_path)
    assert not _burn_down_queries(queries), "a note rebuilt the burn-down"
    assert "Audit begun." in [a.last_update_note for a in page.context["recent"]]  # the rest is fresh

    action.refresh_from_db()
    action_change(action=action, user=lead, expected_version=action.version,
                  changes={"evidence": "Audit report, 20 plans checked.", "status": Status.COMPLETE},
                  note="Audit finished.")
    assert type(authority).objects.get(pk=authority.pk).statuses_revision > authority.statuses_revision
    with CaptureQueriesContext(connection) as queries:
        now = _read(client, dashboard_path).context["months"][-1]
    assert _burn_down_queries(queries), "the burn-down was not built again after a status change"
    assert (now.completed, now.outstanding) == (before.completed + 1, before.outstanding - 1)


def test_a_row_dated_in_the_past_moves_the_earlier_actions_position_at_the_next_visit(backend, council):
    """The comparison counts the earlier plan's actions still open on the later visit's first day: only
    a status written with an earlier date can change that, and it shows at once."""
    authority, finding = council["authority"], council["finding"]
    later = InspectionFactory(authority=authority, kind=InspectionKind.FULL, visit_start=dt.date(2026, 3, 2),
                              visit_end=dt.date(2026, 3, 13), published_on=dt.date(2026, 4, 20))
    FindingFactory(inspection=later, repeats=finding, theme=finding.theme)
    # Two earlier actions written in January, before the visit (the fixture's own were written today).
    january = timezone.make_aware(dt.datetime(2026, 1, 5, 9))
    earlier = [action_create(user=SYSTEM, finding=finding, title=f"January action {n}", due_date=dt.date(2026, 6, 1),
                             at=january) for n in (1, 2)]
    client = _client(council["people"]["lead"])
    compare_path = _pages(council)["compare"]

    def open_then() -> list[int]:
        return sorted(p.open for p in _read(client, compare_path).context["earlier_positions"].values())

    assert open_then() == [2]  # both January actions were open on 2 March 2026
    action = earlier[0]
    action_change(action=action, user=SYSTEM, expected_version=action.version,
                  changes={"evidence": "Audit report.", "status": Status.COMPLETE}, note="Done before the visit.",
                  at=timezone.make_aware(dt.datetime(2026, 2, 20, 12, 0)))
    assert open_then() == [1]


def test_the_theme_choices_are_kept_and_a_renamed_theme_shows_at_once(backend, council):
    client = _client(council["people"]["lead"])

    def theme_options() -> tuple[list[str], int]:
        with CaptureQueriesContext(connection) as queries:
            response = _read(client, _pages(council)["action_list"])
        labels = [label for _value, label in response.context["filter"].form.fields["theme"].widget.choices]
        return labels, sum('FROM "findings_theme"' in q["sql"] for q in queries.captured_queries)

    labels, _ = theme_options()
    assert "Care leavers" in labels
    assert theme_options() == (labels, 0), "the themes were read again"
    theme = council["finding"].theme
    theme.name = "Leaving care"
    theme_save(theme=theme, user=SYSTEM)
    labels, _ = theme_options()
    assert "Leaving care" in labels and "Care leavers" not in labels

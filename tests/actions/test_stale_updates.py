"""Stale updates: Action.last_progress_at kept by _record, the stale rule, the list column and filter,
and the exports' "Last progress update" column."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import Action, ActionUpdate, Status
from actions.selectors import stale_q
from actions.services import SYSTEM, action_change, action_create
from tests.factories import FindingFactory, LocalAuthorityFactory, UserFactory, london_noon_days_ago

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc




def _action(finding, *, created_days_ago: int = 100, **fields) -> Action:
    action = action_create(user=SYSTEM, finding=finding, title=fields.pop("title", "Audit supervision"),
                           at=london_noon_days_ago(created_days_ago), **fields)
    # The row's created_at is when it was stored (auto_now_add); an action stored that long ago.
    Action.objects.filter(pk=action.pk).update(created_at=london_noon_days_ago(created_days_ago))
    return action


def _note(action: Action, text: str, days_ago: int, user=SYSTEM) -> Action:
    action.refresh_from_db()
    return action_change(action=action, user=user, expected_version=action.version, changes={}, note=text,
                         at=london_noon_days_ago(days_ago)).action


@pytest.fixture
def council():
    authority = LocalAuthorityFactory()
    lead = UserFactory(role="Improvement lead", authorities=[authority])
    return {"authority": authority, "lead": lead, "finding": FindingFactory(inspection__authority=authority)}


# --- the column, written by _record --------------------------------------------------------------


def test_a_progress_note_moves_last_progress_at_and_other_changes_do_not(council, leader):
    action = _action(council["finding"])
    assert Action.objects.get(pk=action.pk).last_progress_at is None  # "Action created" is not progress
    _note(action, "Caseloads down to 22.", days_ago=12)
    stored = Action.objects.get(pk=action.pk)
    assert timezone.localdate(stored.last_progress_at) == timezone.localdate() - dt.timedelta(days=12)
    # A field change without a note, and a senior leader's comment, are not progress updates.
    stored = action_change(action=stored, user=SYSTEM, expected_version=stored.version,
                           changes={"status": Status.IN_PROGRESS}, at=london_noon_days_ago(3)).action
    assert Action.objects.get(pk=action.pk).last_progress_at == stored.last_progress_at


def test_a_senior_leaders_comment_is_not_a_progress_update(our_council, leader):
    action = _action(FindingFactory(inspection__authority=our_council))
    _note(action, "First update.", days_ago=30)
    before = Action.objects.get(pk=action.pk).last_progress_at
    _note(action, "Please add the audit figures.", days_ago=1, user=leader)
    assert ActionUpdate.objects.filter(action=action, note="Please add the audit figures.").exists()
    assert Action.objects.get(pk=action.pk).last_progress_at == before


def test_a_note_recorded_with_an_earlier_date_never_moves_it_back(council):
    action = _action(council["finding"])
    _note(action, "Recent.", days_ago=2)
    recent = Action.objects.get(pk=action.pk).last_progress_at
    _note(action, "Backdated from the old spreadsheet.", days_ago=40)
    assert Action.objects.get(pk=action.pk).last_progress_at == recent


def test_progress_notes_given_at_creation_count(council):
    action = _action(council["finding"], created_days_ago=5, progress_notes="Started already.")
    assert timezone.localdate(Action.objects.get(pk=action.pk).last_progress_at) == timezone.localdate() - dt.timedelta(days=5)


def test_the_data_migration_fills_the_column_from_the_history(council):
    fill = importlib.import_module("actions.migrations.0006_h7stale_fill_last_progress_at").fill
    noted, silent = _action(council["finding"], title="Noted"), _action(council["finding"], title="Silent")
    _note(noted, "Older.", days_ago=60)
    _note(noted, "Newer.", days_ago=20)
    expected = Action.objects.get(pk=noted.pk).last_progress_at
    Action.objects.update(last_progress_at=None)
    fill(django_apps, None)
    assert Action.objects.get(pk=noted.pk).last_progress_at == expected
    assert Action.objects.get(pk=silent.pk).last_progress_at is None


# --- the stale rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_note_days", "created_days", "status", "stale"),
    [
        (46, 100, Status.IN_PROGRESS, True),
        (45, 100, Status.IN_PROGRESS, False),
        (10, 100, Status.IN_PROGRESS, False),
        (None, 60, Status.NOT_STARTED, True),  # never updated: counted from creation
        (None, 20, Status.NOT_STARTED, False),
        (80, 100, Status.COMPLETE, False),  # nothing more is expected of a done action
    ],
)
def test_stale_rule_in_python_and_in_the_database_agree(council, last_note_days, created_days, status, stale):
    fields = {"evidence": "Audit."} if status == Status.COMPLETE else {}
    action = _action(council["finding"], created_days_ago=created_days, **fields)
    if last_note_days is not None:
        _note(action, "An update.", days_ago=last_note_days)
    if status != Status.NOT_STARTED:
        action.refresh_from_db()
        action_change(action=action, user=SYSTEM, expected_version=action.version, changes={"status": status},
                      at=london_noon_days_ago(created_days - 1))
    stored = Action.objects.get(pk=action.pk)
    today = timezone.localdate()
    assert stored.is_stale(today) is stale
    assert Action.objects.filter(stale_q(today), pk=action.pk).exists() is stale


def test_the_threshold_is_a_setting(council, settings):
    action = _action(council["finding"])
    _note(action, "An update.", days_ago=20)
    today = timezone.localdate()
    assert not Action.objects.get(pk=action.pk).is_stale(today)
    settings.STALE_UPDATE_DAYS = 14
    assert Action.objects.get(pk=action.pk).is_stale(today)
    assert Action.objects.filter(stale_q(today)).count() == 1


# --- lists -------------------------------------------------------------------------------------------


def test_lists_show_the_last_update_and_flag_stale_actions(client, council):
    fresh, stale = _action(council["finding"], title="Fresh one", owner=council["lead"]), _action(
        council["finding"], title="Stale one", owner=council["lead"])
    _note(fresh, "Going well.", days_ago=12)
    _note(stale, "Long ago.", days_ago=52)
    client.force_login(council["lead"])
    for url in (reverse("actions:action_list"), reverse("actions:my_actions")):
        html = client.get(url).content.decode()
        assert "12 days ago" in html and "52 days ago" in html
        when = timezone.localdate() - dt.timedelta(days=52)
        assert f'<time datetime="{when:%Y-%m-%d}">52 days ago</time>' in html
        assert html.count('data-testid="stale-flag"') == 1 and "No update for 52 days" in html
    # The stale filter lists only the stale action.
    response = client.get(reverse("actions:action_list"), {"stale": "1"})
    assert [a.title for a in response.context["actions"]] == ["Stale one"]
    assert "No progress update for more than 45 days" in response.content.decode()
    # Sorted by last progress update, oldest first.
    response = client.get(reverse("actions:action_list"), {"sort": "progress"})
    assert [a.title for a in response.context["actions"]] == ["Stale one", "Fresh one"]


def test_the_action_page_shows_the_last_progress_update(client, council):
    action = _action(council["finding"])
    _note(action, "Going well.", days_ago=12)
    client.force_login(council["lead"])
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Last progress update" in html and "12 days ago" in html


def test_list_query_count_stays_flat_with_the_stale_flag(client, council, django_assert_num_queries):
    client.force_login(council["lead"])
    url = reverse("actions:action_list")
    for n in range(3):
        _note(_action(council["finding"], title=f"Row {n}"), "Old.", days_ago=60)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"stale": "1"})
    for n in range(20):
        _note(_action(council["finding"], title=f"More {n}"), "Old.", days_ago=60 + n)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"stale": "1"})
    assert response.context["page_obj"].paginator.count == 23


# --- exports ---------------------------------------------------------------------------------------


def test_exports_last_progress_update_is_the_last_progress_entry_not_the_save(client, council):
    action = _action(council["finding"])
    _note(action, "The last real update.", days_ago=30)
    action.refresh_from_db()
    # A later change that is not progress saves the row again.
    action_change(action=action, user=SYSTEM, expected_version=action.version, changes={"status": Status.IN_PROGRESS})
    expected = timezone.localdate() - dt.timedelta(days=30)
    client.force_login(council["lead"])
    url = reverse("actions:action_list")
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    column = rows[0].index("Last progress update")
    assert "Last updated" not in rows[0]
    assert rows[1][column] == expected.strftime("%d/%m/%Y")
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Last progress update") + 1).value
    assert cell.date() == expected

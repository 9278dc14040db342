"""The action plan as CSV and XLSX: headed, dated, frozen, filtered like the list, injection neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.exports import COLUMNS, neutralise
from tests.factories import action_through_services
from tests.actions.list_fixtures import council  # noqa: F401

pytestmark = pytest.mark.django_db

ALL = reverse("actions:action_list")
HEADERS = [column.header for column in COLUMNS]


def export(client, user, **params):
    client.force_login(user)
    response = client.get(ALL, params)
    assert response.status_code == 200
    return response


def test_xlsx_has_a_frozen_bold_header_real_dates_widths_and_autofilter(client, council):
    response = export(client, council["people"]["lead"], format="xlsx", inspection=council["inspection"].pk)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="action-plan-northshire-focused-visit-2025-03-')
    assert disposition.endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:X{len(rows)}"
    assert sheet.column_dimensions["G"].width == 40  # Action
    assert len(rows) == 1 + 6  # the southern action is another council's
    due = HEADERS.index("Due date")
    dated = [row for row in sheet.iter_rows(min_row=2) if row[due].value is not None]
    assert dated and all(isinstance(row[due].value, dt.datetime) for row in dated)
    assert all(row[due].is_date and "yy" in row[due].number_format for row in dated)
    by_title = {row[HEADERS.index("Action")]: row for row in rows[1:]}
    review = by_title["Review every out-of-date pathway plan"]
    assert review[HEADERS.index("Status")] == "In progress"
    assert review[HEADERS.index("RAG")] == "Red"
    assert review[HEADERS.index("Overdue")] == "Yes"
    assert review[HEADERS.index("Owner")] == "Nia Lead"
    assert review[HEADERS.index("Finding")] == "Improvement 1"
    assert review[HEADERS.index("Progress")] == "Backlog down to twelve"


def test_export_follows_the_filters_and_the_sort(client, council):
    response = export(client, council["people"]["lead"], format="csv", rag="amber", sort="-title")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert [row[HEADERS.index("Action")] for row in rows[1:]] == [
        "Weekly data quality report", "Record management direction on every referral"
    ]
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="actions-')
    due = rows[1][HEADERS.index("Due date")]
    assert dt.datetime.strptime(due, "%d/%m/%Y")  # UK dates in CSV


def test_cells_that_would_run_as_formulas_are_neutralised(client, council):
    finding = council["findings"][0]
    action_through_services(finding=finding, title="=HYPERLINK(\"http://evil\",\"x\")", description="+1+1", progress_notes="@SUM(A1)",
                  evidence="-2+3", owner=council["people"]["lead"])
    lead = council["people"]["lead"]
    csv_rows = list(csv.reader(io.StringIO(export(client, lead, format="csv", q="evil").content.decode("utf-8-sig"))))
    row = csv_rows[1]
    assert row[HEADERS.index("Action")] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert row[HEADERS.index("Description")] == "'+1+1"
    assert row[HEADERS.index("Progress")] == "'@SUM(A1)"
    assert row[HEADERS.index("Evidence")] == "'-2+3"
    sheet = load_workbook(io.BytesIO(export(client, lead, format="xlsx", q="evil").content)).active
    title_cell = sheet.cell(row=2, column=HEADERS.index("Action") + 1)
    assert title_cell.data_type == "s" and title_cell.value.startswith("'=")
    assert neutralise(-5) == -5 and neutralise("safe") == "safe"


def test_my_actions_export_is_only_mine(client, council):
    response = export(client, council["people"]["colleague"], format="xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="actions-')
    client.force_login(council["people"]["colleague"])
    response = client.get(reverse("actions:my_actions"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[HEADERS.index("Owner")] for row in rows[1:]} == {"Cal Owens"}
    assert 'filename="my-actions-' in response["Content-Disposition"]


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_readers_can_export_for_board_packs(client, council, role):
    response = export(client, council["people"][role], format="xlsx")
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 7


def test_an_outsider_cannot_export_another_councils_plan(client, council):
    response = export(client, council["people"]["outsider"], format="csv", inspection=council["inspection"].pk)
    # The inspection is not one of theirs: the list page explains, and no file is sent.
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "There is a problem" in page and "Northshire" not in page


def test_export_query_count_does_not_grow_with_rows(client, council, django_assert_max_num_queries):
    lead = council["people"]["lead"]
    client.force_login(lead)
    finding = council["findings"][1]
    for n in range(40):
        action_through_services(finding=finding, title=f"Export row {n}", owner=lead)
    with django_assert_max_num_queries(12):
        response = client.get(ALL, {"format": "xlsx"})
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 47

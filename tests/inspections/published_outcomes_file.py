"""Builds an ODS file of Ofsted's "Local authority inspection outcomes as at 31 March" layout (written with
odfpy, a test dependency): a title and a note (rows 1-2), the headings at row 3, one row per inspection,
dates as real date cells, Ofsted's words for the grades."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

REFERENCE_CSV = Path(__file__).resolve().parents[2] / "inspections" / "data" / "local_authorities.csv"

HISTORY_HEADINGS = [
    "Local authority name",
    "Local authority area code",
    "Ofsted region",
    "Inspection date",
    "Publication date",
    "Inspection type",
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care and care leavers [note 1]",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]
WORDS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
GRADE_CYCLE = ["good", "requires_improvement", "outstanding", "inadequate", "good", "requires_improvement"]


def current_councils() -> list[dict]:
    """The 153 councils of the reference list that have an ONS code (those since reorganised have none)."""
    with REFERENCE_CSV.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["ons_code"].strip()]


def _cell(value) -> TableCell:
    if value is None or value == "":
        return TableCell()
    if isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
        cell.addElement(P(text=value.strftime("%d/%m/%Y")))
        return cell
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def _table(name: str, title: str, headings: list[str], rows: list[list]) -> Table:
    table = Table(name=name)
    for values in [[title], ["Source: Ofsted. Grades are those of the most recent inspection. [note 1]"], headings, *rows]:
        row = TableRow()
        for value in values:
            row.addElement(_cell(value))
        table.addElement(row)
    return table


def history_rows(councils: list[dict] | None = None) -> list[list]:
    """Two inspections per council: an ILACS standard inspection in 2019 (children in care and care
    leavers judged together) and a later one in 2024, or in the year to 31 March 2026 for every fifth
    council (judged apart; a short inspection for every third council). Grades vary with the council's position so every grade appears in every region."""
    rows = []
    for index, council in enumerate(councils or current_councils()):
        first = GRADE_CYCLE[index % 4]
        later = GRADE_CYCLE[(index + 1) % 6]
        start_2019 = dt.date(2019, 1, 7) + dt.timedelta(days=7 * (index % 40))
        start_2024 = dt.date(2024, 1, 8) + dt.timedelta(days=7 * (index % 45))
        if index % 5 == 0:  # inspected in the year to 31 March 2026: in the in-year sheet too
            start_2024 = dt.date(2025, 4, 7) + dt.timedelta(days=7 * (index % 40))
        common = [council["name"], council["ons_code"], council["ofsted_region"]]
        rows.append(
            common
            + [start_2019, start_2019 + dt.timedelta(days=40), "ILACS standard inspection"]
            + [WORDS[first]] * 3 + [WORDS[first], "", ""]
        )
        rows.append(
            common
            + [start_2024, start_2024 + dt.timedelta(days=40),
               "ILACS short inspection" if index % 3 == 0 else "ILACS standard inspection"]
            + [WORDS[later], WORDS[later], WORDS[first], "", WORDS[later], WORDS["good"]]
        )
    return rows


def outcomes_ods(
    rows: list[list] | None = None,
    *,
    headings: list[str] | None = None,
    as_at: str = "31 March 2026",
    sheets: tuple[str, ...] = ("Inspections_as_at_31_March", "In-year_inspections", "ILACS_inspection_history"),
) -> bytes:
    """The whole file. The history sheet holds `rows`; the "as at" sheet holds each council's latest row,
    the in-year sheet the rows of the year to 31 March."""
    rows = history_rows() if rows is None else rows
    headings = headings or HISTORY_HEADINGS
    latest: dict[str, list] = {}
    for row in rows:
        if row[1] not in latest or row[3] > latest[row[1]][3]:
            latest[row[1]] = row
    in_year = [row for row in rows if isinstance(row[3], dt.date) and dt.date(2025, 4, 1) <= row[3] <= dt.date(2026, 3, 31)]
    contents = {
        "Inspections_as_at_31_March": list(latest.values()),
        "In-year_inspections": in_year,
        "ILACS_inspection_history": rows,
    }
    document = OpenDocumentSpreadsheet()
    for name in sheets:
        title = f"Local authority inspection outcomes as at {as_at}: {name.replace('_', ' ').lower()}"
        document.spreadsheet.addElement(_table(name, title, headings, contents.get(name, rows)))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()

"""The action plan as a spreadsheet (CSV or XLSX) for board packs and for moving data out.

The columns are also what the spreadsheet import recognises, so an export can be imported again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from actions.models import Action
from actions.tables import finding_reference
from core.people import person_label
from core.text import csv_safe, xml_safe

# Spreadsheet programs run a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[Action], Any]
    kind: str = "text"  # text | date | number | wrap


COLUMNS: tuple[Column, ...] = (
    Column("Council", 16, lambda a: a.finding.inspection.authority.name),
    Column("Inspection", 24, lambda a: a.finding.inspection.get_kind_display()),
    Column("Visit date", 13, lambda a: a.finding.inspection.visit_start, "date"),
    Column("Finding", 16, lambda a: finding_reference(a.finding.kind, a.finding.position)),
    Column("Finding text", 50, lambda a: a.finding.text, "wrap"),
    Column("Theme", 22, lambda a: a.finding.theme.name if a.finding.theme else ""),
    Column("Action", 40, lambda a: a.title, "wrap"),
    Column("Description", 40, lambda a: a.description, "wrap"),
    Column("Owner", 20, lambda a: person_label(a.owner)),
    Column("Owner email", 26, lambda a: a.owner.email if a.owner else ""),
    Column("Due date", 13, lambda a: a.due_date, "date"),
    Column("Status", 16, lambda a: a.get_status_display()),
    Column("RAG", 8, lambda a: a.get_rag_display()),
    Column("Overdue", 9, lambda a: "Yes" if a.is_overdue() else "No"),
    Column("Progress", 50, lambda a: a.progress_notes, "wrap"),
    Column("Evidence", 40, lambda a: a.evidence, "wrap"),
    Column("Evidence link", 30, lambda a: a.evidence_link),
    Column("Measure", 30, lambda a: a.measure_name, "wrap"),
    Column("Baseline", 10, lambda a: a.measure_baseline, "number"),
    Column("Target", 10, lambda a: a.measure_target, "number"),
    Column("Latest value", 12, lambda a: a.measure_latest, "number"),
    Column("Latest value on", 14, lambda a: a.measure_latest_on, "date"),
    # The date of the last progress entry (a history row with a progress note), not when the row was saved.
    Column(
        "Last progress update", 14,
        lambda a: timezone.localdate(a.last_progress_at) if a.last_progress_at else None, "date",
    ),
    # The finding's Children's Social Care: National Framework tags, in the framework's wording.
    Column("National framework", 40, lambda a: "; ".join(a.finding.framework_ref_labels), "wrap"),
)


def export_filename(*, stem: str, extension: str, today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{slugify(stem) or 'actions'}-{today:%Y-%m-%d}.{extension}"


def _rows(actions: Iterable[Action]) -> Iterable[list[Any]]:
    for action in actions:
        yield [column.value(action) for column in COLUMNS]


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return neutralise(csv_safe(str(value)))


def csv_response(actions: Iterable[Action], *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS])
    for row in _rows(actions):
        writer.writerow([_csv_value(value) for value in row])
    # A byte-order mark so Excel opens the file as UTF-8 (names with accents, curly quotes in findings).
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(actions: Iterable[Action], *, title: str = "Action plan") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xml_safe(title)[:31]
    sheet.append([column.header for column in COLUMNS])
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    for row in _rows(actions):
        sheet.append([_xlsx_value(value) for value in row])
        for column, cell in zip(COLUMNS, sheet[sheet.max_row]):
            cell.alignment = wrap if column.kind == "wrap" else top
            if column.kind == "date" and cell.value is not None:
                cell.number_format = "d mmm yyyy"
            elif column.kind == "number" and cell.value is not None:
                cell.number_format = "0.##"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        # openpyxl would store "=..." as a live formula; neutralised text stays text. Control
        # characters pasted from other systems are not allowed in XLSX at all.
        return neutralise(xml_safe(value))
    return value


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(actions: Iterable[Action], *, filename: str, title: str = "Action plan") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(actions, title=title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Builders for what dashboards hand out: chart data for Chart.js, and the board report as XLSX and Word.

Nothing here writes to the database; the board pack is assembled by dashboards.selectors.board_report_for
and only formatted here, so the page, the spreadsheet and the Word document always agree.
"""

from __future__ import annotations

import io
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.people import person_label
from core.text import xml_safe
from dashboards.selectors import BoardAction, BoardReport, MonthPoint, percent

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A spreadsheet runs a cell starting with one of these as a formula: text from users must not.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def long_date(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def count_with_percent(part: int, whole: int, noun: str = "") -> str:
    """ "12 of 18 actions complete, 67%": the count always beside the percentage."""
    share = percent(part, whole)
    words = f" {noun}" if noun else ""
    return f"{part} of {whole}{words}, {share}%" if share is not None else f"{part} of {whole}{words}"


def dashboard_chart_data(
    themes: list[dict], owners: list[dict], months: list[MonthPoint], framework: list[dict] = ()
) -> dict:
    """Plain numbers for static/js/charts.js; the same figures are in the tables beside each chart."""

    def stacked(rows, label="name"):
        return {
            "labels": [row[label] for row in rows],
            "series": [
                {"label": "Complete or closed", "data": [row["done"] for row in rows], "colour": "green"},
                {"label": "Open, on time", "data": [row["open"] - row["overdue"] for row in rows], "colour": "blue"},
                {"label": "Overdue", "data": [row["overdue"] for row in rows], "colour": "red"},
            ],
        }

    return {
        "themes": stacked(themes),
        "owners": stacked(owners),
        # "Outcome 4" on the chart's axis; the table under it gives each one's full wording
        "framework": stacked(framework, label="short"),
        "completed": {
            "labels": [m.label for m in months],
            "series": [{"label": "Actions completed", "data": [m.completed for m in months], "colour": "green"}],
        },
        "burndown": {
            "labels": [m.label for m in months],
            "series": [{"label": "Open actions", "data": [m.outstanding for m in months], "colour": "blue"}],
        },
    }


def _safe(value):
    """A cell value XLSX can hold, never run as a formula."""
    value = xml_safe(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _person(user) -> str:
    return person_label(user, nobody="Unassigned")


def _finding_ref(finding) -> str:
    kind = "Priority action" if finding.kind == "priority_action" else "Improvement"
    return f"{kind} {finding.position}"


def _measure(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def dated_note(item: BoardAction, *, empty: str = "No progress note recorded.") -> str:
    """The quoted note with the date it was written ("12 March 2026: ..."), and the stale flag."""
    text = item.action.progress_notes.strip() or getattr(item.action, "last_note", "") or ""
    if not text:
        text = empty
    elif item.why_on is not None:
        text = f"{long_date(_local_date(item.why_on))}: {text}"
    if item.stale_label:
        text = f"{text} ({item.stale_label})" if text else item.stale_label
    return text


def summary_lines(report: BoardReport) -> list[str]:
    return [
        f"At the board on {long_date(report.since)}: {count_with_percent(report.done_then, report.total_then, 'actions complete')}.",
        f"Now ({long_date(report.today)}): {count_with_percent(report.done_now, report.total_now, 'actions complete')}.",
        f"{len(report.moved)} of {report.total_now} actions moved since the last board.",
        f"{len(report.overdue)} of {report.total_now} actions overdue.",
        f"{len(report.stale)} of {report.total_now} actions with no progress update for over "
        f"{report.stale_update_days} days.",
    ]


ACTION_HEADERS = [
    "Inspection", "Finding", "Finding text", "Action", "Owner", "Due",
    "Status then", "Status now", "RAG then", "RAG now", "Measure", "Measure then", "Measure now",
    "What moved", "Overdue", "Latest progress note", "Note dated", "No recent update", "Theme", "National framework",
]


def framework_refs_text(finding) -> str:
    """A finding's national framework tags in the framework's wording, one after another."""
    return "; ".join(finding.framework_ref_labels)


def _action_row(report: BoardReport, finding, item: BoardAction) -> list:
    action = item.action
    return [
        finding.inspection.title,
        _finding_ref(finding),
        finding.text,
        action.title,
        _person(action.owner),
        action.due_date,
        item.status_then_label,
        action.get_status_display(),
        item.rag_then_label,
        action.get_rag_display(),
        action.measure_name,
        _measure(item.measure_then),
        _measure(action.measure_latest),
        "; ".join(item.changes) or "No change",
        "Overdue" if item.overdue else "",
        action.progress_notes or getattr(action, "last_note", "") or "",
        _local_date(item.why_on),
        item.stale_label,
        finding.theme.name if finding.theme else "",
        framework_refs_text(finding),
    ]


def board_report_xlsx(report: BoardReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary["A1"] = xml_safe(f"{report.authority.name}: board report")
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = f"Previous board {long_date(report.since)}; position now {long_date(report.today)}."
    summary.append([])
    summary.append(["Figure", "Then (count)", "Then (of)", "Then %", "Now (count)", "Now (of)", "Now %"])
    for cell in summary[4]:
        cell.font = Font(bold=True)
    summary.append([
        "Actions complete or closed", report.done_then, report.total_then, report.percent_then,
        report.done_now, report.total_now, report.percent_now,
    ])
    summary.append(["Actions moved since the last board", None, None, None, len(report.moved), report.total_now,
                    percent(len(report.moved), report.total_now)])
    summary.append(["Actions overdue now", None, None, None, len(report.overdue), report.total_now,
                    percent(len(report.overdue), report.total_now)])
    summary.column_dimensions["A"].width = 36
    for letter in "BCDEFG":
        summary.column_dimensions[letter].width = 13

    sheet = book.create_sheet("Actions")
    sheet.append(ACTION_HEADERS)
    rows = 0
    for finding in report.findings:
        for item in finding.actions:
            sheet.append([_safe(v) for v in _action_row(report, finding.finding, item)])
            rows += 1
            sheet.cell(row=rows + 1, column=6).number_format = "d mmmm yyyy"
            sheet.cell(row=rows + 1, column=17).number_format = "d mmmm yyyy"
    widths = [28, 16, 50, 40, 20, 16, 16, 16, 10, 10, 24, 12, 12, 40, 10, 50, 16, 22, 22, 50]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    # One shared style object: openpyxl stores it once, however many cells use it.
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    if rows:
        last = sheet.cell(row=rows + 1, column=len(ACTION_HEADERS)).coordinate
        table = Table(displayName="BoardReportActions", ref=f"A1:{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def board_report_docx(report: BoardReport) -> bytes:
    """A Word document an officer can paste into a committee report: headings, a summary, tables."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)

    document.add_heading(
        xml_safe(f"{report.authority.name}: progress against the inspection action plan"), level=1
    )
    document.add_paragraph(
        f"Position on {long_date(report.today)} against the previous board on {long_date(report.since)}."
    )
    document.add_heading("Summary", level=2)
    for line in summary_lines(report):
        document.add_paragraph(line, style="List Bullet")

    document.add_heading("Overdue actions and why", level=2)
    if report.overdue:
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["Action", "Owner", "Due", "Latest progress note"]):
            cell.text = xml_safe(text)
        for item in report.overdue:
            cells = table.add_row().cells
            cells[0].text = xml_safe(item.action.title)
            cells[1].text = xml_safe(_person(item.action.owner))
            cells[2].text = xml_safe(long_date(item.action.due_date))
            cells[3].text = xml_safe(dated_note(item))
    else:
        document.add_paragraph("No action is overdue.")

    document.add_heading("Findings and actions: then and now", level=2)
    for finding in report.findings:
        document.add_heading(
            xml_safe(f"{finding.finding.inspection.title}: {_finding_ref(finding.finding)}"), level=3
        )
        document.add_paragraph(xml_safe(finding.finding.text))
        if finding.finding.framework_refs:
            document.add_paragraph(xml_safe(f"National framework: {framework_refs_text(finding.finding)}."))
        document.add_paragraph(
            f"Then: {count_with_percent(finding.done_then, finding.total_then, 'actions complete')}. "
            f"Now: {count_with_percent(finding.done_now, finding.total_now, 'actions complete')}."
        )
        if not finding.actions:
            document.add_paragraph("No actions planned yet.")
            continue
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        headers = ["Action", "Owner and due date", "Then", "Now", "What moved", "Latest progress note"]
        for cell, text in zip(table.rows[0].cells, headers):
            cell.text = xml_safe(text)
        for item in finding.actions:
            action = item.action
            cells = table.add_row().cells
            cells[0].text = xml_safe(action.title)
            cells[1].text = xml_safe(f"{_person(action.owner)}, due {long_date(action.due_date) or 'no date'}")
            cells[2].text = xml_safe(item.status_then_label + (f", RAG {item.rag_then_label}" if item.then else ""))
            cells[3].text = f"{action.get_status_display()}, RAG {action.get_rag_display()}" + (
                " (overdue)" if item.overdue else ""
            )
            cells[4].text = xml_safe("; ".join(item.changes) or "No change")
            cells[5].text = xml_safe(dated_note(item, empty=""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _download(content: bytes, content_type: str, report: BoardReport, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"board-report-{slugify(report.authority.name)}-{report.today.isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def board_report_xlsx_response(report: BoardReport) -> HttpResponse:
    return _download(board_report_xlsx(report), XLSX_TYPE, report, "xlsx")


def board_report_docx_response(report: BoardReport) -> HttpResponse:
    return _download(board_report_docx(report), DOCX_TYPE, report, "docx")

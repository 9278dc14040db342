"""Ofsted's "Local authority inspection outcomes as at 31 March" spreadsheet (ODS, as published each year),
read into plain data. Pure Python (python-calamine reads the file); no Django.

The published layout: one table per sheet (`ILACS_inspection_history`, `Inspections_as_at_31_March`,
`In-year_inspections`), a title and notes above it (rows 1-2), the column headings at row 3, one row per
inspection: `Local authority name`, `Local authority area code` (the ONS code, E08000016), `Ofsted region`,
`Inspection date` (or a start and an end date), `Publication date`, `Inspection type`, then one column per
judgement with Ofsted's words (`Requires improvement to be good`).

    outcomes = read_published_outcomes(data)   # raises PublishedOutcomesError with one sentence
    outcomes.as_at, outcomes.inspections       # date | None, [PublishedInspection, ...]
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from python_calamine import CalamineError, CalamineWorkbook

# Sheet names as published; a year's file may add a suffix ("Inspections_as_at_31_March_2026").
SHEETS = ("ILACS_inspection_history", "Inspections_as_at_31_March", "In-year_inspections")
HEADER_SEARCH_ROWS = 10  # the headings are at row 3; a note more or less above them is tolerated

# Judgement area keys: the same strings as inspections.models.JudgementArea's values.
OVERALL = "overall_effectiveness"
LEADERS = "impact_of_leaders"
HELP_AND_PROTECTION = "help_and_protection"
CHILDREN_IN_CARE = "children_in_care"
CARE_LEAVERS = "care_leavers"
IN_CARE_AND_LEAVERS = "children_in_care_and_care_leavers"

GRADES = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires_improvement",
    "requires improvement": "requires_improvement",
    "inadequate": "inadequate",
}
NO_GRADE = {"", "-", "–", "n/a", "na", "not applicable", "not judged", "x", "..", ".", "z"}
COLUMNS = {
    "name": ("local authority name", "local authority", "la name"),
    "code": ("local authority area code", "area code", "ons code", "la area code", "local authority ons code"),
    "region": ("ofsted region", "region"),
    "date": ("inspection date",),
    "start": ("inspection start date", "start date"),
    "end": ("inspection end date", "end date"),
    "published": ("publication date", "report publication date", "date published"),
    "type": ("inspection type", "type of inspection"),
}
REQUIRED = {"code": "Local authority area code", "type": "Inspection type"}
ONS_CODE = re.compile(r"E\d{8}")
AS_AT = re.compile(r"as at (\d{1,2} [A-Za-z]+ \d{4})", re.IGNORECASE)
UNGRADED_TYPES = ("focused visit", "monitoring visit", "joint targeted", "jtai")


class PublishedOutcomesError(Exception):
    """The file cannot be imported; the message is one sentence for the person who chose it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class PublishedInspection:
    ons_code: str
    name: str
    region: str
    visit_start: dt.date
    visit_end: dt.date
    published_on: dt.date | None
    kind: str  # "full_inspection" or "short_inspection"
    framework: str  # "ILACS" or "SIF"
    grades: dict[str, str] = field(default_factory=dict)
    where: str = ""  # "sheet ILACS_inspection_history, row 12"

    @property
    def key(self) -> tuple:
        return (self.ons_code, self.kind, self.visit_start, self.visit_end)


@dataclass
class PublishedOutcomes:
    as_at: dt.date | None
    inspections: list[PublishedInspection]
    sheets: list[str]
    ungraded_rows: int = 0


def _words(value) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"[\[(]\s*note\s*\d+\s*[\])]", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower().rstrip(":")


def _judgement_area(heading: str) -> str | None:
    if not heading or "previous" in heading or "date" in heading:
        return None
    in_care = "in care" in heading or "looked after" in heading
    if "care leavers" in heading:
        return IN_CARE_AND_LEAVERS if in_care else CARE_LEAVERS
    if "help and protection" in heading:
        return HELP_AND_PROTECTION
    if in_care:
        return CHILDREN_IN_CARE
    if "impact of leaders" in heading or heading in ("leadership", "leaders"):
        return LEADERS
    if "overall effectiveness" in heading:
        return OVERALL
    return None


def _date(value, what: str, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise PublishedOutcomesError(f"The {what} “{text[:40]}” in {where} is not a date.")


def _as_at(rows: list[list]) -> dt.date | None:
    for row in rows:
        for cell in row:
            match = AS_AT.search(str(cell or ""))
            if match:
                try:
                    return dt.datetime.strptime(match.group(1), "%d %B %Y").date()
                except ValueError:
                    continue
    return None


def _read_sheet(workbook, sheet_name: str) -> tuple[list[PublishedInspection], int, dt.date | None]:
    try:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise PublishedOutcomesError(f"The sheet {sheet_name} could not be read ({exc}).") from exc
    header_at = next(
        (i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(_words(c) in COLUMNS["code"] for c in row)),
        None,
    )
    if header_at is None:
        raise PublishedOutcomesError(
            f"The sheet {sheet_name} has no column headed “Local authority area code” in its first "
            f"{HEADER_SEARCH_ROWS} rows."
        )
    headings = [_words(cell) for cell in rows[header_at]]
    columns: dict[str, int] = {}
    areas: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = next((k for k, names in COLUMNS.items() if heading in names), None)
        if key and key not in columns:
            columns[key] = index
        elif key is None:
            area = _judgement_area(heading)
            if area and area not in areas:
                areas[area] = index
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    if "date" not in columns and "start" not in columns:
        missing.append("Inspection date")
    if OVERALL not in areas:
        missing.append("Overall effectiveness")
    if missing:
        raise PublishedOutcomesError(
            f"The sheet {sheet_name} has no column headed “{missing[0]}”"
            + (f" (nor {', '.join(missing[1:])})" if len(missing) > 1 else "") + "."
        )

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    found: list[PublishedInspection] = []
    ungraded = 0
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        where = f"sheet {sheet_name}, row {number}"
        code = str(cell(row, "code") or "").strip().upper()
        name = str(cell(row, "name") or "").strip()
        if not code and not name:
            continue  # a blank line or a note under the table
        if not ONS_CODE.fullmatch(code):
            raise PublishedOutcomesError(f"“{code[:20] or '(blank)'}” in {where} is not an ONS area code (E followed by 8 digits).")
        kind_text = _words(cell(row, "type"))
        start = _date(cell(row, "start") if "start" in columns else cell(row, "date"), "inspection date", where)
        end = _date(cell(row, "end"), "inspection end date", where) if "end" in columns else None
        end = end or start
        if start is None:
            continue  # a council not inspected yet under this framework
        if any(word in kind_text for word in UNGRADED_TYPES):
            ungraded += 1
            continue
        if end < start:
            raise PublishedOutcomesError(f"The inspection in {where} ends before it starts.")
        grades = {}
        for area, index in areas.items():
            value = _words(row[index] if index < len(row) else None)
            if value in NO_GRADE:
                continue
            if value not in GRADES:
                raise PublishedOutcomesError(f"“{value[:40]}” in {where} is not one of Ofsted's grades.")
            grades[area] = GRADES[value]
        if not grades:
            ungraded += 1
            continue
        found.append(
            PublishedInspection(
                ons_code=code,
                name=name,
                region=str(cell(row, "region") or "").strip(),
                visit_start=start,
                visit_end=end,
                published_on=_date(cell(row, "published"), "publication date", where),
                kind="short_inspection" if "short" in kind_text else "full_inspection",
                framework="SIF" if ("sif" in kind_text.split() or "single inspection" in kind_text
                                    or start < dt.date(2018, 1, 1)) else "ILACS",
                grades=grades,
                where=where,
            )
        )
    return found, ungraded, _as_at(rows[:header_at])


def read_published_outcomes(data: bytes) -> PublishedOutcomes:
    """Every graded inspection in the file's Ofsted sheets, one per council, kind and dates."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise PublishedOutcomesError("The file could not be read as a spreadsheet.") from exc
    names = [
        name for name in workbook.sheet_names
        if any(name.strip().lower().startswith(known.lower()) for known in SHEETS)
    ]
    if not names:
        raise PublishedOutcomesError(
            "The file has none of Ofsted's sheets (" + ", ".join(SHEETS) + "): is it the published outcomes?"
        )
    by_key: dict[tuple, PublishedInspection] = {}
    as_at = None
    ungraded = 0
    for name in names:
        inspections, skipped, sheet_as_at = _read_sheet(workbook, name)
        ungraded += skipped
        as_at = as_at or sheet_as_at
        for inspection in inspections:
            earlier = by_key.get(inspection.key)
            if earlier is None:
                by_key[inspection.key] = inspection
                continue
            for area, grade in inspection.grades.items():
                if earlier.grades.setdefault(area, grade) != grade:
                    raise PublishedOutcomesError(
                        f"The same inspection has two different grades ({earlier.where} and {inspection.where})."
                    )
            earlier.published_on = earlier.published_on or inspection.published_on
    inspections = sorted(by_key.values(), key=lambda i: (i.ons_code, i.visit_start))
    return PublishedOutcomes(as_at=as_at, inspections=inspections, sheets=names, ungraded_rows=ungraded)

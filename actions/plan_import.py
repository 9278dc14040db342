"""Reading a council's existing action plan from a CSV or XLSX file: sniffing, column mapping, row checks.

Pure reading and checking: nothing here writes to the database. `actions.services.action_plan_import`
saves the checked rows in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from actions.exports import FORMULA_TRIGGERS
from actions.models import Action, Owner, Rag, Status
from core.dates import parse_uk_date

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX is a zip: refuse one that inflates beyond reason
MAX_ROWS = 2000
MAX_COLUMNS = 60
TITLE_MAX = 200


# Files people pick by mistake (a PDF of the plan, a screenshot) that could otherwise decode as text.
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


class SpreadsheetError(Exception):
    """The upload is not a spreadsheet we can read; the message is for the user."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cell values)
    name: str = ""


# --- file type and reading ------------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """'xlsx' or 'csv' from the content itself, never from the file name or the browser's type."""
    if not data:
        raise SpreadsheetError("The file is empty")
    if data.startswith(BINARY_SIGNATURES):
        raise SpreadsheetError("The file must be an Excel spreadsheet (.xlsx) or a CSV file")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            "This is an old-style Excel file (.xls). Open it in Excel and save it as .xlsx or CSV, then upload that"
        )
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                inflated = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as exc:
            raise SpreadsheetError("The file looks like an Excel file but is damaged") from exc
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise SpreadsheetError("The file must be an Excel spreadsheet (.xlsx) or a CSV file")
        if inflated > MAX_UNZIPPED_BYTES:
            raise SpreadsheetError("The spreadsheet is too large to import")
        return "xlsx"
    if b"\x00" in data[:8192]:
        raise SpreadsheetError("The file must be an Excel spreadsheet (.xlsx) or a CSV file")
    _decode(data)  # raises when it is not text
    return "csv"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:8192]):
            break
        return text
    raise SpreadsheetError("The file must be an Excel spreadsheet (.xlsx) or a CSV file")


def read_sheet(data: bytes, kind: str) -> Sheet:
    raw_rows, name = (_read_xlsx(data) if kind == "xlsx" else _read_csv(data)), ""
    if kind == "xlsx":
        raw_rows, name = raw_rows
    numbered = [(number, [_clean(v) for v in row]) for number, row in raw_rows]
    numbered = [(number, row) for number, row in numbered if any(v not in (None, "") for v in row)]
    if not numbered:
        raise SpreadsheetError("The spreadsheet has no rows")
    header_number, header_row = numbered[0]
    width = max(len(row) for _, row in numbered)
    if width > MAX_COLUMNS:
        raise SpreadsheetError(f"The spreadsheet has more than {MAX_COLUMNS} columns: is it an action plan?")
    headers = [
        (str(header_row[i]).strip() if i < len(header_row) and header_row[i] not in (None, "") else f"Column {_letter(i)}")
        for i in range(width)
    ]
    rows = [(number, row + [None] * (width - len(row))) for number, row in numbered[1:]]
    if len(rows) > MAX_ROWS:
        raise SpreadsheetError(f"The spreadsheet has more than {MAX_ROWS} rows: split it into smaller files")
    if not rows:
        raise SpreadsheetError("The spreadsheet has a header row but no actions under it")
    return Sheet(headers=headers, rows=rows, name=name)


# Cells a row may hold in the file, empty styled ones included: far beyond any action plan, and small
# enough that a crafted row (72 KB zipped, 2.5 million cells) is refused after reading a few hundred.
MAX_CELLS_PER_ROW = 500


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + (ord(char.upper()) - 64)
    return number


def _check_sheet_shape(archive: zipfile.ZipFile, path: str) -> None:
    """Streams the sheet's XML and stops at the first limit passed, before openpyxl builds any row: a row of
    too many cells, a value beyond the last column allowed; stops reading once past the rows allowed."""
    from xml.etree.ElementTree import ParseError, iterparse

    rows = cells = 0
    value_column = 0
    try:
        with archive.open(path.lstrip("/")) as source:
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "row":
                        rows, cells = rows + 1, 0
                        if rows > MAX_ROWS + 50:
                            return
                    elif tag == "c":
                        cells += 1
                        if cells > MAX_CELLS_PER_ROW:
                            raise SpreadsheetError(
                                f"Row {rows} of the spreadsheet has more than {MAX_CELLS_PER_ROW} cells: "
                                "is it an action plan?"
                            )
                        value_column = _column_number(element.get("r") or "")
                    continue
                if tag in ("v", "is") and value_column > MAX_COLUMNS and (element.text or len(element)):
                    raise SpreadsheetError(f"The spreadsheet has more than {MAX_COLUMNS} columns: is it an action plan?")
                if tag == "row":
                    element.clear()
    except (ParseError, KeyError) as exc:
        raise SpreadsheetError("The Excel file could not be read: it may be damaged") from exc


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError("The Excel file could not be read: it may be damaged or password protected") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sheet_shape(archive, sheet._worksheet_path)
        rows = []
        number = 0
        try:
            # Rows as a stream, each cut at the last column allowed (the sheet's stated size is not trusted).
            for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1):
                cells = list(row)
                while cells and cells[-1] is None:  # the padding up to max_col, not the sheet's width
                    cells.pop()
                rows.append((number, cells))
                if number > MAX_ROWS + 50:
                    break
        except Exception as exc:  # a cell openpyxl cannot convert (a date or number that is not one)
            raise SpreadsheetError(
                f"Row {number + 1} of the spreadsheet has a cell that could not be read: correct it in Excel "
                "and upload the file again"
            ) from exc
        return rows, sheet.title
    finally:
        workbook.close()


def _read_csv(data: bytes):
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        rows.append((number, row))
        if number > MAX_ROWS + 50:
            break
    return rows


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        # Undo the export's formula neutralising: "'=x" was "=x".
        if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_TRIGGERS:
            value = value[1:]
    return value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- column mapping ---------------------------------------------------------------------------------

# (target, label, header names that suggest it, best first)
TARGETS: list[tuple[str, str, tuple[str, ...]]] = [
    ("finding_ref", "Finding number", ("finding", "finding number", "finding ref", "finding reference", "ref", "reference", "no", "number", "improvement number")),
    ("finding_text", "Finding text", ("finding text", "what needs to improve", "area for improvement", "areas for improvement", "area for priority action", "recommendation", "ofsted finding", "improvement area", "improvement")),
    ("title", "Action", ("action", "action title", "title", "actions", "what we will do", "action required")),
    ("description", "Description", ("description", "action description", "detail", "details", "how")),
    ("owner", "Owner", ("owner email", "email", "owner username", "username", "owner", "action owner", "lead officer", "responsible officer", "responsible", "lead", "assigned to", "who")),
    ("due_date", "Due date", ("due date", "due", "deadline", "target date", "by when", "completion date", "date due", "timescale")),
    ("status", "Status", ("status", "action status", "progress status")),
    ("rag", "RAG", ("rag", "rag rating", "rag status", "brag")),
    ("progress_notes", "Progress notes", ("progress", "progress notes", "progress update", "update", "latest update", "commentary", "comments", "notes")),
    ("evidence", "Evidence", ("evidence", "evidence summary", "evidence of impact")),
    ("evidence_link", "Evidence link", ("evidence link", "link", "url")),
    ("measure_name", "Impact measure", ("measure", "impact measure", "kpi", "performance measure", "success measure")),
    ("measure_baseline", "Measure baseline", ("baseline", "measure baseline")),
    ("measure_target", "Measure target", ("target", "measure target", "target value")),
    ("measure_latest", "Measure latest value", ("latest value", "latest", "current value", "current")),
    ("measure_latest_on", "Measure latest value on", ("latest value on", "measured on", "as at", "as of")),
]
TARGET_LABELS = {key: label for key, label, _ in TARGETS}
IGNORE = ""


def _normal(text: Any) -> str:
    text = str(text or "").replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", re.sub(r"[^\w%'\"]+", " ", text.casefold())).strip()


def suggest_mapping(headers: list[str]) -> list[str]:
    """A target per column from its header name; each target goes to its best-matching column once."""
    best: dict[str, tuple[int, int]] = {}
    for column, header in enumerate(headers):
        name = _normal(header)
        for key, _label, synonyms in TARGETS:
            if name in synonyms:
                rank = synonyms.index(name)
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, column)
    mapping = [IGNORE] * len(headers)
    for key, (_rank, column) in sorted(best.items(), key=lambda item: item[1]):
        if mapping[column] == IGNORE:
            mapping[column] = key
    return mapping


def check_mapping(mapping: list[str]) -> list[str]:
    errors = []
    used = [key for key in mapping if key]
    for key in sorted({k for k in used if used.count(k) > 1}):
        errors.append(f"{TARGET_LABELS[key]} is chosen for more than one column: choose it once")
    if "title" not in used:
        errors.append("Choose the column that holds the action")
    if "finding_ref" not in used and "finding_text" not in used:
        errors.append("Choose the column that says which finding each action is for (its number or its text)")
    return errors


# --- row checks -------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    finding: Any = None
    # An Owner of the council, a member without an owner record yet (a user), or a new Owner (not saved:
    # action_plan_import adds it) when the name matches no one.
    owner: Any = None

    @property
    def owner_is_new(self) -> bool:
        return isinstance(self.owner, Owner) and self.owner.pk is None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def status_label(self) -> str:
        value = self.values.get("status")
        return Status(value).label if value else ""

    @property
    def rag_label(self) -> str:
        value = self.values.get("rag")
        return Rag(value).label if value else ""


STATUS_WORDS = {
    **{label.casefold(): value for value, label in Status.choices},
    **{value: value for value in Status.values},
    "not started": Status.NOT_STARTED, "not yet started": Status.NOT_STARTED, "to do": Status.NOT_STARTED,
    "in progress": Status.IN_PROGRESS, "ongoing": Status.IN_PROGRESS, "started": Status.IN_PROGRESS,
    "on track": Status.IN_PROGRESS, "in hand": Status.IN_PROGRESS,
    "blocked": Status.BLOCKED, "on hold": Status.BLOCKED, "stalled": Status.BLOCKED,
    "complete": Status.COMPLETE, "completed": Status.COMPLETE, "done": Status.COMPLETE,
    "closed": Status.CLOSED, "closed verified": Status.CLOSED, "verified": Status.CLOSED,
}
RAG_WORDS = {"red": Rag.RED, "r": Rag.RED, "amber": Rag.AMBER, "a": Rag.AMBER, "green": Rag.GREEN, "g": Rag.GREEN}

def parse_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = str(value).replace(",", "").replace("%", "").strip()
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError from exc


class RowChecker:
    """Checks rows against one inspection: its findings, its council's people, its existing plan."""

    def __init__(self, inspection):
        self.inspection = inspection
        self.findings = list(inspection.findings.all())
        members = list(
            get_user_model().objects.filter(memberships__authority=inspection.authority, is_active=True).distinct()
        )
        # Owners match by name or email (case and spacing ignored); a member without an owner record yet by
        # username, full name or email. A person counts once, however many of their keys match.
        records = list(Owner.objects.filter(authority=inspection.authority))
        linked = {record.user_id: record for record in records if record.user_id is not None}
        self.people: dict[str, list] = defaultdict(list)
        for record in records:
            keys = {_normal(record.name), record.email.casefold()}
            for key in keys - {""}:
                self.people[key].append(record)
        for person in members:
            keys = {person.username.casefold(), _normal(person.get_full_name())}
            if person.email:
                keys.add(person.email.casefold())
            who = linked.get(person.pk, person)
            for key in keys - {""}:
                if who not in self.people[key]:
                    self.people[key].append(who)
        self.new_owners: dict[str, Owner] = {}

        self.existing = {
            (finding_id, title.casefold())
            for finding_id, title in Action.objects.filter(finding__inspection=inspection).values_list("finding_id", "title")
        }
        self.seen: set[tuple[int, str]] = set()

    def check(self, number: int, cells: dict[str, Any]) -> ImportRow:
        row = ImportRow(number=number)
        text = lambda key: "" if cells.get(key) is None else str(cells.get(key)).strip()  # noqa: E731

        row.finding = self._finding(text("finding_ref"), text("finding_text"), row.errors)
        title = text("title")
        description = text("description")
        if not title:
            row.errors.append("Enter the action")
        elif len(title) > TITLE_MAX:
            row.errors.append(f"The action is {len(title)} characters long: shorten it to {TITLE_MAX} or fewer (put the detail in a description column)")
        row.values.update(title=title, description=description)

        owner_text = text("owner")
        if owner_text:
            matches = self.people.get(owner_text.casefold()) or self.people.get(_normal(owner_text)) or []
            if len(matches) == 1:
                row.owner = matches[0]
            elif matches:
                row.errors.append(f"More than one person in {self.inspection.authority.name} is called “{owner_text}”: use their email address")
            elif len(owner_text) > Owner._meta.get_field("name").max_length:
                row.errors.append(f"The owner “{owner_text[:40]}...” is too long for a name: use the person's name")
            else:
                row.owner = self._new_owner(owner_text)

        for key, label in (("due_date", "due date"), ("measure_latest_on", "date of the latest value")):
            try:
                row.values[key] = parse_uk_date(cells.get(key))
            except ValueError:
                row.errors.append(f"The {label} “{text(key)}” is not a date: use day/month/year, for example 31/03/2027")

        status = text("status")
        row.values["status"] = STATUS_WORDS.get(_normal(status).replace("_", " "), STATUS_WORDS.get(status.casefold())) if status else Status.NOT_STARTED
        if row.values["status"] is None:
            row.errors.append(f"The status “{status}” is not one of: {', '.join(Status.labels)}")
        elif row.values["status"] == Status.COMPLETE:
            row.errors.append(
                f"The status “{status}” cannot be imported: an action is marked complete in the tracker, once "
                "its evidence is added there. Import it as In progress, then add the evidence on its page"
            )
        elif row.values["status"] == Status.CLOSED:
            row.errors.append(
                f"The status “{status}” cannot be imported: an action is closed in the tracker when someone "
                "other than its owner checks its evidence. Import it as In progress, add the evidence, and ask "
                "a senior leader to verify it"
            )
        rag = text("rag")
        row.values["rag"] = RAG_WORDS.get(_normal(rag)) if rag else Rag.GREEN
        if row.values["rag"] is None:
            row.errors.append(f"The RAG rating “{rag}” is not Red, Amber or Green")

        for key in ("progress_notes", "evidence", "measure_name"):
            row.values[key] = text(key)
        link = text("evidence_link")
        if link:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                row.errors.append(f"The evidence link “{link}” is not a web address starting with https://")
        row.values["evidence_link"] = link
        for key, label in (("measure_baseline", "baseline"), ("measure_target", "target"), ("measure_latest", "latest value")):
            try:
                row.values[key] = parse_decimal(cells.get(key))
            except ValueError:
                row.errors.append(f"The measure {label} “{text(key)}” is not a number")

        if row.finding is not None and title:
            key = (row.finding.pk, title.casefold())
            if key in self.existing:
                row.errors.append("This action is already in the plan for this finding")
            elif key in self.seen:
                row.errors.append("This action appears twice for the same finding in the spreadsheet")
            self.seen.add(key)
        return row

    def _new_owner(self, text: str) -> Owner:
        """One new owner (unsaved) per name however many rows name them; an email address is kept as theirs."""
        key = _normal(text) or text.casefold()
        if key not in self.new_owners:
            email = ""
            if "@" in text:
                try:
                    EmailValidator()(text)
                    email = text
                except ValidationError:
                    pass
            self.new_owners[key] = Owner(authority=self.inspection.authority, name=" ".join(text.split()), email=email)
        return self.new_owners[key]

    def _finding(self, ref: str, finding_text: str, errors: list[str]):
        if ref:
            found = self._finding_by_ref(ref)
            if found is not None:
                return found
            if not finding_text:
                errors.append(
                    getattr(self, "ambiguous", None)
                    or f"There is no finding “{ref}” in this {self.inspection.get_kind_display().lower()}"
                )
                return None
        if finding_text:
            wanted = _normal(finding_text).rstrip(". ")
            exact = [f for f in self.findings if _normal(f.text).rstrip(". ") == wanted]
            if len(exact) == 1:
                return exact[0]
            partial = [
                f for f in self.findings
                if len(wanted) >= 20 and (_normal(f.text).startswith(wanted.rstrip(".")) or wanted.startswith(_normal(f.text).rstrip(". ")))
            ]
            if len(partial) == 1:
                return partial[0]
            errors.append("The finding text does not match one finding of this inspection: use the finding's number instead")
            return None
        errors.append("Say which finding this action is for")
        return None

    def _finding_by_ref(self, ref: str):
        text = _normal(ref)
        match = re.fullmatch(r"(?:(priority action|area for priority action|pa)|(improvement|area for improvement|afi))?\s*(\d+)(?:\.0+)?", text)
        if not match:
            return None
        self.ambiguous = None
        position = int(match.group(3))
        if match.group(1):
            candidates = [f for f in self.findings if f.kind == "priority_action" and f.position == position]
        elif match.group(2):
            candidates = [f for f in self.findings if f.kind == "improvement" and f.position == position]
        else:
            candidates = [f for f in self.findings if f.position == position]
        if len(candidates) > 1:
            self.ambiguous = f"“{ref}” could be Improvement {position} or Priority action {position}: say which"
        return candidates[0] if len(candidates) == 1 else None


def new_owners(rows: list[ImportRow]) -> list[Owner]:
    """The owners the import will add (named in the sheet, matching no one), once each, in row order."""
    seen: dict[int, Owner] = {}
    for row in rows:
        if row.owner_is_new:
            seen.setdefault(id(row.owner), row.owner)
    return list(seen.values())


def check_rows(sheet: Sheet, mapping: list[str], inspection) -> list[ImportRow]:
    checker = RowChecker(inspection)
    results = []
    for number, cells in sheet.rows:
        values = {key: cells[index] for index, key in enumerate(mapping) if key and index < len(cells)}
        results.append(checker.check(number, values))
    return results

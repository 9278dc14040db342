"""Parse the text of an Ofsted children's services publication into plain data.

Reads ILACS inspection reports (full/standard and short), focused-visit and
monitoring-visit letters and joint targeted area inspection (JTAI) letters,
whether the text comes from a PDF text layer, from ``pdftotext`` or from text
pasted out of a PDF viewer or a web page (markdown-ish).

The parser works on the structure Ofsted uses (title, the "This letter
summarises the findings ..." sentence, the judgement table, headings such as
"What needs to improve ...?") rather than on anything specific to one file.
``parse_publication`` never raises: problems become ``warnings``.
No Django imports here.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from datetime import date

from .authorities import match_authority
from .extract import ImportRejected, normalise_text
from .framework import split_refs

__all__ = [
    "ParsedJudgement",
    "ParsedPublication",
    "NotAnOfstedPublication",
    "parse_publication",
    "require_ofsted_publication",
    "KINDS",
    "CONTRACT_FIELDS",
    "AREAS",
    "GRADES",
    "FOCUS_AREAS",
]

# The JSON contract's fields, in order (README, import_letter): what to_contract() returns and what the
# accuracy bench and the corpus tests compare.
CONTRACT_FIELDS = (
    "local_authority",
    "kind",
    "visit_start",
    "visit_end",
    "published_on",
    "inspectors",
    "judgements",
    "improvements",
    "priority_actions",
    "focus_area",
    "improvement_refs",
    "priority_action_refs",
)

KINDS = ("full_inspection", "short_inspection", "focused_visit", "monitoring_visit", "jtai")
AREAS = (
    "overall_effectiveness",
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "children_in_care_and_care_leavers",
)
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
FOCUS_AREAS = (
    "front_door",
    "children_in_need_and_child_protection",
    "children_at_risk_outside_home",
    "children_in_care",
    "permanence",
    "care_leavers",
    "placement_decisions_older_children",
    "disabled_children",
)

MAX_INPUT_CHARS = 1_000_000  # the longest real report is under 100,000 characters
MAX_LINES = 20_000


class NotAnOfstedPublication(ImportRejected):
    """Nothing in the text identifies it as an Ofsted children's services publication."""


@dataclass(frozen=True)
class ParsedJudgement:
    area: str
    grade: str


@dataclass(frozen=True)
class ParsedPublication:
    local_authority: str | None = None  # canonical CSV name when matched, else as written
    authority_urn: str | None = None
    kind: str | None = None
    framework: str = "ILACS"
    visit_start: date | None = None
    visit_end: date | None = None
    published_on: date | None = None
    inspectors: list[str] = field(default_factory=list)
    judgements: list[ParsedJudgement] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    priority_actions: list[str] = field(default_factory=list)
    focus_area: str | None = None
    headline: str = ""
    warnings: list[str] = field(default_factory=list)
    # national-framework tags of each point ("outcome 4"), parallel to improvements / priority_actions
    improvement_refs: list[list[str]] = field(default_factory=list)
    priority_action_refs: list[list[str]] = field(default_factory=list)
    # a "what needs to improve" / "areas for improvement" heading was found but no point was read under it,
    # and the text under that heading (for the admin to read)
    improvement_heading_without_points: bool = False
    unread_improvement_section: str = ""

    def to_contract(self) -> dict:
        """The stable JSON contract (dates ISO or None)."""

        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "local_authority": self.local_authority,
            "kind": self.kind,
            "visit_start": iso(self.visit_start),
            "visit_end": iso(self.visit_end),
            "published_on": iso(self.published_on),
            "inspectors": list(self.inspectors),
            "judgements": [asdict(j) for j in self.judgements],
            "improvements": list(self.improvements),
            "priority_actions": list(self.priority_actions),
            "focus_area": self.focus_area,
            "improvement_refs": [list(r) for r in self.improvement_refs],
            "priority_action_refs": [list(r) for r in self.priority_action_refs],
        }


# ==========================================================================
# Vocabulary
# ==========================================================================

APOS = "[’'‘`]"
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DATE_ELEM = rf"{_WEEKDAY}{_DAY}(?:\s+{MONTH_RE})?(?:,?\s+(?:19|20)\d\d)?"
RANGE_RE = rf"{_DATE_ELEM}(?:\s*(?:,|\band\b|\bto\b|\buntil\b|\btill\b|–|—|-|&)\s*{_DATE_ELEM})*"
FULL_DATE_RE = rf"{_WEEKDAY}{_DAY}\s+{MONTH_RE},?\s+(?:19|20)\d\d"

GRADE_RE = (
    r"(?:requires\s+improvement(?:\s+to\s+be\s+good)?|outstanding|inadequate|good)"
)
_GRADE_MAP = {
    "outstanding": "outstanding",
    "good": "good",
    "inadequate": "inadequate",
}

_AREA_PATTERNS = (
    # order matters: longest first
    ("impact_of_leaders", r"the\s+impact\s+of\s+leaders\s+on\s+social\s+work\s+practice(?:\s+with\s+children\s+and\s+families)?"),
    ("children_in_care_and_care_leavers", r"the\s+experiences\s+and\s+progress\s+of\s+children\s+in\s+care\s+and\s+care\s+leavers"),
    ("help_and_protection", r"the\s+experiences\s+and\s+progress\s+of\s+children\s+who\s+need\s+help\s+and\s+protection"),
    ("children_in_care", r"the\s+experiences\s+and\s+progress\s+of\s+children\s+in\s+care"),
    ("care_leavers", r"the\s+experiences\s+and\s+progress\s+of\s+care\s+leavers"),
    ("overall_effectiveness", r"overall\s+effectiveness"),
)

_TABLE_WORDS = set(
    """the impact of leaders on social work practice with children and families experiences
    progress who need help protection in care leavers overall effectiveness judgement judgements
    grade grades requires improvement to be good outstanding inadequate area areas""".split()
)

# A heading may carry a footnote number straight after it ("practice?1", "practice? 1", "practice?¹").
_FOOTNOTE_MARK = r"(?:\s?(?:\d{1,2}|[¹²³⁴⁵⁶⁷⁸⁹]))?"
_IMPROVE_HEAD = re.compile(
    r"^(?:what\s+needs\s+(?:to\s+)?(?:improve|improving|to\s+be\s+improved)"
    r"(?:\s+(?:further|next|now|still|as\s+well|in|at|for|within|across|to|of|this|the|these|area|areas|local|authority|"
    r"authority" + APOS + r"s|council" + APOS + r"?s?|social|work|practice|services?|children" + APOS + r"?s?|partnership"
    r"|be|good|and|care|leavers|help|protection|in\s+care))*"
    r"|what\s+(?:the\s+local\s+authority|the\s+council|leaders|the\s+partnership|partners)\s+needs?\s+to\s+(?:do\s+to\s+)?improve(?:\s+\w+){0,6}"
    r"|(?:the\s+)?(?:main\s+|key\s+)?areas?\s+(?:for|of|requiring|that\s+require|which\s+require|needing)\s+(?:further\s+|continued\s+)?"
    r"(?:improvement|development|improving)(?:\s+\w+){0,6}"
    r"|recommendations?"
    r"|what\s+needs\s+to\s+happen\s+next"
    r"|areas?\s+(?:which|that)\s+require\s+improvement)"
    r"\s*[?:.]?" + _FOOTNOTE_MARK + r"\s*$",
    re.I,
)
_PRIORITY_HEAD = re.compile(
    r"^(?:areas?\s+(?:for|of|requiring)\s+priority\s+action|priority\s+actions?|areas?\s+for\s+immediate\s+action"
    r"|what\s+needs\s+to\s+improve\s+as\s+a\s+priority)\s*[?:.]?" + _FOOTNOTE_MARK + r"\s*$",
    re.I,
)
# Headings that end a list section (besides the two above).
_OTHER_HEAD = re.compile(
    r"^(?:main\s+findings|findings|overview|headline\s+findings|summary(?:\s+of\s+findings)?|"
    r"next\s+steps|areas\s+covered\s+by\s+(?:the|this)\s+visit|evaluation\s+of\s+progress|"
    r"strengths|what\s+is\s+working\s+well.*|key\s+findings|context|introduction|"
    r"yours\s+sincerely|yours\s+faithfully|"
    r"the\s+experiences\s+and\s+progress\s+of\s+.*|the\s+impact\s+of\s+leaders\s+on\s+.*|"
    r"overall\s+effectiveness.*|judgement\s+grade|ofsted\s+will\s+take\s+the\s+findings.*|"
    r"i\s+am\s+copying\s+this\s+letter.*|we\s+have\s+notified\s+the\s+department.*)\s*[?:.]?$",
    re.I,
)

_BULLET_LINE = re.compile(
    r"^\s*(?:[•◼▪■●◦○‣∙⁃➢➤►▶✓✔❖◆◇□▫*+·]|[-–—](?=\s))\s*"
)
_NUMBER_LINE = re.compile(r"^\s*(?:\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]|\d{1,2}\s*[-–])\s+(?=\S)", re.I)

_FURNITURE = [
    re.compile(p, re.I)
    for p in (
        r"^o?fsted$",  # the logo, whose "O" some text layers lose
        r"^piccadilly gate\b",
        r"^store street\b",
        r"^manchester$",
        r"^m1 2wd$",
        r"^agora$",
        r"^6 cumberland place$",
        r"^nottingham ng1 6hj$",
        r"^ng1 6hj$",
        r"^aviation house$",
        r"^125 kingsway$",
        r"^london wc2b 6se$",
        r"^(?:t|tel|telephone)\.?:?\s*0300\s*123\s*1231",
        r"^textphone\b",
        r"^(?:0161\s*)?(?:618\s*)?8524$",
        r"^(?:0300\s*)?(?:123\s*)?1231$",
        r"^(?:e:|email:?)?\s*enquiries@ofsted\.gov\.uk",
        r"^(?:w:|web:?)?\s*www\.(?:gov\.uk/ofsted|ofsted\.gov\.uk)",
        r"^pre-?\s?publication(?:\s+(?:version|copy|draft))?$",
        r"^(?:official|official[- ]sensitive|protect|unclassified)$",
        r"^page\s+\d+(?:\s+of\s+\d+)?$",
        r"^\d{1,3}(?:\s+of\s+\d{1,3})?$",
        r"^-\s*\d{1,3}\s*-$",
        r"^©\s*crown copyright.*$",
    )
]
# A running header/footer giving the inspection dates and maybe a page number.
_DATE_LINE = re.compile(
    rf"^(?:inspection\s+dates?\s*:?\s*)?{_DAY}(?:\s+{MONTH_RE})?(?:\s+(?:19|20)\d\d)?\s*(?:to|and|–|—|-)\s*"
    rf"{_DAY}\s+{MONTH_RE}\s+(?:19|20)\d\d(?:\s+\d{{1,3}})?$",
    re.I,
)
_FURNITURE_ANYWHERE = re.compile(
    r"piccadilly gate|textphone\s+0161|enquiries@ofsted\.gov\.uk|www\.gov\.uk/ofsted|m1 2wd", re.I
)
_END_MATTER = re.compile(
    r"^(?:The Office for Standards in Education, Children.s Services and Skills \(Ofsted\)"
    r"|Ofsted has a duty to|If you would like a copy of this document in a different format"
    r"|You may reuse this information \(not including logos\))",
    re.I,
)

_NAME_PARTICLES = {"de", "van", "der", "von", "le", "la", "du", "da", "di", "del", "den", "bin", "al", "st", "mac", "ap"}


# ==========================================================================
# Helpers
# ==========================================================================


def _flat(text: str) -> str:
    return " ".join(text.split())


def _strip_markdown(text: str) -> str:
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
        line = re.sub(r"\s+#+\s*$", "", line)
        line = line.replace("**", "").replace("__", "")
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        if line.lstrip().startswith("|") or line.count("|") >= 2:
            if re.fullmatch(r"[\s|:\-–]+", line):
                line = ""
            else:
                line = line.replace("|", "   ")
        out.append(line)
    return "\n".join(out)


def _is_furniture(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if any(p.match(s) for p in _FURNITURE):
        return True
    if len(s) < 90 and _FURNITURE_ANYWHERE.search(s):
        return True
    return False


_TITLE_START = re.compile(
    r"^(?:inspection\s+of|focused\s+visit\s+to|monitoring\s+visit\s+to|joint\s+targeted\s+area\s+inspection)\b",
    re.I,
)


def _fold_line(line: str) -> str:
    return re.sub(r"[’'‘`]", "'", re.sub(r"\s+", " ", line.strip().lower()))


def _header_key(line: str) -> str:
    s = re.sub(r"\s+\d{1,3}\s*$", "", line.strip())
    s = re.sub(r"^\d{1,3}\s+", "", s)
    return re.sub(r"\d+", "#", s.lower())


def _is_bullet(line: str) -> bool:
    return bool(_BULLET_LINE.match(line))


def _strip_marker(line: str) -> str:
    line = _BULLET_LINE.sub("", line, count=1)
    line = _NUMBER_LINE.sub("", line, count=1)
    return line.strip()


_HEADING_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")


@lru_cache(maxsize=8192)  # every line is looked at by each heading search
def _heading_text(line: str) -> str:
    return _flat(_HEADING_NUMBER.sub("", line.strip()))  # numbered headings


_ENDS_WITH_FRAMEWORK_REF = re.compile(r"\([^()]*\b(?:outcome|enabler|principle)s?\s*\d[^()]*\)\s*$", re.I)


def _ends_sentence(text: str) -> bool:
    # a point of the newest letters ends with its national framework reference after the full stop
    return bool(re.search(r"[.!?;:][’'”\")\]]*\s*$", text) or _ENDS_WITH_FRAMEWORK_REF.search(text))


def _looks_like_heading(line: str, next_line: str | None = None) -> bool:
    """A short capitalised line without punctuation that is not continued on
    the next line."""
    s = line.strip()
    if not s or len(s) > 90 or _is_bullet(s):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    if re.search(r"[.,;:]\s*$", s) or "," in s:
        return False
    if next_line is not None and (next_line.strip()[:1].islower() or next_line.strip()[:1] in "(["):
        return False
    return len(s.split()) <= 10


# ==========================================================================
# Dates
# ==========================================================================


def _parse_range(span: str) -> tuple[date | None, date | None]:
    parts: list[list[int | None]] = []  # [day, month, year]
    for m in re.finditer(rf"((?:19|20)\d\d)\b|\b([0-3]?\d)(?:st|nd|rd|th)?\b|\b({MONTH_RE})", span, re.I):
        if m.group(1):
            if parts:
                # a year applies to the latest date and to earlier ones without a year
                for p in reversed(parts):
                    if p[2] is not None:
                        break
                    p[2] = int(m.group(1))
        elif m.group(2):
            parts.append([int(m.group(2)), None, None])
        elif m.group(3) and parts:
            month = _MONTHS.get(m.group(3).lower().rstrip("."))
            for p in reversed(parts):
                if p[1] is not None:
                    break
                p[1] = month
    parts = [p for p in parts if p[1] is not None and p[2] is not None]
    if not parts:
        return None, None
    try:
        first = parts[0]
        last = parts[-1]
        start = date(first[2], first[1], first[0])
        end = date(last[2], last[1], last[0])
    except (ValueError, TypeError):
        return None, None
    if start > end:
        try:
            start = start.replace(year=start.year - 1)
        except ValueError:
            return None, None
        if start > end:
            return None, None
    if (end - start).days > 120:
        return None, None
    return start, end


def _parse_date(text: str) -> date | None:
    start, _ = _parse_range(text)
    return start


# ==========================================================================
# The parser
# ==========================================================================


class _Doc:
    """Pre-processed views of the input text."""

    def __init__(self, text: str):
        text = normalise_text(text)
        if text.count("\n") > MAX_LINES:
            # only the first MAX_LINES lines are read: do not clean the rest
            text = "\n".join(text.split("\n", MAX_LINES + 1)[: MAX_LINES + 1])
        text = _strip_markdown(text)
        self.raw = text
        lines = text.replace("\f", "\n\f\n").split("\n")
        self.truncated = len(lines) > MAX_LINES
        lines = lines[:MAX_LINES]
        # cut the end matter (Ofsted boilerplate after a report)
        for i, line in enumerate(lines):
            if i > 20 and _END_MATTER.match(line.strip()):
                lines = lines[:i]
                break
        lines = _drop_footnotes(lines)
        self.raw_lines = [l for l in lines if l != "\f"]
        self.flat = _flat(" ".join(self.raw_lines))
        self.lines = self._clean(lines)
        # the text without page furniture: a sentence split by a page break reads on
        self.clean_flat = _flat(" ".join(line for line, _ in self.lines))
        # Pasted text often has one line per paragraph (no wrapping): then
        # every line is a unit of its own.
        long_lines = sum(1 for l, _ in self.lines if len(l) > 130)
        self.unwrapped = bool(self.lines) and long_lines >= max(2, 0.2 * len(self.lines))
        self.vocabulary = Counter(
            w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", self.flat)
        )
        self.hyphen_forms: dict[str, str] = {}
        for word, _ in self.vocabulary.most_common():
            if "-" in word and word.count("-") <= 3:
                self.hyphen_forms.setdefault(word.replace("-", ""), word)

    @staticmethod
    def _clean(lines: list[str]) -> list[tuple[str, bool]]:
        """Drop page furniture; return (line, blank_before) pairs."""
        counts = Counter(
            _header_key(l) for l in lines if l.strip() and l != "\f" and not _is_bullet(l)
        )
        out: list[tuple[str, bool]] = []
        blank = False
        seen_repeated: set[str] = set()
        # the title, repeated as a running header on later pages
        head = [_fold_line(l) for l in lines[:40] if l.strip() and l != "\f" and not _is_furniture(l.strip())]
        title_block = " ".join(head)
        title_seen = False
        for line in lines:
            if line == "\f":
                continue
            s = line.strip()
            if not s:
                blank = True
                continue
            if _is_furniture(s) or _DATE_LINE.match(s):
                continue
            folded = _fold_line(s)
            if _TITLE_START.match(s) and len(folded) >= 15 and folded in title_block:
                if title_seen:
                    continue
                title_seen = True
            key = _header_key(s)
            if (
                counts[key] >= 3
                and len(s) <= 120
                and not _is_bullet(s)
                and len(key.split()) >= 2
                and not _IMPROVE_HEAD.match(_heading_text(s))
                and not _PRIORITY_HEAD.match(_heading_text(s))
            ):
                if key in seen_repeated or counts[key] >= 3:
                    seen_repeated.add(key)
                    continue
            out.append((s, blank))
            blank = False
        return out


# The footnote of the newest letters' improvement heading ("1 The areas for improvement have been
# cross-referenced with the outcomes, enablers or principles in the Children's Social Care: National
# Framework. This statutory guidance sets out ..."): never a point, never part of one.
_FOOTNOTE_START = re.compile(
    r"^\s*(?:\d{1,2}|[¹²³⁴⁵⁶⁷⁸⁹])?\s*(?:The\s+|These\s+|All\s+)?(?:areas?\s+for\s+(?:improvement|priority\s+action)|"
    r"improvement\s+points?|points?|recommendations?|areas?)\b.{0,80}?\bcross[\s-]?referenced\b",
    re.I,
)
_FOOTNOTE_GO_ON = re.compile(
    r"^\s*(?:This\s+(?:is\s+)?statutory\s+guidance|The\s+National\s+Framework|principles\s+for\s+practice)", re.I
)


def _drop_footnotes(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _FOOTNOTE_START.match(line):
            out.append(line)
            i += 1
            continue
        # a footnote number alone on the line before
        if out and re.fullmatch(r"\s*(?:\d{1,2}|[¹²³⁴⁵⁶⁷⁸⁹])\s*", out[-1]):
            out.pop()
        text = line.strip()
        i += 1
        while i < len(lines) and i and len(text) < 600:
            nxt = lines[i].strip()
            if not nxt or nxt == "\f":
                break
            finished = bool(re.search(r"[.)]\s*$", text))
            if finished and not _FOOTNOTE_GO_ON.match(nxt):
                break
            text += " " + nxt
            i += 1
    return out


def _join_lines(parts: list[str], vocabulary: Counter) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not text:
            text = part
            continue
        m = re.search(r"([A-Za-z]+)-$", text)
        if m and re.match(r"\d", part):
            text = text + part  # "post-" + "16 qualifications"
        elif m and re.match(r"[a-z]", part):
            first = re.match(r"[A-Za-z]+", part)
            joined = (m.group(1) + (first.group(0) if first else "")).lower()
            hyphenated = m.group(1).lower() + "-" + (first.group(0).lower() if first else "")
            # a hyphen at a line end is kept (Ofsted's PDFs are not hyphenated
            # automatically) unless the document only knows the joined word
            if vocabulary.get(joined, 0) > 0 and vocabulary.get(hyphenated, 0) == 0 and len(m.group(1)) > 1:
                text = text[:-1] + part
            else:
                text = text + part
        else:
            text = text + " " + part
    return _flat(text)


# --- kind ------------------------------------------------------------------


def _detect_kind(doc: _Doc, warnings: list[str]) -> str | None:
    head = doc.flat[:6000]
    candidates = []
    patterns = (
        ("jtai", r"joint\s+targeted\s+area\s+inspection"),
        ("monitoring_visit", r"monitoring\s+visit\s+(?:to|of)\b"),
        ("monitoring_visit", r"findings\s+of\s+(?:the|a|an)\s+(?:\w+\s+)?monitoring\s+visit"),
        ("focused_visit", r"focused\s+visit\s+(?:to|of)\b"),
        ("focused_visit", r"findings\s+of\s+(?:the|a|an)\s+focused\s+visit"),
        ("inspection", r"inspection\s+of\s+.{0,80}?children" + APOS + r"?s?\s+(?:social\s+care\s+)?services(?!\s*(?:\(ILACS\)|framework))"),
        ("inspection", r"inspection\s+dates?\s*:"),
        ("inspection", r"judgement\s+grade\b"),
    )
    for kind, pattern in patterns:
        m = re.search(pattern, head, re.I)
        if m:
            candidates.append((m.start(), kind))
    if not candidates:
        return None
    candidates.sort()
    kind = candidates[0][1]
    if kind != "jtai" and not re.search(
        r"children" + APOS + r"?s?\s+(?:social\s+care\s+)?services|social\s+work\s+practice|\bILACS\b", head, re.I
    ):
        # e.g. a school's inspection report or monitoring letter
        warnings.append("This looks like an Ofsted publication, but not about a local authority's children's services.")
        return None
    if kind == "inspection":
        return "inspection"  # refined later with the dates
    return kind


def _inspection_kind(doc: _Doc, start: date | None, end: date | None, warnings: list[str]) -> str:
    head = doc.flat[:4000]
    if re.search(r"\bshort\s+inspection\s+of\b|\bthis\s+(?:was\s+a\s+)?short\s+inspection\b", head, re.I):
        return "short_inspection"
    if re.search(r"\b(?:standard|full)\s+inspection\s+of\b|\bthis\s+(?:was\s+a\s+)?standard\s+inspection\b", head, re.I):
        return "full_inspection"
    if start and end:
        return "short_inspection" if (end - start).days + 1 <= 8 else "full_inspection"
    warnings.append("Could not tell a short from a standard inspection (no visit dates); assumed standard.")
    return "full_inspection"


# --- visit dates -----------------------------------------------------------


def _visit_dates(doc: _Doc, kind: str | None) -> tuple[date | None, date | None]:
    flat = doc.flat
    patterns = [
        rf"inspection\s+dates?\s*:?\s*(?:from\s+)?({RANGE_RE})",
        rf"dates?\s+of\s+(?:the\s+)?(?:visit|inspection)\s*:?\s*({RANGE_RE})",
        rf"summarises\s+the\s+(?:main\s+)?findings\s+of\s+.{{0,300}}?\s(?:on|between|from|during)\s+({RANGE_RE})",
        rf"(?:visit|inspection)\s+(?:to|of)\s+.{{0,250}}?\s(?:on|between|from)\s+({RANGE_RE})",
        rf"\b(?:took\s+place|was\s+carried\s+out|were\s+carried\s+out|visited)\s+(?:on|between|from|during)\s+({RANGE_RE})",
        rf"\bBetween\s+({RANGE_RE})\s*,?\s+(?:Ofsted|inspectors|the\s+inspectorates)",
    ]
    for pattern in patterns:
        for m in re.finditer(pattern, flat[:20000], re.I):
            start, end = _parse_range(m.group(1))
            if start:
                return start, end
    # a report pasted without its first page: the running header gives the
    # dates (take the most common, in case one page has a mistyped year)
    headers = Counter(
        _flat(re.sub(r"\s+\d{1,3}\s*$", "", l.strip())) for l in doc.raw_lines if _DATE_LINE.match(l.strip())
    )
    for line, count in headers.most_common():
        if count >= 2:
            start, end = _parse_range(line)
            if start:
                return start, end
    return None, None


# --- publication date ---------------------------------------------------------


def _published_on(doc: _Doc) -> date | None:
    for line in doc.raw_lines[:80]:
        s = line.strip()
        if not s:
            continue
        if re.match(r"^(?:dear\b|focused visit to|monitoring visit to|inspection of|joint targeted area)", s, re.I):
            break
        if re.search(r"summarises the", s, re.I):
            break
        m = re.match(rf"^(?:(?:date|letter\s+date|publication\s+date|published(?:\s+on)?)\s*:?\s*)?({FULL_DATE_RE})\s*$", s, re.I)
        if not m:
            # pdftotext -layout may put the date beside the address block
            m = re.search(rf"(?:^|\s{{3,}})({FULL_DATE_RE})\s*$", s, re.I)
            if m and re.search(r"\bto\b|\band\b|inspection", s[: m.start(1)], re.I):
                m = None
        if m:
            d = _parse_date(m.group(1))
            if d:
                return d
    m = re.search(rf"(?:publication\s+date|date\s+published|published\s+on)\s*:?\s*({FULL_DATE_RE})", doc.flat[:5000], re.I)
    if m:
        return _parse_date(m.group(1))
    return None


def _report_published(doc: _Doc) -> date | None:
    m = re.search(rf"(?:report\s+published|publication\s+date|date\s+published)\s*:?\s*({FULL_DATE_RE})", doc.flat[:3000], re.I)
    return _parse_date(m.group(1)) if m else None


# --- authority ------------------------------------------------------------------


def _authority(doc: _Doc, warnings: list[str]) -> tuple[str | None, str | None]:
    flat = doc.flat[:8000]
    svc = r"children" + APOS + r"?s?\s+(?:social\s+care\s+)?services"
    phrases: list[str] = []
    for pattern in (
        rf"(?:focused|monitoring)\s+visit\s+to\s+(.{{2,90}}?)\s+(?:local\s+authority\s+)?{svc}",
        rf"inspection\s+of\s+(?!local\s+authority\s+children|children)(.{{2,90}}?)\s+(?:local\s+authority\s+)?{svc}",
        r"joint\s+targeted\s+area\s+inspection\s+of\s+the\s+multi-agency\s+response\s+to\s+.{3,250}?\s+in\s+((?:[A-Z][\w’'.-]*|and|of|upon|on|the|with)(?:\s+(?:[A-Z][\w’'.-]*|and|of|upon|on|the|with))*)",
        rf"(?:visit|inspection)\s+(?:to|of)\s+(.{{2,90}}?)\s+(?:local\s+authority\s+)?{svc}",
    ):
        for m in re.finditer(pattern, flat, re.I if "multi-agency" not in pattern else 0):
            phrases.append(m.group(1))
    # older reports: authority on the line above "Inspection of children's social care services"
    for i, line in enumerate(doc.raw_lines[:40]):
        if re.match(rf"^\s*inspection\s+of\s+(?:local\s+authority\s+)?{svc}", line, re.I):
            for prev in reversed(doc.raw_lines[max(0, i - 4):i]):
                if prev.strip() and not re.fullmatch(r"\s*\d+\s*", prev):
                    phrases.append(prev.strip())
                    break
    for phrase in phrases:
        found = match_authority(phrase)
        if found:
            return found
    cleaned = " ".join(line for line, _ in doc.lines[:40])  # without Ofsted's address
    found = match_authority(cleaned[:1500]) if cleaned else None
    if found:
        return found
    if phrases:
        name = _flat(re.sub(r"^(?:the\s+)", "", phrases[0], flags=re.I))
        warnings.append(f"Local authority '{name}' is not in the list of authorities.")
        return name, None
    return None, None


# --- inspectors ------------------------------------------------------------------

_ROLE_RE = re.compile(
    r"\(?\b(?:His|Her|Their)\s+Majesty" + APOS + r"?s\s+(?:Chief\s+)?Inspectors?\b(?:\s*\(HMI\))?\)?"
    r"|\(?\bHMIs?\b\)?|\(?\bdesignate\b\)?|\(\s*\)"
    r"|\b(?:Senior|Lead|Regulatory|Social\s+Care\s+Regulatory|Ofsted|Team)?\s*Inspectors?\b"
    r"|\bOIs?\b|\bSCRIs?\b|\bInspector\s+designate\b",
    re.I,
)


# Words of a report's furniture that look like a capitalised name ("Judgement Grade").
_NOT_NAME_WORDS = _TABLE_WORDS | {
    "inspection", "inspections", "dates", "date", "lead", "inspector", "inspectors", "children", "services",
    "local", "authority", "report", "published", "ofsted", "framework", "social", "work", "contents",
}


def _looks_like_name(text: str) -> bool:
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or len(text) > 60:
        return False
    if sum(1 for tok in tokens if tok.lower().strip(".") in _NOT_NAME_WORDS) == len(tokens):
        return False
    for tok in tokens:
        if tok.lower() in _NAME_PARTICLES:
            continue
        if not re.fullmatch(r"[A-Z][A-Za-z’'\-]*\.?|[A-Z]\.", tok):
            return False
    return True


def _names_from_list(text: str) -> list[str]:
    """Names in "A, B and C", without roles; people qualified as designate
    or shadowing inspectors are not members of the inspection team."""
    names: list[str] = []
    pieces = re.split(r"(?:,|;|\band\b|\bwith\b|&|\balongside\b)", text)
    for piece in pieces:
        if re.search(r"\bdesignate\b|\bshadow", piece, re.I):
            stripped = _names_from_piece(piece)
            if stripped:
                continue  # "Teresa Godfrey, HMI designate" in one piece
            if names:
                names.pop()  # "Teresa Godfrey" then ", HMI designate"
            continue
        for name in _names_from_piece(piece):
            if name not in names:
                names.append(name)
    return names


def _names_from_piece(text: str) -> list[str]:
    text = re.sub(r"(?<=[A-Za-z])-\s+(?=[A-Z])", "-", text)  # "Thomson-" / "Jones" over a line break
    text = _ROLE_RE.sub(" , ", text)
    text = re.sub(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+", "", text)
    parts = re.split(r",|;|\band\b|\bwith\b|&|\balongside\b|\bsupported\s+by\b", text)
    names = []
    for part in parts:
        part = _flat(part).strip(" .:()")
        if _looks_like_name(part) and part not in names:
            names.append(part)
    return names


def _inspectors(doc: _Doc, kind: str | None) -> list[str]:
    flat = doc.flat
    maj = r"(?:His|Her|Their)\s+Majesty" + APOS + r"?s\s+Inspectors?"
    end = r"(?P<list>[^.]{3,400}?)\.(?=\s|$)"
    patterns = [
        rf"{maj}\s*(?:\(HMIs?\)\s*)?(?:for\s+this\s+(?:visit|inspection)\s+)?(?:were|was|are|is)\s+{end}",
        rf"\bThe\s+(?:lead\s+)?inspectors?\s+(?:for\s+this\s+(?:visit|inspection)\s+)?(?:were|was)\s+{end}",
        rf"\bcarried\s+out\s+by\s+(?:{maj}\s*,?\s*)?{end}",
        rf"\bThe\s+inspection\s+team\s+(?:was|were|comprised|consisted\s+of)\s+{end}",
        rf"\bInspectors\s+(?:for\s+this\s+(?:visit|inspection)\s+)?were\s+{end}",
    ]
    lead: list[str] = []
    for i, line in enumerate(doc.raw_lines[:120]):
        m = re.match(r"^\s*Lead\s+inspector\s*:?\s*(.*)$", line, re.I)
        if m:
            rest = m.group(1)
            following = [l for l in doc.raw_lines[i + 1:i + 8] if l.strip()]
            if not _names_from_list(rest) and following:
                rest = rest + " " + following[0]
            lead = _names_from_list(rest)[:1]
            break
    found: list[str] = []
    for text in (doc.clean_flat, flat):
        best_pos = None
        for pattern in patterns:
            m = re.search(pattern, text[:15000])
            if m and (best_pos is None or m.start() < best_pos):
                names = _names_from_list(m.group("list"))
                if names:
                    found, best_pos = names, m.start()
        if found:
            break
    if lead:
        rest = [n for n in found if n != lead[0]]
        team = []
        m = re.search(r"\b(?:Team\s+inspectors?|Inspection\s+team)\s*:\s*(.{3,300}?)(?:\n|$)", doc.raw, re.I)
        if m:
            team = [n for n in _names_from_list(m.group(1)) if n != lead[0]]
        return lead + team
    if found:
        return found
    # fall back on the signature of an Ofsted visit letter ("Name / His
    # Majesty's Inspector"); JTAI letters are signed by inspectorate directors
    if kind not in ("focused_visit", "monitoring_visit"):
        return []
    for i, line in enumerate(doc.raw_lines):
        if re.match(r"^\s*Yours\s+(?:sincerely|faithfully)", line, re.I):
            for nxt in doc.raw_lines[i + 1:i + 6]:
                s = nxt.strip()
                if not s:
                    continue
                names = _names_from_list(s)
                after = " ".join(l for l in doc.raw_lines[i + 2:i + 8] if l.strip())
                if names and re.search(r"\bInspector\b|\bHMI\b", after):
                    return names[:1]
            break
    return []


# --- judgements ----------------------------------------------------------------------


def _norm_grade(text: str) -> str:
    t = _flat(text).lower()
    if t.startswith("requires"):
        return "requires_improvement"
    return _GRADE_MAP.get(t, t)


def _table_region(doc: _Doc) -> tuple[str | None, int]:
    """The judgement table's text and the index of the first line after it."""
    lines = doc.raw_lines[:250]
    start = None
    for i, line in enumerate(lines):
        s = _flat(line).lower()
        if re.match(r"^judgements?\s+grades?$", s) or (s in ("judgement", "judgements") and i + 1 < len(lines)):
            start = i
            break
    if start is None:
        for i, line in enumerate(lines):
            if re.match(r"^\s*(?:the\s+impact\s+of\s+leaders|overall\s+effectiveness)\b", line, re.I):
                # only a table if followed by table vocabulary lines
                start = i
                break
    if start is None:
        return None, 0
    collected = []
    end = start
    for end, line in enumerate(lines[start:start + 60], start=start):
        s = line.strip()
        if s == "\f":
            continue
        if not s:
            collected.append("")
            continue
        words = re.findall(r"[A-Za-z]+", s.lower())
        if words and all(w in _TABLE_WORDS for w in words) and not re.search(r"[.,;]$", s):
            collected.append(line.rstrip())
            continue
        if re.fullmatch(r"[\s\d]*", s):
            continue
        break
    region = "\n".join(collected)
    if not re.search(r"overall\s+effectiveness|impact\s+of\s+leaders|experiences\s+and\s+progress", region, re.I):
        return None, 0
    return region, end


_GRADE_WORDS_ONLY = re.compile(r"(?:(?:requires|improvement|to|be|good|outstanding|inadequate)\s*)+", re.I)


def _split_table(region: str) -> tuple[str, str]:
    """Separate a table's text into (area text, grade text).

    Cells may come side by side (``pdftotext -layout``: columns separated by
    runs of spaces), one after the other, or mixed ("and families Good"), and
    a grade may be split over lines ("Requires improvement to" / "be good").
    Each stream keeps its own order.
    """
    area_parts: list[str] = []
    grade_parts: list[str] = []
    for line in region.split("\n"):
        for segment in re.split(r"\s{3,}|\t+", line.strip()):
            segment = segment.strip()
            if not segment:
                continue
            if _GRADE_WORDS_ONLY.fullmatch(segment) and not re.fullmatch(r"(?:to|be|to\s+be)", segment, re.I):
                grade_parts.append(segment)
                continue
            if re.fullmatch(r"(?:to\s+)?be\s+good|to", segment, re.I):
                grade_parts.append(segment)
                continue
            m = re.search(r"\s(" + GRADE_RE + r"(?:\s+to(?:\s+be)?)?)\s*$", segment, re.I)
            if m and not re.match(r"(?:overall\s+effectiveness|the\s+)", m.group(1), re.I):
                grade_parts.append(m.group(1))
                segment = segment[: m.start()]
            elif re.fullmatch(GRADE_RE, segment, re.I):
                grade_parts.append(segment)
                continue
            area_parts.append(segment)
    return " ".join(area_parts), " ".join(grade_parts)


def _areas_in(text: str) -> list[tuple[int, str]]:
    found = []
    taken: list[tuple[int, int]] = []
    for area, pattern in _AREA_PATTERNS:
        for m in re.finditer(pattern, text, re.I):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), area))
    found.sort()
    return found


def _judgements(doc: _Doc, kind: str | None, warnings: list[str]) -> list[ParsedJudgement]:
    # 1. grades stated in the section headings of the report body
    heading_grades: dict[str, str] = {}
    region, table_end = _table_region(doc)
    body = "\n".join(doc.raw_lines[table_end:])  # the table's rows are not headings
    for area, pattern in _AREA_PATTERNS:
        if area == "overall_effectiveness":
            continue
        for m in re.finditer(
            rf"(?:^|\n)[ \t]*{pattern}[ \t\n]*(?:is|are)?[ \t]*(?::|\n|[ \t]+-[ \t]+|[ \t]+(?=requires))[ \t\n]*({GRADE_RE})[ \t]*(?:\n|$)",
            body,
            re.I,
        ):
            heading_grades.setdefault(area, _norm_grade(m.group(1)))
    # an area heading may be a prefix of a longer one ("children in care" vs
    # "children in care and care leavers")
    if "children_in_care_and_care_leavers" in heading_grades:
        heading_grades.pop("children_in_care", None)

    # 2. the judgement table
    table: list[tuple[str, str]] = []
    table_grades: list[str] = []
    if region:
        area_text, grade_text = _split_table(region)
        table_grades = [_norm_grade(m.group(0)) for m in re.finditer(GRADE_RE, grade_text, re.I)]
        areas = [a for _, a in _areas_in(area_text)]
        if "children_in_care_and_care_leavers" in areas:
            areas = [a for a in areas if a not in ("children_in_care", "care_leavers")] if areas.count("children_in_care") == 0 else areas
        if areas and len(areas) == len(table_grades):
            table = list(zip(areas, table_grades))
        elif areas:
            warnings.append("The judgement table could not be read cell by cell.")

    result: dict[str, str] = {}
    if table:
        consistent = all(heading_grades.get(a, g) == g for a, g in table)
        if consistent:
            result = dict(table)
            for a, g in heading_grades.items():
                result.setdefault(a, g)
        else:
            warnings.append("The judgement table's cells are out of order; used the section headings.")
            result = dict(heading_grades)
            remaining = Counter(table_grades)
            for g in heading_grades.values():
                remaining[g] -= 1
            left = [g for g, n in remaining.items() if n > 0]
            if len(left) == 1 and sum(n for n in remaining.values() if n > 0) == 1:
                result["overall_effectiveness"] = left[0]
    else:
        result = dict(heading_grades)
        if region and table_grades and heading_grades:
            remaining = Counter(table_grades)
            for g in heading_grades.values():
                remaining[g] -= 1
            left = [g for g, n in remaining.items() if n > 0]
            if len(left) == 1 and sum(n for n in remaining.values() if n > 0) == 1:
                result["overall_effectiveness"] = left[0]
    if not result:
        return []
    order = {a: i for i, a in enumerate(
        ("overall_effectiveness", "impact_of_leaders", "help_and_protection",
         "children_in_care", "care_leavers", "children_in_care_and_care_leavers"))}
    # keep the order of the table when there is one
    if table:
        seq = [a for a, _ in table] + sorted((a for a in result if a not in dict(table)), key=order.get)
    else:
        seq = sorted(result, key=order.get)
    return [ParsedJudgement(a, result[a]) for a in seq if a in result]


# --- sections (improvements, priority actions, headline) -------------------------------


def _find_headings(lines: list[tuple[str, bool]], regex: re.Pattern) -> list[tuple[int, int]]:
    """Indices (start, first content line) of lines matching a heading regex,
    allowing a heading to be wrapped over two lines."""
    found = []
    for i, (line, _) in enumerate(lines):
        if len(line) > 160 or not line[:1].isalnum():
            continue  # headings are short and start with a letter or number
        text = _heading_text(line)
        if len(text) > 120:
            continue
        if regex.match(text):
            found.append((i, i + 1))
        elif i + 1 < len(lines) and len(text) < 80 and not _ends_sentence(text):
            joined = text + " " + _heading_text(lines[i + 1][0])
            if regex.match(joined):
                found.append((i, i + 2))
    return found


def _is_any_heading(text: str) -> bool:
    t = _heading_text(text)
    if not t[:1].isupper():
        return False  # a wrapped line ("the experiences and progress of ...")
    return bool(_IMPROVE_HEAD.match(t) or _PRIORITY_HEAD.match(t) or _OTHER_HEAD.match(t))


def _section_items(
    lines: list[tuple[str, bool]], begin: int, vocabulary: Counter, unwrapped: bool = False
) -> list[str]:
    """Read the list that starts at ``begin`` (the line after a heading)."""
    items: list[list[str]] = []
    intro: list[str] = []
    mode = None  # "bullet" or "plain"
    list_style = None  # "glyph" or "number"
    last_number = 0
    i = begin
    plain: list[tuple[str, bool]] = []
    while i < len(lines):
        line, blank_before = lines[i]
        text = line.strip()
        following = lines[i + 1][0] if i + 1 < len(lines) else None
        if _is_any_heading(text) or (
            i + 1 < len(lines) and not _ends_sentence(text) and len(text) < 80
            and _is_any_heading(text + " " + lines[i + 1][0])
            and not _is_bullet(text)
        ):
            break
        number = re.match(r"^\s*\(?(\d{1,2})[.)]\s", text)
        if mode == "bullet" and number:
            if list_style == "glyph" or int(number.group(1)) != last_number + 1:
                break  # numbered paragraphs of the report body, not the list
        is_item_start = _is_bullet(text) or (mode in (None, "bullet") and bool(_NUMBER_LINE.match(text)) and not plain)
        if is_item_start:
            if list_style is None:
                list_style = "glyph" if _is_bullet(text) else "number"
            if number:
                last_number = int(number.group(1))
            if mode == "plain" and plain:
                # intro sentence(s) before the bullets
                intro = [t for t, _ in plain]
                plain = []
            mode = "bullet"
            first_text = _strip_marker(text)
            items.append([first_text] if first_text else [])
        elif mode == "bullet" and not items[-1]:
            items[-1].append(text)  # a bullet glyph alone on its line
        elif mode == "bullet" and unwrapped:
            break  # one line per paragraph: a plain line after the list ends it
        elif mode == "bullet":
            last = " ".join(items[-1])
            if _ends_sentence(last) and text[:1].isupper() and (blank_before or _looks_like_heading(text, following)):
                break
            if blank_before and _looks_like_heading(text, following):
                break
            items[-1].append(text)
        else:
            if plain and blank_before and _ends_sentence(plain[-1][0]) and _looks_like_heading(text, following):
                break
            if plain and _looks_like_heading(text, following) and _ends_sentence(plain[-1][0]) and len(text.split()) <= 6:
                break
            mode = "plain"
            plain.append((text, blank_before))
        i += 1
        if len(items) > 60 or len(plain) > 200:
            break
    result: list[str] = []
    if mode == "bullet":
        result = [_join_lines(parts, vocabulary) for parts in items]
        if intro:
            lead = _join_lines(intro, vocabulary)
            if re.search(r"[:–—-]\s*$", lead):
                # a lead-in ("... including:") and its sub-points are one point
                result = [_join_lines([lead] + result, vocabulary)]
            elif not _is_nothing_statement(lead):
                result = [lead] + result
    elif plain:
        # no bullets: items are paragraphs (blank-line separated) or lines
        # ending a sentence
        chunks: list[list[str]] = []
        has_blanks = any(b for _, b in plain[1:])
        widest = max(len(t) for t, _ in plain)
        for text, blank_before in plain:
            previous = chunks[-1][-1] if chunks else ""
            starts_point = text[:1].isupper() or text[:1].isdigit() or text[:1] in "‘“'\"("
            if not chunks or unwrapped:
                new = True
            elif has_blanks and blank_before:
                new = _ends_sentence(previous) or starts_point
            elif _ends_sentence(previous):
                new = not has_blanks or starts_point
            else:
                # an unpunctuated point on its own line (pasted text): the
                # line is clearly shorter than the wrapped lines around it
                new = starts_point and not has_blanks and len(previous) < 0.7 * widest and widest > 40
            if new:
                chunks.append([text])
            else:
                chunks[-1].append(text)
        result = [_join_lines(c, vocabulary) for c in chunks]
        # long narrative paragraphs are not a list of points
        if any(len(r) > 600 for r in result):
            result = [r for r in result if len(r) <= 600]
    result = [r for r in result if r and not _is_nothing_statement(r)]
    return result


def _is_nothing_statement(text: str) -> bool:
    t = text.lower()
    return bool(
        re.search(r"\bthere\s+are\s+no\s+(?:additional\s+|further\s+|new\s+)?(?:areas?|priority|recommendations|actions)", t)
        or re.search(r"\b(?:set|identified)\s+at\s+the\s+(?:last|previous).{0,60}\bremain\b", t)
        or re.fullmatch(r"\s*(?:none|n/a|not applicable)\.?\s*", t)
    )


def _rehyphenate(text: str, vocabulary: Counter, forms: dict[str, str]) -> str:
    """Put back hyphens that an extractor dropped when it joined a word broken
    at a line end ("decisionmaking" when the document mostly says
    "decision-making")."""

    def fix(m: re.Match) -> str:
        word = m.group(0)
        form = forms.get(word.lower())
        if not form or vocabulary.get(form, 0) < vocabulary.get(word.lower(), 0):
            return word
        out, pos = [], 0
        for part in form.split("-"):
            out.append(word[pos:pos + len(part)])
            pos += len(part)
        return "-".join(out)

    return re.sub(r"\b[A-Za-z]{5,}\b", fix, text)


@dataclass
class _Section:
    points: list[str] = field(default_factory=list)
    refs: list[list[str]] = field(default_factory=list)
    unknown_refs: list[str] = field(default_factory=list)
    heading_found: bool = False
    unread_text: str = ""  # the text under a heading that gave no point


def _sections(doc: _Doc, regex: re.Pattern) -> _Section:
    section = _Section()
    for _, first in _find_headings(doc.lines, regex):
        section.heading_found = True
        items = _section_items(doc.lines, first, doc.vocabulary, doc.unwrapped)
        if not items and not section.unread_text:
            section.unread_text = _section_text(doc, first)
        for item in items:
            item = _rehyphenate(item, doc.vocabulary, doc.hyphen_forms)
            item, refs, unknown = split_refs(item)
            section.unknown_refs.extend(r for r in unknown if r not in section.unknown_refs)
            if item and item not in section.points:
                section.points.append(item)
                section.refs.append(refs)
    return section


def _section_text(doc: _Doc, first: int) -> str:
    """The lines under a heading, up to the next heading (at most 40 lines), for the admin to read
    when no point could be taken from them."""
    out = []
    for line, _ in doc.lines[first:first + 40]:
        if _is_any_heading(line):
            break
        out.append(line)
    return "\n".join(out)[:4000]


def _headline(doc: _Doc) -> str:
    lines = doc.lines
    heads = _find_headings(
        lines, re.compile(r"^(?:headline\s+findings|overview|summary(?:\s+of\s+findings)?|key\s+findings)\s*:?$", re.I)
    )
    start = None
    if heads:
        start = heads[0][1]
    else:
        # reports: the paragraphs after the judgement table
        for i, (line, _) in enumerate(lines[:200]):
            if re.match(r"^overall\s+effectiveness\b", line, re.I):
                start = i + 1
                while start < len(lines) and re.fullmatch(
                    r"(?:requires\s+improvement(?:\s+to)?|to\s+be\s+good|be\s+good|good|outstanding|inadequate)\s*",
                    lines[start][0], re.I
                ):
                    start += 1
                break
    if start is None:
        start = _line_after_table(doc)  # reports from April 2026 have no overall effectiveness row
    if start is None:
        return ""
    paragraphs: list[list[str]] = []
    for line, blank in lines[start:start + 80]:
        if _is_any_heading(line):
            break
        if not paragraphs or blank:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    text = "\n\n".join(_join_lines(p, doc.vocabulary) for p in paragraphs[:4])
    return text[:4000]


def _line_after_table(doc: _Doc) -> int | None:
    """Index in ``doc.lines`` of the first line after the judgement table, or None."""
    region, end = _table_region(doc)
    if not region:
        return None
    following = next((l.strip() for l in doc.raw_lines[end:end + 20] if l.strip() and l.strip() != "\f"), None)
    if following is None:
        return None
    for i, (line, _) in enumerate(doc.lines[:250]):
        if line == following:
            return i
    return None


# --- focus area ------------------------------------------------------------------------

_FOCUS_RULES = (
    ("front_door", r"front[\s-]+door|contacts?\s+and\s+referrals?|multi-agency\s+safeguarding\s+hub|\bMASH\b|first\s+response|initial\s+response|children" + APOS + r"?s?\s+advice"),
    ("children_at_risk_outside_home", r"vulnerable\s+adolescents|outside\s+(?:of\s+)?(?:the\s+)?home|extra[\s-]?familial|exploitation|go(?:ing)?\s+missing|missing\s+from"),
    ("placement_decisions_older_children", r"placement\s+decision|decisions?\s+(?:about|on|for|regarding)\s+(?:the\s+)?(?:placements?|where)|decisions?\s+to\s+place|placements?\s+(?:for|of)\s+older|older\s+children"),
    ("care_leavers", r"care\s+leavers?|care[\s-]+experienced|leaving\s+care|moving\s+into\s+adulthood"),
    ("permanence", r"permanence|adoption|special\s+guardianship"),
    ("disabled_children", r"disabled\s+children|children\s+with\s+(?:a\s+)?disabilit"),
    ("children_in_care", r"children\s+in\s+care|looked[\s-]+after|children\s+(?:who\s+are\s+)?in\s+the\s+care"),
    ("children_in_need_and_child_protection", r"children\s+in\s+need|child\s+protection|help\s+and\s+protection|protection\s+plans?|edge\s+of\s+care|need\s+of\s+help"),
)


def _focus_area(doc: _Doc, kind: str | None) -> str | None:
    if kind not in ("focused_visit", "monitoring_visit"):
        return None
    flat = doc.flat[:12000]
    sentence = None
    for pattern in (
        r"(?:Inspectors|The\s+inspectors|This\s+visit|The\s+visit)\s+(?:looked\s+at|considered|reviewed|evaluated|examined|focused\s+on)\s+[^.]{0,80}?\b(?:arrangements|response|services)\s+(?:and\s+support\s+)?(?:for|to|in)\b[^.]{0,300}",
        r"(?:This|The)\s+visit\s+focused\s+(?:specifically\s+)?on\s+[^.]{0,300}",
        r"\b(?:inspectors|the\s+inspectors|this\s+visit)\s+(?:reviewed|considered|evaluated|looked\s+at)\s+(?:the\s+)?progress\s+(?:made\s+)?(?:in|on|for)\s+[^.]{0,400}",
        r"focus(?:ed)?\s+on\s+(?:the\s+local\s+authority" + APOS + r"?s?\s+)?arrangements\s+for\s+[^.]{0,300}",
    ):
        m = re.search(pattern, flat, re.I)
        if m:
            sentence = m.group(0)
            break
    if not sentence:
        return None
    # the main clause of the sentence decides; later qualifiers
    # ("with a specific focus on ...") only break ties
    main = re.split(r",?\s+(?:with\s+a\s+(?:specific\s+)?focus|including|specifically|focusing|in\s+line\s+with)\b", sentence, maxsplit=1)[0]
    best = None
    for text in (main, sentence):
        hits = []
        for area, pattern in _FOCUS_RULES:
            m = re.search(pattern, text, re.I)
            if m:
                hits.append((m.start(), _FOCUS_PRIORITY[area], area))
        if hits:
            hits.sort(key=lambda h: (h[1], h[0]))
            best = hits[0][2]
            break
    return best


_FOCUS_PRIORITY = {area: i for i, (area, _) in enumerate(_FOCUS_RULES)}


# --- main entry point -----------------------------------------------------------------


def parse_publication(text: str) -> ParsedPublication:
    """Parse the text of an Ofsted publication. Never raises."""
    warnings: list[str] = []
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if len(text) > MAX_INPUT_CHARS:
            warnings.append("The text is very long; only the beginning was read.")
            text = text[:MAX_INPUT_CHARS]
        return _parse(text, warnings)
    except Exception as exc:  # pragma: no cover - defensive: never raise
        warnings.append(f"The text could not be fully read ({type(exc).__name__}).")
        return ParsedPublication(warnings=warnings)


def _parse(text: str, warnings: list[str]) -> ParsedPublication:
    _heading_text.cache_clear()  # a cache per document (and honest timings of a document read again)
    doc = _Doc(text)
    if doc.truncated:
        warnings.append("The text has very many lines; only the beginning was read.")
    if not doc.flat:
        warnings.append("The text is empty.")
        return ParsedPublication(warnings=warnings)
    kind = _detect_kind(doc, warnings)
    start, end = _visit_dates(doc, kind)
    if kind == "inspection":
        kind = _inspection_kind(doc, start, end, warnings)
    if kind is None:
        warnings.append("Could not tell what kind of Ofsted publication this is.")
    if start is None and kind is not None:
        warnings.append("Could not find the dates of the visit or inspection.")
    authority, urn = _authority(doc, warnings)
    if authority is None and kind is not None:
        warnings.append("Could not find the local authority's name.")
    inspectors = _inspectors(doc, kind)
    if not inspectors and kind is not None:
        warnings.append("Could not find the inspectors' names.")
    judgements = _judgements(doc, kind, warnings) if kind in ("full_inspection", "short_inspection", None) else []
    if kind in ("full_inspection", "short_inspection") and not judgements:
        warnings.append("Could not find the judgement table.")
    improvement_section = _sections(doc, _IMPROVE_HEAD)
    priority_section = _sections(doc, _PRIORITY_HEAD)
    improvements, priority = improvement_section.points, priority_section.points
    if improvement_section.heading_found and not improvements:
        warnings.append(
            "The document has a “what needs to improve” heading, but no improvement point could be read under it."
        )
    if priority_section.heading_found and not priority:
        warnings.append("The document has an “areas for priority action” heading, but no priority action could be read under it.")
    unknown = improvement_section.unknown_refs + priority_section.unknown_refs
    if unknown:
        warnings.append(
            "Unknown national framework references left out: " + ", ".join(dict.fromkeys(unknown)) + "."
        )
    published = _published_on(doc) if kind not in ("full_inspection", "short_inspection") else _report_published(doc)
    if published is None and kind in ("focused_visit", "monitoring_visit", "jtai"):
        warnings.append("Could not find the date of the letter.")
    return ParsedPublication(
        local_authority=authority,
        authority_urn=urn,
        kind=kind,
        framework="JTAI" if kind == "jtai" else "ILACS",
        visit_start=start,
        visit_end=end,
        published_on=published,
        inspectors=inspectors,
        judgements=judgements,
        improvements=improvements,
        priority_actions=priority,
        focus_area=_focus_area(doc, kind),
        headline=_headline(doc),
        warnings=warnings,
        improvement_refs=improvement_section.refs,
        priority_action_refs=priority_section.refs,
        improvement_heading_without_points=improvement_section.heading_found and not improvements,
        unread_improvement_section=improvement_section.unread_text if not improvements else "",
    )


def require_ofsted_publication(parsed: ParsedPublication) -> ParsedPublication:
    """Raise :class:`NotAnOfstedPublication` unless the parsed text is recognisably
    an Ofsted children's services publication; return it otherwise."""
    if parsed.kind is None and not parsed.judgements:
        raise NotAnOfstedPublication(
            "This does not look like an Ofsted report or letter about a local authority's children's services."
        )
    return parsed

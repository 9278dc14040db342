"""Reads for the letter import's preview (earlier findings a new one may repeat, themes suggested) and the
themes as choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from findings.forms import NEW_AUTHORITY
from findings.models import Finding, FindingKind, Theme
from findings.services import theme_suggest
from inspections.models import LocalAuthority
from inspections.selectors import authority_ids_for, authority_matching, council_choice_lists, import_authorities_for
from inspections.services import NewAuthority, inspection_find_duplicate


def _theme_options() -> list[tuple[int, str]]:
    return list(Theme.objects.order_by("position", "name").values_list("id", "name"))


def theme_options_for(user) -> list[tuple[int, str]]:
    """Every theme as an (id, name) choice, in the themes' order. Themes are shared, and every change to
    one raises every council's visits revision (findings.services.theme_save), so the list is kept under
    the visits revision of the first of the user's councils, read with the request's scope: no query once
    kept. Someone with no council (a partner) reads it."""
    first = authority_ids_for(user)[:1]
    if not first:
        return _theme_options()
    kept = council_choice_lists(user, lambda missing: {pk: _theme_options() for pk in missing},
                                name="theme-options", authority_ids=first)
    return kept[first[0]]


def earlier_findings_for(authority: LocalAuthority | None, *, before=None) -> list[Finding]:
    """Findings of this authority's publications before a date (all of them without one), newest first."""
    if authority is None or not authority.pk:
        return []
    findings = Finding.objects.filter(inspection__authority=authority).select_related("inspection")
    if before:
        findings = findings.filter(inspection__visit_start__lt=before)
    return list(findings.order_by("-inspection__visit_start", "kind", "position"))


class ImportPreview:
    """Everything the preview page shows about a draft besides the forms, read once per request."""

    def __init__(self, user, draft):
        parsed = draft.parsed
        self.draft = draft
        self.parsed = parsed
        self.authorities = import_authorities_for(user)
        self.themes = list(Theme.objects.order_by("position", "name"))
        named = parsed.get("local_authority")
        self.letter_authority = authority_matching(name=named, urn=parsed.get("authority_urn"))
        self.new_authority = None
        self.not_yours = None
        own = {a.pk for a in self.authorities}
        if self.letter_authority is None and named and parsed.get("authority_urn"):
            self.new_authority = NewAuthority(name=named, ofsted_urn=parsed["authority_urn"])
        elif self.letter_authority is not None and self.letter_authority.pk not in own:
            self.not_yours = self.letter_authority
        self.suggested_authority = self.letter_authority if self.letter_authority and not self.not_yours else None

        def iso(name):
            value = parsed.get(name)
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                return None

        self.visit_start, self.visit_end, self.published_on = iso("visit_start"), iso("visit_end"), iso("published_on")
        self._user = user
        self._find_duplicate = inspection_find_duplicate
        self.warnings = list(parsed.get("warnings") or [])
        # never silent: a "what needs to improve" heading the importer read no point from
        self.improvement_heading_without_points = bool(parsed.get("improvement_heading_without_points"))
        self.unread_improvement_section = parsed.get("unread_improvement_section") or ""
        if self.improvement_heading_without_points:
            self.warnings = [w for w in self.warnings if "no improvement point could be read" not in w]
        if not parsed.get("improvements") and not parsed.get("priority_actions"):
            self.warnings.append(
                "No improvement points or priority actions were found: add them below if the publication has them."
            )
        self._theme_suggest = theme_suggest

    @cached_property
    def _duplicate(self):
        # Read only when the page shows it: a successful confirm never needs it (the service checks again).
        return self._find_duplicate(
            sha256=self.draft.source_sha256,
            authority=self.letter_authority,
            kind=self.parsed.get("kind"),
            visit_start=self.visit_start,
            visit_end=self.visit_end,
        ) or (None, False)

    @property
    def duplicate(self):
        return self._duplicate[0]

    @property
    def duplicate_is_same_document(self) -> bool:
        return self._duplicate[1]

    @property
    def duplicate_visible(self) -> bool:
        return bool(self.duplicate and self.duplicate.authority_id in authority_ids_for(self._user))

    def earlier_findings(self, authority) -> list[Finding]:
        return earlier_findings_for(authority, before=self.visit_start)

    def initial(self) -> dict:
        parsed = self.parsed
        initial = {
            "authority": self.suggested_authority.slug if self.suggested_authority else "",
            "kind": parsed.get("kind") or "",
            "focus_area": parsed.get("focus_area") or "",
            "visit_start": self.visit_start,
            "visit_end": self.visit_end,
            "published_on": self.published_on,
            "inspectors": "\n".join(parsed.get("inspectors") or []),
            "headline": parsed.get("headline") or "",
        }
        if self.new_authority is not None:
            initial["authority"] = NEW_AUTHORITY
        for judgement in parsed.get("judgements") or []:
            initial[f"grade_{judgement['area']}"] = judgement["grade"]
        return initial

    def points_initial(self) -> list[dict]:
        parsed = self.parsed
        if parsed.get("kept_points"):
            # the list as the admin left it at the last "Update the list" or "Add another point"
            return [{**row, "ORDER": position} for position, row in enumerate(parsed["kept_points"], start=1)]

        def with_refs(texts_key, refs_key, kind):
            texts = parsed.get(texts_key) or []
            refs = list(parsed.get(refs_key) or [])  # drafts made before the tags existed have none
            refs += [[]] * (len(texts) - len(refs))
            return [(kind, text, list(tags)) for text, tags in zip(texts, refs)]

        points = with_refs("priority_actions", "priority_action_refs", FindingKind.PRIORITY_ACTION)
        points += with_refs("improvements", "improvement_refs", FindingKind.IMPROVEMENT)
        rows = []
        for position, (kind, text, tags) in enumerate(points, start=1):
            theme = self._theme_suggest(text, self.themes)
            rows.append({
                "text": text, "kind": kind, "theme": str(theme.pk) if theme else "", "ORDER": position,
                "framework_refs": tags,
            })
        return rows


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    points: tuple[int, ...]  # the numbers of the points (in the preview's list) this line belongs to


_ANCHOR_CHARACTERS = 80


def source_lines(text: str, point_texts: list[str]) -> list[SourceLine]:
    """The document's text as read, line by line, each line marked with the points read from it.

    A point is found by its first words (whitespace and case ignored, as extraction wraps lines anywhere);
    it covers the lines from there for its length. A point typed by hand, or changed beyond its start, is
    not found and marks nothing.
    """
    if not text:
        return []
    lines = text.splitlines()
    flat: list[str] = []
    line_of: list[int] = []
    for index, line in enumerate(lines):
        for word in line.split():
            if flat:
                flat.append(" ")
                line_of.append(index)
            for character in word.lower():
                flat.append(character)
                line_of.append(index)
    joined = "".join(flat)
    marks: dict[int, list[int]] = {}
    for number, point in enumerate(point_texts, start=1):
        wanted = " ".join((point or "").lower().split())
        if len(wanted) < 20:
            continue
        start = joined.find(wanted[:_ANCHOR_CHARACTERS])
        if start < 0:
            continue
        end = min(start + len(wanted), len(joined)) - 1
        for index in range(line_of[start], line_of[end] + 1):
            marks.setdefault(index, []).append(number)
    return [SourceLine(number=i + 1, text=line, points=tuple(marks.get(i, ()))) for i, line in enumerate(lines)]

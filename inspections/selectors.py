"""Reads for inspection pages, always scoped to the user's authorities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.cache import caches
from django.db import connection
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.selectors import authorities_for, authority_ids_for
from actions.models import Action, Status
from actions.selectors import progress_counts
from config.page_cache import PAGE_CACHE
from findings.models import Finding
from inspections.models import GRADED_KINDS, Inspection, Judgement, LocalAuthority


@dataclass(frozen=True)
class CouncilSummary:
    """One council's figures for the overview and the council list, as of a date."""

    inspection_count: int = 0
    last_visit: date | None = None
    last_inspection: date | None = None  # the last full or short (graded) inspection
    total_actions: int = 0
    done_actions: int = 0
    overdue: int = 0
    # judgement area -> ((visit_start, inspection id), grade) of the latest visit that judged it
    grades: dict = field(default_factory=dict)

    @property
    def open_actions(self) -> int:
        return self.total_actions - self.done_actions


def council_summaries(authorities, today: date) -> dict[int, CouncilSummary]:
    """Figures of each council (every action counted, as any member sees them; not for partners).

    Kept in the page cache under the council's data revision and the date: after a change only that
    council is counted again, so the overview of every council in England costs the councils that
    changed, not all their actions. The misses are counted together: at most three queries, whatever
    the number of councils.
    """
    cache = caches[PAGE_CACHE]
    keys = {a.pk: f"council-summary:{a.pk}:{a.data_revision}:{today.isoformat()}" for a in authorities}
    found = cache.get_many(list(keys.values()))
    summaries = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in summaries]
    if missing:
        counted = _count_councils(missing, today)
        cache.set_many({keys[pk]: counted[pk] for pk in missing})
        summaries.update(counted)
    return summaries


def _count_councils(ids: list[int], today: date) -> dict[int, CouncilSummary]:
    visits = {
        row["authority_id"]: row
        for row in Inspection.objects.filter(authority_id__in=ids)
        .values("authority_id")
        .annotate(n=Count("id"), last=Max("visit_end"), last_graded=Max("visit_end", filter=Q(kind__in=GRADED_KINDS)))
        .order_by()
    }
    actions = {
        row["authority_id"]: row
        for row in Action.objects.filter(finding__inspection__authority_id__in=ids)
        .values(authority_id=F("finding__inspection__authority_id"))
        .annotate(**progress_counts(today))
        .order_by()
    }
    grades = latest_grades_by_authority(ids)
    result = {}
    for pk in ids:
        visit, counts = visits.get(pk, {}), actions.get(pk, {})
        result[pk] = CouncilSummary(
            inspection_count=visit.get("n", 0),
            last_visit=visit.get("last"),
            last_inspection=visit.get("last_graded"),
            total_actions=counts.get("total", 0),
            done_actions=counts.get("done", 0),
            overdue=counts.get("overdue", 0),
            grades=grades.get(pk, {}),
        )
    return result


def latest_grades_by_authority(authority_ids) -> dict[int, dict[str, tuple[tuple, str]]]:
    """Each authority's latest grade per judgement area, keyed by ((visit_start, inspection_id), grade).

    One query. On PostgreSQL a DISTINCT ON keeps one row per (authority, area); elsewhere every
    judgement is read newest first and the first of each pair kept (the same rows, more of them).
    """
    judgements = (
        Judgement.objects.filter(inspection__authority_id__in=authority_ids)
        .order_by("inspection__authority_id", "area", "-inspection__visit_start", "-inspection_id")
        .values_list("inspection__authority_id", "area", "grade", "inspection__visit_start", "inspection_id")
    )
    if connection.features.can_distinct_on_fields:
        judgements = judgements.distinct("inspection__authority_id", "area")
    latest: dict[int, dict[str, tuple[tuple, str]]] = {}
    for authority_id, area, grade, visit_start, inspection_id in judgements:
        latest.setdefault(authority_id, {}).setdefault(area, ((visit_start, inspection_id), grade))
    return latest


def authorities_with_summary_for(user, today: date) -> list[LocalAuthority]:
    """The user's authorities by name, each with `.summary` (its CouncilSummary)."""
    authorities = list(authorities_for(user).order_by("name"))
    summaries = council_summaries(authorities, today)
    for authority in authorities:
        authority.summary = summaries[authority.pk]
    return authorities


def inspections_for_authority(authority: LocalAuthority) -> QuerySet[Inspection]:
    return (
        authority.inspections.all()
        .annotate(
            finding_count=Count("findings", distinct=True),
            action_count=Count("findings__actions", distinct=True),
            closed_action_count=Count(
                "findings__actions", filter=Q(findings__actions__status=Status.CLOSED), distinct=True
            ),
        )
        .prefetch_related("judgements")
        .order_by("-visit_start", "-id")
    )


def inspections_for(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(authority_id__in=authority_ids_for(user))


def get_inspection_for_user(user, pk: int) -> Inspection:
    """The inspection, or 404 when it belongs to an authority the user is not a member of."""
    return get_object_or_404(inspections_for(user).select_related("authority"), pk=pk)


def findings_with_actions_for(inspection: Inspection) -> QuerySet[Finding]:
    actions = Action.objects.select_related("owner").order_by("due_date", "id")
    return (
        inspection.findings.select_related("theme", "repeats__inspection")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .annotate(
            total_actions=Count("actions", distinct=True),
            closed_actions=Count("actions", filter=Q(actions__status=Status.CLOSED), distinct=True),
        )
        .order_by("-kind", "position")
    )


# --- importing -------------------------------------------------------------------------------------


class DraftNotFound(Exception):
    """The import token is unknown, someone else's, or expired."""


def get_import_draft_for_user(user, token: str):
    """The user's unexpired import draft with this token; DraftNotFound otherwise (tampered, stale, not theirs)."""
    from django.utils import timezone

    from inspections.models import ImportDraft

    if not token or len(token) > 64:
        raise DraftNotFound
    draft = ImportDraft.objects.filter(token=token, user_id=user.pk, expires_at__gt=timezone.now()).first()
    if draft is None:
        raise DraftNotFound
    return draft


def import_authorities_for(user) -> list[LocalAuthority]:
    """The councils a user may import into: their own (all, for a superuser)."""
    return list(authorities_for(user).order_by("name"))


def authority_matching(*, name: str | None, urn: str | None) -> LocalAuthority | None:
    """The authority a letter names, by Ofsted URN first, then by name."""
    if urn:
        found = LocalAuthority.objects.filter(ofsted_urn=urn).first()
        if found:
            return found
    if name:
        return LocalAuthority.objects.filter(name__iexact=name).first()
    return None


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
        from datetime import date as _date

        from findings.models import Theme
        from findings.services import theme_suggest
        from inspections.services import NewAuthority, inspection_find_duplicate

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
                return _date.fromisoformat(value) if value else None
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
            from inspections.forms import NEW_AUTHORITY

            initial["authority"] = NEW_AUTHORITY
        for judgement in parsed.get("judgements") or []:
            initial[f"grade_{judgement['area']}"] = judgement["grade"]
        return initial

    def points_initial(self) -> list[dict]:
        from findings.models import FindingKind

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

"""Reads of councils and inspections, and the council scope: which authorities a user may see.

Every page's query starts from the user's authorities, so the scope lives here, at the bottom of
every app that shows council data (accounts keeps the roles; inspections knows the authorities).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import is_partner
from core.datacache import cached_data, cached_many, data_key
from inspections.models import (
    GRADE_RANK,
    GRADED_KINDS,
    JUDGEMENT_AREA_SHORT_LABELS,
    OFSTED_REGIONS,
    Grade,
    ImportDraft,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
)


# --- the council scope -------------------------------------------------------------------------------


def authorities_for(user: AnonymousUser | object) -> QuerySet[LocalAuthority]:
    """The authorities a user belongs to (every one for a superuser, none for anyone signed out)."""
    if not user.is_authenticated:
        return LocalAuthority.objects.none()
    if user.is_superuser:
        return LocalAuthority.objects.all()
    if is_partner(user):
        # Partners reach their own actions through actions.selectors, never a council's pages.
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.filter(memberships__user=user)


def _councils_of(user) -> list[tuple[int, str, int]]:
    """The user's councils as (id, name, visits revision), by name: read once a request and kept on the
    user, for the scope of every read, the header's council label and the keys of their cached choices."""
    cached = getattr(user, "_tracker_councils", None)
    if cached is None:
        cached = list(authorities_for(user).order_by("name").values_list("id", "name", "visits_revision"))
        if user.is_authenticated:
            user._tracker_councils = cached
    return cached


def authority_ids_for(user) -> list[int]:
    return [pk for pk, _name, _revision in _councils_of(user)]


def council_choices_for(user) -> list[tuple[int, str]]:
    """The user's councils as (id, name) choices, by name: no query beyond the request's scope."""
    return [(pk, name) for pk, name, _revision in _councils_of(user)]


def council_choice_lists(user, build: Callable[[list[int]], dict[int, list]], *, name: str,
                         authority_ids: list[int] | None = None) -> dict[int, list]:
    """Choices kept for each of the user's councils (`authority_ids`, by default all) under its visits
    revision, which every write but an action's own change raises: its visits, its owners. `build` makes
    the lists of the councils not in the cache, in one go. Councils outside the user's scope are left out."""
    revisions = {pk: revision for pk, _name, revision in _councils_of(user)}
    wanted = revisions if authority_ids is None else [pk for pk in authority_ids if pk in revisions]
    return cached_many({pk: data_key(name, pk, revisions[pk]) for pk in wanted}, build)


def visit_label(inspection: Inspection) -> str:
    """A visit as a choice: "Barnsley: Focused visit, January 2023"."""
    return f"{inspection.authority.name}: {inspection.get_kind_display()}, {inspection.visit_start:%B %Y}"


def _visit_options_of(authority_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    options: dict[int, list[tuple[int, str]]] = {pk: [] for pk in authority_ids}
    visits = (
        Inspection.objects.filter(authority_id__in=authority_ids)
        .select_related("authority")
        .order_by("-visit_start", "-id")
        .only("id", "kind", "visit_start", "authority__id", "authority__name")
    )
    for inspection in visits:
        options[inspection.authority_id].append((inspection.pk, visit_label(inspection)))
    return options


def visit_options_for(user, authority_id: int) -> list[tuple[int, str]]:
    """A council's visits as (id, label) choices, newest first; none outside the user's councils."""
    return council_choice_lists(user, _visit_options_of, name="visit-options",
                                authority_ids=[authority_id]).get(authority_id, [])


def get_authority_for_user(user, slug: str) -> LocalAuthority:
    """The authority with this slug, or 404 when it is not one of the user's."""
    return get_object_or_404(authorities_for(user), slug=slug)


def council_label_for(user) -> str:
    """What the header says after the service name: the user's council, or how many they cover."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "All councils"
    councils = council_choices_for(user)
    if len(councils) == 1:
        return f"{councils[0][1]} Council"
    if councils:
        return f"{len(councils)} councils"
    return ""


# --- inspections -------------------------------------------------------------------------------------


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


def inspections_for(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(authority_id__in=authority_ids_for(user))


def get_inspection_for_user(user, pk: int) -> Inspection:
    """The inspection, or 404 when it belongs to an authority the user is not a member of."""
    return get_object_or_404(inspections_for(user).select_related("authority"), pk=pk)


# --- importing -------------------------------------------------------------------------------------


class DraftNotFound(Exception):
    """The import token is unknown, someone else's, or expired."""


def get_import_draft_for_user(user, token: str, kind: str = ImportDraft.Kind.LETTER):
    """The user's unexpired import draft of this kind with this token; DraftNotFound otherwise (tampered,
    stale, not theirs, another kind of import)."""
    if not token or len(token) > 64:
        raise DraftNotFound
    draft = ImportDraft.objects.filter(
        token=token, kind=kind, user_id=user.pk, expires_at__gt=timezone.now()
    ).first()
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


# --- the national picture: every council's latest graded inspection --------------------------------------
# Published grades are public information: these reads are the same for every signed-in person, so they
# take no user and are cached as data under one national generation.

NATIONAL_AREAS = [
    JudgementArea.OVERALL, JudgementArea.LEADERS, JudgementArea.HELP_AND_PROTECTION,
    JudgementArea.CHILDREN_IN_CARE, JudgementArea.CARE_LEAVERS, JudgementArea.IN_CARE_AND_LEAVERS,
]  # fmt: skip
GRADES_BEST_FIRST = sorted(Grade, key=GRADE_RANK.__getitem__)


def national_generation() -> str:
    """One key part that changes with every committed change to any council's visits: the sum of the
    councils' visits revisions (every write but an action's own changes raises one, after its commit; the
    published outcomes import raises those of every council it changed) and their number. One query.
    Grades come from visits alone, so a council's daily action updates leave the national picture kept."""
    totals = LocalAuthority.objects.aggregate(revisions=Sum("visits_revision"), councils=Count("pk"))
    return f"{totals['revisions'] or 0}.{totals['councils']}"


# Latest by the last day of the visit; for one visit held both from the council's letter and from Ofsted's
# published outcomes (which give one date), the letter's (blank source) comes first.
LATEST_FIRST = ("-visit_end", "source", "-visit_start", "-id")


def _latest_graded_inspection_of_council() -> QuerySet[Inspection]:
    """The latest graded inspection with judgements of the council in the outer query (a correlated subquery,
    so it runs on PostgreSQL and SQLite alike)."""
    return Inspection.objects.filter(
        authority_id=OuterRef("pk"), kind__in=GRADED_KINDS, judgements__isnull=False
    ).order_by(*LATEST_FIRST)


def _latest_graded_inspections():
    """Each council's latest graded inspection id, one per council."""
    return LocalAuthority.objects.annotate(
        latest_id=Subquery(_latest_graded_inspection_of_council().values("id")[:1])
    ).filter(latest_id__isnull=False).values("latest_id")


def _grade_counts() -> dict:
    """{ofsted_region: {area: {grade: councils}}}, counted in SQL over each council's latest graded inspection."""
    rows = (
        Judgement.objects.filter(inspection_id__in=_latest_graded_inspections())
        .values_list("inspection__authority__ofsted_region", "area", "grade")
        .annotate(councils=Count("inspection__authority_id"))
        .order_by()
    )
    counts: dict = {}
    for region, area, grade, councils in rows:
        counts.setdefault(region, {}).setdefault(area, {})[grade] = councils
    return counts


def _national_councils() -> list[dict]:
    latest = _latest_graded_inspection_of_council()
    councils = list(
        LocalAuthority.objects.annotate(
            latest_id=Subquery(latest.values("id")[:1]),
            latest_start=Subquery(latest.values("visit_start")[:1]),
            latest_end=Subquery(latest.values("visit_end")[:1]),
            latest_kind=Subquery(latest.values("kind")[:1]),
        )
        # A council since reorganised (no ONS code: Northamptonshire, Poole, Cumbria) only with a graded inspection.
        .filter(Q(latest_id__isnull=False) | ~Q(ons_code=""))
        .order_by("name")
        .values("pk", "name", "slug", "ofsted_region", "latest_id", "latest_start", "latest_end", "latest_kind")
    )
    grades: dict[int, dict[str, str]] = {}
    for inspection_id, area, grade in Judgement.objects.filter(
        inspection_id__in=[c["latest_id"] for c in councils if c["latest_id"]]
    ).values_list("inspection_id", "area", "grade"):
        grades.setdefault(inspection_id, {})[area] = grade
    for council in councils:
        council["grades"] = grades.get(council["latest_id"], {})
    return councils


def _national_data() -> dict:
    return {"counts": _grade_counts(), "councils": _national_councils()}


def national_data() -> dict:
    """Every council's latest graded inspection and the counts per grade by region, as cached data."""
    return cached_data(data_key("national", national_generation()), _national_data)


def _distribution(per_area_counts: list[dict], area: str) -> dict:
    counts = {grade: 0 for grade in GRADES_BEST_FIRST}
    for area_counts in per_area_counts:
        for grade, councils in area_counts.get(area, {}).items():
            counts[grade] += councils
    total = sum(counts.values())
    return {
        "total": total,
        "grades": [
            {"grade": grade, "label": Grade(grade).label, "count": counts[grade],
             "percent": round(100 * counts[grade] / total) if total else 0}
            for grade in GRADES_BEST_FIRST
        ],
    }


def national_comparison_for(authority: LocalAuthority) -> dict:
    """The council's grades at its latest graded inspection beside its Ofsted region's and England's (the
    number of councils at each grade, each at its latest graded inspection), judgement by judgement."""
    data = national_data()
    council = next((c for c in data["councils"] if c["pk"] == authority.pk), None)
    own = council["grades"] if council else {}
    region = authority.ofsted_region
    rows = []
    for area in NATIONAL_AREAS:
        england = _distribution(list(data["counts"].values()), area)
        if not england["total"] and area not in own:
            continue
        in_region = _distribution([data["counts"].get(region, {})], area) if region else None
        rows.append({
            "area": area,
            "label": JUDGEMENT_AREA_SHORT_LABELS[area],
            "grade": own.get(area),
            "region_total": in_region["total"] if in_region else None,
            "england_total": england["total"],
            "lines": [
                {"grade": line["grade"], "label": line["label"],
                 "region": in_region["grades"][i] if in_region else None, "england": line}
                for i, line in enumerate(england["grades"])
            ],
        })
    return {
        "region": region,
        "rows": rows,
        "latest": council if council and council["latest_id"] else None,
        "region_councils": sum(1 for c in data["councils"] if region and c["ofsted_region"] == region),
        "england_councils": len(data["councils"]),
    }


NATIONAL_SORTS = {
    "name": "Council (A to Z)",
    "grade": "Overall effectiveness (best first)",
    "-grade": "Overall effectiveness (weakest first)",
    "inspected": "Time since last inspection (longest first)",
    "-inspected": "Time since last inspection (shortest first)",
}


def national_overview(*, region: str | None, sort: str | None, today) -> dict:
    """Every council (or one Ofsted region's) with its latest graded inspection, sorted by name, by its
    overall effectiveness grade or by the time since that inspection; unknown parameters fall back."""
    region = region if region in OFSTED_REGIONS else ""
    sort = sort if sort in NATIONAL_SORTS else "name"
    councils = [dict(c) for c in national_data()["councils"] if not region or c["ofsted_region"] == region]
    for council in councils:
        council["days_since"] = (today - council["latest_end"]).days if council["latest_end"] else None
        grades = council["grades"]
        combined = grades.get(JudgementArea.IN_CARE_AND_LEAVERS)
        council["columns"] = [
            (grades.get(JudgementArea.OVERALL), False),
            (grades.get(JudgementArea.LEADERS), False),
            (grades.get(JudgementArea.HELP_AND_PROTECTION), False),
            (grades.get(JudgementArea.CHILDREN_IN_CARE) or combined, JudgementArea.CHILDREN_IN_CARE not in grades and bool(combined)),
            (grades.get(JudgementArea.CARE_LEAVERS) or combined, JudgementArea.CARE_LEAVERS not in grades and bool(combined)),
        ]
    never = 10**6  # councils with no graded inspection go last whichever way the list is sorted

    def grade_rank(c):
        grade = c["grades"].get(JudgementArea.OVERALL)
        return GRADE_RANK[grade] if grade else None

    keys = {
        "name": lambda c: (0, c["name"]),
        "grade": lambda c: (grade_rank(c) or never, c["name"]),
        "-grade": lambda c: (-(grade_rank(c) or -never), c["name"]),
        "inspected": lambda c: (-(c["days_since"] if c["days_since"] is not None else -never), c["name"]),
        "-inspected": lambda c: (c["days_since"] if c["days_since"] is not None else never, c["name"]),
    }
    councils.sort(key=keys[sort])
    return {
        "councils": councils, "region": region, "sort": sort, "sort_label": NATIONAL_SORTS[sort],
        "regions": OFSTED_REGIONS, "sorts": NATIONAL_SORTS,
    }

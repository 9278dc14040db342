"""Reads for dashboards, visit comparisons and board reports, always scoped to the user.

Every figure is counted by the database (aggregates and correlated subqueries), so a page makes the
same number of queries for ten actions or ten thousand. Dates are business dates in Europe/London:
an update at 23:30 UTC on 31 March (BST) belongs to 1 April.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db import connection
from django.db.models import Window
from django.db.models.functions import Coalesce, Lag, TruncMonth
from django.urls import NoReverseMatch, reverse
from django.http import Http404
from django.utils import timezone

from core.datacache import cached_data, cached_many, data_key
from actions.models import DONE_STATUSES, OPEN_STATUSES, Action, ActionUpdate, Status
from actions.selectors import actions_for, plan_deadlines_for, positions_on, progress_counts
from findings.models import Finding, FindingKind
from inspections.selectors import authorities_for, authority_ids_for, latest_grades_by_authority
from inspections.models import (
    GRADE_RANK,
    GRADED_KINDS,
    Grade,
    Inspection,
    JudgementArea,
    LocalAuthority,
)

DUE_SOON_DAYS = 30
# The burn-down shows the last two years of month ends: readable, and its cost does not grow with history.
BURN_DOWN_MAX_MONTHS = 24
# The dashboard lists the first few overdue and recently updated actions, each with a link to all of them.
DASHBOARD_LIST_LIMIT = 10


def end_of_local_day(day: date) -> datetime:
    """The first instant after `day` in the business time zone: "on or before day" means before this."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first_of_month: date) -> date:
    return add_months(first_of_month, 1) - timedelta(days=1)


# --- links to the All actions list (the actions app's django-filter query string) --------------------


@cache
def _action_list_path() -> str:
    # Reversed once: a page of figures links to the list hundreds of times.
    try:
        return reverse("actions:action_list")
    except NoReverseMatch:
        return "/actions/"


def action_list_url(**params) -> str:
    """A link to the filtered action list; multiple values (e.g. several statuses) repeat the key."""
    base = _action_list_path()
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((key, v.isoformat() if isinstance(v, date) else str(v)) for v in values)
    return f"{base}?{urlencode(pairs)}" if pairs else base


# --- scope ---------------------------------------------------------------------------------------------


def dashboard_actions(user, authority: LocalAuthority, inspection: Inspection | None = None) -> QuerySet[Action]:
    """The actions a user may see for one authority (or one of its inspections)."""
    actions = actions_for(user).filter(finding__inspection__authority=authority)
    if inspection is not None:
        actions = actions.filter(finding__inspection=inspection)
    return actions


def council_actions(authority: LocalAuthority, inspection: Inspection | None = None) -> QuerySet[Action]:
    """Every action of one council (or one of its inspections): what any member of it sees."""
    actions = Action.objects.filter(finding__inspection__authority=authority)
    if inspection is not None:
        actions = actions.filter(finding__inspection=inspection)
    return actions


def dashboard_findings(authority: LocalAuthority, inspection: Inspection | None = None) -> QuerySet[Finding]:
    findings = Finding.objects.filter(inspection__authority=authority)
    if inspection is not None:
        findings = findings.filter(inspection=inspection)
    return findings


def inspections_with_actions(authority: LocalAuthority) -> QuerySet[Inspection]:
    """For the dashboard's "which plan" choice: visits that have an action plan, newest first."""
    has_actions = Exists(Action.objects.filter(finding__inspection=OuterRef("pk")))
    return authority.inspections.filter(has_actions).order_by("-visit_start", "-id")


def get_inspection_in(authority: LocalAuthority, pk) -> Inspection | None:
    """The chosen inspection if it belongs to this authority; anything else means "all plans"."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return authority.inspections.filter(pk=pk).first()


# --- cached figures of one council ----------------------------------------------------------------------
#
# A council's dashboard and comparison are the same for every member who may open them (partners never
# open a council's pages), so their figures are kept in the data cache under the council's data revision:
# the user decides only whether they may have them. A change raises the revision after its commit
# (inspections.services.authority_data_changed, called by every write service), so the next reader builds
# them afresh.


def _check_member(user, authority: LocalAuthority) -> None:
    if authority.pk not in authority_ids_for(user):
        raise Http404("No such council.")


def _plan_choice(choice) -> str:
    """The dashboard's plan choice as a key part: "all", a number, or "" for the current plan."""
    if choice == "all":
        return "all"
    try:
        return str(int(choice))
    except (TypeError, ValueError):
        return ""


def dashboard_figures_for(user, authority: LocalAuthority, choice, today: date) -> dict:
    """Everything the dashboard shows for the current plan (or the chosen one, or "all") on a date."""
    _check_member(user, authority)
    key = data_key("dashboard", authority.pk, authority.data_revision, today.isoformat(), _plan_choice(choice))
    return cached_data(key, lambda: _dashboard_figures(authority, choice, today))


def _dashboard_figures(authority: LocalAuthority, choice, today: date) -> dict:
    plans = list(inspections_with_actions(authority))
    # The current plan (the latest with actions) unless another, or all of them, is chosen.
    inspection = None if choice == "all" else get_inspection_in(authority, choice) or (plans[0] if plans else None)
    actions = council_actions(authority, inspection)
    findings = dashboard_findings(authority, inspection)
    link = {"authority": authority.pk, "inspection": inspection.pk if inspection else None}
    themes = progress_by_theme(actions, today)
    owners = progress_by_owner(actions, today)
    return {
        "inspection": inspection,
        "plans": plans,
        "headline": headline_for(actions, findings, link=link, today=today),
        # By finding for one plan only: across ten years of plans it would be hundreds of rows.
        "by_finding": progress_by_finding(findings, actions, today) if inspection else [],
        "themes": [dict(t, url=action_list_url(**link, theme=t["id"])) for t in themes],
        "owners": [dict(o, url=action_list_url(**link, owner=o["id"] or "null")) for o in owners],
        "months": progress_over_time(actions, today),
        "recent": list(recently_updated(actions)),
        "recent_url": action_list_url(**link, sort="-updated"),
        "overdue": overdue_actions(actions, today),
        "overdue_url": action_list_url(**link, overdue=1),
        "plan_dates": plan_dates_for(authority, today),
    }


def comparison_for(user, authority: LocalAuthority, limit: int | None) -> dict:
    """The visit comparison: the latest `limit` visits (all of them when None) side by side."""
    _check_member(user, authority)
    key = data_key("compare", authority.pk, authority.data_revision, limit or "all")
    return cached_data(key, lambda: _comparison(authority, limit))


def _comparison(authority: LocalAuthority, limit: int | None) -> dict:
    graded, grid = judgement_grid(authority, limit)
    visits_with_findings, finding_rows, earlier_positions = findings_across_visits(authority, limit)
    visits = visits_for(authority, limit)
    return {
        "visits": visits,
        "visit_count": len(visits) if limit is None else authority.inspections.count(),
        "graded": graded,
        "grid": grid,
        "finding_visits": visits_with_findings,
        "finding_rows": finding_rows,
        "earlier_positions": earlier_positions,
        "since": since_last_visit(authority, grid, graded, visits_with_findings, finding_rows),
    }


# --- headline figures ------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    url: str
    of: int | None = None  # the whole, when the figure is a share of something

    @property
    def percent(self) -> int | None:
        return percent(self.count, self.of) if self.of is not None else None


@dataclass
class Headline:
    total_actions: int
    done_actions: int
    overdue: int
    due_soon: int
    by_status: list[Figure]
    findings_total: int
    findings_closed: int
    links: dict[str, str] = field(default_factory=dict)

    @property
    def findings_open(self) -> int:
        return self.findings_total - self.findings_closed

    @property
    def percent_complete(self) -> int | None:
        return percent(self.done_actions, self.total_actions)


def _finding_closed() -> Q:
    """A finding is closed when it has actions and every one of them is closed (verified)."""
    actions = Action.objects.filter(finding=OuterRef("pk"))
    return Q(Exists(actions)) & ~Q(Exists(actions.exclude(status=Status.CLOSED)))


def headline_for(actions: QuerySet[Action], findings: QuerySet[Finding], *, link: dict, today: date) -> Headline:
    """Two queries, whatever the size of the plan."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    counts = actions.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status__in=DONE_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        due_soon=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=soon)),
        **{f"status_{value}": Count("id", filter=Q(status=value)) for value in Status.values},
    )
    finding_counts = findings.aggregate(total=Count("id"), closed=Count("id", filter=_finding_closed()))
    by_status = [
        Figure(label=str(label), count=counts[f"status_{value}"], of=counts["total"], url=action_list_url(**link, status=value))
        for value, label in Status.choices
    ]
    links = {
        "all": action_list_url(**link),
        "done": action_list_url(**link, status=list(DONE_STATUSES)),
        "open": action_list_url(**link, status=list(OPEN_STATUSES)),
        "overdue": action_list_url(**link, overdue=1),
        "due_soon": action_list_url(**link, status=list(OPEN_STATUSES), due_from=today, due_to=soon),
    }
    return Headline(
        total_actions=counts["total"],
        done_actions=counts["done"],
        overdue=counts["overdue"],
        due_soon=counts["due_soon"],
        by_status=by_status,
        findings_total=finding_counts["total"],
        findings_closed=finding_counts["closed"],
        links=links,
    )


# --- progress by finding, theme and owner ---------------------------------------------------------------


def progress_by_finding(findings: QuerySet[Finding], actions: QuerySet[Action], today: date) -> list[Finding]:
    # Counted over the visible actions grouped by finding, then joined to the findings in Python: a join
    # from findings to a filtered set of actions needs DISTINCT counts, several times slower in PostgreSQL.
    counts = {
        row["finding_id"]: row
        for row in actions.order_by().values("finding_id").annotate(**progress_counts(today))
    }
    rows = list(findings.select_related("inspection", "theme").order_by("-inspection__visit_start", "-kind", "position"))
    for row in rows:
        figures = counts.get(row.pk, {})
        row.total, row.done, row.overdue = (figures.get(k, 0) for k in ("total", "done", "overdue"))
        row.percent = percent(row.done, row.total)
    return rows


def progress_by_theme(actions: QuerySet[Action], today: date) -> list[dict]:
    rows = (
        actions.values("finding__theme_id", "finding__theme__name", "finding__theme__position")
        .annotate(**progress_counts(today))
        .order_by("finding__theme__position", "finding__theme__name")
    )
    return [
        {
            "id": row["finding__theme_id"],
            "name": row["finding__theme__name"] or "No theme",
            "total": row["total"],
            "done": row["done"],
            "overdue": row["overdue"],
            "open": row["total"] - row["done"],
            "percent": percent(row["done"], row["total"]),
        }
        for row in rows
    ]


def progress_by_owner(actions: QuerySet[Action], today: date) -> list[dict]:
    rows = (
        actions.values("owner_id", "owner__name")
        .annotate(**progress_counts(today))
        .order_by(F("owner__name").asc(nulls_last=True), "owner_id")
    )
    result = []
    for row in rows:
        result.append(
            {
                "id": row["owner_id"],
                "name": row["owner__name"] or "Unassigned",
                "total": row["total"],
                "done": row["done"],
                "overdue": row["overdue"],
                "open": row["total"] - row["done"],
                "percent": percent(row["done"], row["total"]),
            }
        )
    return result


# --- over time ------------------------------------------------------------------------------------------


def _first_done_at() -> Subquery:
    return Subquery(
        ActionUpdate.objects.filter(action=OuterRef("pk"), status__in=DONE_STATUSES)
        .order_by("created_at", "version")
        .values("created_at")[:1]
    )


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the first of the month
    completed: int  # actions first marked complete or closed in this month
    outstanding: int  # open actions at the end of the month (or today, for this month)

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


def progress_over_time(actions: QuerySet[Action], today: date) -> list[MonthPoint]:
    """Monthly series since the plan started: completions and the burn-down of open actions.

    Three queries, all aggregated in the database: the start, completions by London month, and the
    burn-down from the history's open/closed transitions.
    """
    started = ActionUpdate.objects.filter(action__in=actions.values("pk")).aggregate(first=Min("created_at"))["first"]
    if started is None:
        return []
    this_month = today.replace(day=1)
    first = timezone.localtime(started).date().replace(day=1)
    first = max(first, add_months(this_month, -(BURN_DOWN_MAX_MONTHS - 1)))
    months = []
    cursor = first
    while cursor <= this_month:
        months.append(cursor)
        cursor = add_months(cursor, 1)

    completions = (
        actions.annotate(first_done_at=_first_done_at())
        .filter(first_done_at__isnull=False)
        .annotate(month=TruncMonth("first_done_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    completed_by_month = {}
    for row in completions:
        month = row["month"]
        key = (timezone.localtime(month).date() if isinstance(month, datetime) else month).replace(day=1)
        completed_by_month[key] = row["n"]

    outstanding = _open_at_month_ends(actions, months, today)
    return [
        MonthPoint(month=m, completed=completed_by_month.get(m, 0), outstanding=outstanding[m])
        for m in months
    ]


def _open_at_month_ends(actions: QuerySet[Action], months: list[date], today: date) -> dict[date, int]:
    """Open actions at the end of each month (or today), by the latest-update-on-or-before rule.

    Each update contributes +1 when it makes its action open, -1 when it ends an open spell, 0 otherwise
    (its open flag minus the previous update's, a window function). The running total of these deltas
    up to a moment is the number of actions whose latest update by then is open: exactly the position
    rule, in one pass over the history instead of one lookup per action per month.
    """
    open_flag = Case(When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField())
    previous = Window(
        Lag(open_flag), partition_by=[F("action_id")], order_by=[F("created_at").asc(), F("version").asc()]
    )
    deltas = (
        ActionUpdate.objects.filter(action__in=actions.values("pk"), created_at__lt=end_of_local_day(today))
        .annotate(month=TruncMonth("created_at"), delta=open_flag - Coalesce(previous, Value(0)))
        .values("month", "delta")
        .order_by()
    )
    sql, params = deltas.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT deltas.month, SUM(deltas.delta) FROM ({sql}) deltas GROUP BY deltas.month", params)
        by_month: dict[date, int] = {}
        for month, total in cursor.fetchall():
            if isinstance(month, str):  # SQLite returns the truncated moment as text
                month = date.fromisoformat(month[:10])
            elif isinstance(month, datetime):
                month = (timezone.localtime(month) if timezone.is_aware(month) else month).date()
            by_month[month.replace(day=1)] = by_month.get(month.replace(day=1), 0) + int(total)
    running = sum(total for month, total in by_month.items() if month < months[0])
    result = {}
    for month in months:
        running += by_month.get(month, 0)
        result[month] = running
    return result


# --- lists ----------------------------------------------------------------------------------------------


def recently_updated(actions: QuerySet[Action], limit: int = DASHBOARD_LIST_LIMIT) -> QuerySet[Action]:
    last_update = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-version")
    return (
        actions.select_related("owner", "finding__inspection", "finding__theme")
        .annotate(
            last_update_at=Subquery(last_update.values("created_at")[:1]),
            last_update_note=Subquery(last_update.values("note")[:1]),
        )
        .filter(last_update_at__isnull=False)
        .order_by("-last_update_at", "-id")[:limit]
    )


def overdue_actions(actions: QuerySet[Action], today: date, limit: int = DASHBOARD_LIST_LIMIT) -> list[Action]:
    """The longest overdue first, at most `limit` of them (the headline says how many there are)."""
    rows = list(
        actions.filter(status__in=OPEN_STATUSES, due_date__lt=today)
        .select_related("owner", "finding__inspection", "finding__theme")
        .order_by("due_date", "id")[:limit]
    )
    for action in rows:
        action.days_overdue = (today - action.due_date).days
    return rows


# --- overview across authorities ------------------------------------------------------------------------

OVERVIEW_AREAS = [
    (JudgementArea.OVERALL, "Overall effectiveness", [JudgementArea.OVERALL]),
    (JudgementArea.LEADERS, "Impact of leaders", [JudgementArea.LEADERS]),
    (JudgementArea.HELP_AND_PROTECTION, "Help and protection", [JudgementArea.HELP_AND_PROTECTION]),
    # Before the 2023 framework these two were one judgement; its grade stands for both until regraded.
    (JudgementArea.CHILDREN_IN_CARE, "Children in care", [JudgementArea.CHILDREN_IN_CARE, JudgementArea.IN_CARE_AND_LEAVERS]),
    (JudgementArea.CARE_LEAVERS, "Care leavers", [JudgementArea.CARE_LEAVERS, JudgementArea.IN_CARE_AND_LEAVERS]),
]

def _rank_of(field_name: str) -> Case:
    return Case(
        *(When(**{field_name: grade}, then=Value(rank)) for grade, rank in GRADE_RANK.items()),
        default=Value(None),
        output_field=IntegerField(),
    )


OVERVIEW_SORTS: dict[str, tuple[str, str]] = {
    # key: (ordering field, column label)
    "name": ("name", "Council"),
    **{area.value: (f"rank_{area.value}", label) for area, label, _ in OVERVIEW_AREAS},
    "last_inspection": ("last_inspection", "Last inspection"),
    "progress": ("percent_complete", "Plan progress"),
    "overdue": ("overdue", "Overdue actions"),
}
DEFAULT_OVERVIEW_SORT = "name"
SLUG_MARK = "council-slug"  # stands for each council's slug in a reversed path


def overview_for(user, sort: str | None, today: date) -> tuple[list[LocalAuthority], str]:
    """One row per authority of the user's, sorted by a whitelisted key ("-key" reverses).

    The user's authorities (one query) with each one's figures from council_summaries, which counts
    only the councils changed since it last did (at most three queries whatever the number of
    councils and visits); merged and sorted here. Overview users are council members, never partners,
    so each council's figures are the same whoever reads them.
    """
    key = (sort or "").strip()
    name = key.lstrip("-")
    if name not in OVERVIEW_SORTS:
        key, name = DEFAULT_OVERVIEW_SORT, DEFAULT_OVERVIEW_SORT
    rows = list(authorities_for(user).order_by("name"))
    summaries = council_summaries(rows, today)
    # One reverse per page rather than two per council.
    dashboard_path = reverse("dashboards:dashboard", kwargs={"slug": SLUG_MARK})
    compare_path = reverse("dashboards:compare", kwargs={"slug": SLUG_MARK})
    for row in rows:
        summary = summaries[row.pk]
        row.last_visit = summary.last_visit
        row.last_inspection = summary.last_inspection
        row.total_actions = summary.total_actions
        row.done_actions = summary.done_actions
        row.overdue = summary.overdue
        row.percent_complete = row.done_actions * 100.0 / row.total_actions if row.total_actions else None
        row.percent = percent(row.done_actions, row.total_actions)
        row.overdue_url = action_list_url(authority=row.pk, overdue=1)
        row.dashboard_url = dashboard_path.replace(SLUG_MARK, row.slug)
        row.compare_url = compare_path.replace(SLUG_MARK, row.slug)
        grades = summary.grades
        for area, _label, areas in OVERVIEW_AREAS:
            # Of the areas that stand for this column, the grade from the latest visit.
            found = [grades[a] for a in areas if a in grades]
            grade = max(found)[1] if found else None
            setattr(row, f"grade_{area.value}", grade)
            setattr(row, f"rank_{area.value}", GRADE_RANK.get(grade) if grade else None)
        row.grades = [(label, getattr(row, f"grade_{area.value}")) for area, label, _ in OVERVIEW_AREAS]
    field_name = OVERVIEW_SORTS[name][0]
    present = sorted((r for r in rows if getattr(r, field_name) is not None), key=lambda r: r.name)
    present.sort(key=lambda r: getattr(r, field_name), reverse=key.startswith("-"))
    missing = sorted((r for r in rows if getattr(r, field_name) is None), key=lambda r: r.name)
    return present + missing, key


# --- comparing successive visits ------------------------------------------------------------------------

GRID_AREAS = OVERVIEW_AREAS


@dataclass
class GridCell:
    grade: str | None
    combined: bool = False  # the grade is the pre-2023 "children in care and care leavers" judgement
    change: str = ""  # "improved", "declined", "unchanged" or "" for the first grade
    previous: str | None = None

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else ""

    @property
    def previous_label(self) -> str:
        return Grade(self.previous).label if self.previous else ""


def _latest(queryset: QuerySet[Inspection], limit: int | None, extra: int = 0) -> list[Inspection]:
    """The latest `limit` (+ `extra`) visits of a queryset, oldest first; all of them when limit is None."""
    if limit is None:
        return list(queryset.order_by("visit_start", "id"))
    return list(reversed(queryset.order_by("-visit_start", "-id")[: limit + extra]))


def judgement_grid(authority: LocalAuthority, limit: int | None = None) -> tuple[list[Inspection], list[tuple[str, list[GridCell]]]]:
    """Areas as rows, graded inspections as columns (oldest first), each grade against the one before.

    With a limit, the latest `limit` graded inspections; one more is read so the first shown still has
    a grade to compare with.
    """
    inspections = _latest(
        authority.inspections.filter(kind__in=GRADED_KINDS).prefetch_related("judgements"), limit, extra=1
    )
    hidden = len(inspections) - limit if limit is not None and len(inspections) > limit else 0
    rows = []
    for area, label, areas in GRID_AREAS:
        cells: list[GridCell] = []
        previous: str | None = None
        for inspection in inspections:
            by_area = {j.area: j.grade for j in inspection.judgements.all()}
            grade = next((by_area[a] for a in areas if a in by_area), None)
            cell = GridCell(grade=grade, combined=grade is not None and area != JudgementArea.IN_CARE_AND_LEAVERS
                            and by_area.get(area) is None and JudgementArea.IN_CARE_AND_LEAVERS in areas)
            if grade and previous:
                before, after = GRADE_RANK[Grade(previous)], GRADE_RANK[Grade(grade)]
                cell.change = "improved" if after < before else "declined" if after > before else "unchanged"
                cell.previous = previous
            if grade:
                previous = grade
            cells.append(cell)
        rows.append((label, cells[hidden:]))
    return inspections[hidden:], rows


def visits_for(authority: LocalAuthority, limit: int | None = None) -> list[Inspection]:
    return _latest(authority.inspections.annotate(finding_count=Count("findings")).prefetch_related("judgements"), limit)


@dataclass
class EarlierPosition:
    """Where the earlier finding's actions stood when a later visit raised it again."""

    total: int
    open: int

    @property
    def still_open(self) -> bool:
        return self.open > 0


def findings_across_visits(
    authority: LocalAuthority, limit: int | None = None
) -> tuple[list[Inspection], list[dict], dict[int, EarlierPosition]]:
    """Each visit's findings side by side, grouped by theme, with the repeats and their earlier actions.

    Three queries: visits (the latest `limit` with findings, or all), their findings, and the earlier
    actions' status on the later visit's first day.
    """
    has_findings = Exists(Finding.objects.filter(inspection=OuterRef("pk")))
    visits = _latest(authority.inspections.filter(has_findings), limit)
    findings = list(
        Finding.objects.filter(inspection__in=[visit.pk for visit in visits])
        .select_related("theme", "inspection", "repeats__inspection")
        .order_by("inspection__visit_start", "-kind", "position")
    )
    column = {visit.pk: index for index, visit in enumerate(visits)}
    themes: dict[object, dict] = {}
    for finding in findings:
        key = finding.theme_id
        if key not in themes:
            themes[key] = {
                "name": finding.theme.name if finding.theme else "No theme",
                "position": finding.theme.position if finding.theme else 10_000,
                "cells": [[] for _ in visits],
            }
        themes[key]["cells"][column[finding.inspection_id]].append(finding)
    rows = sorted(themes.values(), key=lambda row: (row["position"], row["name"]))

    # Status of each earlier action on the later visit's first day (latest update on or before it).
    status_then = Subquery(
        ActionUpdate.objects.filter(
            action=OuterRef("pk"),
            created_at__date__lte=OuterRef("finding__repeated_by__inspection__visit_start"),
        )
        .order_by("-created_at", "-version")
        .values("status")[:1]
    )
    earlier = (
        council_actions(authority)
        .filter(
            finding__repeated_by__inspection__in=[visit.pk for visit in visits],
        )
        .annotate(later_id=F("finding__repeated_by__id"), status_then=status_then)
        .values("later_id")
        .annotate(
            # An action not yet created at the later visit does not count as part of the earlier plan.
            total=Count("id", filter=Q(status_then__isnull=False)),
            open=Count("id", filter=Q(status_then__in=OPEN_STATUSES)),
        )
        .order_by()
    )
    positions = {row["later_id"]: EarlierPosition(total=row["total"], open=row["open"]) for row in earlier}
    by_pk = {finding.pk: finding for finding in findings}
    for finding in findings:
        finding.raised_again_in = []
    for finding in findings:
        finding.earlier_position = positions.get(finding.pk, EarlierPosition(total=0, open=0)) if finding.repeats_id else None
        # An earlier finding from a visit outside the columns shown is linked to its own page.
        finding.repeats_shown = finding.repeats_id in by_pk
        if finding.repeats_id in by_pk:
            by_pk[finding.repeats_id].raised_again_in.append(finding)
    return visits, rows, positions


@dataclass
class SinceLastVisit:
    latest: Inspection | None
    previous: Inspection | None
    latest_graded: Inspection | None
    previous_graded: Inspection | None
    grade_changes: list[tuple[str, str | None, str | None, str]]
    new: list[Finding]
    repeated: list[Finding]
    resolved: list[Finding]


def since_last_visit(authority: LocalAuthority, grid_rows, graded: list[Inspection], visits: list[Inspection], findings_rows) -> SinceLastVisit:
    """The latest visit against the one before it: built from data the comparison page already holds."""
    latest = visits[-1] if visits else None
    previous = visits[-2] if len(visits) > 1 else None
    changes = []
    if len(graded) > 1:
        for label, cells in grid_rows:
            before, after = cells[-2], cells[-1]
            if before.grade and after.grade and before.grade != after.grade:
                changes.append((label, before.grade, after.grade, after.change))
    all_findings = [f for row in findings_rows for cell in row["cells"] for f in cell]
    new = [f for f in all_findings if latest and f.inspection_id == latest.pk and f.repeats_id is None]
    repeated = [f for f in all_findings if latest and f.inspection_id == latest.pk and f.repeats_id is not None]
    raised_again = {f.repeats_id for f in repeated}
    resolved = [f for f in all_findings if previous and f.inspection_id == previous.pk and f.pk not in raised_again]
    return SinceLastVisit(
        latest=latest,
        previous=previous,
        latest_graded=graded[-1] if graded else None,
        previous_graded=graded[-2] if len(graded) > 1 else None,
        grade_changes=changes,
        new=new,
        repeated=repeated,
        resolved=resolved,
    )


# --- board report ---------------------------------------------------------------------------------------


def _positions_on(actions: QuerySet[Action], day: date) -> dict[int, ActionUpdate]:
    """The actions app's rule for a position on a date (latest update on or before it), one query."""
    return positions_on(actions, day)


@dataclass
class BoardAction:
    action: Action
    then: ActionUpdate | None  # None: the action did not exist on the board date
    overdue: bool

    @property
    def status_then(self) -> str | None:
        return self.then.status if self.then else None

    @property
    def status_then_label(self) -> str:
        return Status(self.then.status).label if self.then else "Not yet planned"

    @property
    def rag_then_label(self) -> str:
        return self.then.get_rag_display() if self.then else ""

    @property
    def measure_then(self):
        return self.then.measure_value if self.then else None

    @property
    def is_new(self) -> bool:
        return self.then is None

    @property
    def changes(self) -> list[str]:
        """What moved between the two dates, in words."""
        action = self.action
        if self.then is None:
            return ["New since the last board"]
        moved = []
        if self.then.status != action.status:
            moved.append(f"Status {Status(self.then.status).label} to {action.get_status_display()}")
        if self.then.rag != action.rag:
            moved.append(f"RAG {self.then.get_rag_display()} to {action.get_rag_display()}")
        if self.then.measure_value != action.measure_latest:
            before = _number(self.then.measure_value)
            moved.append(f"Measure {before} to {_number(action.measure_latest)}")
        return moved

    @property
    def moved(self) -> bool:
        return bool(self.changes)

    @property
    def done_then(self) -> bool:
        return self.then is not None and self.then.status in DONE_STATUSES

    @property
    def done_now(self) -> bool:
        return self.action.status in DONE_STATUSES

    @property
    def why(self) -> str:
        return self.action.progress_notes.strip() or getattr(self.action, "last_note", "") or "No progress note recorded."


def _number(value) -> str:
    if value is None:
        return "not measured"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


@dataclass
class BoardFinding:
    finding: Finding
    actions: list[BoardAction]

    @property
    def total_then(self) -> int:
        return sum(1 for a in self.actions if a.then is not None)

    @property
    def done_then(self) -> int:
        return sum(1 for a in self.actions if a.done_then)

    @property
    def total_now(self) -> int:
        return len(self.actions)

    @property
    def done_now(self) -> int:
        return sum(1 for a in self.actions if a.done_now)

    @property
    def percent_then(self) -> int | None:
        return percent(self.done_then, self.total_then)

    @property
    def percent_now(self) -> int | None:
        return percent(self.done_now, self.total_now)


@dataclass
class BoardReport:
    authority: LocalAuthority
    since: date
    today: date
    findings: list[BoardFinding]

    @property
    def actions(self) -> list[BoardAction]:
        return [a for f in self.findings for a in f.actions]

    @property
    def total_then(self) -> int:
        return sum(f.total_then for f in self.findings)

    @property
    def done_then(self) -> int:
        return sum(f.done_then for f in self.findings)

    @property
    def total_now(self) -> int:
        return sum(f.total_now for f in self.findings)

    @property
    def done_now(self) -> int:
        return sum(f.done_now for f in self.findings)

    @property
    def percent_then(self) -> int | None:
        return percent(self.done_then, self.total_then)

    @property
    def percent_now(self) -> int | None:
        return percent(self.done_now, self.total_now)

    @property
    def moved(self) -> list[BoardAction]:
        return [a for a in self.actions if a.moved]

    @property
    def overdue(self) -> list[BoardAction]:
        return sorted((a for a in self.actions if a.overdue), key=lambda a: (a.action.due_date, a.action.pk))


def board_report_for(user, authority: LocalAuthority, since: date, today: date) -> BoardReport:
    """Every finding with a plan and each action's position on the board date and now. Three queries."""
    last_note = (
        # The creation row's note ("Action created") says nothing about why an action is late.
        ActionUpdate.objects.filter(action=OuterRef("pk"), version__gt=1).exclude(note="")
        .order_by("-created_at", "-version").values("note")[:1]
    )
    actions = list(
        dashboard_actions(user, authority)
        .select_related("owner", "finding__theme")
        .annotate(last_note=Subquery(last_note))
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )
    then = _positions_on([a.pk for a in actions], since)
    planned = {a.finding_id for a in actions}
    findings = list(
        Finding.objects.filter(
            inspection__authority=authority,
            inspection__in=Inspection.objects.filter(findings__id__in=planned),
        )
        .distinct()
        .select_related("inspection", "theme")
        .order_by("-inspection__visit_start", "inspection_id", "-kind", "position")
    )
    by_finding: dict[int, list[BoardAction]] = {f.pk: [] for f in findings}
    for action in actions:
        by_finding.setdefault(action.finding_id, []).append(
            BoardAction(action=action, then=then.get(action.pk), overdue=action.is_overdue(today))
        )
    return BoardReport(
        authority=authority,
        since=since,
        today=today,
        findings=[BoardFinding(finding=f, actions=by_finding[f.pk]) for f in findings],
    )


def plan_dates_for(authority: LocalAuthority, today: date) -> list[tuple[Inspection, object]]:
    """Ofsted's statutory dates for each plan (70 working days after the letter, and a draft after 20
    for priority actions), from the actions app. Two queries for any number of inspections."""
    # Only whether a visit set priority actions matters here: those findings alone, not every one of ten years.
    priority = Prefetch("findings", queryset=Finding.objects.filter(kind=FindingKind.PRIORITY_ACTION))
    inspections = authority.inspections.select_related("action_plan").prefetch_related(priority).order_by(
        "-visit_start", "-id"
    )
    rows = []
    for inspection in inspections:
        deadlines = plan_deadlines_for(inspection, today)
        if deadlines.applies:
            # Counted here, once per day and revision (kept with the figures), not by the template on
            # every view: working days to a letter of ten years ago are thousands of days to step through.
            days_left = deadlines.plan_days_left
            rows.append({
                "inspection": inspection,
                "deadlines": deadlines,
                "days_left": days_left,
                "overdue": days_left is not None and days_left < 0,
                "days_late": -days_left if days_left is not None and days_left < 0 else None,
            })
    return rows


def only_authority_for(user) -> LocalAuthority | None:
    """The user's authority when they have exactly one, else None."""
    authorities = list(authorities_for(user).order_by("name")[:2])
    return authorities[0] if len(authorities) == 1 else None


# --- council figures, a council's inspections, an inspection's findings with their actions ----------------
# (moved from inspections.selectors: they count actions, and inspections sits below actions)


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

    Kept in the data cache under the council's data revision and the date: after a change only that
    council is counted again, so the overview of every council in England costs the councils that
    changed, not all their actions. The misses are counted together: at most three queries, whatever
    the number of councils.
    """
    keys = {a.pk: data_key("council-summary", a.pk, a.data_revision, today.isoformat()) for a in authorities}
    return cached_many(keys, lambda missing: _count_councils(missing, today))


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

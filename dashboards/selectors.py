"""Reads for dashboards, visit comparisons and board reports, always scoped to the user.

Every figure is counted by the database (aggregates and correlated subqueries), so a page makes the
same number of queries for ten actions or ten thousand. Dates are business dates in Europe/London:
an update at 23:30 UTC on 31 March (BST) belongs to 1 April.
"""

from __future__ import annotations

from collections.abc import Callable
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
from django.db.models.functions import Coalesce, Lag, RowNumber, TruncMonth
from django.urls import NoReverseMatch, reverse
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator

from core.datacache import cached_data, cached_many, data_key
from core.dates import long_date, long_month, short_date
from core.links import ID_MARK, SLUG_MARK, filled_in
from core.people import person_label
from actions.models import DONE_STATUSES, OPEN_STATUSES, Action, ActionUpdate, Rag, Status, stale_cutoff_date, stale_update_days
from accounts.selectors import can_edit_actions, can_verify_actions, is_partner
from actions.selectors import (
    DUE_SOON_DAYS as TASKS_DUE_SOON_DAYS,
    actions_for,
    due_soon_q,
    plan_deadlines_for,
    positions_on,
    progress_counts,
    sent_back_q,
    update_due_q,
)
from actions.filters import NO_FRAMEWORK_REF
from actions.tables import action_path_maker
from findings.models import Finding, FindingKind
from inspections.importing.framework import FRAMEWORK_REFS
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


def action_list_url_maker(key: str, **params) -> Callable[[int], str]:
    """`action_list_url(**{key: pk}, **params)` for any id, encoded once: a table of 153 councils links
    every row to the list, and encoding the same query string for each row showed in the overview's profile."""
    # The key comes first in the query string, so its value is the mark's first occurrence.
    return filled_in(action_list_url(**{key: ID_MARK}, **params), ID_MARK)


# --- "Your tasks": each role's home page ---------------------------------------------------------------
#
# What is waiting for the person signed in, as counts that link to the action list behind each (the
# actions app's filters: the count and the list are the same query). Owners (leads, partners, anyone who
# owns actions): their overdue actions, those due soon, this cycle's updates and those sent back.
# Checkers (senior leaders and admins): actions awaiting verification, those sent back, late updates, and
# each council's plan deadlines (Ofsted's 20 and 70 working days). Partners: their actions themselves.

HOME_PARTNER_ACTIONS = 20


@dataclass(frozen=True)
class TaskCount:
    key: str
    label: str
    count: int
    url: str
    # The figure's colour (app-figure--overdue, --soon, ...), for the ones that call for attention.
    modifier: str = ""


@dataclass(frozen=True)
class PlanDeadlineTask:
    inspection: Inspection
    deadlines: object  # actions.selectors.PlanDeadlines


@dataclass
class HomeTasks:
    is_partner: bool
    has_councils: bool
    owns_actions: bool
    owner_counts: list[TaskCount] = field(default_factory=list)
    checker_counts: list[TaskCount] = field(default_factory=list)
    plan_deadlines: list[PlanDeadlineTask] = field(default_factory=list)
    partner_actions: list[Action] = field(default_factory=list)
    partner_action_total: int = 0

    @property
    def is_checker(self) -> bool:
        return bool(self.checker_counts)

    @property
    def nothing_waiting(self) -> bool:
        return not any(t.count for t in self.owner_counts + self.checker_counts) and not self.plan_deadlines


@cache
def _my_actions_path() -> str:
    try:
        return reverse("actions:my_actions")
    except NoReverseMatch:
        return "/actions/mine/"


def my_actions_url(**params) -> str:
    """A link to the user's own action list with the given filters."""
    query = urlencode([(key, str(value)) for key, value in params.items()])
    return f"{_my_actions_path()}?{query}" if query else _my_actions_path()


def home_tasks_for(user, today: date) -> HomeTasks:
    """Everything the "Your tasks" page shows, in a fixed number of queries whatever the data's size."""
    partner = is_partner(user)
    has_councils = bool(authority_ids_for(user))
    mine = actions_for(user).filter(owner__user=user)
    owner_figures = owner_task_counts(mine, today)
    tasks = HomeTasks(is_partner=partner, has_councils=has_councils, owns_actions=owner_figures["total"] > 0)
    if tasks.owns_actions or can_edit_actions(user):
        tasks.owner_counts = [
            TaskCount("overdue", "Your overdue actions", owner_figures["overdue"],
                      my_actions_url(overdue="true"), "app-figure--overdue"),
            TaskCount("due_soon", f"Due in the next {TASKS_DUE_SOON_DAYS} days", owner_figures["due_soon"],
                      my_actions_url(due_soon="true"), "app-figure--soon"),
            TaskCount("update_due", "Updates due this cycle", owner_figures["update_due"],
                      my_actions_url(update="due")),
            TaskCount("sent_back", "Sent back to you", owner_figures["sent_back"], my_actions_url(sent_back="true")),
        ]
    if partner:
        rows = mine.select_related("finding__inspection__authority").order_by(
            F("due_date").asc(nulls_last=True), "id"
        )
        tasks.partner_actions = list(rows[:HOME_PARTNER_ACTIONS])
        tasks.partner_action_total = owner_figures["total"]
    if can_verify_actions(user) and has_councils:
        checks = checker_task_counts(actions_for(user), today)
        tasks.checker_counts = [
            TaskCount("awaiting_verification", "Awaiting verification", checks["awaiting_verification"],
                      action_list_url(status=Status.COMPLETE), "app-figure--complete"),
            TaskCount("sent_back", "Sent back to their owners", checks["sent_back"],
                      action_list_url(sent_back="true")),
            TaskCount("late_updates", "Late updates", checks["late_updates"],
                      action_list_url(update="late"), "app-figure--overdue"),
        ]
        tasks.plan_deadlines = plan_deadlines_waiting_for(user, today)
    return tasks


def owner_task_counts(mine: QuerySet[Action], today: date) -> dict[str, int]:
    """The owner's figures in one query: total, overdue, due within TASKS_DUE_SOON_DAYS, update due,
    sent back by a checker."""
    open_ = Q(status__in=OPEN_STATUSES)
    return mine.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=open_ & Q(due_date__lt=today)),
        due_soon=Count("id", filter=due_soon_q(today)),
        update_due=Count("id", filter=update_due_q(today)),
        sent_back=Count("id", filter=sent_back_q()),
    )


def checker_task_counts(actions: QuerySet[Action], today: date) -> dict[str, int]:
    """A checker's figures over their councils' actions, in one query. "Late updates" here is the
    monthly-cycle escalation (actions.selectors.update_due_q, with_update_due's rule: the same as the
    reminder emails' and the list's "Monthly update: late" filter)."""
    return actions.aggregate(
        awaiting_verification=Count("id", filter=Q(status=Status.COMPLETE)),
        sent_back=Count("id", filter=sent_back_q()),
        late_updates=Count("id", filter=update_due_q(today, late=True)),
    )


def plan_deadlines_waiting_for(user, today: date) -> list[PlanDeadlineTask]:
    """Each council's latest inspection or visit that calls for an action plan (graded, or with priority
    actions) whose plan is not yet recorded as sent to Ofsted: its 20 and 70 working-day dates."""
    applies = Q(kind__in=GRADED_KINDS) | Q(findings__kind=FindingKind.PRIORITY_ACTION)
    latest = (
        Inspection.objects.filter(applies, authority_id=OuterRef("authority_id"))
        .order_by("-visit_start", "-pk")
        .values("pk")[:1]
    )
    inspections = (
        Inspection.objects.filter(authority_id__in=authority_ids_for(user), plan_submitted_on__isnull=True)
        .filter(pk=Subquery(latest))
        .select_related("authority", "action_plan")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.filter(kind=FindingKind.PRIORITY_ACTION).only("pk", "kind", "inspection_id"),
            )
        )
        .order_by("authority__name")
    )
    tasks = [PlanDeadlineTask(inspection, plan_deadlines_for(inspection, today)) for inspection in inspections]
    # A plan "not recorded" (its deadline had passed before the inspection was added, as for Ofsted's
    # published outcomes or an old report imported for the record) has no count to chase.
    return [task for task in tasks if task.deadlines.applies and not task.deadlines.plan_not_recorded]


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
    """Everything the dashboard shows for the current plan (or the chosen one, or "all") on a date.

    Three kept parts: the plans and their statutory dates under the council's visits revision (kept while
    the council updates its actions), the monthly burn-down under its statuses revision (kept while
    updates leave the actions' statuses as they were), and the other action figures under its data
    revision."""
    _check_member(user, authority)
    plan = _plan_choice(choice)
    plans_key = data_key("dashboard-plans", authority.pk, authority.visits_revision, today.isoformat(), plan)
    plans = cached_data(plans_key, lambda: _dashboard_plans(authority, choice, today))
    months_key = data_key("dashboard-months", authority.pk, authority.statuses_revision, today.isoformat(), plan)
    months = cached_data(months_key, lambda: progress_over_time(council_actions(authority, plans["inspection"]), today))
    key = data_key("dashboard", authority.pk, authority.data_revision, today.isoformat(), plan)
    figures = cached_data(key, lambda: _dashboard_figures(authority, plans, today))
    return {**plans, **figures, "months": months}


def _dashboard_plans(authority: LocalAuthority, choice, today: date) -> dict:
    plans = list(inspections_with_actions(authority))
    # The current plan (the latest with actions) unless another, or all of them, is chosen.
    inspection = None if choice == "all" else get_inspection_in(authority, choice) or (plans[0] if plans else None)
    return {
        "inspection": inspection,
        "plans": plans,
        # The plan chooser's words, once per visits revision: a council with decades of visits lists
        # a hundred plans, each written out in the page otherwise.
        "plan_options": [(plan.pk, f"{plan.get_kind_display()}, {long_month(plan.visit_start)}") for plan in plans],
        "plan_dates": plan_dates_for(authority, today),
        # By finding for one plan only: across ten years of plans it would be hundreds of rows.
        "plan_findings": plan_findings(dashboard_findings(authority, inspection)) if inspection else [],
    }


def _dashboard_figures(authority: LocalAuthority, plans: dict, today: date) -> dict:
    """The figures that count the actions of the plan chosen in `plans` (_dashboard_plans)."""
    inspection = plans["inspection"]
    actions = council_actions(authority, inspection)
    link = {"authority": authority.pk, "inspection": inspection.pk if inspection else None}
    # The plan's actions read once (a few columns each); the headline and the progress by finding, theme
    # and owner are counted from these rows, not by four aggregates that each join the same actions.
    facts = action_facts(actions)
    themes = progress_by_theme(actions, today, facts=facts)
    owners = progress_by_owner(actions, today, facts=facts)
    by_finding = progress_by_finding(plans["plan_findings"], actions, today, facts=facts) if inspection else []
    framework = progress_by_framework(actions, today, facts=facts)
    action_path = action_path_maker()
    return {
        "headline": headline_for(actions, dashboard_findings(authority, inspection), link=link, today=today,
                                 facts=facts, findings_total=len(by_finding) if inspection else None),
        "by_finding": by_finding,
        "themes": [dict(t, url=action_list_url(**link, theme=t["id"])) for t in themes],
        "owners": [dict(o, url=action_list_url(**link, owner=o["id"] or "null")) for o in owners],
        "framework": [dict(f, url=action_list_url(**link, framework=f["id"])) for f in framework],
        "recent": [dashboard_action(action, today, action_path=action_path) for action in recently_updated(actions)],
        "recent_url": action_list_url(**link, sort="-updated"),
        "overdue": [dashboard_action(action, today, action_path=action_path) for action in overdue_actions(actions, today)],
        "overdue_url": action_list_url(**link, overdue=1),
    }


def comparison_for(user, authority: LocalAuthority, limit: int | None, visit_ids: list[int] | None = None) -> dict:
    """The visit comparison: the latest `limit` visits (all of them when None) side by side, or the
    visits chosen (`visit_ids`, ids of this council's visits only: the chooser form checks them).

    Two kept parts: the visits, grades and findings under the council's visits revision (kept while
    the council updates its actions), and where the earlier actions stood under its statuses revision
    (kept while updates leave the actions' statuses as they were)."""
    _check_member(user, authority)
    chosen = sorted(set(visit_ids)) if visit_ids else None
    part = "v" + "-".join(map(str, chosen)) if chosen else (limit or "all")
    visits_key = data_key("compare-visits", authority.pk, authority.visits_revision, part)
    comparison = cached_data(visits_key, lambda: _comparison_of_visits(authority, None if chosen else limit, chosen))
    positions_key = data_key("compare-positions", authority.pk, authority.statuses_revision, part)
    positions = cached_data(
        positions_key, lambda: earlier_positions_for(authority, comparison["finding_visits"])
    )
    place_earlier_positions(comparison["finding_rows"], positions)
    return {**comparison, "earlier_positions": positions}


def visit_choices_for(user, authority: LocalAuthority) -> list[Inspection]:
    """Every visit of the council, newest first: the choices of the comparison's visit chooser."""
    _check_member(user, authority)
    key = data_key("visit-choices", authority.pk, authority.visits_revision)
    return cached_data(key, lambda: list(authority.inspections.order_by("-visit_start", "-id")))


def _comparison_of_visits(authority: LocalAuthority, limit: int | None, visit_ids: list[int] | None = None) -> dict:
    graded, grid = judgement_grid(authority, limit, visit_ids=visit_ids)
    visits_with_findings, finding_rows = findings_by_theme(authority, limit, visit_ids=visit_ids)
    visits = visits_for(authority, limit, visit_ids=visit_ids)
    return {
        "visits": visits,
        "visit_count": len(visits) if limit is None else authority.inspections.count(),
        "graded": graded,
        "grid": grid,
        "finding_visits": visits_with_findings,
        "finding_rows": finding_rows,
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
    # Open actions with no progress update for more than STALE_UPDATE_DAYS, and open actions by RAG.
    stale: int = 0
    by_rag: list[Figure] = field(default_factory=list)

    @property
    def findings_open(self) -> int:
        return self.findings_total - self.findings_closed

    @property
    def percent_complete(self) -> int | None:
        return percent(self.done_actions, self.total_actions)


@dataclass(frozen=True)
class ActionFact:
    """What the dashboard counts of one action: read once, counted in Python."""

    id: int
    finding_id: int
    theme_id: int | None
    theme_name: str | None
    theme_position: int | None
    owner_id: int | None
    owner_name: str | None
    status: str
    due_date: date | None
    rag: str
    last_progress_at: datetime | None
    created_at: datetime | None
    framework_refs: list | None

    def is_done(self) -> bool:
        return self.status in DONE_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_STATUSES and self.due_date is not None and self.due_date < today

    def is_stale(self, stale_cutoff: date) -> bool:
        """The rule of Action.is_stale and actions.selectors.stale_q, on the facts read."""
        since = self.last_progress_at or self.created_at
        return self.status in OPEN_STATUSES and since is not None and timezone.localdate(since) < stale_cutoff


def action_facts(actions: QuerySet[Action]) -> list[ActionFact]:
    """One query: the columns the dashboard's counts need, for every action of the scope."""
    rows = actions.order_by().values_list(
        "id", "finding_id", "finding__theme_id", "finding__theme__name", "finding__theme__position",
        "owner_id", "owner__name", "status", "due_date",
        "rag", "last_progress_at", "created_at", "finding__framework_refs",
    )
    return [ActionFact(*row) for row in rows]


def _counts(facts, today: date) -> dict[str, int]:
    done = sum(1 for f in facts if f.is_done())
    return {"total": len(facts), "done": done, "overdue": sum(1 for f in facts if f.is_overdue(today))}


def headline_for(
    actions: QuerySet[Action],
    findings: QuerySet[Finding],
    *,
    link: dict,
    today: date,
    facts: list[ActionFact] | None = None,
    findings_total: int | None = None,
) -> Headline:
    """Counted from the scope's action facts (read here when not given) and, unless the caller knows
    it, one count of the findings. A finding is closed when it has actions and every one is closed."""
    facts = action_facts(actions) if facts is None else facts
    soon = today + timedelta(days=DUE_SOON_DAYS)
    by_value = {value: 0 for value in Status.values}
    actions_of_finding: dict[int, list[str]] = {}
    due_soon = 0
    for fact in facts:
        by_value[fact.status] = by_value.get(fact.status, 0) + 1
        actions_of_finding.setdefault(fact.finding_id, []).append(fact.status)
        if fact.status in OPEN_STATUSES and fact.due_date is not None and today <= fact.due_date <= soon:
            due_soon += 1
    counts = _counts(facts, today)
    stale_cutoff = stale_cutoff_date(today)
    open_facts = [fact for fact in facts if fact.status in OPEN_STATUSES]
    counts["open"] = len(open_facts)
    counts["stale"] = sum(1 for fact in open_facts if fact.is_stale(stale_cutoff))
    for value in Rag.values:
        counts[f"rag_{value}"] = sum(1 for fact in open_facts if fact.rag == value)
    if findings_total is None:
        findings_total = findings.count()
    findings_closed = sum(
        1 for statuses in actions_of_finding.values() if all(status == Status.CLOSED for status in statuses)
    )
    by_status = [
        Figure(label=str(label), count=by_value[value], of=counts["total"], url=action_list_url(**link, status=value))
        for value, label in Status.choices
    ]
    by_rag = [
        Figure(
            label=str(label), count=counts[f"rag_{value}"], of=counts["open"],
            url=action_list_url(**link, status=list(OPEN_STATUSES), rag=value),
        )
        for value, label in Rag.choices
    ]
    links = {
        "stale": action_list_url(**link, stale=1),
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
        due_soon=due_soon,
        by_status=by_status,
        findings_total=findings_total,
        findings_closed=findings_closed,
        links=links,
        stale=counts["stale"],
        by_rag=by_rag,
    )


# --- progress by finding, theme and owner ---------------------------------------------------------------


def _grouped(facts, key) -> dict:
    groups: dict = {}
    for fact in facts:
        groups.setdefault(key(fact), []).append(fact)
    return groups


def plan_findings(findings: QuerySet[Finding]) -> list[Finding]:
    """The findings of a plan in the order the dashboard lists them, with their visit and theme."""
    return list(findings.select_related("inspection", "theme").order_by("-inspection__visit_start", "-kind", "position"))


def progress_by_finding(
    findings: list[Finding], actions: QuerySet[Action], today: date, *, facts: list[ActionFact] | None = None
) -> list[Finding]:
    """`findings`: plan_findings(); each is given its actions' total, done, overdue and percent."""
    # Counted over the visible actions grouped by finding, then joined to the findings in Python: a join
    # from findings to a filtered set of actions needs DISTINCT counts, several times slower in PostgreSQL.
    facts = action_facts(actions) if facts is None else facts
    counts = {finding_id: _counts(group, today) for finding_id, group in _grouped(facts, lambda f: f.finding_id).items()}
    for finding in findings:
        figures = counts.get(finding.pk, {})
        finding.total, finding.done, finding.overdue = (figures.get(k, 0) for k in ("total", "done", "overdue"))
        finding.percent = percent(finding.done, finding.total)
    return findings


def _last_if_none(value):
    """A sort key putting None last, as PostgreSQL's ascending order does."""
    return (value is None, value if value is not None else 0)


# The dashboard reports progress against the national framework's outcomes and enablers (what improvement
# boards and the Department for Education report against); the principles are tags to filter by.
PROGRESS_FRAMEWORK_REFS = tuple((ref, label) for ref, label in FRAMEWORK_REFS if not ref.startswith("principle"))


def progress_by_framework(
    actions: QuerySet[Action], today: date, *, facts: list[ActionFact] | None = None
) -> list[dict]:
    """Progress for each outcome and enabler its actions' findings are tagged with, then the actions whose
    findings have no national framework tag at all. Counted from the plan's action facts (read here when
    not given): a finding may carry several tags, and an action counts under every tag of its finding."""
    facts = action_facts(actions) if facts is None else facts
    groups = [ref for ref, _ in PROGRESS_FRAMEWORK_REFS] + [NO_FRAMEWORK_REF]
    by_ref: dict[str, list[ActionFact]] = {ref: [] for ref in groups}
    for fact in facts:
        refs = fact.framework_refs or []
        if not refs:
            by_ref[NO_FRAMEWORK_REF].append(fact)
        for ref in refs:
            if ref in by_ref:
                by_ref[ref].append(fact)
    labels = dict(PROGRESS_FRAMEWORK_REFS)
    rows = [
        _progress_row(
            ref, labels.get(ref, "No national framework tag"), _counts(by_ref[ref], today),
            short=ref.capitalize() if ref in labels else "No tag",
        )
        for ref in groups
        if by_ref[ref]
    ]
    # Only the untagged row: the plan predates the tags, so there is nothing to show by outcome.
    return [] if [r["id"] for r in rows] == [NO_FRAMEWORK_REF] else rows


def _progress_row(row_id, name: str, counts: dict[str, int], **extra) -> dict:
    """One row of a progress table (by theme, owner or framework tag) from its total, done and overdue."""
    total, done = counts["total"], counts["done"]
    return {"id": row_id, "name": name, "total": total, "done": done, "overdue": counts["overdue"],
            "open": total - done, "percent": percent(done, total), **extra}


def progress_by_theme(actions: QuerySet[Action], today: date, *, facts: list[ActionFact] | None = None) -> list[dict]:
    facts = action_facts(actions) if facts is None else facts
    groups = _grouped(facts, lambda f: f.theme_id)
    result = []
    for theme_id, group in groups.items():
        counts = _counts(group, today)
        first = group[0]
        result.append(_progress_row(
            theme_id, first.theme_name or "No theme", counts,
            _order=(_last_if_none(first.theme_position), _last_if_none(first.theme_name)),
        ))
    result.sort(key=lambda row: row.pop("_order"))
    return result


def progress_by_owner(actions: QuerySet[Action], today: date, *, facts: list[ActionFact] | None = None) -> list[dict]:
    facts = action_facts(actions) if facts is None else facts
    groups = _grouped(facts, lambda f: f.owner_id)
    result = []
    for owner_id, group in groups.items():
        counts = _counts(group, today)
        first = group[0]
        result.append(_progress_row(
            owner_id, first.owner_name or "Unassigned", counts,
            _order=(_last_if_none(first.owner_name), _last_if_none(owner_id)),
        ))
    result.sort(key=lambda row: row.pop("_order"))
    return result


# --- over time ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the first of the month
    completed: int  # actions first marked complete or closed in this month
    outstanding: int  # open actions at the end of the month (or today, for this month)

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"

    @property
    def long_label(self) -> str:
        return long_month(self.month)


def progress_over_time(actions: QuerySet[Action], today: date) -> list[MonthPoint]:
    """Monthly series since the plan started: completions and the burn-down of open actions.

    One query over the plan's history, aggregated in the database by London month: when the plan
    started (its first month with a row), the actions first marked complete or closed each month, and
    the burn-down from the history's open/closed transitions (see _history_by_month).
    """
    by_month = _history_by_month(actions, today)
    if not by_month:
        return []
    this_month = today.replace(day=1)
    first = max(min(by_month), add_months(this_month, -(BURN_DOWN_MAX_MONTHS - 1)))
    months = []
    cursor = first
    while cursor <= this_month:
        months.append(cursor)
        cursor = add_months(cursor, 1)
    running = sum(delta for month, (delta, _) in by_month.items() if month < months[0])
    points = []
    for month in months:
        delta, completed = by_month.get(month, (0, 0))
        running += delta
        points.append(MonthPoint(month=month, completed=completed, outstanding=running))
    return points


def _history_by_month(actions: QuerySet[Action], today: date) -> dict[date, tuple[int, int]]:
    """For each London month with a history row: (change in open actions by the end of today, actions
    first marked done in it).

    Open actions at a moment, by the latest-update-on-or-before rule: each update contributes +1 when
    it makes its action open, -1 when it ends an open spell, 0 otherwise (its open flag minus the
    previous update's, a window function); the running total of these up to a moment is the number of
    actions whose latest update by then is open, in one pass over the history instead of one lookup
    per action per month. Rows after today count towards the plan's start and completions, as before,
    but not towards the burn-down. An action's first done row is the first of its rows (by time and
    version) whose status is complete or closed.
    """
    open_flag = Case(When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField())
    done_flag = Case(When(status__in=DONE_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField())
    order = [F("created_at").asc(), F("version").asc()]
    rows = (
        ActionUpdate.objects.filter(action__in=actions.values("pk"))
        .annotate(
            month=TruncMonth("created_at"),
            delta=open_flag - Coalesce(Window(Lag(open_flag), partition_by=[F("action_id")], order_by=order), Value(0)),
            done=done_flag,
            done_rank=Window(RowNumber(), partition_by=[F("action_id"), done_flag], order_by=order),
        )
        .values("month", "created_at", "delta", "done", "done_rank")
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    cutoff = end_of_local_day(today)
    by_month: dict[date, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.month, SUM(CASE WHEN r.created_at < %s THEN r.delta ELSE 0 END), "
            "SUM(CASE WHEN r.done = 1 AND r.done_rank = 1 THEN 1 ELSE 0 END) "
            f"FROM ({sql}) r GROUP BY r.month",
            (cutoff, *params),
        )
        for month, delta, completed in cursor.fetchall():
            if isinstance(month, str):  # SQLite returns the truncated moment as text
                month = date.fromisoformat(month[:10])
            elif isinstance(month, datetime):
                month = (timezone.localtime(month) if timezone.is_aware(month) else month).date()
            key = month.replace(day=1)
            before = by_month.get(key, (0, 0))
            by_month[key] = (before[0] + int(delta or 0), before[1] + int(completed or 0))
    return by_month


# --- lists ----------------------------------------------------------------------------------------------


# What a dashboard list shows of an action (DashboardAction): not its description, measures or finding.
DASHBOARD_ACTION_FIELDS = (
    "id", "title", "status", "rag", "due_date", "last_progress_at", "created_at", "progress_notes",
    "owner__id", "owner__name",
)


def recently_updated(actions: QuerySet[Action], limit: int = DASHBOARD_LIST_LIMIT) -> QuerySet[Action]:
    last_update = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-version")
    return (
        actions.select_related("owner").only(*DASHBOARD_ACTION_FIELDS)
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
        .select_related("owner").only(*DASHBOARD_ACTION_FIELDS)
        .order_by("due_date", "id")[:limit]
    )
    for action in rows:
        action.days_overdue = (today - action.due_date).days
    return rows


@dataclass(frozen=True)
class DashboardAction:
    """An action in the dashboard's "Overdue" and "Recently updated" lists, its words worked out once with
    the kept figures (plain data: cheap to keep, and nothing left for the template to look up)."""

    pk: int
    title: str
    url: str
    owner: str
    status: str
    status_label: str
    status_class: str
    rag: str
    rag_label: str
    rag_class: str
    due_date: date | None
    due_text: str
    days_overdue: int | None
    progress_excerpt: str  # the latest progress note, shortened
    progress_text: str  # its date
    stale_days: int | None
    last_update_note: str | None  # the latest history note (recently updated only)
    last_update_excerpt: str
    last_update_text: str


def dashboard_action(action: Action, today: date, *, action_path: Callable[[int], str]) -> DashboardAction:
    """`action_path`: actions.tables.action_path_maker(), made once for the whole list."""
    progress_day = timezone.localdate(action.last_progress_at) if action.last_progress_at else None
    last_update_at = getattr(action, "last_update_at", None)
    note = getattr(action, "last_update_note", None)
    return DashboardAction(
        pk=action.pk,
        title=action.title,
        url=action_path(action.pk),
        owner=person_label(action.owner, nobody="Unassigned"),
        status=action.status,
        status_label=action.get_status_display(),
        status_class=action.status_tag_class,
        rag=action.rag,
        rag_label=action.get_rag_display(),
        rag_class=action.rag_tag_class,
        due_date=action.due_date,
        due_text=short_date(action.due_date) if action.due_date else "",
        days_overdue=getattr(action, "days_overdue", None),
        progress_excerpt=Truncator(action.progress_notes).chars(160),
        progress_text=short_date(progress_day) if progress_day else "",
        stale_days=action.stale_days if action.is_stale(today) else None,
        last_update_note=note,
        last_update_excerpt=Truncator(note).chars(100) if note else "",
        last_update_text=short_date(timezone.localdate(last_update_at)) if last_update_at else "",
    )


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
    # One reverse per page rather than two per council, and the overdue link encoded once.
    dashboard_path = filled_in(reverse("dashboards:dashboard", kwargs={"slug": SLUG_MARK}), SLUG_MARK)
    compare_path = filled_in(reverse("dashboards:compare", kwargs={"slug": SLUG_MARK}), SLUG_MARK)
    overdue_url = action_list_url_maker("authority", overdue=1)
    for row in rows:
        summary = summaries[row.pk]
        row.last_visit = summary.last_visit
        row.last_inspection = summary.last_inspection
        row.total_actions = summary.total_actions
        row.done_actions = summary.done_actions
        row.overdue = summary.overdue
        row.percent_complete = row.done_actions * 100.0 / row.total_actions if row.total_actions else None
        row.percent = percent(row.done_actions, row.total_actions)
        row.overdue_url = overdue_url(row.pk)
        row.dashboard_url = dashboard_path(row.slug)
        row.compare_url = compare_path(row.slug)
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


def _visits_of(authority: LocalAuthority, visit_ids: list[int] | None) -> QuerySet[Inspection]:
    """The council's visits, or only those chosen."""
    visits = authority.inspections.all()
    return visits.filter(pk__in=visit_ids) if visit_ids else visits


def judgement_grid(
    authority: LocalAuthority, limit: int | None = None, *, visit_ids: list[int] | None = None
) -> tuple[list[Inspection], list[tuple[str, list[GridCell]]]]:
    """Areas as rows, graded inspections as columns (oldest first), each grade against the one before.

    With a limit, the latest `limit` graded inspections; one more is read so the first shown still has
    a grade to compare with. With chosen visits, their graded inspections, each against the chosen one
    before it.
    """
    inspections = _latest(
        _visits_of(authority, visit_ids).filter(kind__in=GRADED_KINDS).prefetch_related("judgements"), limit, extra=1
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


def visits_for(authority: LocalAuthority, limit: int | None = None, *, visit_ids: list[int] | None = None) -> list[Inspection]:
    return _latest(
        _visits_of(authority, visit_ids).annotate(finding_count=Count("findings")).prefetch_related("judgements"), limit
    )


@dataclass
class EarlierPosition:
    """Where the earlier finding's actions stood when a later visit raised it again."""

    total: int
    open: int

    @property
    def still_open(self) -> bool:
        return self.open > 0


def findings_across_visits(
    authority: LocalAuthority, limit: int | None = None, *, visit_ids: list[int] | None = None
) -> tuple[list[Inspection], list[dict], dict[int, EarlierPosition]]:
    """Each visit's findings side by side, grouped by theme, with the repeats and their earlier actions.

    Three queries: visits (the latest `limit` with findings, or all), their findings, and the earlier
    actions' status on the later visit's first day.
    """
    visits, rows = findings_by_theme(authority, limit, visit_ids=visit_ids)
    positions = earlier_positions_for(authority, visits)
    place_earlier_positions(rows, positions)
    return visits, rows, positions


def findings_by_theme(
    authority: LocalAuthority, limit: int | None = None, *, visit_ids: list[int] | None = None
) -> tuple[list[Inspection], list[dict]]:
    """The visits with findings (the latest `limit`, or all, oldest first) and their findings in rows by
    theme, a cell per visit, each finding knowing the later findings that raised it again. Visits only:
    where the earlier actions stood is placed on the rows afterwards (place_earlier_positions)."""
    has_findings = Exists(Finding.objects.filter(inspection=OuterRef("pk")))
    visits = _latest(_visits_of(authority, visit_ids).filter(has_findings), limit)
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
    by_pk = {finding.pk: finding for finding in findings}
    for finding in findings:
        finding.raised_again_in = []
    for finding in findings:
        # An earlier finding from a visit outside the columns shown is linked to its own page.
        finding.repeats_shown = finding.repeats_id in by_pk
        if finding.repeats_id in by_pk:
            by_pk[finding.repeats_id].raised_again_in.append(finding)
    return visits, rows


def earlier_positions_for(authority: LocalAuthority, visits: list[Inspection]) -> dict[int, EarlierPosition]:
    """For each finding of these visits that repeats an earlier one: how many of the earlier finding's
    actions there were, and how many were still open, on the later visit's first day. One query."""
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
    return {row["later_id"]: EarlierPosition(total=row["total"], open=row["open"]) for row in earlier}


def place_earlier_positions(rows: list[dict], positions: dict[int, EarlierPosition]) -> None:
    """Give each repeated finding in the rows its earlier actions' position (None for a new finding)."""
    for row in rows:
        for cell in row["cells"]:
            for finding in cell:
                finding.earlier_position = (
                    positions.get(finding.pk, EarlierPosition(total=0, open=0)) if finding.repeats_id else None
                )


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
    today: date | None = None

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

    @property
    def why_on(self):
        """When the quoted note was written: the last progress update, or the history row quoted."""
        if self.action.progress_notes.strip():
            return self.action.last_progress_at
        return getattr(self.action, "last_note_at", None)

    @property
    def stale(self) -> bool:
        return self.action.is_stale(self.today)

    @property
    def stale_label(self) -> str:
        """"No update for 52 days" when the action is stale, else ""."""
        return f"No update for {self.action.stale_days} days" if self.stale else ""


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
    def stale(self) -> list[BoardAction]:
        """Open actions with no progress update for more than STALE_UPDATE_DAYS."""
        return [a for a in self.actions if a.stale]

    @property
    def stale_update_days(self) -> int:
        return stale_update_days()

    @property
    def overdue(self) -> list[BoardAction]:
        return sorted((a for a in self.actions if a.overdue), key=lambda a: (a.action.due_date, a.action.pk))


def board_report_for(user, authority: LocalAuthority, since: date, today: date) -> BoardReport:
    """Every finding with a plan and each action's position on the board date and now. Three queries."""
    last_note = (
        # The creation row's note ("Action created") says nothing about why an action is late.
        ActionUpdate.objects.filter(action=OuterRef("pk"), version__gt=1).exclude(note="")
        .order_by("-created_at", "-version")
    )
    actions = list(
        dashboard_actions(user, authority)
        .select_related("owner", "finding__theme")
        .annotate(
            last_note=Subquery(last_note.values("note")[:1]),
            last_note_at=Subquery(last_note.values("created_at")[:1]),
        )
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
            BoardAction(action=action, then=then.get(action.pk), overdue=action.is_overdue(today), today=today)
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
                # Written out here, with the figures, not by the template on every view.
                "label": f"{inspection.get_kind_display()}, {long_month(inspection.visit_start)}",
                "url": inspection.get_absolute_url(),
                "letter_text": long_date(deadlines.letter_date),
                "plan_due_text": long_date(deadlines.plan_due),
                "draft_due_text": long_date(deadlines.draft_due) if deadlines.draft_due else "",
                "submitted_text": long_date(deadlines.plan_submitted_on) if deadlines.plan_submitted_on else "",
                "days_left": days_left,
                "overdue": days_left is not None and days_left < 0,
                "days_late": -days_left if days_left is not None and days_left < 0 else None,
                "sent_late": deadlines.plan_days_late,  # working days late, for a plan sent after its date
                "not_recorded": deadlines.plan_not_recorded,
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
    # One reverse per page rather than one per council, and the dates written out here: a national
    # leader's list has every council in England.
    council_path = filled_in(reverse("inspections:authority_detail", kwargs={"slug": SLUG_MARK}), SLUG_MARK)
    for authority in authorities:
        authority.summary = summaries[authority.pk]
        authority.url = council_path(authority.slug)
        last_visit = authority.summary.last_visit
        authority.last_visit_text = short_date(last_visit) if last_visit else "None recorded"
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

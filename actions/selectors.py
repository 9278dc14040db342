"""Reads for action pages, always scoped to the user's authorities."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import is_partner
from actions.history import timeline_for
from actions.models import DONE_STATUSES, OPEN_STATUSES, Action, ActionPlan, ActionUpdate, Evidence, Owner, Rag, Status
from actions.models import stale_cutoff_date
from core.pagination import page_of
from core.people import person_label
from core.workdays import add_working_days, working_days_between
from findings.models import Finding, FindingKind
from inspections.models import GRADED_KINDS
from inspections.selectors import authority_ids_for, council_choice_lists


def actions_for(user) -> QuerySet[Action]:
    if is_partner(user):
        # A partner agency sees only what is assigned to it, and only in councils it works with.
        return Action.objects.filter(
            owner__user=user,
            finding__inspection__authority_id__in=Membership.objects.filter(user=user).values("authority_id"),
        )
    return Action.objects.filter(finding__inspection__authority_id__in=authority_ids_for(user))


def progress_counts(today: date) -> dict:
    """Annotations counting grouped actions: total, done (complete or closed) and overdue (open, due before today)."""
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(status__in=DONE_STATUSES)),
        "overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
    }


def stale_q(today: date) -> Q:
    """Open actions with no progress update for more than STALE_UPDATE_DAYS (from creation when there
    has been none): the same rule as Action.is_stale, for filters and counts. Reads the denormalised
    Action.last_progress_at, so it adds no join or subquery."""
    cutoff = timezone.make_aware(datetime.combine(stale_cutoff_date(today), time.min))
    return Q(status__in=OPEN_STATUSES) & (
        Q(last_progress_at__lt=cutoff) | Q(last_progress_at__isnull=True, created_at__lt=cutoff)
    )


def history_for(action: Action) -> QuerySet[ActionUpdate]:
    return action.updates.select_related("author").order_by("-created_at", "-version")


# --- action lists (My actions, All actions, exports) ------------------------------------------------

# Ranks so "status" and "RAG" sort in the order a lead reads them, not alphabetically.
_STATUS_RANK = Case(
    *(When(status=value, then=Value(rank)) for rank, value in enumerate(Status.values)),
    output_field=IntegerField(),
)
_RAG_RANK = Case(
    When(rag=Rag.RED, then=Value(0)),
    When(rag=Rag.AMBER, then=Value(1)),
    When(rag=Rag.GREEN, then=Value(2)),
    output_field=IntegerField(),
)

# The `sort` query parameter: a whitelist of names to orderings (ascending); "-name" reverses.
ACTION_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_date",),
    "title": ("title",),
    "owner": ("owner__name",),
    "status": ("status_rank",),
    "rag": ("rag_rank",),
    "authority": ("finding__inspection__authority__name",),
    "inspection": ("finding__inspection__visit_start",),
    "finding": ("finding__inspection__visit_start", "finding__kind", "finding__position"),
    "updated": ("updated_at",),
    "progress": ("last_progress_at",),
}
DEFAULT_SORT = "due"


def action_rows_for(user) -> QuerySet[Action]:
    """Every action the user may see, shaped for a table: one query for any number of rows."""
    return actions_for(user).select_related(
        "owner", "finding__theme", "finding__inspection__authority"
    ).annotate(status_rank=_STATUS_RANK, rag_rank=_RAG_RANK)


# The columns a page of the lists shows (actions.tables.action_rows): not the long texts of the action and
# its finding, nor the council's reference codes, which the exports read and a page of 25 rows need not.
# Of the finding, its theme, visit and council only the words a row shows, read as columns of the action:
# a model instance each would be four more objects a row for three words.
TABLE_ROW_FIELDS = (
    "id", "version", "title", "due_date", "status", "rag", "last_progress_at", "created_at", "updated_at",
    "finding_id", "owner__id", "owner__name",
)
TABLE_ROW_COLUMNS = {
    "finding_kind": F("finding__kind"),
    "finding_position": F("finding__position"),
    "framework_refs": F("finding__framework_refs"),
    "theme_name": F("finding__theme__name"),
    "visit_kind": F("finding__inspection__kind"),
    "visit_start": F("finding__inspection__visit_start"),
    "authority_name": F("finding__inspection__authority__name"),
}


def table_page(actions: QuerySet[Action]) -> QuerySet[Action]:
    """A page of the lists, read with only the columns its rows show."""
    return actions.select_related(None).select_related("owner").only(*TABLE_ROW_FIELDS).annotate(**TABLE_ROW_COLUMNS)


def my_action_rows_for(user) -> QuerySet[Action]:
    return action_rows_for(user).filter(owner__user=user)


def sort_actions(queryset: QuerySet[Action], sort: str | None, *, default: str = DEFAULT_SORT) -> tuple[QuerySet[Action], str]:
    """Order by a whitelisted sort key; returns the queryset and the key actually used."""
    key = (sort or "").strip()
    name = key.lstrip("-")
    if name not in ACTION_SORTS and key != "priority":
        key = default
        name = key.lstrip("-")
    if key == "priority":
        return _priority_order(queryset), key
    descending = key.startswith("-")
    orderings = [
        (F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True))
        for field in ACTION_SORTS[name]
    ]
    return queryset.order_by(*orderings, "id"), key


def _priority_order(queryset: QuerySet[Action]) -> QuerySet[Action]:
    """Overdue first, then open actions by due date, then finished ones: what a lead works through."""
    today = timezone.localdate()
    urgency = Case(
        When(status__in=DONE_STATUSES, then=Value(2)),
        When(due_date__lt=today, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return queryset.annotate(urgency=urgency).order_by("urgency", F("due_date").asc(nulls_last=True), "id")


def owner_choices_for(user) -> QuerySet[Owner]:
    """The owner records of the user's authorities (people with or without an account)."""
    return Owner.objects.filter(authority_id__in=authority_ids_for(user)).order_by("name", "id")


def _owner_options_of(authority_ids: list[int]) -> dict[int, list[tuple[str, int, str]]]:
    options: dict[int, list[tuple[str, int, str]]] = {pk: [] for pk in authority_ids}
    for owner in Owner.objects.filter(authority_id__in=authority_ids).order_by("name", "id").only(
        "id", "name", "authority_id"
    ):
        options[owner.authority_id].append((owner.name, owner.pk, person_label(owner)))
    return options


def owner_options_for(user) -> list[tuple[int, str]]:
    """The owners of the user's councils as (id, label) choices, by name: kept per council under its
    visits revision, which a new or renamed owner raises."""
    per_council = council_choice_lists(user, _owner_options_of, name="owner-options")
    owners = sorted((owner for options in per_council.values() for owner in options),
                    key=lambda owner: (owner[0].casefold(), owner[1]))
    return [(pk, label) for _name, pk, label in owners]


# --- Plan deadlines, positions on a date, the monthly update cycle, the action page (h5b) -------------


@dataclass(frozen=True)
class PlanDeadlines:
    """Ofsted's dates for the council's action plan after one inspection, and where the council is.

    The dates count from the letter (publication) date; without one, from the last day on site
    (`letter_date_known` says which). A plan or draft not recorded as sent whose due date had already
    passed when the inspection was imported (`imported_on`: an old inspection added for the record) is
    "not recorded": nobody knows when it went, so no overdue count grows from it.
    """

    applies: bool
    letter_date: date | None = None
    plan_due: date | None = None
    plan_submitted_on: date | None = None
    draft_due: date | None = None
    draft_submitted_on: date | None = None
    today: date | None = None
    imported_on: date | None = None
    letter_date_known: bool = True

    def _not_recorded(self, due: date | None, sent: date | None) -> bool:
        return due is not None and sent is None and self.imported_on is not None and self.imported_on > due

    @staticmethod
    def _days_late(due: date | None, sent: date | None) -> int | None:
        if due is None or sent is None or sent <= due:
            return None
        return working_days_between(due, sent)

    @property
    def plan_not_recorded(self) -> bool:
        return self.applies and self._not_recorded(self.plan_due, self.plan_submitted_on)

    @property
    def draft_not_recorded(self) -> bool:
        return self._not_recorded(self.draft_due, self.draft_submitted_on)

    @property
    def plan_days_late(self) -> int | None:
        """Working days after its due date that the plan was sent (None: sent on time, or not sent)."""
        return self._days_late(self.plan_due, self.plan_submitted_on)

    @property
    def draft_days_late(self) -> int | None:
        return self._days_late(self.draft_due, self.draft_submitted_on)

    @property
    def plan_days_left(self) -> int | None:
        """Working days left to the plan's due date (negative when overdue); None once submitted, or when
        it is not recorded."""
        if not self.applies or self.plan_submitted_on or self.plan_not_recorded:
            return None
        return working_days_between(self.today, self.plan_due)

    @property
    def draft_days_left(self) -> int | None:
        if self.draft_due is None or self.draft_submitted_on or self.draft_not_recorded:
            return None
        return working_days_between(self.today, self.draft_due)

    @property
    def plan_overdue(self) -> bool:
        return self.plan_days_left is not None and self.plan_days_left < 0

    @property
    def draft_overdue(self) -> bool:
        return self.draft_days_left is not None and self.draft_days_left < 0


def plan_deadlines_for(inspection, today: date | None = None) -> PlanDeadlines:
    """The action plan is due 70 working days after the letter for a full or short inspection or a
    visit that set areas for priority action; a draft 20 working days after it for priority actions.

    Reads inspection.action_plan and the priority-action findings: prefetch them for many inspections.
    """
    today = today or timezone.localdate()
    has_priority = _has_priority_actions(inspection, FindingKind.PRIORITY_ACTION)
    if inspection.kind not in GRADED_KINDS and not has_priority:
        return PlanDeadlines(applies=False, today=today)
    letter = inspection.published_on or inspection.visit_end
    plan = _action_plan_or_none(inspection)
    created = getattr(inspection, "created_at", None)
    return PlanDeadlines(
        applies=True,
        letter_date=letter,
        plan_due=add_working_days(letter, PLAN_DUE_WORKING_DAYS),
        plan_submitted_on=inspection.plan_submitted_on,
        draft_due=add_working_days(letter, DRAFT_DUE_WORKING_DAYS) if has_priority else None,
        draft_submitted_on=plan.draft_submitted_on if plan else None,
        today=today,
        imported_on=timezone.localtime(created).date() if created else None,
        letter_date_known=inspection.published_on is not None,
    )


PLAN_DUE_WORKING_DAYS = 70
DRAFT_DUE_WORKING_DAYS = 20


def _has_priority_actions(inspection, kind) -> bool:
    cache = getattr(inspection, "_prefetched_objects_cache", {})
    if "findings" in cache:
        return any(finding.kind == kind for finding in cache["findings"])
    return inspection.findings.filter(kind=kind).exists()


def _action_plan_or_none(inspection):
    try:
        return inspection.action_plan
    except ActionPlan.DoesNotExist:
        return None


def _end_of_day(day: date) -> datetime:
    """The first instant after `day` in Europe/London (the business time zone)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def positions_on(actions, day: date) -> dict[int, ActionUpdate]:
    """Each action's position at the end of `day`: its latest history row on or before then.

    `actions` is a queryset or an iterable of actions or ids. One query: DISTINCT ON on PostgreSQL,
    a correlated subquery elsewhere. Actions created after `day` are absent from the result.
    """
    if isinstance(actions, QuerySet):
        action_ids = actions.values("pk")
    else:
        action_ids = [getattr(item, "pk", item) for item in actions]
    cutoff = _end_of_day(day)
    rows = ActionUpdate.objects.filter(action_id__in=action_ids, created_at__lt=cutoff).select_related("author")
    if connection.vendor == "postgresql":
        rows = rows.order_by("action_id", "-created_at", "-version").distinct("action_id")
    else:
        latest = (
            ActionUpdate.objects.filter(action_id=OuterRef("action_id"), created_at__lt=cutoff)
            .order_by("-created_at", "-version")
            .values("pk")[:1]
        )
        rows = rows.filter(pk=Subquery(latest))
    return {row.action_id: row for row in rows}


def position_on(action, day: date) -> ActionUpdate | None:
    return positions_on([action], day).get(getattr(action, "pk", action))


def update_cycle_start(today: date | None = None) -> date:
    """The most recent monthly update day on or before today (the day clamps to short months)."""
    today = today or timezone.localdate()
    cycle_day = int(getattr(settings, "UPDATE_CYCLE_DAY", 1))

    def in_month(year: int, month: int) -> date:
        return date(year, month, min(cycle_day, monthrange(year, month)[1]))

    this_month = in_month(today.year, today.month)
    if this_month <= today:
        return this_month
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return in_month(year, month)


def with_update_due(queryset: QuerySet[Action], today: date | None = None) -> QuerySet[Action]:
    """Annotate `last_update_at`, `update_due` (open and not updated since this month's update day) and
    `update_late` (still due more than UPDATE_ESCALATION_DAYS after it). For "My actions" and reminders."""
    today = today or timezone.localdate()
    cycle_start = update_cycle_start(today)
    cutoff = timezone.make_aware(datetime.combine(cycle_start, time.min))
    late = today > cycle_start + timedelta(days=int(getattr(settings, "UPDATE_ESCALATION_DAYS", 10)))
    last_update = (
        ActionUpdate.objects.filter(action_id=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    due = Q(status__in=OPEN_STATUSES) & Q(last_update_at__lt=cutoff)
    return queryset.annotate(last_update_at=Subquery(last_update)).annotate(
        update_due=Case(When(due, then=Value(True)), default=Value(False), output_field=BooleanField()),
        update_late=Case(
            When(due, then=Value(late)), default=Value(False), output_field=BooleanField()
        ),
    )


# "Due soon" on the home page and in the list's filter: open and due today or within this many days.
DUE_SOON_DAYS = 14


def due_soon_q(today: date, days: int = DUE_SOON_DAYS) -> Q:
    """Open actions due today or within `days` days (not yet overdue)."""
    return Q(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=today + timedelta(days=days))


def was_sent_back() -> Exists:
    """The action has been sent back by a checker at some time (action_send_back records
    `sent_back_reason` in its history row)."""
    return Exists(ActionUpdate.objects.filter(action_id=OuterRef("pk"), changes__has_key="sent_back_reason"))


def sent_back_q() -> Q:
    """Open actions a checker sent back: marked complete, not accepted, and not marked complete again."""
    return Q(status__in=OPEN_STATUSES) & Q(was_sent_back())


def update_due_q(today: date | None = None, *, late: bool = False) -> Q:
    """with_update_due's rule as a condition, for filters and counts (an annotation cannot be counted
    with a filter): open and not updated since this month's update day; `late`, still so more than
    UPDATE_ESCALATION_DAYS after it (nothing, before then)."""
    today = today or timezone.localdate()
    cycle_start = update_cycle_start(today)
    cutoff = timezone.make_aware(datetime.combine(cycle_start, time.min))
    if late and not today > cycle_start + timedelta(days=int(getattr(settings, "UPDATE_ESCALATION_DAYS", 10))):
        return Q(pk__isnull=True)  # never
    updates = ActionUpdate.objects.filter(action_id=OuterRef("pk"))
    return (
        Q(status__in=OPEN_STATUSES)
        & Q(Exists(updates.filter(created_at__lt=cutoff)))
        & ~Q(Exists(updates.filter(created_at__gte=cutoff)))
    )


def evidence_for(action: Action):
    return Evidence.objects.filter(action=action).select_related("uploaded_by").order_by("uploaded_at", "id")


def measure_trend(history: list[ActionUpdate]) -> list[ActionUpdate]:
    """The history rows where the measure's value was set or changed, oldest first."""
    trend: list[ActionUpdate] = []
    for update in sorted(history, key=lambda u: (u.created_at, u.version)):
        if update.measure_value is None:
            continue
        if not trend or trend[-1].measure_value != update.measure_value:
            trend.append(update)
    return trend


def owners_for_authority(authority) -> QuerySet[Owner]:
    """Who can own an action of this council: its owner records, with or without an account."""
    return Owner.objects.filter(authority=authority).order_by("name", "id")


def owner_rows_for(user, authority) -> QuerySet[Owner]:
    """The owners page: each owner of a council (one of the user's) with their linked account and how many
    open actions they hold; one query for any number of owners."""
    if authority.pk not in authority_ids_for(user):
        return Owner.objects.none()
    return (
        owners_for_authority(authority)
        .select_related("user")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status__in=OPEN_STATUSES)),
            all_actions=Count("actions"),
        )
    )


def owner_account_choices(authority):
    """The members of a council who may be linked to an owner record."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__authority=authority)
        .order_by("first_name", "last_name", "username")
    )


HISTORY_PAGE_SIZE = 20


def action_page_for(action: Action, history_page=None) -> dict:
    """What the action page reads beyond the action: a page of history (with its evidence), evidence,
    measure trend.

    A fixed number of queries whatever the length of the history: the history is read 20 rows a page
    (newest first), the measure trend from the rows that carry a value.
    """
    page = page_of(
        history_for(action).prefetch_related(Prefetch("evidence_items", queryset=Evidence.objects.order_by("id"))),
        history_page,
        HISTORY_PAGE_SIZE,
    )
    history = list(page.object_list)
    measured = action.updates.filter(measure_value__isnull=False).order_by("created_at", "version")
    return {
        "history": history,
        "history_page": page,
        "timeline": timeline_for(history),
        "evidence_items": list(evidence_for(action)),
        "trend": measure_trend(list(measured)),
    }

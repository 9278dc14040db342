"""Generated action plans (fixed seed) and an independent reckoning of every dashboard figure.

The reckoning here never calls the app's selectors: it walks each action's history in Python and
converts every timestamp to a Europe/London calendar date with zoneinfo, so a mistake in the
database queries (a UTC month, an off-by-one day, a missed update) shows up as a mismatch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone as dt_timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from actions.models import Action, ActionUpdate, Rag, Status
from findings.models import Finding
from inspections.models import InspectionKind
from tests.factories import (
    FindingFactory,
    InspectionFactory,
    LocalAuthorityFactory,
    OwnerFactory,
    ThemeFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt_timezone.utc
TODAY = date(2026, 1, 15)
SEED = 20261124

OPEN = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED}
DONE = {Status.COMPLETE, Status.CLOSED}

# Real clock-change boundaries: 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April (April locally,
# March in UTC); 23:30 UTC on 30 September 2025 is 00:30 BST on 1 October; 23:30 UTC on 31 January
# 2025 is 23:30 GMT, still January both ways (the control).
BOUNDARY_MOMENTS = [
    datetime(2025, 3, 31, 23, 30, tzinfo=UTC),
    datetime(2025, 9, 30, 23, 30, tzinfo=UTC),
    datetime(2025, 1, 31, 23, 30, tzinfo=UTC),
    datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # 01:30 BST, the hour before the clocks go back
]


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


@dataclass
class Plan:
    authority: object
    user: object
    actions: list[Action] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    history: dict[int, list[ActionUpdate]] = field(default_factory=dict)


def build_plan(n_actions: int, *, seed: int = SEED, authority=None, user=None) -> Plan:
    rng = random.Random(seed)
    authority = authority or LocalAuthorityFactory()
    if user is None:
        user = UserFactory(role="Senior leader", authorities=[authority])
    else:
        from accounts.models import Membership

        Membership.objects.get_or_create(user=user, authority=authority)
    themes = [ThemeFactory() for _ in range(4)] + [None]
    owners = [OwnerFactory(authority=authority, user=UserFactory(authorities=[authority])) for _ in range(2)]
    owners += [OwnerFactory(authority=authority), None]  # one without an account
    inspection = InspectionFactory(
        authority=authority, kind=InspectionKind.FULL, visit_start=date(2024, 9, 2), visit_end=date(2024, 9, 13)
    )
    plan = Plan(authority=authority, user=user)
    n_findings = max(2, n_actions // 4)
    for position in range(1, n_findings + 1):
        plan.findings.append(FindingFactory(inspection=inspection, position=position, theme=rng.choice(themes)))
    # One finding with no actions: it must count as open.
    plan.findings.append(FindingFactory(inspection=inspection, position=n_findings + 1, theme=themes[0]))

    for index in range(n_actions):
        finding = plan.findings[index % n_findings]
        start = datetime(2024, 11, 1, 9, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
        moments = [start]
        for _ in range(rng.randint(0, 5)):
            moments.append(moments[-1] + timedelta(minutes=rng.randint(30, 60 * 24 * 70)))
        if index < len(BOUNDARY_MOMENTS):
            # The boundary update is where the action is first done, so it decides its month.
            moments = [BOUNDARY_MOMENTS[index] - timedelta(days=20), BOUNDARY_MOMENTS[index]]
        moments = [m for m in moments if local_date(m) <= TODAY] or [start]
        statuses = [Status.NOT_STARTED] + [rng.choice(Status.values) for _ in moments[1:]]
        if index < len(BOUNDARY_MOMENTS):
            statuses = [Status.IN_PROGRESS, Status.COMPLETE]
        rags = [rng.choice(Rag.values) for _ in moments]
        measures = [Decimal(rng.randint(0, 100)) if rng.random() < 0.4 else None for _ in moments]
        due_choices = [
            TODAY,  # due today: not overdue
            TODAY - timedelta(days=1),  # yesterday: overdue if open
            TODAY + timedelta(days=30),  # last day of the "next 30 days"
            TODAY + timedelta(days=31),  # just outside it
            None,
            TODAY + timedelta(days=rng.randint(-200, 200)),
        ]
        action = Action.objects.create(
            finding=finding,
            title=f"Generated action {index}",
            owner=rng.choice(owners),
            due_date=rng.choice(due_choices),
            status=statuses[-1],
            rag=rags[-1],
            measure_name="Cases audited" if any(measures) else "",
            measure_latest=measures[-1],
            progress_notes=rng.choice(["", f"Progress note {index}"]),
            version=len(moments),
        )
        rows = []
        for version, (moment, status, rag, measure) in enumerate(zip(moments, statuses, rags, measures), start=1):
            rows.append(
                ActionUpdate.objects.create(
                    action=action, created_at=moment, version=version, status=status, rag=rag,
                    measure_value=measure, note=rng.choice(["", f"Note {index}.{version}"]),
                )
            )
        plan.actions.append(action)
        plan.history[action.pk] = rows
    return plan


# --- the independent reckoning ------------------------------------------------------------------------


def status_on(plan: Plan, action: Action, day: date) -> str | None:
    """The status of the latest update whose London date is on or before `day` (None: not yet created)."""
    rows = [u for u in plan.history[action.pk] if local_date(u.created_at) <= day]
    if not rows:
        return None
    return max(rows, key=lambda u: (u.created_at, u.version)).status


def position_on(plan: Plan, action: Action, day: date) -> ActionUpdate | None:
    rows = [u for u in plan.history[action.pk] if local_date(u.created_at) <= day]
    return max(rows, key=lambda u: (u.created_at, u.version)) if rows else None


def first_done_month(plan: Plan, action: Action) -> date | None:
    done = [u for u in plan.history[action.pk] if u.status in DONE]
    if not done:
        return None
    first = min(done, key=lambda u: (u.created_at, u.version))
    return local_date(first.created_at).replace(day=1)


def expected_headline(plan: Plan, today: date = TODAY) -> dict:
    actions = plan.actions
    by_finding: dict[int, list[Action]] = {}
    for action in actions:
        by_finding.setdefault(action.finding_id, []).append(action)
    closed_findings = sum(
        1 for f in plan.findings if by_finding.get(f.pk) and all(a.status == Status.CLOSED for a in by_finding[f.pk])
    )
    return {
        "total": len(actions),
        "done": sum(1 for a in actions if a.status in DONE),
        "overdue": sum(1 for a in actions if a.status in OPEN and a.due_date and a.due_date < today),
        "due_soon": sum(
            1 for a in actions if a.status in OPEN and a.due_date and today <= a.due_date <= today + timedelta(days=30)
        ),
        "by_status": {value: sum(1 for a in actions if a.status == value) for value in Status.values},
        "findings_total": len(plan.findings),
        "findings_closed": closed_findings,
    }


def month_starts(first: date, last: date) -> list[date]:
    months = []
    cursor = first.replace(day=1)
    while cursor <= last:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def expected_over_time(plan: Plan, today: date = TODAY) -> dict[date, tuple[int, int]]:
    """{first of month: (completed in month, open at month end or today)}."""
    first = min(local_date(u.created_at) for rows in plan.history.values() for u in rows)
    result = {}
    for month in month_starts(first, today):
        last_day = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
        completed = sum(1 for a in plan.actions if first_done_month(plan, a) == month)
        outstanding = sum(1 for a in plan.actions if status_on(plan, a, last_day) in OPEN)
        result[month] = (completed, outstanding)
    return result

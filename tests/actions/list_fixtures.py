"""A council with one person per role and a small action plan, for the action list tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from actions.models import Rag, Status
from tests.factories import action_through_services
from findings.models import FindingKind
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, ThemeFactory, UserFactory


@pytest.fixture
def council(db):
    today = timezone.localdate()
    authority = LocalAuthorityFactory(name="Northshire", slug="northshire")
    other = LocalAuthorityFactory(name="Southshire", slug="southshire")
    people = {
        "lead": UserFactory(username="nlead", first_name="Nia", last_name="Lead", role=Role.IMPROVEMENT_LEAD, authorities=[authority]),
        "colleague": UserFactory(username="ncolleague", first_name="Cal", last_name="Owens", role=Role.IMPROVEMENT_LEAD, authorities=[authority]),
        "leader": UserFactory(username="nleader", first_name="Sue", last_name="Leader", role=Role.SENIOR_LEADER, authorities=[authority]),
        "viewer": UserFactory(username="nviewer", first_name="Vic", last_name="Viewer", role=Role.VIEWER, authorities=[authority]),
        "admin": UserFactory(username="nadmin", first_name="Ada", last_name="Admin", role=Role.ADMIN, authorities=[authority, other]),
        "outsider": UserFactory(username="slead", first_name="Sid", last_name="South", role=Role.IMPROVEMENT_LEAD, authorities=[other]),
    }
    inspection = InspectionFactory(authority=authority, visit_start=dt.date(2025, 3, 3), visit_end=dt.date(2025, 3, 5))
    care = ThemeFactory(name="Care leavers", slug="care-leavers")
    data = ThemeFactory(name="Performance data", slug="performance-data")
    findings = [
        FindingFactory(inspection=inspection, position=1, text="Pathway plans for care leavers are not reviewed.", theme=care),
        FindingFactory(inspection=inspection, position=2, text="Performance data is not reliable.", theme=data),
        FindingFactory(inspection=inspection, position=1, kind=FindingKind.PRIORITY_ACTION, text="Management oversight of referrals."),
    ]
    lead, colleague = people["lead"], people["colleague"]
    plan = [
        # finding, title, owner, due in days, status, rag, progress
        (0, "Review every out-of-date pathway plan", lead, -30, Status.IN_PROGRESS, Rag.RED, "Backlog down to twelve"),
        (0, "Pathway plan template", lead, 20, Status.COMPLETE, Rag.GREEN, ""),
        (1, "Weekly data quality report", colleague, -3, Status.BLOCKED, Rag.AMBER, "Waiting for the supplier"),
        (1, "Data integrity checks", colleague, 60, Status.NOT_STARTED, Rag.GREEN, ""),
        (2, "Record management direction on every referral", lead, 10, Status.NOT_STARTED, Rag.AMBER, ""),
        (2, "Dip sample referrals monthly", None, None, Status.IN_PROGRESS, Rag.GREEN, ""),
    ]
    actions = {}
    for finding_index, title, owner, due_in, status, rag, progress in plan:
        actions[title] = action_through_services(
            finding=findings[finding_index],
            title=title,
            owner=owner,
            due_date=today + dt.timedelta(days=due_in) if due_in is not None else None,
            status=status,
            rag=rag,
            progress_notes=progress,
        )
    other_inspection = InspectionFactory(authority=other)
    actions["southern"] = action_through_services(
        finding=FindingFactory(inspection=other_inspection, text="Southern finding"),
        title="Southern action",
        owner=people["outsider"],
        due_date=today - dt.timedelta(days=5),
        status=Status.IN_PROGRESS,
    )
    return {"authority": authority, "other": other, "inspection": inspection, "findings": findings,
            "people": people, "actions": actions, "themes": {"care": care, "data": data}, "today": today}

"""Two councils with a graded inspection, findings and actions each, and a token per persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from actions.models import Status
from actions.services import SYSTEM, action_change
from api.services import token_create
from inspections.models import Grade, InspectionKind
from tests.factories import (
    FindingFactory,
    InspectionFactory,
    JudgementFactory,
    ThemeFactory,
    UserFactory,
    action_through_services,
)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def plan_for(council, *, owner, partner=None, prefix: str):
    """A full inspection of `council` with two judgements, two findings and three actions."""
    inspection = InspectionFactory(
        authority=council, kind=InspectionKind.FULL, visit_start=dt.date(2024, 1, 8), visit_end=dt.date(2024, 1, 19),
        headline=f"{prefix} headline",
    )
    JudgementFactory(inspection=inspection, area="overall_effectiveness", grade=Grade.REQUIRES_IMPROVEMENT)
    JudgementFactory(inspection=inspection, area="impact_of_leaders", grade=Grade.GOOD)
    theme = ThemeFactory(name="Care leavers", slug="care-leavers")
    first = FindingFactory(inspection=inspection, text=f"{prefix} finding on pathway plans", theme=theme,
                           framework_refs=["outcome 4", "enabler 2"])
    second = FindingFactory(inspection=inspection, text=f"{prefix} finding on supervision", framework_refs=[])
    created = _at(dt.date(2024, 3, 1))
    audit = action_through_services(finding=first, title=f"{prefix} audit pathway plans", owner=owner,
                                    due_date=dt.date(2024, 6, 30), at=created)
    audit = action_change(action=audit, user=SYSTEM, expected_version=audit.version, at=_at(dt.date(2024, 4, 2)),
                          changes={"status": Status.IN_PROGRESS}, note=f"{prefix} twelve plans audited").action
    actions = [audit, action_through_services(finding=second, title=f"=HYPERLINK(\"x\") {prefix} supervision", at=created)]
    if partner is not None:
        actions.append(action_through_services(finding=second, title=f"{prefix} health checks", owner=partner, at=created))
    return {"inspection": inspection, "findings": [first, second], "actions": actions, "theme": theme}


@pytest.fixture
def viewer(our_council):
    return UserFactory(username="viewer", first_name="Viewer", role=Role.VIEWER, authorities=[our_council])


@pytest.fixture
def ours(our_council, owner, partner):
    return plan_for(our_council, owner=owner, partner=partner, prefix="Ourshire")


@pytest.fixture
def theirs(their_council, outsider):
    return plan_for(their_council, owner=outsider, prefix="Theirshire")


@pytest.fixture
def token_client():
    """`token_client(user)`: a client that sends a new token of that person with every request."""

    def make(user, **kwargs):
        _, key = token_create(user=user, name="Tests", **kwargs)
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        client.key = key
        return client

    return make

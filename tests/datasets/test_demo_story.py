"""The demo tells the seeds' story (issue 15, item 8): Barnsley's plans sent on time, progress from 2023 to
now with actions verified by the senior leader and some sent back, a few overdue with recent notes,
partners and owners without accounts; and loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import Action, ActionPlan, ActionUpdate, Owner, Status
from actions.selectors import PLAN_DUE_WORKING_DAYS, plan_deadlines_for
from core.workdays import add_working_days
from inspections.models import Inspection, LocalAuthority

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        Inspection.objects.count(), Action.objects.count(), ActionUpdate.objects.count(), Owner.objects.count(),
        ActionPlan.objects.count(),
        sorted(Inspection.objects.values_list("pk", "plan_submitted_on")),
        sorted(Action.objects.values_list("pk", "status", "rag", "version", "owner_id", "due_date")),
    )


def test_loading_the_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first
    assert "0 new inspections, 0 new actions" in capsys.readouterr().out


def test_barnsleys_plans_were_sent_on_time(demo):
    for kind in ("focused_visit", "short_inspection"):
        inspection = Inspection.objects.get(authority__slug="barnsley", kind=kind)
        letter = inspection.published_on
        assert inspection.plan_submitted_on is not None
        # Within 70 working days of the letter: the deadline for a graded inspection (a focused visit's
        # plan has none, but Barnsley kept to the same one).
        assert letter < inspection.plan_submitted_on <= add_working_days(letter, PLAN_DUE_WORKING_DAYS)
    short = Inspection.objects.get(authority__slug="barnsley", kind="short_inspection")
    deadlines = plan_deadlines_for(short)
    assert deadlines.applies and not deadlines.plan_overdue


def test_actions_were_verified_by_the_senior_leader_and_some_sent_back(demo):
    closed = Action.objects.filter(finding__inspection__authority__slug="barnsley", status=Status.CLOSED)
    assert closed.count() >= 3
    for action in closed:
        closing = action.updates.order_by("-version").first()
        assert closing.author == demo["leader"] and closing.changes["status"][1] == Status.CLOSED
    sent_back = ActionUpdate.objects.filter(changes__has_key="sent_back_reason")
    assert sent_back.count() >= 2
    assert all(u.author == demo["leader"] for u in sent_back)


def test_overdue_actions_have_recent_notes_and_history_runs_from_2023_to_now(demo):
    today = timezone.localdate()
    overdue = [a for a in Action.objects.all() if a.is_overdue(today)]
    assert len(overdue) >= 3
    for action in overdue:
        latest_note = action.updates.exclude(note="").order_by("-created_at").first()
        assert latest_note is not None
        assert (today - timezone.localtime(latest_note.created_at).date()).days <= 14, action.title
    years = {u.created_at.year for u in ActionUpdate.objects.filter(action__finding__inspection__authority__slug="barnsley")}
    assert min(years) == 2023 and max(years) == today.year


def test_partners_and_owners_without_accounts_own_actions(demo):
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    without = Owner.objects.filter(authority=barnsley, user=None)
    assert {o.name for o in without} >= {"Jo Carter", "Mo Khan", "Helen Shaw"}
    assert all(o.actions.exists() for o in without)
    assert without.filter(email="").exists() and without.exclude(email="").exists()
    assert Action.objects.filter(owner__user=demo["partner"]).count() == 1
    assert Owner.objects.filter(authority__slug="barnet", user=None, name="Lou Jones").exists()

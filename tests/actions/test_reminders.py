"""send_reminders: one digest per owner per day, the monthly update email, escalation to senior leaders."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Role
from actions.models import ReminderLog, Status
from tests.factories import action_through_services
from tests.factories import FindingFactory, InspectionFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 10)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _cycle(settings):
    settings.UPDATE_CYCLE_DAY, settings.UPDATE_ESCALATION_DAYS = 1, 10
    settings.SITE_URL = "https://tracker.example.gov.uk"


@pytest.fixture
def plan(council, people):
    finding = FindingFactory(inspection=InspectionFactory(authority=council))
    at = dt.datetime(2026, 6, 5, 9, tzinfo=LONDON)

    def add(title, due_in, owner="owner", status=Status.IN_PROGRESS):
        return action_through_services(finding=finding, title=title, owner=people[owner], status=status,
                             due_date=TODAY + dt.timedelta(days=due_in), at=at)

    return {
        "overdue": add("Overdue audit", -3),
        "soon": add("Due this week", 7),
        "later": add("Due next month", 30),
        "done": add("Finished one", -10, status=Status.COMPLETE),
        "other": add("Viewer's action", 2, owner="viewer"),
    }


def run(day=TODAY):
    call_command("send_reminders", "--date", day.isoformat(), stdout=open("/dev/null", "w"))


def test_each_owner_gets_one_digest_of_overdue_and_due_soon_actions(plan, people):
    run()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {people["owner"].email, people["viewer"].email}
    body = by_recipient[people["owner"].email].body
    assert "Overdue audit" in body and "OVERDUE" in body and "Due this week" in body
    assert "Due next month" not in body and "Finished one" not in body
    assert f"https://tracker.example.gov.uk{plan['overdue'].get_absolute_url()}" in body
    assert "1 overdue, 1 due within 7 days" in by_recipient[people["owner"].email].subject


def test_running_twice_on_one_day_sends_nothing_twice(plan):
    run()
    first = len(mail.outbox)
    run()
    assert len(mail.outbox) == first
    assert ReminderLog.objects.count() == first
    run(TODAY + dt.timedelta(days=1))
    assert len(mail.outbox) > first  # a new day, a new digest


def test_update_day_sends_one_grouped_email_per_owner_of_open_actions(plan, people):
    run(dt.date(2026, 7, 1))
    update_due = [m for m in mail.outbox if m.subject.startswith("Monthly update due")]
    assert sorted(m.to[0] for m in update_due) == sorted([people["owner"].email, people["viewer"].email])
    owner_mail = next(m for m in update_due if m.to[0] == people["owner"].email)
    assert "3 open actions" in owner_mail.subject
    assert "Finished one" not in owner_mail.body


def test_late_updates_are_escalated_to_the_councils_senior_leaders_once(plan, people):
    elsewhere_leader = UserFactory(username="far-leader", role=Role.SENIOR_LEADER,
                                   authorities=[InspectionFactory().authority])
    run(dt.date(2026, 7, 12))  # updated 5 June, update day 1 July, more than 10 days ago
    escalations = [m for m in mail.outbox if m.subject.startswith("Late action updates")]
    assert [m.to[0] for m in escalations] == [people["leader"].email]
    assert "Overdue audit" in escalations[0].body and elsewhere_leader.email not in escalations[0].to
    run(dt.date(2026, 7, 12))
    assert len([m for m in mail.outbox if m.subject.startswith("Late action updates")]) == 1


def test_no_escalation_within_the_grace_period(plan):
    run(dt.date(2026, 7, 8))
    assert not [m for m in mail.outbox if m.subject.startswith("Late action updates")]


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "31/12/2026")

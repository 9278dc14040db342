""""Your tasks", each role's home: what is waiting for the person, each count a link to the list behind it
(the count and the list agree), the menu a role can use, and no link a person cannot open."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Status
from actions.selectors import with_update_due
from actions.services import action_change, action_send_back
from core.workdays import add_working_days
from dashboards.selectors import checker_task_counts, home_tasks_for
from inspections.models import InspectionKind
from tests.factories import FindingFactory, InspectionFactory, action_through_services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = timezone.now() - dt.timedelta(days=70)


@pytest.fixture
def finding(our_council):
    return FindingFactory(inspection=InspectionFactory(authority=our_council, kind=InspectionKind.FOCUSED))


@pytest.fixture
def make_action(finding, colleague, leader):
    def make(**fields):
        fields.setdefault("title", "Audit twenty pathway plans")
        fields.setdefault("due_date", TODAY + dt.timedelta(days=60))
        return action_through_services(finding=finding, user=colleague, verifier=leader, **fields)

    return make


@pytest.fixture
def plan(make_action, owner, partner, leader):
    """An owner's overdue, due-soon, later and finished actions; one awaiting verification; one sent back;
    one last updated long ago; and a partner's."""
    make_action(title="Overdue", owner=owner, due_date=TODAY - dt.timedelta(days=3))
    make_action(title="Due soon", owner=owner, due_date=TODAY + dt.timedelta(days=5), status=Status.IN_PROGRESS)
    make_action(title="Due later", owner=owner, due_date=TODAY + dt.timedelta(days=40))
    make_action(title="Done but late", owner=owner, due_date=TODAY - dt.timedelta(days=9), status=Status.COMPLETE,
                evidence="Audit report")
    make_action(title="Closed", owner=owner, status=Status.CLOSED, evidence="Audit report")
    returned = make_action(title="Sent back", owner=owner, status=Status.COMPLETE, evidence="Audit report")
    action_send_back(action=returned, user=leader, expected_version=returned.version, reason="Only ten files audited")
    make_action(title="Not touched for months", owner=owner, at=LONG_AGO)
    make_action(title="Health visits", owner=partner, due_date=TODAY + dt.timedelta(days=10))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client: Client, url: str) -> int:
    body = client.get(url).content.decode()
    found = re.search(r'id="results-heading">(\d+) action', body)
    assert found, f"no results heading at {url}"
    return int(found.group(1))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.in_menu = False
        self.menu: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Menu":
            self.in_menu = True
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.hrefs.append(attrs["href"])
            if self.in_menu:
                self.menu.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_menu = False


def links_on(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_an_owner_sees_their_overdue_due_soon_and_updates_due(plan, owner):
    tasks = home_tasks_for(owner, TODAY)
    counts = {task.key: task.count for task in tasks.owner_counts}
    assert counts["overdue"] == 1  # "Done but late" is complete, so not overdue
    assert counts["due_soon"] == 1
    # Open and not updated since this month's update day: the one left alone for months (and, on the
    # update day itself, nothing else: everything else was written just now).
    assert counts["update_due"] == with_update_due(Action.objects.filter(owner__user=owner)).filter(update_due=True).count()
    assert counts["update_due"] >= 1
    assert counts["sent_back"] == 1
    assert not tasks.checker_counts  # a lead does not verify


def test_a_checker_sees_awaiting_verification_sent_back_late_updates(plan, leader):
    tasks = home_tasks_for(leader, TODAY)
    counts = {task.key: task.count for task in tasks.checker_counts}
    assert counts["awaiting_verification"] == 1
    assert counts["sent_back"] == 1


@pytest.mark.parametrize("day", [5, 11, 12, 28])
def test_late_updates_follow_the_reminders_rule(plan, leader, settings, day):
    settings.UPDATE_CYCLE_DAY = 1
    settings.UPDATE_ESCALATION_DAYS = 10
    today = TODAY.replace(day=day)
    late = checker_task_counts(Action.objects.all(), today)["late_updates"]
    assert late == with_update_due(Action.objects.all(), today).filter(update_late=True).count()
    assert (late > 0) is (day > 11)


@pytest.mark.parametrize("who", ["owner", "leader", "council_admin", "partner"])
def test_each_count_is_the_list_behind_it(request, plan, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    tasks = home_tasks_for(user, TODAY)
    figures = tasks.owner_counts + tasks.checker_counts
    assert figures
    body = client.get(reverse("home")).content.decode()
    for task in figures:
        assert f'href="{task.url.replace("&", "&amp;")}"' in body
        assert listed(client, task.url) == task.count, task.key


def test_a_sent_back_action_leaves_the_list_when_marked_complete_again(plan, owner, leader):
    returned = Action.objects.get(title="Sent back")
    action_change(action=returned, user=owner, expected_version=returned.version, changes={"status": Status.COMPLETE})
    counts = {task.key: task.count for task in home_tasks_for(leader, TODAY).checker_counts}
    assert counts == {**counts, "sent_back": 0, "awaiting_verification": 2}


def test_plan_deadlines_show_each_councils_latest_plan_not_yet_sent(our_council, leader):
    InspectionFactory(authority=our_council, kind=InspectionKind.FULL, visit_start=dt.date(2021, 3, 1))
    letter = TODAY - dt.timedelta(days=20)
    latest = InspectionFactory(authority=our_council, kind=InspectionKind.SHORT, visit_start=letter - dt.timedelta(days=30),
                               visit_end=letter - dt.timedelta(days=26), published_on=letter)
    InspectionFactory(authority=our_council, kind=InspectionKind.FOCUSED, visit_start=TODAY - dt.timedelta(days=10))
    deadlines = home_tasks_for(leader, TODAY).plan_deadlines
    assert [task.inspection for task in deadlines] == [latest]
    assert deadlines[0].deadlines.plan_due == add_working_days(letter, 70)
    body = client_for(leader).get(reverse("home")).content.decode()
    assert add_working_days(letter, 70).strftime("%-d %B %Y") in body
    latest.plan_submitted_on = TODAY
    latest.save()
    assert home_tasks_for(leader, TODAY).plan_deadlines == []


def test_a_plan_whose_deadline_passed_before_the_inspection_was_added_is_not_chased(our_council, leader):
    # An old report imported for the record (or Ofsted's published outcomes): nobody knows when its plan
    # went, so "Your tasks" shows no deadline and no ever-growing overdue count for it.
    old = InspectionFactory(authority=our_council, kind=InspectionKind.FULL, visit_start=dt.date(2019, 5, 6),
                            visit_end=dt.date(2019, 5, 17), published_on=dt.date(2019, 7, 1))
    assert home_tasks_for(leader, TODAY).plan_deadlines == []
    body = client_for(leader).get(reverse("home")).content.decode()
    assert "Overdue by" not in body and old.get_kind_display() not in body


def test_a_partner_sees_their_actions_and_only_the_menu_they_can_use(plan, partner):
    response = client_for(partner).get(reverse("home"))
    body = response.content.decode()
    assert "Health visits" in body and "Audit twenty" not in body
    assert "not a member of any council" not in body
    menu = links_on(body).menu
    assert reverse("actions:my_actions") in menu and reverse("home") in menu
    for page in ("dashboards:home", "dashboards:compare_home", "inspections:authority_list", "actions:action_list"):
        assert reverse(page) not in menu, page


def test_staff_keep_the_council_pages_in_the_menu(plan, leader):
    menu = links_on(client_for(leader).get(reverse("home")).content.decode()).menu
    for page in ("dashboards:home", "dashboards:compare_home", "inspections:authority_list", "actions:action_list"):
        assert reverse(page) in menu, page


def test_someone_in_no_council_is_told_to_ask_an_admin(db):
    from tests.factories import UserFactory

    body = client_for(UserFactory(username="newcomer")).get(reverse("home")).content.decode()
    assert "You are not a member of any council yet" in body


@pytest.mark.parametrize("who", ["owner", "leader", "council_admin", "partner"])
def test_no_link_on_home_is_a_dead_end(request, plan, who):
    client = client_for(request.getfixturevalue(who))
    hrefs = set(links_on(client.get(reverse("home")).content.decode()).hrefs)
    assert hrefs
    for href in sorted(hrefs):
        response = client.get(href, follow=True)
        assert response.status_code == 200, href


def test_home_queries_do_not_grow_with_the_actions(make_action, owner, leader, django_assert_max_num_queries):
    for index in range(25):
        make_action(title=f"Action {index}", owner=owner, due_date=TODAY + dt.timedelta(days=index - 5))
    for user in (owner, leader):
        client = client_for(user)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("home")).status_code == 200


def test_no_link_on_a_partners_pages_is_a_dead_end(plan, partner):
    """Their action, its full-page update form (without JavaScript) and My actions: every link opens."""
    client = client_for(partner)
    action = Action.objects.get(owner__user=partner)
    pages = [action.get_absolute_url(), reverse("actions:action_update", kwargs={"pk": action.pk}),
             reverse("actions:my_actions")]
    checked: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in sorted(set(links_on(response.content.decode()).hrefs) - checked):
            checked.add(href)
            assert client.get(href, follow=True).status_code == 200, f"{href} on {page}"
    assert reverse("home") in checked and action.finding.inspection.get_absolute_url() not in checked

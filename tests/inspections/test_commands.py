import pytest
from django.core.management import call_command

from actions.models import Action, ActionUpdate
from inspections.models import Inspection, Judgement, LocalAuthority

pytestmark = pytest.mark.django_db


def test_load_authorities_loads_every_english_authority_once():
    call_command("load_authorities")
    first = LocalAuthority.objects.count()
    call_command("load_authorities")
    assert LocalAuthority.objects.count() == first == 156
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    assert (barnsley.ofsted_urn, barnsley.dfe_code, barnsley.region) == ("80426", "370", "Yorkshire and the Humber")


def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    counts = (Inspection.objects.count(), Action.objects.count(), ActionUpdate.objects.count())
    call_command("load_demo")
    assert (Inspection.objects.count(), Action.objects.count(), ActionUpdate.objects.count()) == counts
    out = capsys.readouterr().out
    for username in ["admin", "lead", "leader", "viewer"]:
        assert username in out


def test_demo_holds_barnsleys_inspections_as_published(demo):
    barnsley = Inspection.objects.filter(authority__slug="barnsley")
    visit = barnsley.get(kind="focused_visit")
    assert (str(visit.visit_start), str(visit.visit_end), str(visit.published_on)) == ("2023-01-25", "2023-01-26", "2023-03-01")
    assert visit.inspectors == ["Claire Beckingham", "Anna Gravelle"]
    assert visit.findings.count() == 5
    assert visit.findings.get(position=1).text.startswith("Earlier opportunities for care leavers")
    short = barnsley.get(kind="short_inspection")
    assert (str(short.visit_start), str(short.visit_end), str(short.published_on)) == ("2023-09-11", "2023-09-15", "2023-10-27")
    assert short.inspectors == ["Anna Gravelle"]
    grades = dict(Judgement.objects.filter(inspection=short).values_list("area", "grade"))
    assert grades == {
        "overall_effectiveness": "good", "impact_of_leaders": "good", "help_and_protection": "requires_improvement",
        "children_in_care": "good", "care_leavers": "good",
    }
    assert short.findings.count() == 4
    full_2018 = barnsley.get(kind="full_inspection")
    assert set(full_2018.judgements.values_list("grade", flat=True)) == {"good"}
    assert Inspection.objects.filter(authority__slug="barnet", kind="monitoring_visit").exists()


def test_demo_action_plans_have_a_spread_of_statuses_and_some_overdue(demo):
    from django.utils import timezone

    statuses = set(Action.objects.values_list("status", flat=True))
    assert {"not_started", "in_progress", "blocked", "complete", "closed"} <= statuses
    overdue = [a for a in Action.objects.all() if a.is_overdue(timezone.localdate())]
    assert overdue


def test_demo_partner_sees_only_the_action_assigned_to_them(demo, client):
    from actions.models import Action

    client.force_login(demo["partner"])
    mine = Action.objects.get(owner__user=demo["partner"])
    assert client.get(mine.get_absolute_url()).status_code == 200
    other = Action.objects.exclude(owner__user=demo["partner"]).filter(finding__inspection__authority__slug="barnsley").first()
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get("/authorities/barnsley/").status_code == 404
    listing = client.get("/actions/").content.decode()
    assert mine.title in listing and other.title not in listing

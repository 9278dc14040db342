"""generate_data: the shape, consistency and determinism of generated data."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min, Window
from django.db.models.functions import Lag

from accounts.models import Membership
from actions.models import DONE_STATUSES, Action, ActionUpdate, Status
from findings.models import Finding
from datasets.generation import Generator
from inspections.models import GRADED_KINDS, Inspection, Judgement, LocalAuthority

from .conftest import TODAY


def fingerprint() -> list[tuple]:
    """Everything generated, by natural keys (primary keys differ between runs in one database)."""
    rows = []
    for inspection in Inspection.objects.select_related("authority").order_by("authority__name", "visit_start"):
        rows.append((inspection.authority.slug, inspection.kind, inspection.visit_start, inspection.published_on))
    for action in Action.objects.select_related("finding__inspection__authority", "owner").order_by(
        "finding__inspection__authority__name", "finding__inspection__visit_start", "finding__kind",
        "finding__position", "id",
    ):
        rows.append((action.title, action.owner.name, action.due_date, action.status, action.rag, action.version,
                     action.measure_latest, action.created_at))
    rows.append(tuple(ActionUpdate.objects.order_by("action__id", "version").values_list("created_at", "note")))
    return rows


def test_small_run_has_realistic_volumes(generate):
    counts = generate(authorities=2, years=2, seed=3)

    assert counts.authorities == 2
    assert LocalAuthority.objects.filter(inspections__isnull=False).distinct().count() == 2
    # About one visit a year per authority (0.8x to 1.2x), 3-8 findings a visit, 3-6 actions a finding.
    assert 2 * 2 <= counts.inspections <= 2 * 3
    per_visit = Inspection.objects.annotate(n=Count("findings")).aggregate(low=Min("n"), high=Max("n"))
    assert 3 <= per_visit["low"] and per_visit["high"] <= 8
    per_finding = Finding.objects.annotate(n=Count("actions")).aggregate(low=Min("n"), high=Max("n"))
    assert 3 <= per_finding["low"] and per_finding["high"] <= 6
    per_action = Action.objects.annotate(n=Count("updates")).aggregate(low=Min("n"), high=Max("n"))
    assert 5 <= per_action["low"] and per_action["high"] <= 20
    assert counts.updates == ActionUpdate.objects.count()
    # Graded inspections, and only they, carry judgements; every generated user belongs to an authority.
    assert not Judgement.objects.exclude(inspection__kind__in=GRADED_KINDS).exists()
    assert Membership.objects.count() == counts.users >= 2 * 10
    assert Action.objects.filter(owner__isnull=True).count() == 0


def test_history_is_consistent_with_each_action(generate):
    generate(authorities=2, years=3, seed=5)

    # Versions run 1..n without gaps and the action's version is n.
    versions = Action.objects.annotate(
        n=Count("updates"), low=Min("updates__version"), high=Max("updates__version")
    )
    assert not versions.exclude(low=1).exists()
    assert not versions.exclude(high=F("n")).exists()
    assert not versions.exclude(version=F("n")).exists()
    # The last row is the action's current position, and is when it was last updated.
    latest = ActionUpdate.objects.filter(version=F("action__version"))
    assert latest.count() == Action.objects.count()
    assert not latest.exclude(status=F("action__status")).exists()
    assert not latest.exclude(rag=F("action__rag")).exists()
    assert not latest.exclude(created_at=F("action__updated_at")).exists()
    # Times only move forward, and none is later than the evening before `today`.
    stepped = ActionUpdate.objects.annotate(
        previous=Window(Lag("created_at"), partition_by=[F("action_id")], order_by=F("version").asc())
    ).values_list("created_at", "previous")
    assert all(previous is None or at > previous for at, previous in stepped)
    assert ActionUpdate.objects.aggregate(last=Max("created_at"))["last"].date() < TODAY
    # Done actions end green; a closed action went through complete first.
    assert not Action.objects.filter(status__in=DONE_STATUSES).exclude(rag="green").exists()
    for action in Action.objects.filter(status=Status.CLOSED)[:20]:
        statuses = list(action.updates.order_by("version").values_list("status", flat=True))
        assert statuses[0] == Status.NOT_STARTED
        assert Status.COMPLETE in statuses and statuses[-1] == Status.CLOSED


def test_repeats_point_at_earlier_visits_of_the_same_authority(generate):
    generate(authorities=2, years=4, seed=2)

    repeats = Finding.objects.filter(repeats__isnull=False).select_related("inspection", "repeats__inspection")
    assert repeats.exists()
    for finding in repeats:
        assert finding.repeats.inspection.authority_id == finding.inspection.authority_id
        assert finding.repeats.inspection.visit_start < finding.inspection.visit_start


def test_same_seed_same_data_and_scale_multiplies(generate):
    first = generate(authorities=2, years=2, seed=11)
    before = fingerprint()
    again = generate(authorities=2, years=2, seed=11)
    assert again == first
    assert fingerprint() == before

    other = generate(authorities=2, years=2, seed=12)
    assert fingerprint() != before

    threefold = generate(authorities=2, years=2, seed=11, scale=3)
    assert 2 * first.inspections <= threefold.inspections <= 4 * first.inspections
    assert 2 * first.updates <= threefold.updates <= 4 * first.updates
    assert other.users == threefold.users == first.users


def test_resume_finishes_an_interrupted_run_with_the_same_data(generate):
    generate(authorities=2, years=2, seed=8)
    straight = fingerprint()

    generate(authorities=1, years=2, seed=8)  # As if the run had stopped after the first authority.
    resumed = Generator(authorities=2, years=2, seed=8, today=TODAY, show_progress=False, resume=True)
    counts = resumed.run()

    assert resumed.skipped == 1 and counts.authorities == 1
    assert fingerprint() == straight


def test_command_reports_counts_and_refuses_a_second_run(db):
    out = io.StringIO()
    call_command("generate_data", authorities=1, years=1, seed=1, today=TODAY, no_progress=True, stdout=out)
    assert "1 authorities" in out.getvalue() and "updates" in out.getvalue()
    with pytest.raises(CommandError, match="already holds generated data"):
        call_command("generate_data", authorities=1, years=1, no_progress=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Only 156 authorities"):
        call_command("generate_data", authorities=999, years=1, no_progress=True, stdout=io.StringIO())

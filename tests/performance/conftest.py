"""Small generated data sets for the generator's own tests and the pages' query-count guards."""

from __future__ import annotations

from datetime import date

import pytest

from datasets.generation import GENERATED_SOURCE, Counts, Generator

TODAY = date(2026, 11, 2)


def wipe_generated() -> None:
    """Remove what a previous generate run wrote, so the next one starts from the same state."""
    from django.contrib.auth import get_user_model

    from actions.models import Action, ActionUpdate, Owner
    from findings.models import Finding
    from inspections.models import Inspection, Judgement

    inspections = Inspection.objects.filter(source_filename=GENERATED_SOURCE)
    actions = Action.objects.filter(finding__inspection__in=inspections)
    # History is append-only (the model, and a PostgreSQL trigger); a test wipes it in bulk on purpose, with
    # the table's triggers off for this transaction only.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    ActionUpdate.objects.filter(action__in=actions)._raw_delete(ActionUpdate.objects.db)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    for model in (Action,):
        model.objects.filter(pk__in=list(actions.values_list("pk", flat=True))).delete()
    Finding.objects.filter(inspection__in=inspections).update(repeats=None)
    Finding.objects.filter(inspection__in=inspections).delete()
    Judgement.objects.filter(inspection__in=inspections).delete()
    inspections.delete()
    Owner.objects.filter(actions__isnull=True).delete()
    get_user_model().objects.filter(email__endswith=".example.org", memberships__isnull=False).delete()


@pytest.fixture
def generate(db):
    """generate(authorities=2, years=2, scale=1, seed=1) -> Counts, replacing any earlier generated data."""

    def run(*, authorities: int = 2, years: int = 2, scale: int = 1, seed: int = 1) -> Counts:
        wipe_generated()
        return Generator(
            authorities=authorities, years=years, scale=scale, seed=seed, today=TODAY, batch_size=500,
            show_progress=False,
        ).run()

    return run

"""The demo loader (load_demo) and the data generator (generate_data) write actions as the system, and
keep the same rules as every other door: complete and closed actions have evidence, and every closure was
a second person's verification (an admin or senior leader who does not own the action)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from accounts.selectors import can_verify_actions
from actions.models import DONE_STATUSES, Action, ActionUpdate, Status

pytestmark = pytest.mark.django_db


def assert_rules_held() -> None:
    done = Action.objects.filter(status__in=DONE_STATUSES)
    assert done.exists()
    for action in done:
        assert action.evidence.strip() or action.evidence_link or action.evidence_items.exists(), action.title
    closures = ActionUpdate.objects.filter(changes__status__1=Status.CLOSED).select_related("author", "action__owner")
    assert closures.count() == Action.objects.filter(status=Status.CLOSED).count()
    for update in closures:
        assert update.author is not None and can_verify_actions(update.author), update.action.title
        # The checker is not the action's owner (an owner record, with or without an account).
        assert update.action.owner is None or update.action.owner.user_id != update.author_id
    # A RAG other than the suggested one carries its reason (the generator checks each row as it writes
    # it, through validate_action_values, and stops on any the services would refuse).
    overrides = ActionUpdate.objects.filter(changes__has_key="rag_reason")
    assert all(update.changes["rag_reason"][1] for update in overrides)


def test_the_demo_loader_keeps_the_rules():
    call_command("load_demo", verbosity=0)
    assert_rules_held()


def test_the_generator_keeps_the_rules(generate):
    generate(authorities=2, years=3, seed=5)
    assert_rules_held()


@pytest.fixture
def generate(db):
    from datasets.generation import Generator

    def run(**kwargs):
        return Generator(today=date(2026, 11, 2), batch_size=500, show_progress=False, **kwargs).run()

    return run

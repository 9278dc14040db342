"""Reads for action pages, always scoped to the user's authorities."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.selectors import authority_ids_for
from actions.models import Action, ActionUpdate


def actions_for(user) -> QuerySet[Action]:
    return Action.objects.filter(finding__inspection__authority_id__in=authority_ids_for(user))


def get_action_for_user(user, pk: int) -> Action:
    """The action, or 404 when it belongs to an authority the user is not a member of."""
    return get_object_or_404(
        actions_for(user).select_related(
            "owner", "finding__theme", "finding__inspection__authority"
        ),
        pk=pk,
    )


def history_for(action: Action) -> QuerySet[ActionUpdate]:
    return action.updates.select_related("author").order_by("-created_at", "-version")

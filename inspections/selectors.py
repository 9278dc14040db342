"""Reads for inspection pages, always scoped to the user's authorities."""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.selectors import authorities_for, authority_ids_for
from actions.models import DONE_STATUSES, Action, Status
from findings.models import Finding
from inspections.models import Inspection, LocalAuthority


def authorities_with_summary_for(user) -> QuerySet[LocalAuthority]:
    """The user's authorities with their latest visit date and counts of open and overdue actions."""
    return (
        authorities_for(user)
        .annotate(
            inspection_count=Count("inspections", distinct=True),
            last_visit=Max("inspections__visit_end"),
            open_actions=Count(
                "inspections__findings__actions",
                filter=~Q(inspections__findings__actions__status__in=DONE_STATUSES),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def inspections_for_authority(authority: LocalAuthority) -> QuerySet[Inspection]:
    return (
        authority.inspections.all()
        .annotate(
            finding_count=Count("findings", distinct=True),
            action_count=Count("findings__actions", distinct=True),
            closed_action_count=Count(
                "findings__actions", filter=Q(findings__actions__status=Status.CLOSED), distinct=True
            ),
        )
        .prefetch_related("judgements")
        .order_by("-visit_start", "-id")
    )


def inspections_for(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(authority_id__in=authority_ids_for(user))


def get_inspection_for_user(user, pk: int) -> Inspection:
    """The inspection, or 404 when it belongs to an authority the user is not a member of."""
    return get_object_or_404(inspections_for(user).select_related("authority"), pk=pk)


def findings_with_actions_for(inspection: Inspection) -> QuerySet[Finding]:
    actions = Action.objects.select_related("owner").order_by("due_date", "id")
    return (
        inspection.findings.select_related("theme", "repeats__inspection")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .annotate(
            total_actions=Count("actions", distinct=True),
            closed_actions=Count("actions", filter=Q(actions__status=Status.CLOSED), distinct=True),
        )
        .order_by("-kind", "position")
    )

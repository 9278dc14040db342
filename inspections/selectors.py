"""Reads of councils and inspections, and the council scope: which authorities a user may see.

Every page's query starts from the user's authorities, so the scope lives here, at the bottom of
every app that shows council data (accounts keeps the roles; inspections knows the authorities).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import is_partner
from inspections.models import ImportDraft, Inspection, Judgement, LocalAuthority


# --- the council scope -------------------------------------------------------------------------------


def authorities_for(user: AnonymousUser | object) -> QuerySet[LocalAuthority]:
    """The authorities a user belongs to (every one for a superuser, none for anyone signed out)."""
    if not user.is_authenticated:
        return LocalAuthority.objects.none()
    if user.is_superuser:
        return LocalAuthority.objects.all()
    if is_partner(user):
        # Partners reach their own actions through actions.selectors, never a council's pages.
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.filter(memberships__user=user)


def authority_ids_for(user) -> list[int]:
    cached = getattr(user, "_tracker_authority_ids", None)
    if cached is None:
        cached = list(authorities_for(user).values_list("id", flat=True))
        if user.is_authenticated:
            user._tracker_authority_ids = cached
    return cached


def get_authority_for_user(user, slug: str) -> LocalAuthority:
    """The authority with this slug, or 404 when it is not one of the user's."""
    return get_object_or_404(authorities_for(user), slug=slug)


def council_label_for(user) -> str:
    """What the header says after the service name: the user's council, or how many they cover."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "All councils"
    names = list(authorities_for(user).values_list("name", flat=True)[:2])
    if len(names) == 1:
        return f"{names[0]} Council"
    if names:
        return f"{authorities_for(user).count()} councils"
    return ""


# --- inspections -------------------------------------------------------------------------------------


def latest_grades_by_authority(authority_ids) -> dict[int, dict[str, tuple[tuple, str]]]:
    """Each authority's latest grade per judgement area, keyed by ((visit_start, inspection_id), grade).

    One query. On PostgreSQL a DISTINCT ON keeps one row per (authority, area); elsewhere every
    judgement is read newest first and the first of each pair kept (the same rows, more of them).
    """
    judgements = (
        Judgement.objects.filter(inspection__authority_id__in=authority_ids)
        .order_by("inspection__authority_id", "area", "-inspection__visit_start", "-inspection_id")
        .values_list("inspection__authority_id", "area", "grade", "inspection__visit_start", "inspection_id")
    )
    if connection.features.can_distinct_on_fields:
        judgements = judgements.distinct("inspection__authority_id", "area")
    latest: dict[int, dict[str, tuple[tuple, str]]] = {}
    for authority_id, area, grade, visit_start, inspection_id in judgements:
        latest.setdefault(authority_id, {}).setdefault(area, ((visit_start, inspection_id), grade))
    return latest


def inspections_for(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(authority_id__in=authority_ids_for(user))


def get_inspection_for_user(user, pk: int) -> Inspection:
    """The inspection, or 404 when it belongs to an authority the user is not a member of."""
    return get_object_or_404(inspections_for(user).select_related("authority"), pk=pk)


# --- importing -------------------------------------------------------------------------------------


class DraftNotFound(Exception):
    """The import token is unknown, someone else's, or expired."""


def get_import_draft_for_user(user, token: str, kind: str = ImportDraft.Kind.LETTER):
    """The user's unexpired import draft of this kind with this token; DraftNotFound otherwise (tampered,
    stale, not theirs, another kind of import)."""
    if not token or len(token) > 64:
        raise DraftNotFound
    draft = ImportDraft.objects.filter(
        token=token, kind=kind, user_id=user.pk, expires_at__gt=timezone.now()
    ).first()
    if draft is None:
        raise DraftNotFound
    return draft


def import_authorities_for(user) -> list[LocalAuthority]:
    """The councils a user may import into: their own (all, for a superuser)."""
    return list(authorities_for(user).order_by("name"))


def authority_matching(*, name: str | None, urn: str | None) -> LocalAuthority | None:
    """The authority a letter names, by Ofsted URN first, then by name."""
    if urn:
        found = LocalAuthority.objects.filter(ofsted_urn=urn).first()
        if found:
            return found
    if name:
        return LocalAuthority.objects.filter(name__iexact=name).first()
    return None

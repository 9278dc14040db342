"""Who may see what. Every page's query starts from the user's authorities, so the scope lives here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role
from inspections.models import LocalAuthority


def user_roles(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_tracker_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._tracker_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(user_roles(user) & set(roles))


def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_edit_actions(user) -> bool:
    return has_role(user, Role.ADMIN, Role.IMPROVEMENT_LEAD)


def can_verify_actions(user) -> bool:
    return has_role(user, Role.ADMIN, Role.SENIOR_LEADER)


STAFF_ROLES = (Role.ADMIN, Role.IMPROVEMENT_LEAD, Role.SENIOR_LEADER, Role.VIEWER)


def is_partner(user) -> bool:
    """A partner-agency account: the Partner role and no council role, so no council-wide view."""
    if not user.is_authenticated or getattr(user, "is_superuser", False):
        return False
    roles = user_roles(user)
    return Role.PARTNER in roles and not roles & set(STAFF_ROLES)


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

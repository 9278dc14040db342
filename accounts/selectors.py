"""A user's roles. Which councils a user may see (the council scope) is in inspections.selectors."""

from __future__ import annotations

from accounts.models import Role


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

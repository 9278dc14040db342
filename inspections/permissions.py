"""Who may do what to councils (authorities) and their inspections: the authority and inspection policies.

view: the council is one of the user's (a superuser: all; a partner: none, they reach only their own
actions); change: an admin of the council (inspection details, judgements, which finding repeats which);
import: an admin may import a publication for one of their councils.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.permissions import ModelPermissionPolicy
from accounts.selectors import is_admin
from inspections.models import Inspection, LocalAuthority
from inspections.selectors import authorities_for, authority_ids_for


class AuthorityPolicy(ModelPermissionPolicy):
    model = LocalAuthority
    actions = ("view", "change", "import")

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[LocalAuthority]:
        self._check_action(action)
        if not user.is_authenticated:
            return LocalAuthority.objects.none()
        if action != "view" and not is_admin(user):
            return LocalAuthority.objects.none()
        return authorities_for(user)

    def get_by_slug_for_user(self, user, slug: str) -> LocalAuthority:
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.instances_user_has_permission_for(user, "view"), slug=slug)


class InspectionPolicy(ModelPermissionPolicy):
    model = Inspection
    actions = ("view", "change")

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[Inspection]:
        self._check_action(action)
        if not user.is_authenticated:
            return Inspection.objects.none()
        if action == "change" and not is_admin(user):
            return Inspection.objects.none()
        return Inspection.objects.filter(authority_id__in=authority_ids_for(user))


authority_policy = AuthorityPolicy()
inspection_policy = InspectionPolicy()

"""Who may do what to findings: the finding policy.

view: the finding's council is one of the user's; change (its wording, kind, theme, and which earlier
finding it repeats): an admin of that council, as for the inspection it came from.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.permissions import ModelPermissionPolicy
from accounts.selectors import is_admin
from inspections.selectors import authority_ids_for
from findings.models import Finding


class FindingPolicy(ModelPermissionPolicy):
    model = Finding
    actions = ("view", "change")

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[Finding]:
        self._check_action(action)
        if not user.is_authenticated:
            return Finding.objects.none()
        if action == "change" and not is_admin(user):
            return Finding.objects.none()
        return Finding.objects.filter(inspection__authority_id__in=authority_ids_for(user))


finding_policy = FindingPolicy()

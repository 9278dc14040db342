"""Who may do what to an action: the action policy. Services enforce it; views and templates only ask it.

Leads and admins edit everything in their councils; an owner updates the progress of their own action;
a partner-agency owner adds progress notes and evidence and may mark the action Complete;
senior leaders comment and verify; viewers read. The council scope itself comes from
actions.selectors.actions_for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Membership, Role
from accounts.permissions import ModelPermissionPolicy
from accounts.selectors import can_edit_actions, can_verify_actions, has_role, is_partner
from actions.models import Action, Status
from inspections.selectors import authority_ids_for

# Fields of the update form, by who is asking.
LEAD_FIELDS = frozenset(
    {
        "title", "description", "owner", "status", "rag", "rag_reason", "due_date", "due_date_reason", "note", "evidence", "evidence_link",
        "evidence_file", "measure_name", "measure_baseline", "measure_target", "measure_latest",
        "measure_latest_on",
    }
)
OWNER_FIELDS = frozenset(
    {"status", "note", "evidence", "evidence_link", "evidence_file", "measure_latest", "measure_latest_on"}
)
# A partner adds notes and evidence and may mark their action Complete (with evidence) for a checker to
# verify; no other status (PARTNER_STATUSES), and never Closed, which only a verification sets.
PARTNER_FIELDS = frozenset({"status", "note", "evidence", "evidence_link", "evidence_file"})
PARTNER_STATUSES = frozenset({Status.COMPLETE})
COMMENT_FIELDS = frozenset({"note"})


@dataclass(frozen=True)
class ActionPermissions:
    fields: frozenset[str]
    # A note from someone who is not doing the work is a comment, not the action's progress.
    note_is_progress: bool
    can_mark_complete: bool
    can_verify: bool
    # The statuses this person may set, when they may set only some (a partner: Complete); None is any
    # status the rules allow.
    settable_statuses: frozenset[str] | None = None
    # A partner agency's owner (the form says what they may change).
    is_partner: bool = False

    @property
    def can_update(self) -> bool:
        return bool(self.fields)

    @property
    def is_comment_only(self) -> bool:
        return self.fields == COMMENT_FIELDS


NO_PERMISSIONS = ActionPermissions(fields=frozenset(), note_is_progress=False, can_mark_complete=False, can_verify=False)


def action_owned_by(action, user) -> bool:
    """"The owner" is the person linked to the action's owner record (an owner without an account has no
    rights of their own)."""
    return action.owner_id is not None and action.owner.user_id is not None and action.owner.user_id == user.pk


def action_permissions(user, action) -> ActionPermissions:
    """What `user` may do to `action`, which the caller has already fetched within the user's scope."""
    if not user.is_authenticated:
        return NO_PERMISSIONS
    is_owner = action_owned_by(action, user)
    if is_partner(user):
        if not is_owner:
            return NO_PERMISSIONS
        return ActionPermissions(
            PARTNER_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=False,
            settable_statuses=PARTNER_STATUSES, is_partner=True,
        )
    # Nobody verifies their own work: closure is a second person's check.
    can_verify = can_verify_actions(user) and not is_owner and action.status == Status.COMPLETE
    if can_edit_actions(user):
        return ActionPermissions(LEAD_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=can_verify)
    if is_owner:
        return ActionPermissions(OWNER_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=can_verify)
    if has_role(user, Role.SENIOR_LEADER):
        return ActionPermissions(COMMENT_FIELDS, note_is_progress=False, can_mark_complete=False, can_verify=can_verify)
    return NO_PERMISSIONS


class ActionPolicy(ModelPermissionPolicy):
    """view: the action is in the user's councils (a partner: their own); change: they may change some of
    its fields (action_permissions says which); verify: they may close it or send it back; add: they may
    add actions to a finding (see user_may_add_to_finding)."""

    model = Action
    actions = ("view", "change", "verify", "add")

    def user_has_permission(self, user, action: str) -> bool:
        self._check_action(action)
        if not user.is_authenticated:
            return False
        if action in ("add",):
            return can_edit_actions(user)
        if action == "verify":
            return can_verify_actions(user)
        return True

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[Action]:
        from actions.selectors import actions_for

        self._check_action(action)
        if not user.is_authenticated:
            return Action.objects.none()
        visible = actions_for(user)
        if action == "view":
            return visible
        if action == "add":
            return visible if can_edit_actions(user) else Action.objects.none()
        if action == "verify":
            if not can_verify_actions(user):
                return Action.objects.none()
            # Nobody verifies their own work.
            return visible.filter(status=Status.COMPLETE).exclude(owner__user=user)
        # change
        if is_partner(user):
            return visible  # actions_for already keeps a partner to their own actions
        if can_edit_actions(user) or has_role(user, Role.SENIOR_LEADER):
            return visible
        return visible.filter(owner__user=user)

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        self._check_action(action)
        if not self.instances_user_has_permission_for(user, "view").filter(pk=instance.pk).exists():
            return False
        # Answered from the row in hand (its status and owner as read), as the action page shows it.
        if action == "change":
            return action_permissions(user, instance).can_update
        if action == "verify":
            return action_permissions(user, instance).can_verify
        if action == "add":
            return can_edit_actions(user)
        return True

    def permissions_for(self, user, instance) -> ActionPermissions:
        """Which fields `user` may change on `instance` (already fetched within their scope)."""
        return action_permissions(user, instance)

    def user_may_add_to_finding(self, user, finding) -> bool:
        """A lead or admin of the finding's council may add actions to it."""
        return (
            user.is_authenticated
            and can_edit_actions(user)
            and finding.inspection.authority_id in authority_ids_for(user)
        )

    def is_owner(self, user, action) -> bool:
        return action_owned_by(action, user)

    def user_may_manage_owners(self, user, authority) -> bool:
        """Leads and admins of the council add and edit its owner records."""
        return (
            user.is_authenticated and can_edit_actions(user) and authority.pk in authority_ids_for(user)
        )

    def owner_may_own(self, owner, authority_id: int) -> bool:
        """An owner works for the council or with it (a membership of the action's council)."""
        return Membership.objects.filter(user=owner, authority_id=authority_id).exists()


action_policy = ActionPolicy()

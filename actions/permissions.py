"""Who may do what to an action. Services enforce these; views and templates only ask them.

Leads and admins edit everything in their councils; an owner updates the progress of their own action;
a partner-agency owner adds progress notes and evidence only; senior leaders comment and verify; viewers
read. The council scope itself comes from actions.selectors.actions_for.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role
from accounts.selectors import can_edit_actions, can_verify_actions, has_role, is_partner
from actions.models import Status

# Fields of the update form, by who is asking.
LEAD_FIELDS = frozenset(
    {
        "status", "rag", "rag_reason", "due_date", "due_date_reason", "note", "evidence", "evidence_link",
        "evidence_file", "measure_name", "measure_baseline", "measure_target", "measure_latest",
        "measure_latest_on",
    }
)
OWNER_FIELDS = frozenset(
    {"status", "note", "evidence", "evidence_link", "evidence_file", "measure_latest", "measure_latest_on"}
)
PARTNER_FIELDS = frozenset({"note", "evidence", "evidence_link", "evidence_file"})
COMMENT_FIELDS = frozenset({"note"})


@dataclass(frozen=True)
class ActionPermissions:
    fields: frozenset[str]
    # A note from someone who is not doing the work is a comment, not the action's progress.
    note_is_progress: bool
    can_mark_complete: bool
    can_verify: bool

    @property
    def can_update(self) -> bool:
        return bool(self.fields)

    @property
    def is_comment_only(self) -> bool:
        return self.fields == COMMENT_FIELDS


NO_PERMISSIONS = ActionPermissions(fields=frozenset(), note_is_progress=False, can_mark_complete=False, can_verify=False)


def action_permissions(user, action) -> ActionPermissions:
    """What `user` may do to `action`, which the caller has already fetched within the user's scope."""
    if not user.is_authenticated:
        return NO_PERMISSIONS
    is_owner = action.owner_id is not None and action.owner_id == user.pk
    if is_partner(user):
        if not is_owner:
            return NO_PERMISSIONS
        return ActionPermissions(PARTNER_FIELDS, note_is_progress=True, can_mark_complete=False, can_verify=False)
    # Nobody verifies their own work: closure is a second person's check.
    can_verify = can_verify_actions(user) and not is_owner and action.status == Status.COMPLETE
    if can_edit_actions(user):
        return ActionPermissions(LEAD_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=can_verify)
    if is_owner:
        return ActionPermissions(OWNER_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=can_verify)
    if has_role(user, Role.SENIOR_LEADER):
        return ActionPermissions(COMMENT_FIELDS, note_is_progress=False, can_mark_complete=False, can_verify=can_verify)
    return NO_PERMISSIONS

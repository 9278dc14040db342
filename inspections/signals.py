"""What counts as a change to a council's data: every save or delete of these models raises the
revision of the councils the row belongs to (inspections.services.authority_data_changed).

Receivers, rather than calls in each service, so that the admin and any future write path are covered
too. Writes that send no signal (QuerySet.update, bulk_create) call the service themselves.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from inspections.services import authority_data_changed

# model label -> (keyword of authority_data_changed, attribute of the row that names it). The parent is
# named rather than the row itself, so that a delete still finds its council.
_OWNERS = {
    "inspections.LocalAuthority": ("authority_ids", "pk"),
    "inspections.Inspection": ("authority_ids", "authority_id"),
    "inspections.Judgement": ("inspection_ids", "inspection_id"),
    "findings.Finding": ("inspection_ids", "inspection_id"),
    "actions.Action": ("finding_ids", "finding_id"),
    "actions.ActionUpdate": ("action_ids", "action_id"),
    "actions.Evidence": ("action_ids", "action_id"),
    "actions.ActionPlan": ("inspection_ids", "inspection_id"),
    "accounts.Membership": ("authority_ids", "authority_id"),
}


def _row_changed(sender, instance, **kwargs) -> None:
    keyword, attribute = _OWNERS[sender._meta.label]
    authority_data_changed(**{keyword: [getattr(instance, attribute)]})


def _theme_changed(sender, instance, **kwargs) -> None:
    # Theme names appear on every council's pages.
    authority_data_changed(everywhere=True)


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # A sign-in saves last_login only: nothing shown changes. A new name or role changes the pages of the
    # councils the person belongs to (as an owner, or in what they may see).
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    authority_data_changed(user_ids=[instance.pk])


def _user_groups_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    User = get_user_model()
    if isinstance(instance, User):
        authority_data_changed(user_ids=[instance.pk])
    else:  # a group's members changed, from the group's side
        authority_data_changed(user_ids=list(pk_set or ()))


def connect() -> None:
    for label in _OWNERS:
        post_save.connect(_row_changed, sender=label, dispatch_uid=f"revision-save-{label}")
        post_delete.connect(_row_changed, sender=label, dispatch_uid=f"revision-delete-{label}")
    for signal in (post_save, post_delete):
        signal.connect(_theme_changed, sender="findings.Theme", dispatch_uid=f"revision-theme-{signal is post_save}")
    User = get_user_model()
    post_save.connect(_user_changed, sender=User, dispatch_uid="revision-user")
    m2m_changed.connect(_user_groups_changed, sender=User.groups.through, dispatch_uid="revision-user-groups")

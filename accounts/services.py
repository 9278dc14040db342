"""Writes for users, roles and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Membership, Role
from accounts.signals import people_changed


def roles_ensure() -> dict[str, Group]:
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@transaction.atomic
def user_provision(
    *,
    username: str,
    password: str,
    role: str,
    authorities,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
):
    """Create or refresh a user with one role and membership of the given authorities."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_staff = is_staff
    user.set_password(password)
    user.save()
    group = roles_ensure()[role]
    user.groups.set([group])
    for authority in authorities:
        Membership.objects.get_or_create(user=user, authority=authority)
    people_changed.send(sender=user_provision, user_ids=[user.pk])
    return user

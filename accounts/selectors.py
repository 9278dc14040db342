"""A user's roles. Which councils a user may see (the council scope) is in inspections.selectors."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

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


def can_record_plan(user) -> bool:
    """Who records when an action plan (and its draft) was sent to Ofsted."""
    return has_role(user, Role.ADMIN, Role.IMPROVEMENT_LEAD, Role.SENIOR_LEADER)


def can_verify_actions(user) -> bool:
    return has_role(user, Role.ADMIN, Role.SENIOR_LEADER)


STAFF_ROLES = (Role.ADMIN, Role.IMPROVEMENT_LEAD, Role.SENIOR_LEADER, Role.VIEWER)


def is_partner(user) -> bool:
    """A partner-agency account: the Partner role and no council role, so no council-wide view."""
    if not user.is_authenticated or getattr(user, "is_superuser", False):
        return False
    roles = user_roles(user)
    return Role.PARTNER in roles and not roles & set(STAFF_ROLES)


# --- two-factor and people ----------------------------------------------------------------------------

SIGN_ON_SESSION_KEY = "accounts_signed_in_with"
SECOND_FACTOR_SESSION_KEY = "accounts_has_second_factor"


def signed_in_with_sign_on(request) -> bool:
    """The session began with the council's single sign-on, whose own second factor (e.g. Entra's
    conditional access) covers it: the local second factor is for local accounts."""
    return request.session.get(SIGN_ON_SESSION_KEY) == "single_sign_on"


def two_factor_required(user) -> bool:
    from django.conf import settings

    return bool(settings.TWO_FACTOR_REQUIRED) and has_role(user, Role.ADMIN, Role.PARTNER)


def two_factor_devices(user) -> dict[str, bool]:
    """Whether the person has a confirmed authenticator app and recovery codes left."""
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return {
        "app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
    }


def has_second_factor(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def people_for(user):
    """The people an admin manages: everyone in one of their councils, and people in no council yet
    (first single sign-ons waiting for access). Councils and roles are fetched with the page, not per row."""
    from django.contrib.auth import get_user_model
    from django.db.models import Prefetch

    from accounts.models import Membership

    if not is_admin(user):
        return get_user_model().objects.none()
    councils = list(councils_administered_by(user).values_list("pk", flat=True))
    return (
        get_user_model()
        .objects.filter(Q(memberships__authority_id__in=councils) | Q(memberships__isnull=True), is_superuser=False)
        .distinct()
        .prefetch_related(
            # Only the admin's own councils are named: another council's membership is not theirs to see.
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(authority_id__in=councils)
                .select_related("authority")
                .order_by("authority__name"),
            ),
            "groups",
        )
        .order_by("last_name", "first_name", "username")
    )


def person_for(user, pk: int):
    return get_object_or_404(people_for(user), pk=pk)


def people_changes_for(user):
    """The people-change audit an admin may read: changes to people of their councils and in their councils."""
    from accounts.models import PeopleChange

    if not is_admin(user):
        return PeopleChange.objects.none()
    councils = list(councils_administered_by(user).values_list("pk", flat=True))
    return (
        PeopleChange.objects.filter(
            Q(authority_id__in=councils) | Q(person__memberships__authority_id__in=councils)
            | Q(authority__isnull=True, person__memberships__isnull=True)
        )
        .distinct()
        .select_related("actor", "authority")
        .order_by("-created_at", "-id")
    )


def sign_on_identities_waiting_for(person):
    """Council accounts that signed in with this person's email and wait for an admin to link them."""
    from accounts.models import SignOnIdentity

    if not person.email:
        return SignOnIdentity.objects.none()
    return SignOnIdentity.objects.filter(user__isnull=True, email__iexact=person.email).order_by("created_at")


def councils_administered_by(user):
    """The councils whose people this admin manages (every one for a superuser), read through Membership
    so that accounts needs nothing from the apps above it."""
    from accounts.models import Membership

    councils = Membership._meta.get_field("authority").related_model.objects.order_by("name")
    if not is_admin(user):
        return councils.none()
    if user.is_superuser:
        return councils.all()
    return councils.filter(memberships__user=user)

"""Writes for users, roles, memberships, the sign-in audit and the people-change audit."""

from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import (
    Membership,
    PeopleChange,
    PeopleChangeKind,
    Role,
    SignInEvent,
    SignInEventKind,
    SignInMethod,
    SignOnIdentity,
)


# Sent by these services themselves when they change people (a name, a role, memberships), with
# `user_ids`: the councils' cached figures show people's names, and the app that keeps them sits above
# accounts, which cannot call it (inspections connects this to authority_data_changed).
people_changed = Signal()

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


# --- sign-in audit ------------------------------------------------------------------------------------


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    # django-axes resolves the client address (proxy-aware when configured); use the same value so the
    # audit and the lockout agree on who was trying.
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:255]
    return address, agent


def sign_in_event_record(*, kind: str, request, method: str = "", user=None, username: str = "") -> SignInEvent:
    """The one writer of the sign-in audit (auth signals, the second-factor and single sign-on views)."""
    address, agent = _client(request)
    return SignInEvent.objects.create(
        kind=kind,
        method=method,
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=address,
        user_agent=agent,
    )


# --- people: invitations, roles, councils, deactivation, two-factor resets ----------------------------


class PeopleChangeRefused(PermissionDenied):
    """The actor may not make this change; the message says why, in words for the page."""


def _person_label(person) -> str:
    full = person.get_full_name()
    return f"{full} ({person.get_username()})" if full else person.get_username()


def _audit(*, kind: str, actor, person, authority=None, detail: str = "") -> PeopleChange:
    """The one writer of the people-change audit: every change to a person ends here, so the councils
    whose pages show that person are told here too."""
    change = PeopleChange.objects.create(
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        person=person,
        person_label=_person_label(person)[:255],
        authority=authority,
        detail=detail[:255],
    )
    people_changed.send(sender=_audit, user_ids=[person.pk])
    return change


def _authorities():
    # The authority model without importing inspections (a layer above accounts).
    return Membership._meta.get_field("authority").related_model.objects


def _actor_councils(actor) -> set[int]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PeopleChangeRefused("Only an admin can manage people.")
    if actor.is_superuser:
        return set(_authorities().values_list("pk", flat=True))
    if not actor.groups.filter(name=Role.ADMIN).exists():
        raise PeopleChangeRefused("Only an admin can manage people.")
    return set(Membership.objects.filter(user=actor).values_list("authority_id", flat=True))


def _check_council(actor, authority) -> None:
    if authority.pk not in _actor_councils(actor):
        raise PeopleChangeRefused(f"You are not an admin of {authority.name}.")


def _check_whole_person(actor, person) -> None:
    """Changes that reach every council of a person (role, deactivation, two-factor, linking) need an admin
    of all of them; a person in no council yet (a first single sign-on) is any admin's to set up."""
    councils = _actor_councils(actor)
    if person.pk == actor.pk:
        raise PeopleChangeRefused("You cannot change your own access; ask another admin.")
    if person.is_superuser:
        raise PeopleChangeRefused("Superusers are managed by the service's operators.")
    theirs = set(Membership.objects.filter(user=person).values_list("authority_id", flat=True))
    if not theirs <= councils:
        raise PeopleChangeRefused("This person also belongs to councils you are not an admin of.")


@transaction.atomic
def person_invite(*, actor, email: str, first_name: str, last_name: str, authority, role: str, request=None):
    """Create a local account for an email, in one of the actor's councils with one role, and send a
    link to choose a password (Django's single-use password-reset token)."""
    _check_council(actor, authority)
    if role not in Role.values:
        raise PeopleChangeRefused("Choose a role.")
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise PeopleChangeRefused("Someone with this email already has an account: give them access instead.")
    person = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    person.set_unusable_password()
    person.save()
    person.groups.set([roles_ensure()[role]])
    Membership.objects.create(user=person, authority=authority)
    _audit(kind=PeopleChangeKind.INVITED, actor=actor, person=person, authority=authority, detail=f"Role: {role}")
    transaction.on_commit(lambda: _send_invitation(person=person, actor=actor, request=request))
    return person


def _send_invitation(*, person, actor, request) -> None:
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm({"email": person.email})
    form.is_valid()
    # An invited person has no password yet, which PasswordResetForm skips; send to this one person.
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "email": person.email,
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person),
        "user": person,
        "inviter": _person_label(actor),
        "protocol": "https" if request is not None and request.is_secure() else "http",
        "domain": request.get_host() if request is not None else (settings.SITE_URL.split("://")[-1] or "localhost"),
        "site_name": settings.SERVICE_NAME,
    }
    form.send_mail(
        "registration/invitation_subject.txt",
        "registration/invitation_email.txt",
        context,
        settings.DEFAULT_FROM_EMAIL,
        person.email,
    )


@transaction.atomic
def person_role_set(*, actor, person, role: str) -> None:
    _check_whole_person(actor, person)
    if role not in Role.values:
        raise PeopleChangeRefused("Choose a role.")
    before = ", ".join(sorted(person.groups.values_list("name", flat=True))) or "none"
    person.groups.set([roles_ensure()[role]])
    _audit(kind=PeopleChangeKind.ROLE_SET, actor=actor, person=person, detail=f"{before} → {role}")


@transaction.atomic
def person_council_add(*, actor, person, authority) -> None:
    _check_council(actor, authority)
    if person.is_superuser:
        raise PeopleChangeRefused("Superusers are managed by the service's operators.")
    _, created = Membership.objects.get_or_create(user=person, authority=authority)
    if created:
        _audit(kind=PeopleChangeKind.COUNCIL_ADDED, actor=actor, person=person, authority=authority)


@transaction.atomic
def person_council_remove(*, actor, person, authority) -> None:
    _check_council(actor, authority)
    if person.pk == actor.pk:
        raise PeopleChangeRefused("You cannot change your own access; ask another admin.")
    deleted, _ = Membership.objects.filter(user=person, authority=authority).delete()
    if deleted:
        _audit(kind=PeopleChangeKind.COUNCIL_REMOVED, actor=actor, person=person, authority=authority)


@transaction.atomic
def person_active_set(*, actor, person, active: bool) -> None:
    _check_whole_person(actor, person)
    if person.is_active == active:
        return
    person.is_active = active
    person.save(update_fields=["is_active"])
    if not active:
        from django.contrib.sessions.models import Session

        # Sign them out everywhere now, not when their session would have expired: through the session
        # engine, which also forgets a session kept in the cache (cached_db with Redis).
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(person.pk):
                store(session_key=session.session_key).delete()
    _audit(
        kind=PeopleChangeKind.REACTIVATED if active else PeopleChangeKind.DEACTIVATED, actor=actor, person=person
    )


@transaction.atomic
def person_two_factor_reset(*, actor, person) -> None:
    """A lost device: remove every second factor, so the person sets up a new one at their next sign-in."""
    from django_otp import devices_for_user

    _check_whole_person(actor, person)
    removed = 0
    for device in list(devices_for_user(person, confirmed=None)):
        device.delete()
        removed += 1
    _audit(kind=PeopleChangeKind.TWO_FACTOR_RESET, actor=actor, person=person, detail=f"{removed} devices removed")


@transaction.atomic
def person_sign_on_link(*, actor, person, identity: SignOnIdentity) -> None:
    """Link a waiting single sign-on identity to the local account with the same email (an admin's decision,
    never the email's alone); from then on that person signs in with their council account."""
    _check_whole_person(actor, person)
    identity = SignOnIdentity.objects.select_for_update().get(pk=identity.pk)
    if identity.user_id is not None:
        raise PeopleChangeRefused("This council account is already linked.")
    if not identity.email or identity.email.lower() != (person.email or "").lower():
        raise PeopleChangeRefused("Only a council account with the person's own email can be linked.")
    identity.user = person
    identity.save(update_fields=["user"])
    _audit(kind=PeopleChangeKind.SIGN_ON_LINKED, actor=actor, person=person, detail=identity.issuer[:200])


# --- single sign-on: the person behind a verified ID token --------------------------------------------


class SignOnRefused(Exception):
    """A verified token that still may not sign in; the message is shown on the refusal page."""


def _group_access(groups) -> list[tuple[str, str]]:
    """(council slug, role) pairs that OIDC_GROUP_ACCESS gives to these group claim values."""
    granted = []
    for item in filter(None, (part.strip() for part in settings.OIDC_GROUP_ACCESS.split(";"))):
        group, _, target = item.partition("=")
        slug, _, role = target.partition(":")
        if group.strip() in groups and role.strip() in Role.values:
            granted.append((slug.strip(), role.strip()))
    return granted


def person_for_sign_on(*, issuer: str, subject: str, claims: dict):
    """The person a verified ID token names, created at their first sign-in.

    A first sign-in gets no council access unless the token's groups are mapped (OIDC_GROUP_ACCESS); an
    email that already belongs to a local account is not taken over: the identity waits for an admin.
    """
    with transaction.atomic():
        person = _person_for_sign_on(issuer=issuer, subject=subject, claims=claims)
    if person is None:  # raised outside the transaction, so the waiting identity is kept for the admin
        raise SignOnRefused(
            "Your council account's email already belongs to an account here. An admin needs to link the two "
            "before you can sign in with your council account; until then, sign in with your username and password."
        )
    return person


def _person_for_sign_on(*, issuer: str, subject: str, claims: dict):
    User = get_user_model()
    email = (claims.get("email") or claims.get("preferred_username") or "").strip()
    if "@" not in email:
        email = ""
    name = (claims.get("name") or "").strip()[:255]
    identity = SignOnIdentity.objects.select_for_update().filter(issuer=issuer, subject=subject).first()
    if identity is not None and identity.user_id is not None:
        identity.last_signed_in_at = timezone.now()
        identity.email, identity.display_name = email or identity.email, name or identity.display_name
        identity.save(update_fields=["last_signed_in_at", "email", "display_name"])
        return identity.user
    if identity is None:
        identity = SignOnIdentity.objects.create(
            issuer=issuer, subject=subject, tenant=str(claims.get("tid") or "")[:64], email=email, display_name=name
        )
    if email and User.objects.filter(email__iexact=email).exists():
        return None
    first, _, last = name.partition(" ")
    person = User(
        username=f"sso-{hashlib.sha256(f'{issuer} {subject}'.encode()).hexdigest()[:20]}",
        email=email,
        first_name=first[:150],
        last_name=last[:150],
    )
    person.set_unusable_password()
    person.save()
    identity.user = person
    identity.last_signed_in_at = timezone.now()
    identity.save(update_fields=["user", "last_signed_in_at"])
    _audit(kind=PeopleChangeKind.CREATED_BY_SIGN_ON, actor=None, person=person, detail=identity.tenant)
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    for slug, role in _group_access(set(groups) if isinstance(groups, list) else {groups}):
        authority = _authorities().filter(slug=slug).first()
        if authority is None:
            continue
        person.groups.add(roles_ensure()[role])
        if Membership.objects.get_or_create(user=person, authority=authority)[1]:
            _audit(
                kind=PeopleChangeKind.COUNCIL_ADDED, actor=None, person=person, authority=authority,
                detail=f"From the sign-on group mapping, role {role}",
            )
    return person


# --- two-factor (django-otp): TOTP with recovery codes -------------------------------------------------

RECOVERY_CODE_COUNT = 10


def two_factor_key_new() -> str:
    """A new TOTP key (hex) for a person to add to their app; kept in their session until confirmed, so
    showing the set-up page writes nothing."""
    from django_otp.util import random_hex

    return random_hex(20)


def two_factor_config_url(*, user, key: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice(user=user, key=key, name="Authenticator app").config_url


@transaction.atomic
def two_factor_device_confirm(*, request, user, key: str, token: str) -> list[str] | None:
    """Save the person's authenticator app once a code from it is right (replacing an earlier app); returns
    fresh recovery codes (shown once), or None when the code is wrong. The session counts as verified."""
    import time

    from django_otp import login as otp_login
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = token.replace(" ", "").strip()
    check = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    check.time = time.time()
    if not token.isdigit() or not check.verify(int(token), tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, key=key, name="Authenticator app", confirmed=True, last_t=check.t()
    )
    codes = recovery_codes_regenerate(user=user)
    otp_login(request, device)
    sign_in_event_record(
        kind=SignInEventKind.SIGNED_IN, method=SignInMethod.SECOND_FACTOR, request=request, user=user
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_verify(*, request, user, token: str) -> str:
    """Check a code from the person's app, or one of their recovery codes (used up by this), and record
    the attempt; a right code marks the session as verified. Returns "verified", "wrong", or "wait" when
    django-otp's throttle (after wrong codes) refuses to check yet."""
    from django_otp import devices_for_user
    from django_otp import login as otp_login

    token = token.replace(" ", "").strip()
    throttled = False
    for device in devices_for_user(user, confirmed=True):
        if not device.verify_is_allowed()[0]:
            throttled = True
            continue
        if token and device.verify_token(token):
            otp_login(request, device)
            sign_in_event_record(
                kind=SignInEventKind.SIGNED_IN, method=SignInMethod.SECOND_FACTOR, request=request, user=user
            )
            return "verified"
    sign_in_event_record(kind=SignInEventKind.FAILED, method=SignInMethod.SECOND_FACTOR, request=request, user=user)
    return "wait" if throttled else "wrong"


def two_factor_turn_off(*, user) -> None:
    """Someone for whom two-factor is optional removes it (required people cannot: the view refuses)."""
    from django_otp import devices_for_user

    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()


@transaction.atomic
def two_factor_device_install(*, user, key: str) -> None:
    """Give a person a confirmed authenticator device with a known key (the demo's admin and partner);
    idempotent."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "Demo authenticator", "confirmed": True})

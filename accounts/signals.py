"""Record every sign-in, failed sign-in and sign-out in SignInEvent (connected in AccountsConfig.ready)."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from accounts.models import SignInEvent, SignInEventKind

logger = logging.getLogger(__name__)

# Sent by accounts.services itself when it changes people (a name, a role, memberships), with
# `user_ids`: the councils' cached figures show people's names, and the app that keeps them sits above
# accounts, which cannot call it (inspections connects this to authority_data_changed).
people_changed = Signal()


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    # django-axes resolves the client address (proxy-aware when configured); use the same value so the
    # audit and the lockout agree on who was trying.
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:255]
    return address, agent


def _record(kind: str, *, request, user=None, username: str = "") -> None:
    address, agent = _client(request)
    SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=address,
        user_agent=agent,
    )


@receiver(user_logged_in, dispatch_uid="accounts.signin.logged_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    _record(SignInEventKind.SIGNED_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.signin.failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    from django.contrib.auth import get_user_model

    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first() if username else None
    _record(SignInEventKind.FAILED, request=request, user=user, username=username)


@receiver(user_logged_out, dispatch_uid="accounts.signin.logged_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out an already anonymous session
        return
    _record(SignInEventKind.SIGNED_OUT, request=request, user=user)

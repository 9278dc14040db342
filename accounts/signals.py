"""Record every sign-in, failed sign-in and sign-out in SignInEvent (connected in AccountsConfig.ready)."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import SignInEventKind, SignInMethod
from accounts.selectors import SECOND_FACTOR_SESSION_KEY, SIGN_ON_SESSION_KEY, has_second_factor
from accounts.services import sign_in_event_record

logger = logging.getLogger(__name__)

SIGN_ON_BACKEND = "accounts.oidc.CouncilOIDCBackend"


def _method(user=None, credentials=None) -> str:
    if user is not None and getattr(user, "backend", "") == SIGN_ON_BACKEND:
        return SignInMethod.SINGLE_SIGN_ON
    if credentials is not None and "username" not in credentials and "nonce" in credentials:
        return SignInMethod.SINGLE_SIGN_ON
    return SignInMethod.PASSWORD


@receiver(user_logged_in, dispatch_uid="accounts.signin.logged_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    method = _method(user)
    sign_in_event_record(kind=SignInEventKind.SIGNED_IN, method=method, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        # Read by accounts.middleware on every page, so it needs no query there.
        request.session[SIGN_ON_SESSION_KEY] = method
        request.session[SECOND_FACTOR_SESSION_KEY] = has_second_factor(user)


@receiver(user_login_failed, dispatch_uid="accounts.signin.failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    from django.contrib.auth import get_user_model

    if _method(credentials=credentials) == SignInMethod.SINGLE_SIGN_ON:
        return  # the sign-on callback records its refusals itself, with the reason shown to the person
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")
    user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first() if username else None
    sign_in_event_record(
        kind=SignInEventKind.FAILED,
        method=_method(credentials=credentials),
        request=request,
        user=user,
        username=username,
    )


@receiver(user_logged_out, dispatch_uid="accounts.signin.logged_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out an already anonymous session
        return
    sign_in_event_record(kind=SignInEventKind.SIGNED_OUT, request=request, user=user)

"""Sign-in pages beyond the password form: single sign-on, the second factor, and people management."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from requests import RequestException

from accounts import selectors, services
from accounts.forms import CouncilForm, InviteForm, RoleForm, TwoFactorCodeForm, TwoFactorSetupForm
from accounts.models import SignInEventKind, SignInMethod

logger = logging.getLogger(__name__)


# --- single sign-on -------------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class SignOnStartView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not set up.")
        return super().get(request)


@method_decorator([login_not_required, never_cache], name="dispatch")
class SignOnCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here. Any failed check ends on a page that says which, with no
    session (a half-signed-in session is ended too), and is recorded in the sign-in audit."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not set up.")
        if request.GET.get("error"):
            return self.refuse(request, "Your council's sign-in service did not sign you in.")
        if "code" not in request.GET or request.GET.get("state") not in request.session.get("oidc_states", {}):
            return self.refuse(request, "This sign-in link has been used already or was not started here.")
        try:
            response = super().get(request)
        except services.SignOnRefused as error:
            return self.refuse(request, str(error))
        except SuspiciousOperation as error:
            return self.refuse(request, str(error))
        except RequestException:
            logger.exception("Single sign-on: the identity provider could not be reached")
            return self.refuse(request, "Your council's sign-in service could not be reached. Try again later.")
        if not request.user.is_authenticated:
            return self.refuse(request, "Your account cannot sign in. Ask an admin of your council.")
        return response

    def refuse(self, request, reason: str):
        if request.user.is_authenticated:
            auth.logout(request)
        request.session.flush()
        services.sign_in_event_record(
            kind=SignInEventKind.FAILED, method=SignInMethod.SINGLE_SIGN_ON, request=request, username=""
        )
        logger.warning("Single sign-on refused: %s", reason)
        return render(request, "accounts/sign_on_refused.html", {"reason": reason}, status=403)


# --- the second factor ------------------------------------------------------------------------------------


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _qr_code(uri: str) -> dict:
    """The QR code as an SVG data URI (an image the page carries, no script) with its size in pixels."""
    import segno

    code = segno.make(uri, error="m")
    size = code.symbol_size(scale=5, border=2)[0]
    return {"src": code.svg_data_uri(scale=5, border=2, dark="#0b0c0c", light="#ffffff"), "size": size}


@never_cache
def two_factor_verify(request):
    """The second step of a local sign-in: a code from the app or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not selectors.has_second_factor(request.user):
        return redirect("accounts:two_factor_setup")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.two_factor_verify(request=request, user=request.user, token=form.cleaned_data["code"])
        if outcome == "verified":
            return redirect(_next_url(request))
        if outcome == "wait":
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the code your app shows.")
        else:
            form.add_error("code", "The code is not right, or has been used. Enter the code your app shows now.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request, "")})


@never_cache
def two_factor_setup(request):
    """Add an authenticator app: scan the code (or type the key), enter a code from it, keep the recovery
    codes. Replacing an app needs the current second factor first."""
    if selectors.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    key = request.session.get("accounts_pending_totp_key")
    if key is None or request.method == "GET":
        key = services.two_factor_key_new()
        request.session["accounts_pending_totp_key"] = key
    form = TwoFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_device_confirm(
            request=request, user=request.user, key=key, token=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session.pop("accounts_pending_totp_key", None)
            request.session[selectors.SECOND_FACTOR_SESSION_KEY] = True
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request, "")}
            )
        form.add_error("code", "The code is not right. Check your app shows the Inspection Findings Tracker, and enter its code now.")
    from base64 import b32encode

    secret = b32encode(bytes.fromhex(key)).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": _qr_code(services.two_factor_config_url(user=request.user, key=key)),
            "required": selectors.two_factor_required(request.user),
            "next": _next_url(request, ""),
        },
    )


@never_cache
def two_factor_manage(request):
    """Everyone's own second-factor page: set it up, make new recovery codes, or turn it off if optional."""
    context = {
        "devices": selectors.two_factor_devices(request.user),
        "required": selectors.two_factor_required(request.user),
        "sign_on": selectors.signed_in_with_sign_on(request),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
def recovery_codes_new(request):
    if not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    codes = services.recovery_codes_regenerate(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


@require_POST
def two_factor_off(request):
    if selectors.two_factor_required(request.user):
        messages.error(request, "Two-factor authentication is required for your role and cannot be turned off.")
        return redirect("accounts:two_factor")
    if selectors.has_second_factor(request.user) and not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    services.two_factor_turn_off(user=request.user)
    request.session[selectors.SECOND_FACTOR_SESSION_KEY] = False
    messages.success(request, "Two-factor authentication is off.")
    return redirect("accounts:two_factor")


# --- people -------------------------------------------------------------------------------------------


def _admin_only(request):
    if not selectors.is_admin(request.user):
        raise Http404


def people_list(request):
    _admin_only(request)
    people = list(selectors.people_for(request.user))
    return render(request, "accounts/people_list.html", {"people": people, "nav_section": "people"})


def person_invite(request):
    _admin_only(request)
    councils = list(selectors.councils_administered_by(request.user))
    form = InviteForm(request.POST or None, councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_invite(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                authority=data["council"],
                role=data["role"],
                request=request,
            )
        except services.PeopleChangeRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {person.email}.")
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_invite.html", {"form": form, "nav_section": "people"})


def person_detail(request, pk: int):
    _admin_only(request)
    person = selectors.person_for(request.user, pk)
    councils = list(selectors.councils_administered_by(request.user))
    theirs = {m.authority_id for m in person.memberships.all()}
    roles = [group.name for group in person.groups.all()]
    context = {
        "person": person,
        "roles": roles,
        "role_form": RoleForm(initial={"role": roles[0] if roles else None}),
        "council_form": CouncilForm(councils=[c for c in councils if c.pk not in theirs]),
        "my_councils": {c.pk for c in councils},
        "devices": selectors.two_factor_devices(person),
        "waiting_identities": list(selectors.sign_on_identities_waiting_for(person)),
        "linked_identities": list(person.sign_on_identities.all()),
        "changes": list(selectors.people_changes_for(request.user).filter(person=person)[:20]),
        "nav_section": "people",
    }
    return render(request, "accounts/person_detail.html", context)


@require_POST
def person_change(request, pk: int, change: str):
    """Every change to a person from their page: one service each, refused with a message when not allowed."""
    _admin_only(request)
    person = selectors.person_for(request.user, pk)
    councils = list(selectors.councils_administered_by(request.user))
    actor = request.user
    try:
        if change == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise services.PeopleChangeRefused("Choose a role.")
            services.person_role_set(actor=actor, person=person, role=form.cleaned_data["role"])
        elif change == "council-add":
            form = CouncilForm(request.POST, councils=councils)
            if not form.is_valid():
                raise services.PeopleChangeRefused("Choose a council.")
            services.person_council_add(actor=actor, person=person, authority=form.cleaned_data["council"])
        elif change == "council-remove":
            authority = next((c for c in councils if str(c.pk) == request.POST.get("council")), None)
            if authority is None:
                raise services.PeopleChangeRefused("Choose one of your councils.")
            services.person_council_remove(actor=actor, person=person, authority=authority)
        elif change in ("deactivate", "reactivate"):
            services.person_active_set(actor=actor, person=person, active=change == "reactivate")
        elif change == "two-factor-reset":
            services.person_two_factor_reset(actor=actor, person=person)
        elif change == "link-sign-on":
            identity = selectors.sign_on_identities_waiting_for(person).filter(pk=request.POST.get("identity")).first()
            if identity is None:
                raise services.PeopleChangeRefused("That council account is no longer waiting to be linked.")
            services.person_sign_on_link(actor=actor, person=person, identity=identity)
        else:
            raise Http404
    except services.PeopleChangeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved. The change is in the people audit.")
    return redirect("accounts:person_detail", pk=person.pk)


def people_changes(request):
    """The people audit: who changed whose access, when, in which council."""
    _admin_only(request)
    page = Paginator(selectors.people_changes_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/people_changes.html", {"page": page, "nav_section": "people"})


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    """The password form, with the council single sign-on button beside it when single sign-on is set up."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"sign_on_enabled": settings.OIDC_ENABLED}

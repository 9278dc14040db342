"""Two-factor before anything else: a local account that needs a second factor reaches no page (the admin
site included) until it has set one up and entered a code in this session."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import SECOND_FACTOR_SESSION_KEY, signed_in_with_sign_on, two_factor_required

# Pages a half-signed-in person needs: the second-factor steps themselves, signing out, and assets.
OPEN_PREFIXES = ("/static/", "/healthz", "/sign-out/", "/sign-in/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request.awaiting_second_factor = False
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not signed_in_with_sign_on(request)
        ):
            # Whether the person has a device is noted in the session at sign-in (no query per page).
            has_device = bool(request.session.get(SECOND_FACTOR_SESSION_KEY))
            if has_device or two_factor_required(user):
                # Read by base.html: no menu or council name until the second step is done.
                request.awaiting_second_factor = True
                if not request.path.startswith(OPEN_PREFIXES):
                    target = reverse("accounts:two_factor_verify" if has_device else "accounts:two_factor_setup")
                    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                    return redirect(f"{target}?{query}" if query else target)
        return self.get_response(request)

"""Rate limits, per token (a browser session: per person), counted in the default cache: Redis when
REDIS_URL is set, so every app server counts the same requests."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        # Read on every request (not once at import), so settings.API_RATE_LIMIT can change in tests.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return f"throttle-api-{ident}"

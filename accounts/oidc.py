"""Single sign-on with a council's OpenID Connect provider (Microsoft Entra ID), on mozilla-django-oidc.

The library runs the authorization code flow with PKCE, keeps state and nonce in the session (each used
once) and checks the ID token's signature against the provider's published keys. This backend adds what
the library leaves open: the issuer, the audience, the expiry and issue time, the tenant, and who the person
is (the stable subject, Entra's `oid`; never a display name or an email).
"""

from __future__ import annotations

import jwt
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.services import person_for_sign_on


class TokenRefused(SuspiciousOperation):
    """The ID token failed a check; the message names which, for the refusal page and the log."""


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or "nonce" not in kwargs:
            return None  # a password sign-in, or single sign-on not configured
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise TokenRefused("The token is not signed with the expected algorithm.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenRefused("The token has expired.") from error
        except jwt.InvalidIssuerError as error:
            raise TokenRefused("The token was issued by another identity provider.") from error
        except jwt.InvalidAudienceError as error:
            raise TokenRefused("The token was issued for another application.") from error
        except jwt.InvalidSignatureError as error:
            raise TokenRefused("The token's signature does not match the provider's keys.") from error
        except jwt.PyJWTError as error:
            raise TokenRefused(f"The token is not valid ({error}).") from error

    def verify_token(self, token, **kwargs):
        nonce = kwargs.get("nonce")
        if not nonce:
            raise TokenRefused("The sign-in was not started here.")
        try:
            payload = super().verify_token(token, **kwargs)
        except TokenRefused:
            raise
        except SuspiciousOperation as error:
            message = str(error)
            if "Nonce" in message:
                raise TokenRefused("The token belongs to another or an earlier sign-in (nonce).") from error
            raise TokenRefused(f"The token could not be verified ({message}).") from error
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise TokenRefused("The token was issued for another application.")
        allowed = settings.OIDC_ALLOWED_TENANTS
        if allowed and str(payload.get("tid", "")) not in allowed:
            raise TokenRefused("Your organisation's tenant is not allowed to sign in to this service.")
        self._subject(payload)
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        # Everything needed is in the verified ID token; no second, unsigned source of claims.
        return payload

    def _subject(self, claims) -> str:
        claim = settings.OIDC_SUBJECT_CLAIM
        subject = claims.get(claim)
        if not subject:
            raise TokenRefused(f"The token has no '{claim}' claim to recognise you by.")
        return str(subject)

    def verify_claims(self, claims):
        return bool(self._subject(claims))

    def get_or_create_user(self, access_token, id_token, payload):
        # SignOnRefused is not a SuspiciousOperation, so the library does not swallow it: the callback view
        # shows its message.
        return person_for_sign_on(issuer=payload["iss"], subject=self._subject(payload), claims=payload)

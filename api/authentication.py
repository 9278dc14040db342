"""`Authorization: Token <key>` (or `Bearer <key>`) for the API. A revoked, expired or unknown key, or
one whose person has been deactivated, is refused with 401; a good one reads as its person and its use is
counted (api.services.token_use_record)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.selectors import token_for_key
from api.services import token_use_record

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("The Authorization header must be 'Token' and the key, with one space between.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise AuthenticationFailed("This token has been revoked.")
        if not token.is_usable():
            raise AuthenticationFailed("This token has expired: make a new one on your API tokens page.")
        token_use_record(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI description names the token: an API key in the Authorization header."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication: `Token <key>`, with a key from your API tokens page.",
        }

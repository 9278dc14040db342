"""Writes for API tokens: a person makes and revokes their own; every use is counted.

A key is `ift_` and 43 random URL-safe characters (secrets.token_urlsafe(32)); only its SHA-256 is stored,
so the key is shown once, when it is made, and a copy of the database gives nobody a working key.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from api.models import SHOWN_CHARACTERS, TOKEN_PREFIX, ApiToken, ApiTokenUse

DEFAULT_DAYS = 90
MAX_DAYS = 365
# Live tokens one person may hold at once: enough for every report they keep, few enough to review.
MAX_LIVE_TOKENS = 20
# A token's last-used time is written at most this often (the day's counter on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def default_expiry(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=DEFAULT_DAYS)


def _end_of(day: date) -> datetime:
    """A token valid "until 1 March" works all of 1 March (Europe/London)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def token_create(*, user, name: str, expires_on: date | None = None, today: date | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` (for themselves only) and its key, which is never stored or shown again."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Only a signed-in person can make an API token.")
    today = today or timezone.localdate()
    name = (name or "").strip()
    expires_on = expires_on or default_expiry(today)
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the token, for example the report that will use it"
    elif len(name) > 100:
        errors["name"] = "The name must be 100 characters or fewer"
    if expires_on <= today:
        errors["expires_on"] = "The expiry date must be in the future"
    elif expires_on > today + timedelta(days=MAX_DAYS):
        errors["expires_on"] = f"The expiry date must be within a year, on or before {today + timedelta(days=MAX_DAYS):%-d %B %Y}"
    if errors:
        raise ValidationError(errors)
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
    if live >= MAX_LIVE_TOKENS:
        raise ValidationError({"name": f"You have {live} tokens in use: revoke one you no longer need first"})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=token_hash(key), shown=key[:SHOWN_CHARACTERS], expires_at=_end_of(expires_on)
    )
    return token, key


def token_revoke(*, user, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Only its own person revokes it; revoking twice changes nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or token.user_id != user.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def token_use_record(*, token: ApiToken, at: datetime | None = None) -> None:
    """Count one request: one UPDATE of the day's row (an INSERT for the first request of a day), and the
    token's last-used time when it is more than a minute old."""
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    counted = ApiTokenUse.objects.filter(token=token, day=day).update(requests=F("requests") + 1, last_at=at)
    if not counted:
        try:
            with transaction.atomic():
                ApiTokenUse.objects.create(token=token, day=day, requests=1, last_at=at)
        except IntegrityError:  # another request made the day's row first
            ApiTokenUse.objects.filter(token=token, day=day).update(requests=F("requests") + 1, last_at=at)
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = at
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)

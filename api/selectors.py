"""Reads for API tokens, and the shapes of what the API returns that the other apps' selectors do not give."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from actions.models import ActionUpdate
from api.models import TOKEN_PREFIX, ApiToken
from api.services import token_hash


def tokens_for(user) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first, with how many requests each has made."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).annotate(request_count=Sum("uses__requests")).order_by("-created_at", "-id")


def get_token_for_user(user, pk) -> ApiToken:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ApiToken.objects.filter(user_id=user.pk), pk=pk)


def token_for_key(key: str) -> ApiToken | None:
    """The token with this key (any state: the caller says why it is refused), with its person."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()


def last_progress_prefetch() -> Prefetch:
    """Each action's latest progress update (the latest history row with a note that is not a senior
    leader's comment) as `action.last_progress`: one query for a page of actions, whatever their history."""
    latest = (
        ActionUpdate.objects.exclude(note="")
        .exclude(changes__has_key="comment")
        .select_related("author")
        .annotate(
            newest=Window(RowNumber(), partition_by=[F("action_id")], order_by=[F("created_at").desc(), F("version").desc()])
        )
        .filter(newest=1)
    )
    return Prefetch("updates", queryset=latest, to_attr="last_progress_rows")

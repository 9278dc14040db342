"""API tokens: made and revoked by their own person only, stored hashed, shown once, bounded expiry."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from api.models import ApiToken, ApiTokenUse
from api.services import MAX_LIVE_TOKENS, token_create, token_revoke, token_use_record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_a_token_is_stored_as_its_hash_and_expires_in_90_days_by_default(owner):
    token, key = token_create(user=owner, name="  Power BI  ", today=TODAY)
    assert key.startswith("ift_") and len(key) == 4 + 43
    assert token.name == "Power BI"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.shown == key[:10]
    assert timezone.localtime(token.expires_at).date() == TODAY + dt.timedelta(days=91)  # all of day 90
    stored = ApiToken.objects.filter(pk=token.pk).values_list(flat=True)
    assert key not in repr(list(ApiToken.objects.filter(pk=token.pk).values()))
    assert list(stored)


@pytest.mark.parametrize(
    ("name", "expires_on", "field"),
    [
        ("", TODAY + dt.timedelta(days=30), "name"),
        ("x" * 101, TODAY + dt.timedelta(days=30), "name"),
        ("Report", TODAY, "expires_on"),
        ("Report", TODAY - dt.timedelta(days=1), "expires_on"),
        ("Report", TODAY + dt.timedelta(days=366), "expires_on"),
    ],
)
def test_bad_names_and_expiry_dates_are_refused_and_nothing_is_made(owner, name, expires_on, field):
    with pytest.raises(ValidationError) as error:
        token_create(user=owner, name=name, expires_on=expires_on, today=TODAY)
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_year_is_the_longest_expiry(owner):
    token, _ = token_create(user=owner, name="Yearly", expires_on=TODAY + dt.timedelta(days=365), today=TODAY)
    assert timezone.localtime(token.expires_at).date() == TODAY + dt.timedelta(days=366)


def test_the_number_of_live_tokens_is_bounded(owner):
    for n in range(MAX_LIVE_TOKENS):
        token_create(user=owner, name=f"Report {n}")
    with pytest.raises(ValidationError):
        token_create(user=owner, name="One more")
    token_revoke(user=owner, token=ApiToken.objects.filter(user=owner).first())
    token_create(user=owner, name="One more")


def test_only_a_signed_in_active_person_makes_a_token(owner):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        token_create(user=AnonymousUser(), name="Report")
    owner.is_active = False
    with pytest.raises(PermissionDenied):
        token_create(user=owner, name="Report")


def test_only_its_own_person_revokes_a_token_and_twice_changes_nothing(owner, colleague):
    token, _ = token_create(user=owner, name="Report")
    with pytest.raises(PermissionDenied):
        token_revoke(user=colleague, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    first = token_revoke(user=owner, token=token).revoked_at
    assert first is not None
    again = token_revoke(user=owner, token=ApiToken.objects.get(pk=token.pk))
    assert again.revoked_at == first == ApiToken.objects.get(pk=token.pk).revoked_at


def test_use_is_counted_per_day_and_last_used_at_most_once_a_minute(owner):
    token, _ = token_create(user=owner, name="Report")
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    for seconds in (0, 10, 30, 90):
        token_use_record(token=token, at=start + dt.timedelta(seconds=seconds))
    token_use_record(token=token, at=start + dt.timedelta(days=1))
    assert list(ApiTokenUse.objects.filter(token=token).order_by("day").values_list("day", "requests")) == [
        (dt.date(2026, 3, 2), 4), (dt.date(2026, 3, 3), 1)
    ]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + dt.timedelta(days=1)


# --- the API tokens page --------------------------------------------------------------------------------


def test_the_page_shows_a_new_key_once(client, owner):
    client.force_login(owner)
    made = client.post("/account/api-tokens/", {"name": "Excel", "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat()})
    assert made.status_code == 201
    key = made.context["key"]
    assert key in made.content.decode()
    again = client.get("/account/api-tokens/")
    assert key not in again.content.decode() and "Excel" in again.content.decode()
    assert again["Cache-Control"].startswith("private, no-store")


def test_the_page_explains_a_bad_expiry(client, owner):
    client.force_login(owner)
    page = client.post("/account/api-tokens/", {"name": "Excel", "expires_on": "2099-01-01"})
    assert page.status_code == 200
    assert "within a year" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_sees_and_revokes_only_their_own_tokens(client, owner, colleague):
    theirs, _ = token_create(user=colleague, name="Colleague's report")
    mine, _ = token_create(user=owner, name="My report")
    client.force_login(owner)
    page = client.get("/account/api-tokens/").content.decode()
    assert "My report" in page and "Colleague" not in page
    assert client.post(f"/account/api-tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.get(f"/account/api-tokens/{mine.pk}/revoke/").status_code == 405
    assert client.post(f"/account/api-tokens/{mine.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None


def test_the_guide_page_names_every_endpoint(client, owner):
    client.force_login(owner)
    page = client.get("/api/").content.decode()
    for path in ("councils/", "inspections/", "judgements/", "findings/", "actions/", "actions/positions/", "dashboard/"):
        assert path in page
    assert "Authorization: Token" in page

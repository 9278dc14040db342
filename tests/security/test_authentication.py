"""Sign-in is throttled, sessions expire, sign-out needs a POST, weak passwords are refused, and every form
and htmx request needs its CSRF token."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInEvent, SignInEventKind
from actions.models import Action
from datasets.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failed_sign_ins_lock_the_account_even_against_the_right_password(client, demo):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(4):
        response = sign_in(client, "lead", f"wrong-password-{attempt}")
        assert response.status_code == 200 and "Enter a correct username and password" in response.content.decode()
    locked = sign_in(client, "lead", "wrong-password-4")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    still_locked = sign_in(client, "lead", DEMO_PASSWORD)
    assert still_locked.status_code == 429 and "Too many sign-in attempts" in still_locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user on the same machine is not locked out by lead's failures.
    assert sign_in(Client(), "viewer", DEMO_PASSWORD).status_code == 302
    assert SignInEvent.objects.filter(username="lead", kind=SignInEventKind.FAILED).count() >= 5
    assert not SignInEvent.objects.filter(username="lead", kind=SignInEventKind.SIGNED_IN).exists()


def test_the_locked_out_page_is_a_friendly_page_of_the_service(client, demo):
    for attempt in range(5):
        response = sign_in(client, "lead", f"wrong-password-{attempt}")
    page = response.content.decode()
    assert "govuk-heading-xl" in page and "Wait and try again" in page
    assert "Traceback" not in page


def test_sessions_expire_after_a_working_day_and_when_the_browser_closes():
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_an_expired_session_is_sent_back_to_sign_in(client, demo):
    assert sign_in(client, "lead", DEMO_PASSWORD).status_code == 302
    page = reverse("inspections:authority_list")
    assert client.get(page).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=")


def test_signing_out_needs_a_post(client, demo):
    client.force_login(demo["lead"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("inspections:authority_list")).status_code == 200, "a GET did not sign out"
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("inspections:authority_list")).status_code == 302


@pytest.mark.parametrize("password", ["password", "12345678901234", "short-pw", "lead@example.org"])
def test_weak_passwords_are_refused(demo, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=demo["lead"])


def test_a_long_uncommon_password_is_accepted(demo):
    validate_password("correct horse battery staple 2026", user=demo["lead"])


# --- CSRF ----------------------------------------------------------------------------------------------


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_signing_in_without_a_csrf_token_is_refused(strict_client, demo):
    response = sign_in(strict_client, "lead", DEMO_PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in strict_client.session


def test_signing_out_without_a_csrf_token_is_refused(strict_client, demo):
    strict_client.force_login(demo["lead"])
    assert strict_client.post(reverse("logout")).status_code == 403
    assert strict_client.get(reverse("inspections:authority_list")).status_code == 200


def _action_update_url(action) -> str:
    return reverse("actions:action_update", kwargs={"pk": action.pk})


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_updating_an_action_without_a_csrf_token_is_refused_and_changes_nothing(strict_client, demo, htmx):
    action = Action.objects.filter(finding__inspection__authority__name="Barnsley", owner__user__username="lead").first()
    strict_client.force_login(demo["lead"])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    data = {"version": action.version, "status": "complete", "rag": "green", "note": "No token"}
    response = strict_client.post(_action_update_url(action), data, **headers)
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).version == action.version


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    """Each <form method="post"> has {% csrf_token %} ({{ csrf_input }} in a Jinja2 fragment); htmx requests
    get the token from <body hx-headers>."""
    import re

    from tests.security.test_templates import all_templates

    missing = []
    for path, text in all_templates():
        token = "{{ csrf_input }}" if "jinja2" in path.parts else "{% csrf_token %}"
        for form in re.finditer(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", text, re.S | re.I):
            if token not in form.group(1):
                missing.append(str(path))
    assert not missing, "POST forms without a CSRF token: " + ", ".join(missing)
    base = (settings.BASE_DIR / "templates" / "base.html").read_text()
    assert "hx-headers='{\"X-CSRFToken\": \"{{ csrf_token }}\"}'" in base

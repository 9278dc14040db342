"""Two-factor for local accounts: required for admins and partners (no page before the code), offered
to others, recovery codes used once, a lost device reset by an admin and recorded."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import PeopleChange, PeopleChangeKind, SignInEvent, SignInMethod
from datasets.demo.data import DEMO_PASSWORD, DEMO_TOTP_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings, demo):
    """Two-factor required, and the demo admin and partner with their app (as load_demo gives them then)."""
    settings.TWO_FACTOR_REQUIRED = True
    for username in ("admin", "partner"):
        services.two_factor_device_install(user=demo[username], key=DEMO_TOTP_KEY)


def code_for(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})


@pytest.mark.parametrize("path", ["/", "/authorities/", "/people/", "/admin/", "/actions/mine/"])
def test_an_admin_reaches_no_page_before_the_second_factor(client, demo, required, path):
    sign_in(client, "admin")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_the_right_code_opens_the_pages_and_is_recorded(client, demo, required):
    sign_in(client, "admin")
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000", "next": "/authorities/"})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert client.get("/authorities/").status_code == 302
    time.sleep(1.1)  # django-otp throttles: after a wrong code the next try waits a second (doubling)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(DEMO_TOTP_KEY), "next": "/authorities/"})
    assert response.status_code == 302 and response["Location"] == "/authorities/"
    assert client.get("/authorities/").status_code == 200
    events = list(SignInEvent.objects.order_by("id").values_list("kind", "method"))
    assert events == [
        ("signed_in", SignInMethod.PASSWORD),
        ("failed", SignInMethod.SECOND_FACTOR),
        ("signed_in", SignInMethod.SECOND_FACTOR),
    ]


def test_a_code_cannot_be_used_twice(client, demo, required):
    code = code_for(DEMO_TOTP_KEY)
    sign_in(client, "admin")
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
    client.logout()
    sign_in(client, "admin")
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 200
    assert client.get("/authorities/").status_code == 302


def test_a_partner_without_a_device_must_set_one_up(client, demo, required):
    TOTPDevice.objects.filter(user=demo["partner"]).delete()
    sign_in(client, "partner")
    response = client.get("/actions/mine/")
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=demo["partner"]).exists()  # showing the page wrote nothing
    key = client.session["accounts_pending_totp_key"]
    response = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert "The code is not right" in response.content.decode()
    response = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(key)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and "Your recovery codes" in response.content.decode()
    assert client.get("/actions/mine/").status_code == 200


def test_other_roles_are_offered_two_factor_but_not_held_to_it(client, demo, required):
    sign_in(client, "lead")
    assert client.get("/authorities/").status_code == 200
    assert "Set up two-factor authentication" in client.get(reverse("accounts:two_factor")).content.decode()


def test_someone_who_set_it_up_is_asked_for_it_even_if_optional(client, demo):
    services.two_factor_device_install(user=demo["lead"], key=DEMO_TOTP_KEY)
    sign_in(client, "lead")
    assert client.get("/authorities/")["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_a_recovery_code_works_once(client, demo, required):
    codes = services.recovery_codes_regenerate(user=demo["admin"])
    sign_in(client, "admin")
    assert client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client, "admin")
    assert client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=demo["admin"]).count() == 9


def test_when_not_required_admins_sign_in_with_a_password_alone(client, demo, settings):
    settings.TWO_FACTOR_REQUIRED = False
    TOTPDevice.objects.filter(user=demo["admin"]).delete()
    sign_in(client, "admin")
    assert client.get("/authorities/").status_code == 200


def test_a_required_person_cannot_turn_it_off(client, demo, required):
    sign_in(client, "admin")
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(DEMO_TOTP_KEY)})
    client.post(reverse("accounts:two_factor_off"))
    assert TOTPDevice.objects.filter(user=demo["admin"], confirmed=True).exists()


def test_an_admin_resets_a_lost_device_and_it_is_recorded(demo, required, django_user_model):
    other_admin = django_user_model.objects.create_user("admin2", password="x" * 16)
    other_admin.groups.add(services.roles_ensure()["Admin"])
    from accounts.models import Membership

    Membership.objects.create(user=other_admin, authority=demo["partner"].memberships.get().authority)
    services.person_two_factor_reset(actor=other_admin, person=demo["partner"])
    assert not TOTPDevice.objects.filter(user=demo["partner"]).exists()
    change = PeopleChange.objects.get()
    assert (change.kind, change.actor, change.person) == (PeopleChangeKind.TWO_FACTOR_RESET, other_admin, demo["partner"])
    with pytest.raises(services.PeopleChangeRefused):
        services.person_two_factor_reset(actor=demo["lead"], person=demo["partner"])


def test_lockout_still_applies_to_passwords(client, demo, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("login"), {"username": "lead", "password": "wrong-password-x"})
    response = sign_in(client, "lead")
    assert response.status_code in (403, 429)


def test_after_wrong_codes_the_page_says_to_wait(client, demo, required):
    sign_in(client, "admin")
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(DEMO_TOTP_KEY)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/authorities/").status_code == 302


def test_the_code_page_shows_no_menu_or_council_before_the_code(client, demo, required):
    sign_in(client, "admin")
    page = client.get(reverse("accounts:two_factor_verify")).content.decode()
    assert 'aria-label="Menu"' not in page and "council-label" not in page and "Enter your code" in page

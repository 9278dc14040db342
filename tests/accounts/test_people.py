"""People managed in the app: one service per change, an admin only for their own councils, every change
in the people audit; password reset without account enumeration, links single-use."""

import re
from importlib import import_module

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Membership, PeopleChange
from inspections.models import LocalAuthority

pytestmark = pytest.mark.django_db


def test_an_admin_invites_gives_and_takes_away_access_and_it_is_recorded(demo):
    admin, barnsley = demo["admin"], LocalAuthority.objects.get(slug="barnsley")
    person = services.person_invite(
        actor=admin, email="Noor@NHS.example", first_name="Noor", last_name="P", authority=barnsley, role="Partner"
    )
    assert not person.has_usable_password() and person.email == "Noor@nhs.example"
    barnet = LocalAuthority.objects.get(slug="barnet")
    services.person_council_add(actor=admin, person=person, authority=barnet)
    services.person_council_remove(actor=admin, person=person, authority=barnsley)
    services.person_role_set(actor=admin, person=person, role="Viewer")
    services.person_active_set(actor=admin, person=person, active=False)
    kinds = list(PeopleChange.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["invited", "council_added", "council_removed", "role_set", "deactivated"]
    assert list(Membership.objects.filter(user=person).values_list("authority__slug", flat=True)) == ["barnet"]


def test_a_non_admin_and_an_admin_of_another_council_are_refused(demo):
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    with pytest.raises(services.PeopleChangeRefused):
        services.person_council_add(actor=demo["lead"], person=demo["viewer"], authority=barnsley)
    barnet_admin = demo["barnet-lead"]
    barnet_admin.groups.set([services.roles_ensure()["Admin"]])
    with pytest.raises(services.PeopleChangeRefused):
        services.person_council_remove(actor=barnet_admin, person=demo["viewer"], authority=barnsley)
    with pytest.raises(services.PeopleChangeRefused):
        services.person_active_set(actor=barnet_admin, person=demo["viewer"], active=False)
    assert not PeopleChange.objects.exists()


def test_people_pages_are_for_admins_only(client, demo):
    client.force_login(demo["lead"])
    assert client.get(reverse("accounts:people")).status_code == 404
    client.force_login(demo["admin"])
    assert client.get(reverse("accounts:people")).status_code == 200


def test_deactivating_signs_the_person_out(client, demo):
    client.force_login(demo["viewer"])
    assert client.get("/authorities/").status_code == 200
    services.person_active_set(actor=demo["admin"], person=demo["viewer"], active=False)
    assert client.get("/authorities/").status_code == 302


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"])
def test_deactivating_forgets_the_persons_sessions_wherever_they_are_kept(client, demo, settings, engine):
    # cached_db is the engine with Redis (config/settings.py): a session kept in the cache must go too.
    settings.SESSION_ENGINE = engine
    client.force_login(demo["viewer"])
    assert client.get("/authorities/").status_code == 200
    key = client.session.session_key
    store = import_module(engine).SessionStore
    assert store().exists(key)
    services.person_active_set(actor=demo["admin"], person=demo["viewer"], active=False)
    assert not store().exists(key), "the session is still kept"


def test_password_reset_does_not_tell_who_has_an_account_and_links_work_once(client, demo):
    known = client.post(reverse("accounts:password_reset"), {"email": "lead@example.org"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/sign-in/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = "a-brand-new-passphrase-2026"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert client.post(reverse("login"), {"username": "lead", "password": new}).status_code == 302
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_a_reset_link_expires(client, demo, settings):
    client.post(reverse("accounts:password_reset"), {"email": "lead@example.org"})
    settings.PASSWORD_RESET_TIMEOUT = -1
    link = re.search(r"http://testserver(/sign-in/reset/\S+/)", mail.outbox[0].body).group(1)
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_the_people_list_query_count_does_not_grow_with_people(client, demo, django_assert_max_num_queries):
    client.force_login(demo["admin"])
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("accounts:people"))
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    for number in range(15):
        services.person_invite(
            actor=demo["admin"], email=f"p{number}@example.org", first_name="P", last_name=str(number),
            authority=barnsley, role="Viewer",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:people"))
    assert response.content.decode().count("@example.org</span>") >= 15


def test_the_people_audit_shows_only_the_admins_councils(client, demo):
    barnsley = LocalAuthority.objects.get(slug="barnsley")
    services.person_invite(actor=demo["admin"], email="b@example.org", first_name="B", last_name="Person",
                           authority=barnsley, role="Viewer")
    client.force_login(demo["admin"])
    assert "B Person" in client.get(reverse("accounts:people_changes")).content.decode()
    barnet_admin = demo["barnet-lead"]
    barnet_admin.groups.set([services.roles_ensure()["Admin"]])
    client.force_login(barnet_admin)
    assert "B Person" not in client.get(reverse("accounts:people_changes")).content.decode()

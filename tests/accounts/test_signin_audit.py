"""Sign-ins, failed sign-ins and sign-outs are recorded, append-only, and readable (not editable) in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import SignInEvent, SignInEventKind
from datasets.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, HTTP_USER_AGENT="pytest-browser/1.0"
    )


def test_a_successful_sign_in_is_recorded_with_user_address_and_agent(client, demo):
    response = sign_in(client, "lead", DEMO_PASSWORD)
    assert response.status_code == 302
    event = SignInEvent.objects.get()
    assert event.kind == SignInEventKind.SIGNED_IN
    assert event.user == demo["lead"] and event.username == "lead"
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == "pytest-browser/1.0"


def test_a_failed_sign_in_is_recorded_for_a_known_and_an_unknown_username(client, demo):
    sign_in(client, "lead", "wrong-password-here")
    sign_in(client, "nobody-by-this-name", "whatever-password")
    events = list(SignInEvent.objects.order_by("id"))
    assert [(e.kind, e.username, e.user_id) for e in events] == [
        (SignInEventKind.FAILED, "lead", demo["lead"].pk),
        (SignInEventKind.FAILED, "nobody-by-this-name", None),
    ]
    assert all("password" not in (e.user_agent + e.username) for e in events)


def test_signing_out_is_recorded(client, demo):
    sign_in(client, "viewer", DEMO_PASSWORD)
    client.post(reverse("logout"))
    assert list(SignInEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        SignInEventKind.SIGNED_IN,
        SignInEventKind.SIGNED_OUT,
    ]


def test_events_cannot_be_changed_or_deleted(client, demo):
    sign_in(client, "lead", DEMO_PASSWORD)
    event = SignInEvent.objects.get()
    event.username = "someone-else"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert SignInEvent.objects.get().username == "lead"


def test_the_admin_shows_events_read_only(client, demo, django_user_model):
    sign_in(client, "lead", "wrong-password-here")
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    client.force_login(root)
    changelist = client.get(reverse("admin:accounts_signinevent_changelist"))
    assert changelist.status_code == 200
    assert "Failed sign-in" in changelist.content.decode()
    event = SignInEvent.objects.get(kind=SignInEventKind.FAILED)
    assert client.get(reverse("admin:accounts_signinevent_add")).status_code == 403
    change = client.get(reverse("admin:accounts_signinevent_change", args=[event.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:accounts_signinevent_change", args=[event.pk]), {"username": "x"}).status_code == 403
    assert client.post(reverse("admin:accounts_signinevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert SignInEvent.objects.filter(pk=event.pk, username="lead").exists()


def test_staff_of_another_authority_do_not_see_barnsley_sign_ins(client, demo):
    from django.contrib.auth.models import Permission

    sign_in(client, "lead", DEMO_PASSWORD)  # Barnsley
    sign_in(client, "barnet-lead", DEMO_PASSWORD)
    barnet = demo["barnet-lead"]
    barnet.is_staff = True
    barnet.save()
    barnet.user_permissions.set(Permission.objects.filter(codename="view_signinevent"))
    client.force_login(barnet)
    page = client.get(reverse("admin:accounts_signinevent_changelist")).content.decode()
    assert "barnet-lead" in page
    assert ">lead<" not in page

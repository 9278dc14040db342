"""Single sign-on callback against a provider the test controls (its JWKS and token endpoints on
127.0.0.1): a good token signs in; every bad one is refused with a clear page and no session."""

import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership, PeopleChange, PeopleChangeKind, SignInEvent, SignInMethod, SignOnIdentity
from tests.accounts.signing import CLIENT_ID, TENANT, TokenProvider, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with TokenProvider() as provider:
        provider.settings_for(settings)
        yield provider


def start(client):
    """Begin a sign-in as the button does; returns (state, nonce, the parameters sent to the provider)."""
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    return params["state"], params["nonce"], params


def finish(client, state):
    return client.get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": state})


def assert_refused(response, client, words):
    assert response.status_code == 403
    assert "You could not be signed in" in response.content.decode()
    assert words in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not client.get("/authorities/").status_code == 200


def test_the_request_uses_pkce_and_a_nonce(client, provider):
    state, nonce, params = start(client)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(nonce) >= 32 and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"].endswith("/sign-in/council/callback/")


def test_a_good_token_signs_in_a_new_person_with_no_council_access(client, provider):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    response = finish(client, state)
    assert response.status_code == 302 and response["Location"] == "/"
    assert provider.token_requests[-1]["code_verifier"]  # PKCE: the verifier goes with the code
    identity = SignOnIdentity.objects.get()
    assert (identity.subject, identity.tenant) == ("object-id-1", TENANT)
    person = identity.user
    assert int(client.session["_auth_user_id"]) == person.pk
    assert not person.has_usable_password() and person.email == "casey@council.example"
    assert not Membership.objects.filter(user=person).exists()
    assert PeopleChange.objects.get().kind == PeopleChangeKind.CREATED_BY_SIGN_ON
    event = SignInEvent.objects.get(kind="signed_in")
    assert event.method == SignInMethod.SINGLE_SIGN_ON and event.user == person


def test_the_same_person_is_found_by_object_id_even_when_their_name_and_email_change(client, provider):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    finish(client, state)
    first = SignOnIdentity.objects.get().user
    client.logout()
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce, name="Casey Renamed", email="c.renamed@council.example")
    assert finish(client, state).status_code == 302
    assert int(client.session["_auth_user_id"]) == first.pk
    assert get_user_model().objects.filter(username__startswith="sso-").count() == 1


def test_sub_is_used_only_when_configured(client, provider, settings):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce, oid=None)
    assert_refused(finish(client, state), client, "no &#x27;oid&#x27; claim")
    settings.OIDC_SUBJECT_CLAIM = "sub"
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce, oid=None)
    assert finish(client, state).status_code == 302
    assert SignOnIdentity.objects.get(user__isnull=False).subject == "pairwise-subject-1"


@pytest.mark.parametrize(
    "claims, words",
    [
        ({"iss": "https://login.microsoftonline.com/another-tenant/v2.0"}, "issued by another identity provider"),
        ({"aud": "another-application"}, "issued for another application"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "has expired"),
        ({"tid": "99999999-0000-0000-0000-000000000000"}, "tenant is not allowed"),
        ({"nonce": "a-nonce-from-an-earlier-sign-in-000000"}, "earlier sign-in (nonce)"),
        ({"nonce": None}, "earlier sign-in (nonce)"),
    ],
    ids=["wrong-issuer", "wrong-audience", "expired", "tenant-not-allowed", "old-nonce", "no-nonce"],
)
def test_a_bad_token_is_refused_with_no_session(client, provider, claims, words):
    state, nonce, _ = start(client)
    claims = {"nonce": nonce, **claims}
    provider.next_id_token = provider.id_token(**claims)
    assert_refused(finish(client, state), client, words)
    assert not SignOnIdentity.objects.exists()
    failed = SignInEvent.objects.get(kind="failed")
    assert failed.method == SignInMethod.SINGLE_SIGN_ON


def test_a_token_signed_with_another_key_is_refused(client, provider):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce, key=new_key())
    assert_refused(finish(client, state), client, "signature does not match")


def test_a_replayed_callback_is_refused(client, provider):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    assert finish(client, state).status_code == 302
    client.logout()
    assert_refused(finish(client, state), client, "used already")


def test_a_token_for_an_earlier_sign_in_is_refused_in_a_later_one(client, provider):
    _, old_nonce, _ = start(client)
    state, _, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=old_nonce)
    assert_refused(finish(client, state), client, "nonce")


def test_an_email_of_a_local_account_is_not_taken_over(client, provider, django_user_model):
    local = django_user_model.objects.create_user("casey", email="Casey@council.example", password="x" * 16)
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    assert_refused(finish(client, state), client, "An admin needs to link the two")
    identity = SignOnIdentity.objects.get()
    assert identity.user is None and identity.email == "casey@council.example"
    assert django_user_model.objects.count() == 1 and local.sign_on_identities.count() == 0


def test_mapped_groups_give_council_access_at_first_sign_in(client, provider, settings, demo):
    settings.OIDC_GROUP_ACCESS = "g-leads=barnsley:Improvement lead;g-other=nowhere:Viewer"
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce, groups=["g-leads", "g-unmapped"])
    assert finish(client, state).status_code == 302
    person = SignOnIdentity.objects.get().user
    assert [m.authority.slug for m in person.memberships.all()] == ["barnsley"]
    assert list(person.groups.values_list("name", flat=True)) == ["Improvement lead"]
    assert client.get("/authorities/barnsley/").status_code == 200


def test_a_deactivated_person_cannot_sign_in(client, provider):
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    finish(client, state)
    person = SignOnIdentity.objects.get().user
    person.is_active = False
    person.save()
    client.logout()
    state, nonce, _ = start(client)
    provider.next_id_token = provider.id_token(nonce=nonce)
    assert_refused(finish(client, state), client, "cannot sign in")


def test_the_button_shows_only_when_single_sign_on_is_set_up(client, settings):
    settings.OIDC_ENABLED = False
    assert "Sign in with your council account" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    settings.OIDC_ENABLED = True
    assert "Sign in with your council account" in client.get(reverse("login")).content.decode()

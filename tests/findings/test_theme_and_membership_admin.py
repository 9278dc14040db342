"""Themes and memberships on the admin site: themes change through findings.services (every council's
cached figures told), memberships only on the People pages (read-only here)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from findings.models import Theme
from findings.services import theme_save
from inspections.models import LocalAuthority
from tests.factories import LocalAuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _revisions() -> list[int]:
    return list(LocalAuthority.objects.order_by("pk").values_list("data_revision", flat=True))


def test_a_theme_renamed_on_the_admin_site_raises_every_councils_revision(django_capture_on_commit_callbacks):
    LocalAuthorityFactory(name="Firstshire"), LocalAuthorityFactory(name="Secondshire")
    theme = Theme.objects.create(name="Old name", slug="old-name", position=1)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)
    before = _revisions()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:findings_theme_change", args=[theme.pk]),
            {"name": "New name", "slug": "old-name", "position": 1, "description": "", "keywords": ""},
        )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "New name"
    assert all(after == b + 1 for after, b in zip(_revisions(), before))


def test_only_a_superuser_may_change_a_theme_through_the_service():
    theme = Theme.objects.create(name="Workforce", slug="workforce", position=1)
    theme.name = "Renamed"
    with pytest.raises(PermissionDenied):
        theme_save(theme=theme, user=UserFactory(is_staff=True))
    assert Theme.objects.get(pk=theme.pk).name == "Workforce"


def test_memberships_are_read_only_on_the_admin_site_even_for_a_superuser():
    council = LocalAuthorityFactory(name="Firstshire")
    member = UserFactory(authorities=[council])
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    membership = member.memberships.get()
    assert client.get(reverse("admin:accounts_membership_add")).status_code == 403
    page = client.get(reverse("admin:accounts_membership_change", args=[membership.pk])).content.decode()
    assert 'name="authority"' not in page
    assert client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}).status_code == 403
    assert member.memberships.count() == 1

"""A user of one authority cannot see another's data: lists, detail pages and the admin."""

import pytest
from django.urls import reverse

from actions.models import Action
from inspections.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def barnsley(demo):
    return {
        "inspection": Inspection.objects.filter(authority__name="Barnsley").first(),
        "action": Action.objects.filter(finding__inspection__authority__name="Barnsley").first(),
    }


def test_barnet_user_does_not_see_barnsley_in_the_list(client, demo):
    client.force_login(demo["barnet-lead"])
    response = client.get(reverse("inspections:authority_list"))
    assert response.status_code == 200
    assert "Barnet" in response.content.decode()
    assert "Barnsley" not in response.content.decode()


@pytest.mark.parametrize("name", ["authority", "inspection", "action"])
def test_barnet_user_gets_404_for_barnsley_pages(client, demo, barnsley, name):
    urls = {
        "authority": reverse("inspections:authority_detail", kwargs={"slug": "barnsley"}),
        "inspection": barnsley["inspection"].get_absolute_url(),
        "action": barnsley["action"].get_absolute_url(),
    }
    client.force_login(demo["barnet-lead"])
    assert client.get(urls[name]).status_code == 404
    client.force_login(demo["lead"])
    assert client.get(urls[name]).status_code == 200


def test_admin_lists_only_the_staff_users_authorities(client, demo, barnsley):
    from django.contrib.auth.models import Permission

    barnet_lead = demo["barnet-lead"]
    barnet_lead.is_staff = True
    barnet_lead.save()
    barnet_lead.user_permissions.set(Permission.objects.filter(codename__in=["view_inspection", "view_action"]))
    client.force_login(barnet_lead)
    page = client.get(reverse("admin:inspections_inspection_changelist")).content.decode()
    assert "Barnet" in page and "Barnsley" not in page
    assert client.get(reverse("admin:inspections_inspection_change", args=[barnsley["inspection"].pk])).status_code in (302, 404)
    actions_page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert barnsley["action"].title not in actions_page


def test_anonymous_users_are_sent_to_sign_in(client, demo, barnsley):
    for url in [reverse("inspections:authority_list"), barnsley["inspection"].get_absolute_url(), barnsley["action"].get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_superuser_sees_every_authority(client, demo, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    client.force_login(root)
    assert client.get(reverse("inspections:authority_detail", kwargs={"slug": "barnsley"})).status_code == 200
    assert client.get(reverse("inspections:authority_detail", kwargs={"slug": "barnet"})).status_code == 200

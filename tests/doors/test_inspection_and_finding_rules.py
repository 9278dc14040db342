"""Inspections and findings change after import only through their services (inspection_update,
finding_update, finding_link_repeat), whatever the door: the service call or the admin site."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.permissions import SYSTEM
from findings.models import Finding
from findings.services import finding_link_repeat, finding_update
from inspections.models import Inspection
from inspections.services import inspection_update
from tests.doors.conftest import client_for
from tests.factories import FindingFactory, InspectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier(our_council):
    return FindingFactory(inspection=InspectionFactory(authority=our_council, visit_start=dt.date(2020, 3, 2),
                                                       visit_end=dt.date(2020, 3, 6)), text="Supervision is irregular.")


@pytest.fixture
def later(our_council):
    return FindingFactory(inspection=InspectionFactory(authority=our_council, visit_start=dt.date(2024, 3, 4),
                                                       visit_end=dt.date(2024, 3, 8)), text="Supervision is still irregular.")


@pytest.fixture
def theirs(their_council):
    return FindingFactory(inspection=InspectionFactory(authority=their_council, visit_start=dt.date(2019, 1, 7),
                                                       visit_end=dt.date(2019, 1, 11)))


def test_an_admin_of_the_council_links_a_finding_to_an_earlier_one(later, earlier, council_admin):
    finding_link_repeat(finding=later, user=council_admin, earlier=earlier)
    assert Finding.objects.get(pk=later.pk).repeats == earlier


@pytest.mark.parametrize("who", ["colleague", "leader", "partner", "outsider"])
def test_only_an_admin_of_the_council_changes_a_finding(request, who, later, earlier):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        finding_link_repeat(finding=later, user=user, earlier=earlier)
    with pytest.raises(PermissionDenied):
        finding_update(finding=later, user=user, changes={"text": "Rewritten"})
    later.refresh_from_db()
    assert later.repeats is None and later.text == "Supervision is still irregular."


@pytest.mark.parametrize("door", ["service", "admin"])
def test_a_finding_repeats_only_an_earlier_finding_of_the_same_council(door, later, earlier, theirs, council_admin):
    for wrong in (theirs, later):
        if door == "service":
            with pytest.raises(ValidationError):
                finding_link_repeat(finding=earlier if wrong is later else later, user=council_admin, earlier=wrong)
        else:
            target = earlier if wrong is later else later
            response = client_for(council_admin).post(
                reverse("admin:findings_finding_change", args=[target.pk]),
                {"text": target.text, "theme": "", "repeats": wrong.pk, "_save": "Save"},
            )
            assert response.status_code == 200  # the form again, with the reason
    assert not Finding.objects.filter(repeats__isnull=False).exists()


def test_an_admin_corrects_a_finding_on_the_admin_site_through_the_service(later, earlier, council_admin):
    response = client_for(council_admin).post(
        reverse("admin:findings_finding_change", args=[later.pk]),
        {"text": "Supervision is still not regular.", "theme": "", "repeats": earlier.pk, "_save": "Save"},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.text == "Supervision is still not regular." and later.repeats == earlier


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_only_an_admin_of_the_council_changes_an_inspection(request, who, later):
    inspection = later.inspection
    with pytest.raises(PermissionDenied):
        inspection_update(inspection=inspection, user=request.getfixturevalue(who), changes={"headline": "Changed"})
    assert Inspection.objects.get(pk=inspection.pk).headline == inspection.headline


def test_the_visit_an_inspection_describes_is_not_editable(later, council_admin):
    with pytest.raises(ValueError):
        inspection_update(inspection=later.inspection, user=council_admin, changes={"visit_start": dt.date(2024, 1, 1)})
    page = client_for(council_admin).get(reverse("admin:inspections_inspection_change", args=[later.inspection.pk]))
    assert 'name="visit_start"' not in page.content.decode()
    updated = inspection_update(inspection=later.inspection, user=council_admin, changes={"headline": "Corrected"})
    assert updated.headline == "Corrected"


def test_a_service_never_takes_a_missing_user_for_the_system(later, earlier):
    with pytest.raises(PermissionDenied):
        finding_link_repeat(finding=later, user=None, earlier=earlier)
    finding_link_repeat(finding=later, user=SYSTEM, earlier=earlier)
    assert Finding.objects.get(pk=later.pk).repeats == earlier


def test_an_outsider_admin_cannot_reach_our_findings_on_the_admin_site(later, their_council):
    from django.contrib.auth.models import Permission

    their_admin = UserFactory(username="their-admin", role="Admin", authorities=[their_council], is_staff=True)
    their_admin.user_permissions.set(Permission.objects.filter(content_type__app_label="findings"))
    client = client_for(their_admin)
    response = client.post(reverse("admin:findings_finding_change", args=[later.pk]),
                           {"text": "Taken over", "theme": "", "repeats": "", "_save": "Save"})
    assert response.status_code == 302
    assert Finding.objects.get(pk=later.pk).text == "Supervision is still irregular."

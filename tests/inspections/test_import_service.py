"""inspection_import: one transaction, private storage, duplicates caught before and by the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import Membership
from findings.models import Finding, FindingKind
from findings.services import FindingInput, inspection_import
from findings import services  # the letter import (inspection_import and what it calls)
from inspections.models import Inspection, Judgement, LocalAuthority
from inspections.services import DuplicateImport, NewAuthority
from tests.factories import FindingFactory, InspectionFactory, LocalAuthorityFactory, UserFactory
from tests.inspections.import_support import focused_visit_input, private_storage, stored_files  # noqa: F401

PDF = b"%PDF-1.4 pretend letter bytes"


@pytest.fixture
def barnsley(db):
    return LocalAuthorityFactory(name="Barnsley", slug="barnsley", ofsted_urn="80426")


@pytest.fixture
def barnet(db):
    return LocalAuthorityFactory(name="Barnet", slug="barnet", ofsted_urn="80487")


@pytest.fixture
def admin(barnsley):
    return UserFactory(username="admin-b", role="Admin", authorities=[barnsley])


def test_import_saves_inspection_judgements_findings_and_the_document(barnsley, admin, private_storage):
    data = focused_visit_input(barnsley)
    inspection = inspection_import(data=data, source=PDF, filename="../../etc/passwd.pdf", user=admin)

    inspection.refresh_from_db()
    assert inspection.authority == barnsley and inspection.imported_by == admin
    assert inspection.source_sha256 == hashlib.sha256(PDF).hexdigest()
    assert inspection.source_filename == "../../etc/passwd.pdf"
    # Stored under a random name in the letters folder of private storage, never the user's name.
    assert inspection.source_document.name.startswith("letters/")
    assert "passwd" not in inspection.source_document.name
    assert inspection.source_document.name.endswith(".pdf")
    assert [p.read_bytes() for p in stored_files(private_storage)] == [PDF]
    findings = list(inspection.findings.order_by("kind", "position").values_list("kind", "position", "text"))
    assert findings == [
        (FindingKind.IMPROVEMENT, 1, "Earlier opportunities for care leavers to build relationships."),
        (FindingKind.IMPROVEMENT, 2, "The integrity of performance data."),
        (FindingKind.PRIORITY_ACTION, 1, "Timely strategy meetings for children at risk."),
    ]


def test_graded_report_saves_its_judgements(barnsley, admin, private_storage):
    data = focused_visit_input(
        barnsley, kind="short_inspection",
        judgements=[("overall_effectiveness", "good"), ("help_and_protection", "requires_improvement")],
    )
    inspection = inspection_import(data=data, source=PDF, filename="r.pdf", user=admin)
    assert dict(inspection.judgements.values_list("area", "grade")) == {
        "overall_effectiveness": "good", "help_and_protection": "requires_improvement",
    }


def test_a_failure_midway_leaves_nothing_behind(barnsley, admin, private_storage):
    # The third point is empty: the database refuses it after the inspection and two points were written.
    data = focused_visit_input(
        barnsley,
        findings=[FindingInput(text="First point."), FindingInput(text="Second point."), FindingInput(text="")],
    )
    with pytest.raises(ValidationError):
        inspection_import(data=data, source=PDF, filename="a.pdf", user=admin)
    assert (Inspection.objects.count(), Finding.objects.count(), Judgement.objects.count()) == (0, 0, 0)
    assert stored_files(private_storage) == []


def test_grades_on_an_ungraded_visit_roll_back_the_whole_import(barnsley, admin, private_storage):
    data = focused_visit_input(barnsley, judgements=[("overall_effectiveness", "good")])
    with pytest.raises(ValidationError):
        inspection_import(data=data, source=PDF, filename="a.pdf", user=admin)
    assert Inspection.objects.count() == 0 and Finding.objects.count() == 0
    assert stored_files(private_storage) == []


def test_same_document_again_is_refused_with_the_existing_inspection(barnsley, admin, private_storage):
    first = inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=admin)
    with pytest.raises(DuplicateImport) as caught:
        inspection_import(
            data=focused_visit_input(barnsley, start=dt.date(2024, 5, 1)), source=PDF, filename="b.pdf", user=admin
        )
    assert caught.value.existing == first and caught.value.same_document
    assert "already been imported" in caught.value.message
    assert Inspection.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


def test_same_authority_kind_and_dates_is_refused(barnsley, admin, private_storage):
    first = inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=admin)
    with pytest.raises(DuplicateImport) as caught:
        inspection_import(data=focused_visit_input(barnsley), source=PDF + b" retyped", filename="b.pdf", user=admin)
    assert caught.value.existing == first and not caught.value.same_document
    assert "Barnsley already has a focused visit on 25 to 26 January 2023" == caught.value.message
    # A different kind on the same dates is a different publication.
    other = inspection_import(
        data=focused_visit_input(barnsley, kind="monitoring_visit"), source=PDF + b" mv", filename="c.pdf", user=admin
    )
    assert other.pk != first.pk


def test_database_constraint_catches_a_duplicate_the_check_missed(barnsley, admin, private_storage, monkeypatch):
    first = inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=admin)
    real = services.inspection_find_duplicate
    calls = []

    def blind_first_time(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "inspection_find_duplicate", blind_first_time)
    with pytest.raises(DuplicateImport) as caught:
        inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=admin)
    assert caught.value.existing == first
    assert Inspection.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_imports_at_the_same_moment_save_one_inspection(private_storage, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locking to race two real transactions")
    barnsley = LocalAuthorityFactory(name="Barnsley", slug="barnsley", ofsted_urn="80426")
    admin = UserFactory(username="racer", role="Admin", authorities=[barnsley])
    barrier = threading.Barrier(2, timeout=20)
    real_create = services._inspection_insert

    def create_after_both_checked(**kwargs):
        barrier.wait()  # both imports have passed the duplicate check: now both insert
        return real_create(**kwargs)

    monkeypatch.setattr(services, "_inspection_insert", create_after_both_checked)
    outcomes: list = []

    def run():
        try:
            outcomes.append(inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=admin))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    saved = [o for o in outcomes if isinstance(o, Inspection)]
    refused = [o for o in outcomes if isinstance(o, DuplicateImport)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert refused[0].existing.pk == saved[0].pk
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 3
    assert len(stored_files(private_storage)) == 1


def test_only_admins_may_import(barnsley, private_storage):
    for role in ["Improvement lead", "Senior leader", "Viewer"]:
        user = UserFactory(role=role, authorities=[barnsley])
        with pytest.raises(PermissionDenied):
            inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=user)
    assert Inspection.objects.count() == 0 and stored_files(private_storage) == []


def test_an_admin_imports_only_for_their_own_councils(barnsley, barnet, private_storage):
    barnet_admin = UserFactory(role="Admin", authorities=[barnet])
    with pytest.raises(PermissionDenied):
        inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=barnet_admin)
    superuser = UserFactory(is_superuser=True)
    assert inspection_import(data=focused_visit_input(barnsley), source=PDF, filename="a.pdf", user=superuser).pk
    # The command line (no user) is trusted like any other manage.py command.
    assert inspection_import(data=focused_visit_input(barnet), source=PDF + b"2", filename="b.pdf", user=None).pk


def test_a_council_new_to_the_tracker_is_created_from_the_reference_list(admin, private_storage):
    assert not LocalAuthority.objects.filter(name="York").exists()
    data = focused_visit_input(None)
    inspection = inspection_import(
        data=data, source=PDF, filename="y.pdf", user=admin, new_authority=NewAuthority(name="York", ofsted_urn="80453")
    )
    york = inspection.authority
    assert (york.name, york.slug, york.ofsted_urn) == ("York", "york", "80453")
    assert Membership.objects.filter(user=admin, authority=york).exists()


def test_an_unknown_council_cannot_be_invented(admin, private_storage):
    with pytest.raises(ValidationError):
        inspection_import(
            data=focused_visit_input(None), source=PDF, filename="y.pdf", user=admin,
            new_authority=NewAuthority(name="Atlantis", ofsted_urn="999999"),
        )
    assert not LocalAuthority.objects.filter(name="Atlantis").exists()


def test_repeat_links_must_point_to_an_earlier_finding_of_the_same_council(barnsley, barnet, admin, private_storage):
    earlier = FindingFactory(inspection=InspectionFactory(authority=barnsley, visit_start=dt.date(2018, 3, 19)))
    elsewhere = FindingFactory(inspection=InspectionFactory(authority=barnet, visit_start=dt.date(2018, 3, 19)))
    later = FindingFactory(inspection=InspectionFactory(authority=barnsley, visit_start=dt.date(2024, 3, 19)))
    for wrong in (elsewhere, later):
        with pytest.raises(ValidationError):
            inspection_import(
                data=focused_visit_input(barnsley, findings=[FindingInput(text="Point.", repeats=wrong)]),
                source=PDF, filename="a.pdf", user=admin,
            )
    inspection = inspection_import(
        data=focused_visit_input(barnsley, findings=[FindingInput(text="Point.", repeats=earlier)]),
        source=PDF, filename="a.pdf", user=admin,
    )
    assert inspection.findings.get().repeats == earlier

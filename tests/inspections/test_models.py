import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inspections.models import Grade, Inspection, InspectionKind, Judgement
from tests.factories import InspectionFactory, LocalAuthorityFactory

pytestmark = pytest.mark.django_db


def test_visit_cannot_end_before_it_starts_in_the_database():
    authority = LocalAuthorityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(
            authority=authority, kind=InspectionKind.FOCUSED,
            visit_start=dt.date(2023, 1, 26), visit_end=dt.date(2023, 1, 25),
        )


def test_visit_end_before_start_has_a_clear_validation_message():
    inspection = InspectionFactory.build(
        authority=LocalAuthorityFactory(), visit_start=dt.date(2023, 1, 26), visit_end=dt.date(2023, 1, 25)
    )
    with pytest.raises(ValidationError) as error:
        inspection.full_clean()
    assert "cannot end before it starts" in str(error.value)


def test_one_judgement_per_area_is_enforced_by_the_database():
    inspection = InspectionFactory(kind=InspectionKind.FULL)
    Judgement.objects.create(inspection=inspection, area="help_and_protection", grade=Grade.GOOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        Judgement.objects.create(inspection=inspection, area="help_and_protection", grade=Grade.INADEQUATE)
    assert inspection.judgements.get().grade == Grade.GOOD


def test_a_focused_visit_cannot_be_graded():
    visit = InspectionFactory(kind=InspectionKind.FOCUSED)
    with pytest.raises(ValidationError) as error:
        Judgement.objects.create(inspection=visit, area="overall_effectiveness", grade=Grade.GOOD)
    assert "not graded" in str(error.value)
    assert not Judgement.objects.exists()


def test_short_inspections_can_be_graded():
    inspection = InspectionFactory(kind=InspectionKind.SHORT)
    Judgement.objects.create(inspection=inspection, area="overall_effectiveness", grade=Grade.GOOD)
    assert inspection.judgements.count() == 1


def test_invalid_grade_is_rejected_by_the_database():
    inspection = InspectionFactory(kind=InspectionKind.FULL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Judgement.objects.bulk_create([Judgement(inspection=inspection, area="overall_effectiveness", grade="brilliant")])


def test_the_same_document_cannot_be_imported_twice():
    InspectionFactory(source_sha256="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionFactory(source_sha256="a" * 64)


def test_the_same_visit_cannot_be_recorded_twice():
    first = InspectionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionFactory(
            authority=first.authority, kind=first.kind, visit_start=first.visit_start, visit_end=first.visit_end
        )


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (dt.date(2023, 1, 25), dt.date(2023, 1, 26), "25 to 26 January 2023"),
        (dt.date(2023, 1, 30), dt.date(2023, 2, 3), "30 January to 3 February 2023"),
        (dt.date(2022, 12, 30), dt.date(2023, 1, 3), "30 December 2022 to 3 January 2023"),
        (dt.date(2023, 1, 25), dt.date(2023, 1, 25), "25 January 2023"),
    ],
)
def test_date_ranges_read_as_ofsted_writes_them(start, end, expected):
    assert InspectionFactory.build(visit_start=start, visit_end=end).date_range_display == expected

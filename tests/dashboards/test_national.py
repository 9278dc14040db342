"""The national picture: every council's latest graded inspection, the compare page's region and England
grades, and the /national/ overview (filter by region, sort by grade and by time since the last inspection)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from inspections.models import InspectionKind
from inspections.selectors import national_comparison_for, national_data, national_overview
from inspections.services import authority_data_changed
from tests.factories import InspectionFactory, JudgementFactory, LocalAuthorityFactory, UserFactory

LONDON = "London"
NORTH_WEST = "North West"
TODAY = dt.date(2026, 6, 1)


def _graded(council, start: dt.date, overall: str, kind=InspectionKind.FULL, **areas):
    inspection = InspectionFactory(authority=council, kind=kind, visit_start=start, visit_end=start + dt.timedelta(days=10))
    JudgementFactory(inspection=inspection, area="overall_effectiveness", grade=overall)
    for area, grade in areas.items():
        JudgementFactory(inspection=inspection, area=area, grade=grade)
    return inspection


@pytest.fixture
def picture(db):
    """Three London councils and two in the North West, with older grades that must not count."""
    camden = LocalAuthorityFactory(name="Camden", slug="camden", ofsted_region=LONDON)
    barnet = LocalAuthorityFactory(name="Barnet", slug="barnet", ofsted_region=LONDON)
    hackney = LocalAuthorityFactory(name="Hackney", slug="hackney", ofsted_region=LONDON)
    wigan = LocalAuthorityFactory(name="Wigan", slug="wigan", ofsted_region=NORTH_WEST)
    bolton = LocalAuthorityFactory(name="Bolton", slug="bolton", ofsted_region=NORTH_WEST, ons_code="E08000001")
    _graded(camden, dt.date(2019, 3, 4), "inadequate", care_leavers="inadequate")  # older: not counted
    _graded(camden, dt.date(2024, 3, 4), "outstanding", care_leavers="good")
    InspectionFactory(authority=camden, kind=InspectionKind.FOCUSED, visit_start=dt.date(2025, 5, 5),
                      visit_end=dt.date(2025, 5, 6))  # a later visit: ungraded, so not the latest graded
    _graded(barnet, dt.date(2021, 6, 7), "good", children_in_care_and_care_leavers="good")
    _graded(hackney, dt.date(2023, 1, 9), "requires_improvement", kind=InspectionKind.SHORT)
    _graded(wigan, dt.date(2018, 10, 1), "good")
    # Bolton has never been graded; a council since reorganised (no ONS code), never graded, is not listed.
    LocalAuthorityFactory(name="Oldshire", slug="oldshire", ons_code="", ofsted_region=NORTH_WEST)
    return {"camden": camden, "barnet": barnet, "hackney": hackney, "wigan": wigan, "bolton": bolton}


def _counts(line_figures):
    return {figure["grade"]: figure["count"] for figure in line_figures}


# --- selectors ------------------------------------------------------------------------------------------


def test_the_council_is_set_beside_its_region_and_england(picture):
    comparison = national_comparison_for(picture["camden"])
    assert comparison["region"] == LONDON
    assert comparison["region_councils"] == 3
    assert comparison["england_councils"] == 5
    assert comparison["latest"]["latest_start"] == dt.date(2024, 3, 4)
    overall = next(row for row in comparison["rows"] if row["area"] == "overall_effectiveness")
    assert overall["grade"] == "outstanding"
    assert _counts(line["region"] for line in overall["lines"]) == {
        "outstanding": 1, "good": 1, "requires_improvement": 1, "inadequate": 0,
    }
    assert _counts(line["england"] for line in overall["lines"]) == {
        "outstanding": 1, "good": 2, "requires_improvement": 1, "inadequate": 0,
    }
    assert (overall["region_total"], overall["england_total"]) == (3, 4)
    care_leavers = next(row for row in comparison["rows"] if row["area"] == "care_leavers")
    assert _counts(line["england"] for line in care_leavers["lines"])["good"] == 1  # not the older inadequate
    assert _counts(line["england"] for line in care_leavers["lines"])["inadequate"] == 0
    areas = [row["area"] for row in comparison["rows"]]
    assert "impact_of_leaders" not in areas  # nobody has that grade here, so no empty row
    assert "children_in_care_and_care_leavers" in areas


def test_a_council_never_graded_sees_its_region_and_england_without_a_grade(picture):
    comparison = national_comparison_for(picture["bolton"])
    assert comparison["latest"] is None
    overall = next(row for row in comparison["rows"] if row["area"] == "overall_effectiveness")
    assert overall["grade"] is None
    assert _counts(line["region"] for line in overall["lines"])["good"] == 1  # Wigan


def test_the_overview_filters_by_region_and_sorts_by_grade_and_time_since(picture):
    everyone = national_overview(region=None, sort=None, today=TODAY)
    assert [c["name"] for c in everyone["councils"]] == ["Barnet", "Bolton", "Camden", "Hackney", "Wigan"]
    assert everyone["sort"] == "name"
    london = national_overview(region=LONDON, sort="grade", today=TODAY)
    assert [c["name"] for c in london["councils"]] == ["Camden", "Barnet", "Hackney"]
    weakest = national_overview(region=None, sort="-grade", today=TODAY)
    assert [c["name"] for c in weakest["councils"]] == ["Hackney", "Barnet", "Wigan", "Camden", "Bolton"]
    longest = national_overview(region=None, sort="inspected", today=TODAY)
    assert [c["name"] for c in longest["councils"]] == ["Wigan", "Barnet", "Hackney", "Camden", "Bolton"]
    assert longest["councils"][0]["days_since"] == (TODAY - dt.date(2018, 10, 11)).days
    shortest = national_overview(region=None, sort="-inspected", today=TODAY)
    assert [c["name"] for c in shortest["councils"]] == ["Camden", "Hackney", "Barnet", "Wigan", "Bolton"]
    nonsense = national_overview(region="Atlantis", sort="'; drop", today=TODAY)
    assert (nonsense["region"], nonsense["sort"], len(nonsense["councils"])) == ("", "name", 5)


def test_a_combined_grade_before_2023_shows_under_both_columns(picture):
    barnet = next(c for c in national_overview(region=LONDON, sort=None, today=TODAY)["councils"] if c["name"] == "Barnet")
    assert barnet["columns"][3] == ("good", True)
    assert barnet["columns"][4] == ("good", True)


def test_the_national_data_is_cached_and_never_older_than_the_last_change(
    picture, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    national_data()
    with django_assert_max_num_queries(1):  # the generation only
        national_data()
    _graded(picture["bolton"], dt.date(2025, 9, 1), "inadequate")
    with django_capture_on_commit_callbacks(execute=True):
        authority_data_changed(authority_ids=[picture["bolton"].pk])  # as every write service does
    bolton = next(c for c in national_data()["councils"] if c["name"] == "Bolton")
    assert bolton["grades"] == {"overall_effectiveness": "inadequate"}


# --- pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def camden_viewer(picture):
    return UserFactory(username="camden-viewer", role="Viewer", authorities=[picture["camden"]])


def test_the_national_page_lists_every_council_to_any_signed_in_person(picture, camden_viewer):
    client = Client()
    assert client.get(reverse("dashboards:national")).status_code == 302  # signed out: to the sign-in page
    client.force_login(camden_viewer)
    page = client.get(reverse("dashboards:national")).content.decode()
    for name in ("Barnet", "Bolton", "Camden", "Hackney", "Wigan"):
        assert name in page
    assert 'href="/authorities/camden/compare/"' in page  # their own council links to its pages
    assert 'href="/authorities/barnet/compare/"' not in page  # others' are named, not linked
    assert 'role="region" aria-label="Councils and their latest grades"' in page
    london = client.get(reverse("dashboards:national"), {"region": LONDON, "sort": "-grade"}).content.decode()
    assert "Wigan" not in london
    assert london.index("Hackney") < london.index("Barnet") < london.index(">Camden<")
    assert 'aria-sort="descending"' in london


def test_the_national_page_makes_as_many_queries_for_many_councils_as_for_few(picture, camden_viewer, django_assert_max_num_queries):
    client = Client()
    client.force_login(camden_viewer)
    client.get(reverse("dashboards:national"))
    caches["default"].clear()
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("dashboards:national"))
    for n in range(40):
        council = LocalAuthorityFactory(name=f"Extra {n:02}", ofsted_region=NORTH_WEST)
        _graded(council, dt.date(2020, 1, 6) + dt.timedelta(days=30 * n), "good", impact_of_leaders="good")
    caches["default"].clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("dashboards:national")).content.decode()
    assert "Extra 39" in page


def test_the_compare_page_shows_the_council_against_its_region_and_england(picture, camden_viewer, django_assert_max_num_queries):
    client = Client()
    client.force_login(camden_viewer)
    url = reverse("dashboards:compare", kwargs={"slug": "camden"})
    client.get(url)
    with django_assert_max_num_queries(9):  # all cached: session, user, scope, roles, the national generation
        page = client.get(url).content.decode()
    assert 'data-testid="national-grades"' in page
    assert "Against the region and England" in page
    assert "<th scope=\"col\" class=\"govuk-table__header\">London</th>" in page
    assert "<th scope=\"col\" class=\"govuk-table__header\">England</th>" in page
    assert "1<span class=\"app-meta\"> of 3 (33%)</span>" in page  # London: 1 of 3 councils outstanding
    assert "2<span class=\"app-meta\"> of 4 (50%)</span>" in page  # England: 2 of 4 councils good
    assert 'width="33%"' in page


def test_the_compare_page_of_another_council_is_still_not_found(picture, camden_viewer):
    client = Client()
    client.force_login(camden_viewer)
    assert client.get(reverse("dashboards:compare", kwargs={"slug": "barnet"})).status_code == 404


def test_a_visit_held_both_from_the_letter_and_from_the_published_outcomes_counts_the_letters_grades(picture):
    letter = _graded(picture["wigan"], dt.date(2025, 2, 3), "requires_improvement")  # 3 to 13 February
    published = InspectionFactory(authority=picture["wigan"], kind=InspectionKind.FULL, visit_start=letter.visit_end,
                                  visit_end=letter.visit_end, source="Ofsted published outcomes, as at 31 March 2025")
    JudgementFactory(inspection=published, area="overall_effectiveness", grade="good", source=published.source)
    wigan = next(c for c in national_data()["councils"] if c["name"] == "Wigan")
    assert wigan["latest_id"] == letter.pk
    overall = next(r for r in national_comparison_for(picture["wigan"])["rows"] if r["area"] == "overall_effectiveness")
    assert overall["grade"] == "requires_improvement"
    assert _counts(line["region"] for line in overall["lines"]) == {
        "outstanding": 0, "good": 0, "requires_improvement": 1, "inadequate": 0,
    }

"""Theme and repeat suggestions for imported points."""

import pytest

from findings.models import Theme
from findings.services import (
    DEFAULT_THEMES,
    finding_repeat_suggestions,
    text_similarity,
    theme_suggest,
    themes_load_defaults,
)
from tests.factories import FindingFactory, InspectionFactory


@pytest.fixture
def themes(db):
    themes_load_defaults()
    return list(Theme.objects.order_by("position"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Needs assessments and pathway plans, including regular review when young people's circumstances change.",
         "pathway-plans-and-care-leavers"),
        ("Workload capacity and management oversight of support for care leavers.", "workforce-and-caseloads"),
        ("The integrity of performance data used across children's services.", "performance-data"),
        ("The regularity and impact of quality assurance activity.", "quality-assurance-and-audit"),
        ("The quality of recorded management direction to social workers at the point of referral and within screening.",
         "management-oversight-and-supervision"),
        ("The engagement of multi-agency partners in key decision-making meetings.", "multi-agency-working"),
        ("The record of achievements and targets within personal education plans.", "education-and-health"),
    ],
)
def test_theme_suggest_picks_the_theme_a_reader_would(themes, text, expected):
    assert theme_suggest(text, themes).slug == expected


def test_theme_suggest_counts_words_once_for_the_longest_keyword(themes):
    # "pathway plans" is the "pathway plan" keyword; "plans" and "plan" inside it must not score for planning.
    assert theme_suggest("Pathway plans.", themes).slug == "pathway-plans-and-care-leavers"
    assert theme_suggest("Assessments and plans.", themes).slug == "assessment-and-planning"


def test_theme_suggest_matches_whole_words_only(themes):
    # "data" must not match inside "validated"; "plan" must not match inside "explanation".
    assert theme_suggest("A validated explanation.", themes) is None


def test_theme_suggest_with_nothing_to_go_on():
    assert theme_suggest("", [Theme(name="A", slug="a", keywords="x")]) is None
    assert theme_suggest("anything at all", []) is None


def test_default_theme_keywords_are_lower_case_and_unique():
    names = [name for name, _ in DEFAULT_THEMES]
    assert len(names) == len(set(names))


def test_similarity_is_high_for_the_same_point_reworded_and_low_for_unrelated_points():
    same = text_similarity(
        "The consistency of management oversight and reflective supervision.",
        "Management oversight and supervision that is consistent, reflective and regular.",
    )
    unrelated = text_similarity(
        "The consistency of management oversight and reflective supervision.",
        "The record of achievements and targets within personal education plans.",
    )
    assert same >= 0.5
    assert unrelated < 0.2
    assert text_similarity("Identical text about pathway plans.", "Identical text about pathway plans.") == 1.0
    assert text_similarity("", "anything") == 0.0


@pytest.mark.django_db
def test_repeat_suggestions_rank_earlier_findings_and_drop_weak_ones():
    earlier_visit = InspectionFactory()
    supervision = FindingFactory(inspection=earlier_visit, text="The consistency of management oversight and reflective supervision.")
    plans = FindingFactory(inspection=earlier_visit, text="The quality and timeliness of pathway plans for care leavers.")
    FindingFactory(inspection=earlier_visit, text="The identification of children in private fostering arrangements.")
    earlier = list(earlier_visit.findings.all())

    suggestions = finding_repeat_suggestions(
        "Management oversight and supervision that is consistent, reflective and regular.", earlier
    )
    assert [s.finding for s in suggestions] == [supervision]
    assert 50 <= suggestions[0].percent <= 100

    suggestions = finding_repeat_suggestions("Pathway plans for care leavers are not updated when needs change.", earlier)
    assert suggestions[0].finding == plans

    assert finding_repeat_suggestions("Something else entirely about budgets.", earlier) == []
    assert finding_repeat_suggestions("", earlier) == []


@pytest.mark.django_db
def test_repeat_suggestions_are_limited_and_most_alike_first():
    visit = InspectionFactory()
    for n in range(6):
        FindingFactory(inspection=visit, text=f"Pathway plans for care leavers, review number {n}.")
    exact = FindingFactory(inspection=visit, text="Pathway plans for care leavers.")
    suggestions = finding_repeat_suggestions("Pathway plans for care leavers.", list(visit.findings.all()), limit=3)
    assert len(suggestions) == 3
    assert suggestions[0].finding == exact
    assert suggestions[0].score >= suggestions[1].score >= suggestions[2].score

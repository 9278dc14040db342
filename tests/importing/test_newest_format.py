"""The newest Ofsted letters (from autumn 2025) and reports (from April 2026): footnoted headings,
national framework references as tags, priority actions before the improvement heading, reports
without an overall effectiveness grade. Variants of the published structure the corpus lacks."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspections.importing import CONTRACT_FIELDS, parse_publication
from inspections.importing.framework import FRAMEWORK_REFS, KNOWN_REFS, normalise_ref, split_refs

from .conftest import CORPUS, expected_result
from .test_parser_corpus import LETTER, POINTS, _letter

FOOTNOTE = (
    "1\n  The areas for improvement have been cross-referenced with the outcomes, enablers or principles in\n"
    "the Children’s Social Care: National Framework. This statutory guidance sets out the purpose,\n"
    "principles for practice and expected outcomes of children’s social care.\n"
)


def test_the_framework_has_four_outcomes_three_enablers_six_principles():
    kinds = [ref.split()[0] for ref, _ in FRAMEWORK_REFS]
    assert (kinds.count("outcome"), kinds.count("enabler"), kinds.count("principle")) == (4, 3, 6)
    assert normalise_ref("Outcome 4") == "outcome 4"
    assert normalise_ref("outcome 5") is None
    assert normalise_ref("enabler 4") is None


@pytest.mark.parametrize(
    "point, text, refs",
    [
        ("Pathway plans. (Outcome 4, national framework)", "Pathway plans.", ["outcome 4"]),
        ("Pathway plans (outcome 4, national framework).", "Pathway plans.", ["outcome 4"]),
        ("Pathway plans. (Outcome 3 National Social Care Framework)", "Pathway plans.", ["outcome 3"]),
        ("Pathway plans. (enabler 2, national framework)", "Pathway plans.", ["enabler 2"]),
        ("Pathway plans. (outcomes 3 and 4, national framework)", "Pathway plans.", ["outcome 3", "outcome 4"]),
        ("Pathway plans. (outcome 1 and enabler 2, national framework)", "Pathway plans.", ["outcome 1", "enabler 2"]),
        (
            "Pathway plans. (outcome 1, national framework) (principle 2, national framework)",
            "Pathway plans.",
            ["outcome 1", "principle 2"],
        ),
        ("Pathway plans. (Principle 5; Enabler 1 – National Framework)", "Pathway plans.", ["principle 5", "enabler 1"]),
        ("Pathway plans. [Outcome 2, National Framework]", "Pathway plans.", ["outcome 2"]),
        # an aside in brackets is text, not a reference
        ("Plans for children in care (including outcome 4 reviews).", "Plans for children in care (including outcome 4 reviews).", []),
        ("Plans for care leavers (18 to 25).", "Plans for care leavers (18 to 25).", []),
    ],
)
def test_references_become_tags_and_leave_the_text(point, text, refs):
    got_text, got_refs, unknown = split_refs(point)
    assert (got_text, got_refs, unknown) == (text, refs, [])


def test_an_unknown_reference_is_dropped_and_reported():
    parsed = _letter(points="◼ Pathway plans. (outcome 7, national framework)")
    assert parsed.improvements == ["Pathway plans."]
    assert parsed.improvement_refs == [[]]
    assert any("outcome 7" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    "heading",
    [
        "What needs to improve in this area of social work practice?1",
        "What needs to improve in this area of social work practice? 1",
        "What needs to improve in this area of social work practice?¹",
        "What needs to improve in this area of social work practice",
        "What needs to improve further?",
        "What needs to improve for care leavers?",
        "Areas for improvement",
        "Areas for improvement:",
        "The areas for improvement",
        "Area for improvement",
        "Areas for further improvement",
        "Areas that require improvement",
        "What the local authority needs to improve",
        "## **What needs to improve in this area of social work practice?1**",
    ],
)
def test_footnoted_and_other_headings(heading):
    points = (
        "◼ The timeliness of assessments for disabled children. (outcome 1, national\nframework)\n"
        "◼ The quality of supervision and management oversight. (Enabler 3, national\nframework)"
    )
    parsed = _letter(heading=heading, points=points + "\n" + FOOTNOTE)
    assert parsed.improvements == POINTS
    assert parsed.improvement_refs == [["outcome 1"], ["enabler 3"]]
    assert "improve" not in parsed.headline.lower()
    assert "cross-referenced" not in " ".join(parsed.improvements)


def test_footnote_between_points_across_a_page_break_is_not_a_point():
    points = (
        "◼ The timeliness of assessments for disabled children. (outcome 1,\n"
        + FOOTNOTE
        + "\f\n2\nnational framework)\n"
        "◼ The quality of supervision and management oversight. (enabler 3, national framework)"
    )
    parsed = _letter(heading="What needs to improve in this area of social work practice?1", points=points)
    assert parsed.improvements == POINTS
    assert parsed.improvement_refs == [["outcome 1"], ["enabler 3"]]


def test_points_without_bullets_end_at_their_reference():
    points = (
        "The timeliness of assessments for disabled children. (outcome 1, national\nframework)\n"
        "The quality of supervision and management oversight. (enabler 3, national\nframework)"
    )
    parsed = _letter(heading="What needs to improve in this area of social work practice?1", points=points)
    assert parsed.improvements == POINTS


def test_priority_action_printed_before_the_improvement_heading():
    """Slough, January 2026: 'Areas for priority action', a paragraph, then the heading."""
    points = (
        "The local authority must ensure that children at risk of significant harm are\n"
        "protected through timely strategy meetings. (outcome 3, national framework)\n"
        "What needs to improve in this area of social work practice?1\n"
        "◼ The timeliness of assessments for disabled children. (outcome 1, national framework)\n"
        "◼ The quality of supervision and management oversight. (enabler 3, national framework)\n"
        + FOOTNOTE
    )
    parsed = _letter(heading="Areas for priority action", points=points)
    assert parsed.priority_actions == [
        "The local authority must ensure that children at risk of significant harm are protected "
        "through timely strategy meetings."
    ]
    assert parsed.priority_action_refs == [["outcome 3"]]
    assert parsed.improvements == POINTS
    assert parsed.improvement_refs == [["outcome 1"], ["enabler 3"]]
    assert not any("improve" in p.lower() and "?" in p for p in parsed.priority_actions + parsed.improvements)


@pytest.mark.parametrize(
    "sentence",
    [
        "His Majesty’s Inspectors for this visit were Nick Bennison\nand Rebecca Quested.",
        "His Majesty’s Inspectors for this visit were Nick Bennison\n\nand Rebecca Quested.",
        "His Majesty’s Inspectors for this visit were Nick Bennison\n\f\n2\nOfsted\nPiccadilly Gate\nand Rebecca Quested.",
        "His Majesty’s Inspectors for this visit were Nick\nBennison and Rebecca\nQuested.",
    ],
)
def test_second_inspector_after_a_line_break(sentence):
    assert _letter(inspectors=sentence).inspectors == ["Nick Bennison", "Rebecca Quested"]


REPORT = """Inspection of Luton local authority children’s services
Inspection dates: 12 to 23 January 2026
Lead inspector: {lead}
{table}
Services for children in Luton have improved since the last inspection.
What needs to improve?
◼ The quality of plans for children in need. (outcome 1, national framework)
The experiences and progress of children who need help and protection: good
1. Children receive a prompt response.
"""
TABLE_WITHOUT_OVERALL = """Judgement Grade
The impact of leaders on social work practice with children and families Good
The experiences and progress of children who need help and protection Good
The experiences and progress of children in care Requires improvement
to be good
The experiences and progress of care leavers Good
"""


def test_judgement_table_header_is_never_an_inspector():
    parsed = parse_publication(REPORT.format(lead="", table=TABLE_WITHOUT_OVERALL))
    assert "Judgement Grade" not in parsed.inspectors
    assert parsed.inspectors == []


def test_report_without_overall_effectiveness_row():
    parsed = parse_publication(REPORT.format(lead="Jane Doe, His Majesty’s Inspector", table=TABLE_WITHOUT_OVERALL))
    assert parsed.inspectors == ["Jane Doe"]
    assert [(j.area, j.grade) for j in parsed.judgements] == [
        ("impact_of_leaders", "good"),
        ("help_and_protection", "good"),
        ("children_in_care", "requires_improvement"),
        ("care_leavers", "good"),
    ]
    assert parsed.improvements == ["The quality of plans for children in need."]
    assert parsed.improvement_refs == [["outcome 1"]]


REAL_REPORTS = ["inspections/haringey-2023-04-11", "inspections/durham-2022-07-05", "inspections/luton-2022-09-05"]


@pytest.mark.parametrize("name", REAL_REPORTS)
def test_real_report_with_its_overall_effectiveness_row_removed(name):
    """From April 2026 reports give no overall effectiveness grade: a real report's text with that
    row taken out imports with its other judgements (four, or three in a short inspection that
    judges children in care and care leavers together) and nothing else changed."""
    text = (CORPUS / "text" / f"{name}.txt").read_text(encoding="utf-8")
    expected = expected_result(str(CORPUS / "expected" / f"{name}.json"))
    # the table row (layout text: "Overall effectiveness   Good", possibly with the grade wrapped)
    without, count = re.subn(
        r"(?im)^[ \t]*Overall effectiveness[ \t]+(?:Requires improvement(?:[ \t]+to be good|[ \t]*\n[ \t]*to be good)?|Good|Outstanding|Inadequate)[ \t]*$\n?",
        "",
        text,
        count=1,
    )
    assert count == 1, "the overall effectiveness row was not found in the text copy"
    got = parse_publication(without).to_contract()
    assert got["judgements"] == [j for j in expected["judgements"] if j["area"] != "overall_effectiveness"]
    assert got["judgements"] and all(j["area"] != "overall_effectiveness" for j in got["judgements"])
    # the headline summary still starts after the table, and it is the report's own text
    full = parse_publication(text)
    assert parse_publication(without).headline == full.headline != ""
    for field in CONTRACT_FIELDS:
        if field != "judgements":
            assert got[field] == expected[field], field


def test_heading_without_points_is_reported_with_its_text():
    points = "We found nothing we could list here, but the text goes on\nover two lines without a full stop"
    parsed = _letter(heading="What needs to improve in this area of social work practice?1", points="")
    assert parsed.improvements == []
    assert any("no improvement point could be read" in w for w in parsed.warnings)
    parsed = _letter(heading="What needs to improve in this area of social work practice?1",
                     points="Main findings\n" + points)
    assert parsed.improvements == []
    assert any("no improvement point could be read" in w for w in parsed.warnings)


def test_contract_has_refs_parallel_to_points():
    contract = _letter(points="◼ Pathway plans. (Outcome 4, national framework)\n◼ Supervision.").to_contract()
    assert contract["improvements"] == ["Pathway plans.", "Supervision."]
    assert contract["improvement_refs"] == [["outcome 4"], []]
    assert contract["priority_action_refs"] == []
    assert set(CONTRACT_FIELDS) == set(contract)


def test_every_expected_tag_is_known():
    for path in sorted((CORPUS / "expected").glob("*/*.json")) + sorted((CORPUS / "synthetic").glob("*.json")):
        data = expected_result(str(path))
        assert len(data["improvement_refs"]) == len(data["improvements"]), path.name
        assert len(data["priority_action_refs"]) == len(data["priority_actions"]), path.name
        for refs in data["improvement_refs"] + data["priority_action_refs"]:
            assert set(refs) <= KNOWN_REFS, path.name

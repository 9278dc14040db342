"""Every answer key, field by field: real PDFs, synthetic letters and the same
PDFs as text produced by a different extractor (Debian's pdftotext)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FIELDS, corpus_cases, expected_result, imported, text_copy_cases


def _params(cases):
    return [
        pytest.param(str(source), str(expected), field, id=f"{label}:{field}")
        for label, source, expected in cases
        for field in FIELDS
    ]


def _explain(field, expected, got) -> str:
    lines = [f"field {field!r} differs"]
    if isinstance(expected, list) and isinstance(got, list):
        for i in range(max(len(expected), len(got))):
            e = expected[i] if i < len(expected) else "<missing>"
            g = got[i] if i < len(got) else "<missing>"
            if e != g:
                lines.append(f"  [{i}] expected: {json.dumps(e, ensure_ascii=False)}")
                lines.append(f"  [{i}]      got: {json.dumps(g, ensure_ascii=False)}")
    else:
        lines.append(f"  expected: {json.dumps(expected, ensure_ascii=False)}")
        lines.append(f"       got: {json.dumps(got, ensure_ascii=False)}")
    return "\n".join(lines)


@pytest.mark.parametrize("source, expected_path, field", _params(corpus_cases()))
def test_document_field(source, expected_path, field):
    expected = expected_result(expected_path)
    got = imported(source)
    assert got[field] == expected.get(field), _explain(field, expected.get(field), got[field])


@pytest.mark.parametrize("source, expected_path, field", _params(text_copy_cases()))
def test_pdftotext_copy_field(source, expected_path, field):
    """The same publications as text copied out by another extractor give the same result."""
    expected = expected_result(expected_path)
    got = imported(source)
    assert got[field] == expected.get(field), _explain(field, expected.get(field), got[field])


def test_contract_shape_and_vocabulary():
    from inspections.importing import AREAS, FOCUS_AREAS, GRADES, KINDS

    for label, source, _ in corpus_cases():
        got = imported(str(source))
        assert set(got) == set(FIELDS), label
        assert got["kind"] in KINDS, label
        assert all(j["area"] in AREAS and j["grade"] in GRADES for j in got["judgements"]), label
        assert got["focus_area"] is None or got["focus_area"] in FOCUS_AREAS, label
        for point in got["improvements"] + got["priority_actions"]:
            assert point == " ".join(point.split()), label
            assert not point.startswith(("•", "◼", "-", "\uf06e", "\uf0b7")), label


# --------------------------------------------------------------------------------------
# Variants of the published structure that the corpus does not contain
# --------------------------------------------------------------------------------------

from inspections.importing import parse_publication  # noqa: E402

REPORT_HEAD = """Inspection of Luton local authority children’s services
Inspection dates: {dates}
Lead inspector: Jane Doe, His Majesty’s Inspector
"""

REPORT_BODY = """
Services for children in Luton have improved since the last inspection in 2019, when the
overall effectiveness of services was judged to be inadequate. The experiences and progress
of children in care were judged to be outstanding at the focused visit in 2021.
What needs to improve?
◼ The quality of plans for children in need, so that they are
specific and
\f
Inspection of Luton local authority children’s services
11 to 22 July 2021 2
time-bound.
◼ Management oversight of multi-
agency work.
The experiences and progress of children who need help and protection: requires
improvement to be good
1. Children and their families receive a prompt response when concerns escalate.
The experiences and progress of children in care: good
2. Children in care live in stable homes.
The experiences and progress of care leavers: outstanding
3. Care leavers are supported well.
The impact of leaders on social work practice with children and families: good
4. Leaders know their services well.
"""

TABLE_IN_ORDER = """Judgement Grade
The impact of leaders on social work practice with children and families Good
The experiences and progress of children who need help and protection Requires improvement
to be good
The experiences and progress of children in care Good
The experiences and progress of care leavers Outstanding
Overall effectiveness Good
"""

TABLE_COLUMNS_APART = """Judgement
The impact of leaders on social work practice with children and families
The experiences and progress of children who need help and protection
The experiences and progress of children in care
The experiences and progress of care leavers
Overall effectiveness
Grade
Good
Requires improvement to be good
Good
Outstanding
Good
"""

TABLE_SHUFFLED = """Judgement Grade
Overall effectiveness
The impact of leaders on social work practice with children and families
Requires improvement to be good
The experiences and progress of children who need help and protection
Outstanding
Good
The experiences and progress of children in care
Good
The experiences and progress of care leavers
Good
"""

EXPECTED_GRADES = {
    "impact_of_leaders": "good",
    "help_and_protection": "requires_improvement",
    "children_in_care": "good",
    "care_leavers": "outstanding",
    "overall_effectiveness": "good",
}


@pytest.mark.parametrize("table", [TABLE_IN_ORDER, TABLE_COLUMNS_APART, TABLE_SHUFFLED])
def test_report_judgements_from_any_table_layout(table):
    parsed = parse_publication(REPORT_HEAD.format(dates="11 to 22 July 2022") + table + REPORT_BODY)
    assert {j.area: j.grade for j in parsed.judgements} == EXPECTED_GRADES
    # earlier inspections' grades mentioned in the text are not this report's
    assert len(parsed.judgements) == 5


def test_report_variant_fields():
    parsed = parse_publication(REPORT_HEAD.format(dates="11 to 22 July 2022") + TABLE_IN_ORDER + REPORT_BODY)
    contract = parsed.to_contract()
    assert contract["local_authority"] == "Luton"
    assert contract["kind"] == "full_inspection"
    assert (contract["visit_start"], contract["visit_end"]) == ("2022-07-11", "2022-07-22")
    assert contract["published_on"] is None
    assert contract["inspectors"] == ["Jane Doe"]
    assert contract["improvements"] == [
        "The quality of plans for children in need, so that they are specific and time-bound.",
        "Management oversight of multi-agency work.",
    ]
    assert contract["focus_area"] is None


@pytest.mark.parametrize(
    "dates, kind, start, end",
    [
        ("11 to 22 July 2022", "full_inspection", "2022-07-11", "2022-07-22"),
        ("28 November to 2 December 2022", "short_inspection", "2022-11-28", "2022-12-02"),
        ("11 September 2023 to 15 September 2023", "short_inspection", "2023-09-11", "2023-09-15"),
        ("30 December 2019 to 3 January 2020", "short_inspection", "2019-12-30", "2020-01-03"),
        ("30 December to 10 January 2020", "full_inspection", "2019-12-30", "2020-01-10"),
        ("9–20 May 2022", "full_inspection", "2022-05-09", "2022-05-20"),
        ("08 July 2019 to 19 July 2019", "full_inspection", "2019-07-08", "2019-07-19"),
    ],
)
def test_report_dates_and_short_or_standard(dates, kind, start, end):
    parsed = parse_publication(REPORT_HEAD.format(dates=dates) + TABLE_IN_ORDER + REPORT_BODY)
    assert parsed.kind == kind
    assert (parsed.visit_start.isoformat(), parsed.visit_end.isoformat()) == (start, end)


def test_report_that_says_it_was_short():
    text = REPORT_HEAD.format(dates="11 to 22 July 2022").replace(
        "Inspection dates", "This short inspection of Luton took place.\nInspection dates"
    )
    assert parse_publication(text + TABLE_IN_ORDER + REPORT_BODY).kind == "short_inspection"


LETTER = """Ofsted
Piccadilly Gate
Store Street
Manchester
M1 2WD
T 0300 123 1231
Textphone 0161 618 8524
{date}
Ms A Director
Director of Children’s Services
Dear Ms Director
Focused visit to {authority} children’s services
This letter summarises the findings of the focused visit to {authority} children’s services on
{dates}. {inspectors}
Inspectors looked at the local authority’s arrangements for {focus}.
This visit was carried out in line with the inspection of local authority children’s services
(ILACS) framework.
Headline findings
Children receive a timely response. Leaders know the service well.
{heading}
{points}
Main findings
Most children are seen promptly and their needs are assessed well. Pre-publication
Ofsted will take the findings from this focused visit into account when planning your next
inspection or visit.
Yours sincerely
Ann Lead
His Majesty’s Inspector
Pre-publication
"""

POINTS = ["The timeliness of assessments for disabled children.", "The quality of supervision and management oversight."]


def _letter(**overrides):
    values = dict(
        date="4 October 2023",
        authority="Kingston upon Hull",
        dates="25 and 26 January 2023",
        inspectors="His Majesty’s Inspectors for this visit were Ann Lead, Bob Second and Cy Third.",
        focus="care leavers",
        heading="What needs to improve in this area of social work practice?",
        points="\n".join("◼ " + p for p in POINTS),
    )
    values.update(overrides)
    return parse_publication(LETTER.format(**values))


def test_letter_variant_fields():
    parsed = _letter()
    assert parsed.local_authority == "Kingston Upon Hull, City of"
    assert parsed.kind == "focused_visit"
    assert parsed.published_on.isoformat() == "2023-10-04"
    assert (parsed.visit_start.isoformat(), parsed.visit_end.isoformat()) == ("2023-01-25", "2023-01-26")
    assert parsed.inspectors == ["Ann Lead", "Bob Second", "Cy Third"]
    assert parsed.improvements == POINTS
    assert parsed.priority_actions == []
    assert parsed.judgements == []
    assert parsed.focus_area == "care_leavers"


@pytest.mark.parametrize(
    "heading",
    [
        "What needs to improve in this area of social work practice?",
        "What needs to improve in this area of social work practice",
        "What needs to improve?",
        "What needs to improve",
        "Areas for improvement",
        "## **What needs to improve in this area of social work practice?**",
    ],
)
@pytest.mark.parametrize(
    "style",
    ["◼ {}", "• {}", "- {}", "\uf0b7 {}", "\uf06e\t{}", "{n}. {}", "({n}) {}", "{}"],
)
def test_letter_improvement_headings_and_bullet_styles(heading, style):
    points = "\n".join(style.format(p, n=i + 1) for i, p in enumerate(POINTS))
    assert _letter(heading=heading, points=points).improvements == POINTS


def test_letter_points_wrapped_and_split_by_a_page_break():
    points = (
        "◼ The timeliness of assessments for\ndisabled children.\n\f\n2\n\n"
        "◼ The quality of supervision and management\noversight."
    )
    assert _letter(points=points).improvements == POINTS


def test_priority_actions_are_separate():
    points = (
        "◼ The timeliness of assessments for disabled children.\n"
        "◼ The quality of supervision and management oversight.\n"
        "What needs to improve in this area of social work practice?\n"
        "◼ Recording of management decisions."
    )
    parsed = _letter(heading="Areas for priority action", points=points)
    assert parsed.priority_actions == POINTS
    assert parsed.improvements == ["Recording of management decisions."]


@pytest.mark.parametrize(
    "sentence, names",
    [
        ("Her Majesty’s Inspector for this visit was Ann Lead.", ["Ann Lead"]),
        ("His Majesty’s Inspectors for this visit were Ann Lead and Bob Second.", ["Ann Lead", "Bob Second"]),
        ("The inspectors were Ann Lead, HMI, and Bob Second, HMI.", ["Ann Lead", "Bob Second"]),
        ("The inspectors were Ann Lead HMI and Bob Second HMI.", ["Ann Lead", "Bob Second"]),
        (
            "The inspectors were Ann Lead, Her Majesty's Inspector, and Bob Second, Her Majesty's Inspector.",
            ["Ann Lead", "Bob Second"],
        ),
        ("The visit was carried out by Her Majesty’s Inspectors, Ann Lead and Bob Second.", ["Ann Lead", "Bob Second"]),
        ("His Majesty’s Inspectors (HMI) for this visit were Ann Lead and Bob Second, with Cy Third, HMI designate.",
         ["Ann Lead", "Bob Second"]),
        ("His Majesty’s Inspectors for this visit were Ann Lead, Bob Second and Mary-Jane O’Neill.",
         ["Ann Lead", "Bob Second", "Mary-Jane O’Neill"]),
    ],
)
def test_inspector_sentences(sentence, names):
    assert _letter(inspectors=sentence).inspectors == names


def test_inspector_from_signature_when_not_named_in_the_text():
    assert _letter(inspectors="").inspectors == ["Ann Lead"]


@pytest.mark.parametrize(
    "focus, expected",
    [
        ("the ‘front door’", "front_door"),
        ("the “front door”", "front_door"),
        ("contacts and referrals in the multi-agency safeguarding hub", "front_door"),
        ("children in need and those subject to a child protection plan", "children_in_need_and_child_protection"),
        ("children at risk of harm outside the home, including exploitation", "children_at_risk_outside_home"),
        ("vulnerable adolescents", "children_at_risk_outside_home"),
        ("children in care", "children_in_care"),
        ("planning and achieving permanence for children", "permanence"),
        ("care-experienced young people aged 18 to 25", "care_leavers"),
        ("disabled children", "disabled_children"),
        ("placement decisions for older children in care", "placement_decisions_older_children"),
    ],
)
def test_focus_areas(focus, expected):
    assert _letter(focus=focus).focus_area == expected


@pytest.mark.parametrize(
    "dates, start, end",
    [
        ("30 January to 3 February 2023", "2023-01-30", "2023-02-03"),
        ("28 November to 2 December 2022", "2022-11-28", "2022-12-02"),
        ("30 December 2019 to 3 January 2020", "2019-12-30", "2020-01-03"),
        ("13 October 2020", "2020-10-13", "2020-10-13"),
        ("11 December and 12 December 2018", "2018-12-11", "2018-12-12"),
        ("1 to 2 August 2023", "2023-08-01", "2023-08-02"),
    ],
)
def test_letter_visit_dates(dates, start, end):
    parsed = _letter(dates=dates)
    assert (parsed.visit_start.isoformat(), parsed.visit_end.isoformat()) == (start, end)


def test_ligatures_and_prepublication_stamp():
    parsed = _letter(points="◼ The e\ufb03ciency of \ufb01rst contacts.\n◼ Quality of plans.")
    assert parsed.improvements == ["The efficiency of first contacts.", "Quality of plans."]
    assert not any("Pre-publication" in p for p in parsed.improvements)


def test_monitoring_visit_areas_covered_are_not_improvements():
    text = """12 February 2024
Dear Ms Director
Monitoring visit to St Helens children’s services
This letter summarises the findings of the monitoring visit to St Helens children’s services on
29 and 30 January 2024. This was the third monitoring visit since the local authority was judged
inadequate in 2022. His Majesty’s Inspectors for this visit were Ann Lead and Bob Second.
Areas covered by the visit
Inspectors reviewed the progress made in the following areas of concern:
◼ The quality of assessments for children in need.
◼ Management oversight.
Headline findings
Leaders have made steady progress.
Yours sincerely
Ann Lead
His Majesty’s Inspector
"""
    parsed = parse_publication(text)
    assert parsed.kind == "monitoring_visit"
    assert parsed.local_authority == "St. Helens"
    assert parsed.improvements == []
    assert parsed.judgements == []
    assert parsed.inspectors == ["Ann Lead", "Bob Second"]
    assert parsed.focus_area == "children_in_need_and_child_protection"


# --------------------------------------------------------------------------------------
# The same publications with their bullets written differently, or lost
# --------------------------------------------------------------------------------------

import re  # noqa: E402

from inspections.importing import normalise_text  # noqa: E402


def _rebullet(text: str, style: str) -> str:
    text = normalise_text(text)
    if style == "none":
        return re.sub(r"(?m)^([ \t\f]*)•[ \t]*", r"\1", text)
    return re.sub(r"(?m)^([ \t\f]*)•", lambda m: m.group(1) + style, text)


def _points_survive_lost_bullets(expected: dict) -> bool:
    """Without bullets, points can only be told apart when each is a sentence."""
    points = expected["improvements"] + expected["priority_actions"]
    return all(p[:1].isupper() and p.endswith(".") and ":" not in p for p in points)


@pytest.mark.parametrize("style", ["-", "*", "none"])
@pytest.mark.parametrize(
    "source, expected_path",
    [pytest.param(str(s), str(e), id=label) for label, s, e in text_copy_cases()],
)
def test_points_with_other_bullets(source, expected_path, style):
    expected = expected_result(expected_path)
    if style == "none" and not _points_survive_lost_bullets(expected):
        pytest.skip("points are not whole sentences: without bullets they cannot be told apart")
    text = Path(source).read_text(encoding="utf-8")
    got = parse_publication(_rebullet(text, style)).to_contract()
    for field in ("improvements", "priority_actions"):
        assert got[field] == expected[field], _explain(field, expected[field], got[field])

"""Property tests: the parser never raises, uploads only ever raise ImportRejected."""
from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspections.importing import (
    AREAS,
    FOCUS_AREAS,
    GRADES,
    KINDS,
    ImportRejected,
    ParsedPublication,
    parse_publication,
    text_from_upload,
)

from .conftest import CORPUS

LETTER = (CORPUS / "synthetic" / "barnsley-focused-visit-2023-pasted.txt").read_text(encoding="utf-8")
REPORT = (CORPUS / "text" / "inspections" / "haringey-2018-12-14.txt").read_text(encoding="utf-8")

# Text that looks like the pieces the parser keys on, to reach deep code paths.
FRAGMENTS = st.sampled_from(
    [
        "What needs to improve in this area of social work practice?\n",
        "Areas for priority action\n",
        "Judgement Grade\n",
        "Overall effectiveness Requires improvement to\nbe good\n",
        "The experiences and progress of children in care: good\n",
        "Inspection dates: 30 December 2019 to 3 January 2020\n",
        "Focused visit to Kingston upon Hull children’s services\n",
        "Monitoring visit to St Helens children's services\n",
        "Joint targeted area inspection of the multi-agency response to abuse in Kent\n",
        "His Majesty’s Inspectors for this visit were A B, C D and E F.\n",
        "Lead inspector: \n",
        "\uf06e ",
        "◼ ",
        "• ",
        "1. ",
        "- ",
        "\f",
        "\n\n",
        "31 February 2023",
        "on 25 and 26 January 2023.",
        "Yours sincerely\n",
        "multi-\nagency ",
        "| Judgement | Grade |\n|---|---|\n",
        "### **Headline findings**\n",
    ]
)
TEXTY = st.one_of(st.text(max_size=400), FRAGMENTS)


def _check(result) -> None:
    assert isinstance(result, ParsedPublication)
    # parse_publication turns an internal error into a warning rather than
    # raising; the property is that there is no internal error at all
    assert not any("could not be fully read" in w for w in result.warnings), result.warnings
    contract = result.to_contract()
    json.dumps(contract)
    assert contract["kind"] is None or contract["kind"] in KINDS
    assert contract["focus_area"] is None or contract["focus_area"] in FOCUS_AREAS
    for judgement in contract["judgements"]:
        assert judgement["area"] in AREAS and judgement["grade"] in GRADES
    for value in (result.visit_start, result.visit_end, result.published_on):
        assert value is None or isinstance(value, date)
    assert all(isinstance(p, str) and p for p in result.improvements + result.priority_actions)
    assert all(isinstance(n, str) and n for n in result.inspectors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises(text):
    _check(parse_publication(text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTY, max_size=30).map("".join))
def test_text_made_of_ofsted_like_pieces_never_raises(text):
    _check(parse_publication(text))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([LETTER, REPORT]),
    st.lists(st.tuples(st.floats(min_value=0, max_value=1), TEXTY), min_size=1, max_size=6),
)
def test_real_letter_with_arbitrary_text_spliced_in_never_raises(document, splices):
    text = document
    for where, piece in splices:
        cut = int(where * len(text))
        text = text[:cut] + piece + text[cut:]
    _check(parse_publication(text))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([LETTER, REPORT]), st.integers(min_value=0, max_value=100000))
def test_truncated_real_letter_never_raises(document, cut):
    _check(parse_publication(document[: cut % (len(document) + 1)]))


def _upload_outcome(data: bytes) -> None:
    try:
        text = text_from_upload(data, "upload.pdf")
    except ImportRejected as error:
        assert error.message and "\n" not in error.message
        return
    assert isinstance(text, str) and text.strip()
    _check(parse_publication(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_only_raise_import_rejected(data):
    _upload_outcome(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_after_a_pdf_header_only_raise_import_rejected(data):
    _upload_outcome(b"%PDF-1.7\n" + data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**9), st.binary(min_size=1, max_size=64))
def test_damaged_real_pdf_only_raises_import_rejected(position, junk):
    data = bytearray((CORPUS / "focused-visits" / "york-2023-09-06.pdf").read_bytes())
    at = position % len(data)
    data[at:at + len(junk)] = junk
    _upload_outcome(bytes(data))


def test_pathological_inputs_are_fast():
    import time

    nasty = [
        "1 " * 20000,
        "1 and " * 5000 + "January 2023",
        "The experiences and progress of " * 2000,
        ("◼ " + "a" * 50 + "\n") * 3000,
        "What needs to improve?\n" * 3000,
        "-\n" * 20000,
        "• a\n" * 300000,
        "word " * 700000,
        "A" * 200000,
        ("Inspection of " + "X " * 100 + "children’s services ") * 200,
        ("His Majesty’s Inspectors for this visit were " + "Ann Bee, " * 200) * 20,
        "Joint targeted area inspection of the multi-agency response to " + "Abc " * 5000,
    ]
    for text in nasty:
        started = time.perf_counter()
        _check(parse_publication(text))
        assert time.perf_counter() - started < 5, text[:60]

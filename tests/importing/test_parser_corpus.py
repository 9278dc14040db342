"""Every answer key, field by field: real PDFs, synthetic letters and the same
PDFs as text produced by a different extractor (Debian's pdftotext)."""
from __future__ import annotations

import json

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

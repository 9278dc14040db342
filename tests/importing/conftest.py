"""Fixtures for the importer tests (no Django: runs with ``-p no:django`` too)."""
from __future__ import annotations

import importlib.util
import json
import sys
from functools import lru_cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inspections.importing import CONTRACT_FIELDS as FIELDS  # noqa: E402  (after sys.path)


def corpus_cases() -> list[tuple[str, Path, Path]]:
    """(label, source, expected json) for every answer key whose source exists."""
    cases = []
    for expected in sorted((CORPUS / "expected").glob("*/*.json")):
        source = CORPUS / expected.parent.name / (expected.stem + ".pdf")
        if source.exists():
            cases.append((f"{expected.parent.name}/{expected.stem}", source, expected))
    for expected in sorted((CORPUS / "synthetic").glob("*.json")):
        sources = sorted(p for p in expected.parent.glob(expected.stem + ".*") if p.suffix != ".json")
        if sources:
            cases.append((f"synthetic/{expected.stem}", sources[0], expected))
    return cases


def text_copy_cases() -> list[tuple[str, Path, Path]]:
    """(label, pdftotext copy, expected json) for the committed text copies."""
    cases = []
    for expected in sorted((CORPUS / "expected").glob("*/*.json")):
        source = CORPUS / "text" / expected.parent.name / (expected.stem + ".txt")
        if source.exists():
            cases.append((f"text/{expected.parent.name}/{expected.stem}", source, expected))
    return cases


@lru_cache(maxsize=None)
def imported(path: str) -> dict:
    """Import a file once per test session and return its contract."""
    from inspections.importing import parse_publication, text_from_upload

    data = Path(path).read_bytes()
    return parse_publication(text_from_upload(data, Path(path).name)).to_contract()


@lru_cache(maxsize=None)
def expected_result(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _load_bad_file_builder():
    spec = importlib.util.spec_from_file_location("make_bad_files", CORPUS / "bad" / "make_bad_files.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bad_files() -> dict[str, bytes]:
    """The bad-upload files, built fresh (the committed copies in corpus/bad/ are the same)."""
    return _load_bad_file_builder().build()


@pytest.fixture(scope="session")
def pdf_builder():
    return _load_bad_file_builder()


@pytest.fixture(autouse=True)
def _fast_passwords():
    """Overrides the project-wide autouse fixture of the same name (it needs
    pytest-django's ``settings``): the importer tests use no Django at all, so
    they also run with ``pytest tests/importing -p no:django``."""
    yield

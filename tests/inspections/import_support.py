"""Shared set-up for the import tests: private storage in a temporary folder, personas, inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from findings.models import FindingKind
from findings.services import FindingInput, InspectionInput, JudgementInput

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "importing" / "corpus"
FOCUSED_VISITS = CORPUS / "focused-visits"
SEED_LETTER = ROOT / "tests" / "fixtures" / "seeds" / "001_ofsted-letter-barnsley-focused-visit-jan-2023.txt"


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded letters go to a temporary private folder for the test."""
    location = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


def focused_visit_input(authority, *, start=dt.date(2023, 1, 25), findings=None, kind="focused_visit", judgements=()):
    return InspectionInput(
        authority=authority,
        kind=kind,
        visit_start=start,
        visit_end=start + dt.timedelta(days=1),
        published_on=start + dt.timedelta(days=35),
        inspectors=["Claire Beckingham", "Anna Gravelle"],
        focus_area="care_leavers" if kind == "focused_visit" else "",
        judgements=[JudgementInput(area=a, grade=g) for a, g in judgements],
        findings=findings
        if findings is not None
        else [
            FindingInput(text="Earlier opportunities for care leavers to build relationships."),
            FindingInput(text="The integrity of performance data.", kind=FindingKind.IMPROVEMENT),
            FindingInput(text="Timely strategy meetings for children at risk.", kind=FindingKind.PRIORITY_ACTION),
        ],
    )

"""Writes for inspections: reference data and saving a checked publication in one transaction."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from findings.models import Finding, FindingKind, Theme
from inspections.models import Inspection, Judgement, LocalAuthority

REFERENCE_CSV = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def authorities_load_reference(*, path: Path = REFERENCE_CSV) -> tuple[int, int]:
    """Create or refresh every authority in the reference list, keyed by Ofsted URN. Returns (created, updated)."""
    created = updated = 0
    with path.open(newline="", encoding="utf-8") as handle, transaction.atomic():
        for row in csv.DictReader(handle):
            values = {
                "name": row["name"].strip(),
                "slug": slugify(row["name"]),
                "dfe_code": row.get("dfe_la_code", "").strip(),
                "ons_code": row.get("ons_code", "").strip(),
                "region": row.get("region", "").strip(),
                "la_type": row.get("la_type", "").strip(),
            }
            authority, was_created = LocalAuthority.objects.get_or_create(
                ofsted_urn=row["ofsted_urn"].strip(), defaults=values
            )
            if was_created:
                created += 1
                continue
            changed = [name for name, value in values.items() if getattr(authority, name) != value]
            if changed:
                for name in changed:
                    setattr(authority, name, values[name])
                authority.save(update_fields=changed)
                updated += 1
    return created, updated


@dataclass
class FindingInput:
    text: str
    kind: str = FindingKind.IMPROVEMENT
    theme: Theme | None = None
    repeats: Finding | None = None


@dataclass
class JudgementInput:
    area: str
    grade: str


@dataclass
class InspectionInput:
    authority: LocalAuthority
    kind: str
    visit_start: date
    visit_end: date
    published_on: date | None = None
    inspectors: list[str] = field(default_factory=list)
    focus_area: str = ""
    headline: str = ""
    framework: str = "ILACS"
    judgements: list[JudgementInput] = field(default_factory=list)
    findings: list[FindingInput] = field(default_factory=list)
    source_sha256: str | None = None
    source_filename: str = ""


@transaction.atomic
def inspection_create(*, data: InspectionInput, user=None) -> Inspection:
    """Save an inspection with its judgements and findings, all or nothing."""
    inspection = Inspection(
        authority=data.authority,
        kind=data.kind,
        framework=data.framework,
        visit_start=data.visit_start,
        visit_end=data.visit_end,
        published_on=data.published_on,
        inspectors=list(data.inspectors),
        focus_area=data.focus_area,
        headline=data.headline,
        source_sha256=data.source_sha256,
        source_filename=data.source_filename,
        imported_by=user if user and user.is_authenticated else None,
    )
    inspection.full_clean(exclude=["source_document"])
    inspection.save()
    for judgement in data.judgements:
        Judgement.objects.create(inspection=inspection, area=judgement.area, grade=judgement.grade)
    positions: dict[str, int] = {}
    for item in data.findings:
        positions[item.kind] = positions.get(item.kind, 0) + 1
        Finding.objects.create(
            inspection=inspection,
            kind=item.kind,
            text=item.text,
            position=positions[item.kind],
            theme=item.theme,
            repeats=item.repeats,
        )
    return inspection

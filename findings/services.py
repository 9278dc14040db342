"""Writes for findings and themes."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from findings.models import Theme

# The starting list: short enough to choose from at a glance, broad enough for any ILACS letter.
DEFAULT_THEMES: list[tuple[str, list[str]]] = [
    ("Workforce and caseloads", ["workforce", "caseload", "workload", "capacity", "recruitment", "agency staff", "turnover"]),
    ("Management oversight and supervision", ["management oversight", "managerial oversight", "supervision", "management direction", "oversight"]),
    ("Quality assurance and audit", ["quality assurance", "audit", "quality of practice"]),
    ("Performance data", ["performance data", "data", "performance information", "management information"]),
    ("Assessment and planning", ["assessment", "plans", "planning", "plan"]),
    ("Pathway plans and care leavers", ["pathway plan", "care leaver", "personal adviser", "leaving care"]),
    ("Multi-agency working", ["multi-agency", "partner", "partnership", "police", "health"]),
    ("Front door and early help", ["front door", "referral", "early help", "contact", "screening", "threshold"]),
    ("Child protection and risk outside the home", ["child protection", "strategy", "exploitation", "missing", "harm outside"]),
    ("Children in care and permanence", ["children in care", "permanence", "placement", "sufficiency", "foster", "reunification"]),
    ("Voice and participation of children", ["voice", "views", "participation", "wishes and feelings"]),
    ("Education and health", ["education", "personal education plan", "health", "school"]),
    ("Recording and case records", ["record", "recording", "chronolog"]),
    ("Leadership and governance", ["leader", "governance", "corporate parent", "strategic"]),
]


@transaction.atomic
def themes_load_defaults() -> int:
    created = 0
    for position, (name, keywords) in enumerate(DEFAULT_THEMES, start=1):
        _, was_created = Theme.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "keywords": "\n".join(keywords), "position": position},
        )
        created += was_created
    return created


def theme_suggest(text: str, themes: list[Theme]) -> Theme | None:
    """The theme whose keywords best match a point's text (longest keyword wins ties), or None."""
    lowered = text.lower()
    best: tuple[int, int, Theme] | None = None
    for theme in themes:
        keywords = [k.strip().lower() for k in theme.keywords.splitlines() if k.strip()]
        hits = [k for k in keywords if k in lowered]
        if not hits:
            continue
        score = (len(hits), max(len(k) for k in hits))
        if best is None or score > best[:2]:
            best = (*score, theme)
    return best[2] if best else None

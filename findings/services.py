"""Writes for findings and themes."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from findings.models import Finding, Theme

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


def _keyword_pattern(keyword: str) -> re.Pattern:
    # A keyword matches at the start of a word and may run on ("plan" matches "plans", "chronolog" matches
    # "chronology"), but never inside another word ("data" must not match "validated").
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\w*", re.IGNORECASE)


def theme_suggest(text: str, themes: list[Theme]) -> Theme | None:
    """The theme whose keywords best match a point's text, or None when no keyword matches.

    Each stretch of text counts once, for the longest keyword that covers it, so "pathway plans" counts for
    the "pathway plan" keyword and not again for "plan" or "plans". A theme scores the number of words its
    matched keywords cover: several specific phrases beat one generic word. Ties go to the earlier theme.
    """
    if not text or not themes:
        return None
    matches: list[tuple[int, int, int, int]] = []  # (start, end, words, theme index)
    for index, theme in enumerate(themes):
        for keyword in (k.strip() for k in theme.keywords.splitlines()):
            if not keyword:
                continue
            for match in _keyword_pattern(keyword).finditer(text):
                matches.append((match.start(), match.end(), len(keyword.split()), index))
    # Longest spans first; a match inside an already-claimed span is the same words counted again.
    matches.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    claimed: list[tuple[int, int]] = []
    scores: dict[int, int] = {}
    for start, end, words, index in matches:
        if any(start >= s and end <= e for s, e in claimed):
            continue
        claimed.append((start, end))
        scores[index] = scores.get(index, 0) + words
    if not scores:
        return None
    best_index = min(scores, key=lambda i: (-scores[i], i))
    return themes[best_index]


# Words that carry no meaning for "is this the same point again?": Ofsted's stock phrasing included.
_STOPWORDS = frozenset(
    """a an and are as at be been being by for from has have in into is it its of on or that the their them
    they this to was were which who with within where when while all any more most such so than then there
    these those through including include includes ensure ensuring improve improving improvement
    improvements quality consistency consistent effective effectiveness timely timeliness impact
    children child young people person s""".split()
)


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower().replace("’", "'"))
    stems = set()
    for word in words:
        if word in _STOPWORDS or len(word) < 3:
            continue
        # A light stem so "plans"/"plan" and "leavers"/"leaver" meet; no dependency for this.
        for suffix in ("ing", "ies", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        stems.add(word)
    return stems


SIMILARITY_CHARACTERS = 2000
ORDER_CHARACTERS = 300


def text_similarity(first: str, second: str) -> float:
    """How alike two points are, from 0 to 1: shared meaningful words (Dice), nudged by character order.

    Word overlap finds the same subject phrased differently ("management oversight of caseloads" and
    "oversight by managers of caseloads"); difflib's ratio separates near-verbatim repeats from points that
    merely share a topic.
    """
    # Only the start of each point is compared, so a pasted megabyte cannot hold the worker (difflib is
    # quadratic): the words of the first 2,000 characters, the character order of the first 300.
    words_a, words_b = _content_words(first[:SIMILARITY_CHARACTERS]), _content_words(second[:SIMILARITY_CHARACTERS])
    if not words_a or not words_b:
        return 0.0
    dice = 2 * len(words_a & words_b) / (len(words_a) + len(words_b))
    ratio = difflib.SequenceMatcher(
        None, first[:ORDER_CHARACTERS].lower(), second[:ORDER_CHARACTERS].lower(), autojunk=False
    ).ratio()
    return round(0.75 * dice + 0.25 * ratio, 3)


@dataclass(frozen=True)
class RepeatSuggestion:
    finding: Finding
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


REPEAT_THRESHOLD = 0.3


def finding_repeat_suggestions(
    text: str, earlier_findings: list[Finding], *, limit: int = 3, threshold: float = REPEAT_THRESHOLD
) -> list[RepeatSuggestion]:
    """The earlier findings (of the same authority, chosen by the caller) this point seems to raise again,
    most alike first, at most `limit`, each at least `threshold` alike."""
    if not text or not text.strip():
        return []
    scored = [RepeatSuggestion(finding, text_similarity(text, finding.text)) for finding in earlier_findings]
    scored = [s for s in scored if s.score >= threshold]
    scored.sort(key=lambda s: (-s.score, s.finding.pk or 0))
    return scored[:limit]

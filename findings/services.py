"""Writes for findings and themes, and saving an inspection with its findings (the letter import).

A finding is created only by its inspection's import (inspection_import, which import_confirm calls for a
previewed draft); after that it changes only through finding_update (wording, theme) and
finding_link_repeat (which earlier finding it raises again), each checked against the finding policy
(findings.permissions)."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from findings.models import Finding, FindingKind, Theme
from accounts.permissions import SYSTEM
from findings.permissions import finding_policy
from inspections.importing.framework import invalid_refs, sort_refs
from inspections.models import ImportDraft, Inspection, Judgement, LocalAuthority
from inspections.services import (
    DuplicateImport,
    NewAuthority,
    _authority_create,
    _check_may_import,
    authority_data_changed,
    import_draft_discard,
    import_draft_source,
    inspection_find_duplicate,
    source_sha256,
)

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



def _require_superuser(user) -> None:
    if user is not SYSTEM and not getattr(user, "is_superuser", False):
        raise PermissionDenied("Themes are shared by every council: only a superuser may change them.")


@transaction.atomic
def theme_save(*, theme: Theme, user) -> Theme:
    """Add or change a theme (shared by every council, so a superuser's work)."""
    _require_superuser(user)
    theme.full_clean()
    theme.save()
    authority_data_changed(everywhere=True)  # theme names are on every council's pages
    return theme


@transaction.atomic
def theme_delete(*, theme: Theme, user) -> None:
    _require_superuser(user)
    theme.delete()
    authority_data_changed(everywhere=True)

@transaction.atomic
def themes_load_defaults() -> int:
    created = 0
    for position, (name, keywords) in enumerate(DEFAULT_THEMES, start=1):
        _, was_created = Theme.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "keywords": "\n".join(keywords), "position": position},
        )
        created += was_created
    if created:
        authority_data_changed(everywhere=True)  # theme names are on every council's pages
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


# --- saving an inspection with its judgements and findings (a letter import) ---------------------------
# (moved from inspections.services: it writes findings, and findings sit above inspections)


@dataclass
class FindingInput:
    text: str
    kind: str = FindingKind.IMPROVEMENT
    theme: Theme | None = None
    repeats: Finding | None = None
    framework_refs: list[str] = field(default_factory=list)


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
    plan_submitted_on: date | None = None  # when the action plan went to Ofsted, if it already has
    inspectors: list[str] = field(default_factory=list)
    focus_area: str = ""
    headline: str = ""
    framework: str = "ILACS"
    judgements: list[JudgementInput] = field(default_factory=list)
    findings: list[FindingInput] = field(default_factory=list)
    source_sha256: str | None = None
    source_filename: str = ""


@transaction.atomic
def _inspection_insert(*, data: InspectionInput, user=None) -> Inspection:
    """Save an inspection with its judgements and findings, all or nothing (inspection_import's writer)."""
    inspection = Inspection(
        authority=data.authority,
        kind=data.kind,
        framework=data.framework,
        visit_start=data.visit_start,
        visit_end=data.visit_end,
        published_on=data.published_on,
        plan_submitted_on=data.plan_submitted_on,
        inspectors=list(data.inspectors),
        focus_area=data.focus_area,
        headline=data.headline,
        source_sha256=data.source_sha256,
        source_filename=data.source_filename,
        imported_by=user if user is not None and user.is_authenticated else None,
    )
    inspection.full_clean(exclude=["source_document"])
    if data.plan_submitted_on is not None:
        letter = data.published_on or data.visit_end
        if data.plan_submitted_on > timezone.localdate():
            raise ValidationError("The date the action plan was sent must be today or in the past.")
        if data.plan_submitted_on < letter:
            raise ValidationError("The date the action plan was sent must be on or after the letter.")
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
            framework_refs=_framework_refs(item.framework_refs),
        )
    authority_data_changed(authority_ids=[inspection.authority_id])
    return inspection


def _framework_refs(refs) -> list[str]:
    bad = invalid_refs(refs)
    if bad:
        raise ValidationError(f"Not a national framework reference: {', '.join(bad)}.")
    return sort_refs(refs)


def _stored_name(filename: str, source: bytes) -> str:
    # A random name, never the user's: nothing to guess, nothing to traverse, no clash between uploads.
    extension = ".pdf" if source.lstrip()[:5] == b"%PDF-" else ".txt"
    return f"letters/{secrets.token_hex(16)}{extension}"


def inspection_import(
    *,
    data: InspectionInput,
    source: bytes,
    filename: str,
    user,
    new_authority: NewAuthority | None = None,
) -> Inspection:
    """Save a checked publication: the inspection, its judgements and findings in one transaction, and its
    source document in private storage with its SHA-256.

    `data.authority` is the authority to import into, or None with `new_authority` to create it from the
    reference list. `user` must be an admin of that authority (any authority for a superuser); None means
    the command line and SYSTEM the demo loader. This is the one way an inspection, its judgements and
    findings are created (import_confirm saves a previewed draft through it). Raises PermissionDenied, DuplicateImport (same document, or same authority, kind and
    visit dates, whether found first or raced in by a simultaneous import) or ValidationError.
    """
    authority = data.authority if new_authority is None else None
    if authority is None and new_authority is None:
        raise ValidationError("Choose the council this publication is about.")
    _check_may_import(user, authority)
    _check_repeats(data, authority)
    sha256 = source_sha256(source) if source else None
    duplicate = inspection_find_duplicate(
        sha256=sha256, authority=authority, kind=data.kind, visit_start=data.visit_start, visit_end=data.visit_end
    )
    if duplicate:
        raise DuplicateImport(duplicate[0], same_document=duplicate[1])

    stored_name = default_storage.save(_stored_name(filename, source), ContentFile(source)) if source else ""
    try:
        with transaction.atomic():
            if new_authority is not None:
                authority = _authority_create(new_authority, user)
                duplicate = inspection_find_duplicate(
                    sha256=None, authority=authority, kind=data.kind,
                    visit_start=data.visit_start, visit_end=data.visit_end,
                )
                if duplicate:
                    raise DuplicateImport(duplicate[0], same_document=False)
            data.authority = authority
            data.source_sha256 = sha256
            data.source_filename = (filename or "")[:255]
            try:
                inspection = _inspection_insert(data=data, user=user)
            except IntegrityError:
                # Another import of the same publication committed between our check and our insert.
                inspection = None
            except ValidationError as error:
                inspection = None
                if not _is_uniqueness_error(error):
                    raise
            if inspection is None:
                duplicate = inspection_find_duplicate(
                    sha256=sha256, authority=authority, kind=data.kind,
                    visit_start=data.visit_start, visit_end=data.visit_end,
                )
                if duplicate:
                    raise DuplicateImport(duplicate[0], same_document=duplicate[1])
                raise ValidationError("The publication could not be saved; please try again.")
            if stored_name:
                inspection.source_document.name = stored_name
                inspection.save(update_fields=["source_document"])
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return inspection


def _check_repeats(data: InspectionInput, authority: LocalAuthority | None) -> None:
    for item in data.findings:
        earlier = item.repeats
        if earlier is None:
            continue
        if authority is None or earlier.inspection.authority_id != authority.pk:
            raise ValidationError("A point can only repeat an earlier finding of the same council.")
        if earlier.inspection.visit_start >= data.visit_start:
            raise ValidationError("A point can only repeat a finding from an earlier visit.")


def _is_uniqueness_error(error: ValidationError) -> bool:
    messages = " ".join(error.messages).lower()
    return "already" in messages or "unique" in messages or "exists" in messages


def import_confirm(
    *, draft: ImportDraft, data: InspectionInput, user, new_authority: NewAuthority | None = None
) -> Inspection:
    """Save a previewed draft through inspection_import, then forget the draft."""
    if draft.user_id != getattr(user, "pk", None):
        raise PermissionDenied("This import belongs to someone else.")
    inspection = inspection_import(
        data=data,
        source=import_draft_source(draft),
        filename=draft.source_filename,
        user=user,
        new_authority=new_authority,
    )
    import_draft_discard(draft=draft)
    return inspection


# --- changing a finding after import -----------------------------------------------------------------

FINDING_EDITABLE_FIELDS = ("text", "theme", "framework_refs")


def _require_may_change(user, finding: Finding) -> None:
    if user is None:
        raise PermissionDenied("Sign in to change findings.")
    if user is not SYSTEM and not finding_policy.user_has_permission_for_instance(user, "change", finding):
        raise PermissionDenied("Only admins of this council can change its findings.")


class FindingChangedMeanwhile(ValidationError):
    """The finding changed after the editor read it: nothing was saved."""


def _comparable(name: str, value):
    if name == "theme":
        return getattr(value, "pk", value)
    if name == "framework_refs":
        return sort_refs(value or [])
    return value.strip() if isinstance(value, str) else value


def finding_fingerprint(finding: Finding) -> str:
    """A short digest of a finding's editable fields as read: the edit page sends it back, and
    finding_update refuses the change when the finding no longer matches it (findings have no version)."""
    data = json.dumps([finding.text, finding.theme_id, sort_refs(finding.framework_refs or [])])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:20]


@transaction.atomic
def finding_update(*, finding: Finding, user, changes: dict, read_fingerprint: str | None = None) -> Finding:
    """An admin of the council corrects a finding's wording, theme or national framework tags (its place in
    the letter is fixed).

    `read_fingerprint`: finding_fingerprint() of the finding as the editor read it; when the stored finding
    no longer matches, someone else changed it meanwhile and nothing is saved (FindingChangedMeanwhile).
    """
    unknown = set(changes) - set(FINDING_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not an editable field of a finding: {', '.join(sorted(unknown))}")
    _require_may_change(user, finding)
    current = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    if read_fingerprint is not None and read_fingerprint != finding_fingerprint(current):
        raise FindingChangedMeanwhile(
            "Someone else changed this finding after you opened it. Its current wording, theme and tags are "
            "shown: make your change again."
        )
    if "text" in changes and not str(changes["text"] or "").strip():
        raise ValidationError({"text": "Enter what needs to improve."})
    if "framework_refs" in changes:
        refs = list(changes["framework_refs"] or [])
        bad = invalid_refs(refs)
        if bad:
            raise ValidationError({"framework_refs": f"Not a national framework reference: {', '.join(bad)}"})
        changes = {**changes, "framework_refs": sort_refs(refs)}
    changed = []
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if _comparable(name, getattr(current, name)) != _comparable(name, value):
            changed.append(name)
        setattr(current, name, value)
    current.full_clean()
    if changed:
        current.save(update_fields=changed)
        authority_data_changed(inspection_ids=[current.inspection_id])
    return current


@transaction.atomic
def finding_link_repeat(*, finding: Finding, user, earlier: Finding | None) -> Finding:
    """Record that `finding` raises `earlier` again (None: it repeats nothing). The earlier finding must
    be the same council's, from an earlier visit."""
    _require_may_change(user, finding)
    current = Finding.objects.select_for_update(of=("self",)).select_related("inspection").get(pk=finding.pk)
    if earlier is not None:
        earlier = Finding.objects.select_related("inspection").get(pk=earlier.pk)
        if earlier.pk == current.pk:
            raise ValidationError({"repeats": "A finding cannot repeat itself."})
        if earlier.inspection.authority_id != current.inspection.authority_id:
            raise ValidationError({"repeats": "A finding can only repeat an earlier finding of the same council."})
        if earlier.inspection.visit_start >= current.inspection.visit_start:
            raise ValidationError({"repeats": "A finding can only repeat a finding from an earlier visit."})
    current.repeats = earlier
    current.save(update_fields=["repeats"])
    authority_data_changed(inspection_ids=[current.inspection_id])
    return current

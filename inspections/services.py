"""Writes for inspections: reference data, import drafts, and the checks a letter import makes first.

Saving a checked publication with its findings is findings.services.inspection_import (findings sit
above inspections)."""

from __future__ import annotations

import csv
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership
from accounts.permissions import SYSTEM
from accounts.selectors import is_admin
from inspections.importing import (
    all_authorities,
    parse_publication,
    require_ofsted_publication,
    text_from_upload,
)
from inspections.importing.published_outcomes import PublishedOutcomesError, read_published_outcomes
from inspections.models import GRADED_KINDS, ImportDraft, Inspection, Judgement, LocalAuthority, ofsted_region_for
from inspections.permissions import inspection_policy
from inspections.selectors import authority_ids_for

REFERENCE_CSV = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def authority_data_changed(
    *,
    authority_ids=(),
    inspection_ids=(),
    finding_ids=(),
    action_ids=(),
    user_ids=(),
    everywhere: bool = False,
    visits: bool = True,
    statuses: bool = True,
) -> None:
    """Raise the data revision of the councils these rows belong to, once the transaction commits.

    After the commit, not inside it: a reader who sees the new revision then reads the committed data,
    so nothing older is ever cached under it; and no row lock is taken on the council while the
    writer's transaction is open (two writers to one council would otherwise queue, or deadlock in a
    bulk change). Outside a transaction it runs at once.

    The visits revision rises too unless the writer says its change leaves the council's visits as they
    were (`visits=False`: only an existing action's own changes do). Raising it by default means a new
    write path can never leave a visit's figures stale; at worst they are built once more.

    The statuses revision rises with the visits revision, and otherwise unless the writer says where the
    council's actions stood over time is as it was (`statuses=False`: only a change written now to an
    existing action that leaves its status as it was).
    """
    condition = Q()
    for lookup, ids in (
        ("pk__in", authority_ids),
        ("inspections__pk__in", inspection_ids),
        ("inspections__findings__pk__in", finding_ids),
        ("inspections__findings__actions__pk__in", action_ids),
        ("memberships__user_id__in", user_ids),
        ("inspections__findings__actions__owner__user_id__in", user_ids),  # a person's name on their actions
    ):
        ids = [i for i in ids if i is not None]
        if ids:
            condition |= Q(**{lookup: ids})
    if not everywhere and not condition:
        return

    def raise_revisions() -> None:
        councils = LocalAuthority.objects.all()
        if not everywhere:
            councils = councils.filter(pk__in=LocalAuthority.objects.filter(condition).values("pk"))
        raised = {"data_revision": F("data_revision") + 1}
        if visits:
            raised["visits_revision"] = F("visits_revision") + 1
        if visits or statuses:
            raised["statuses_revision"] = F("statuses_revision") + 1
        councils.update(**raised)

    transaction.on_commit(raise_revisions)


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
                "ofsted_region": row.get("ofsted_region", "").strip() or ofsted_region_for(row.get("region", "").strip()),
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
                authority_data_changed(authority_ids=[authority.pk])
                updated += 1
    return created, updated



# --- importing a publication -----------------------------------------------------------------------


class DuplicateImport(Exception):
    """The publication is already in the tracker: the same document, or the same authority, kind and dates."""

    def __init__(self, existing: Inspection, *, same_document: bool):
        self.existing = existing
        self.same_document = same_document
        reason = "This document has already been imported" if same_document else (
            f"{existing.authority.name} already has a {existing.get_kind_display().lower()} "
            f"on {existing.date_range_display}"
        )
        super().__init__(reason)
        self.message = reason

    def visible_to(self, user) -> bool:
        """Whether the message may name the existing inspection: only to someone who may see its council."""
        return user is None or user.is_superuser or self.existing.authority_id in authority_ids_for(user)

    def message_for(self, user) -> str:
        if self.visible_to(user):
            if self.same_document:
                existing = self.existing
                return (
                    f"This document has already been imported as {existing.authority.name}’s "
                    f"{existing.get_kind_display().lower()}, {existing.date_range_display}"
                )
            return self.message
        return "This publication has already been imported, for a council you do not have access to"


@dataclass(frozen=True)
class NewAuthority:
    """An authority named by a letter but not yet in the tracker, as the reference list knows it."""

    name: str
    ofsted_urn: str


def source_sha256(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


def inspection_find_duplicate(
    *, sha256: str | None, authority: LocalAuthority | None, kind: str | None, visit_start, visit_end
) -> tuple[Inspection, bool] | None:
    """The inspection this import would duplicate, and whether it is the same document; None if it is new."""
    if sha256:
        by_document = Inspection.objects.select_related("authority").filter(source_sha256=sha256).first()
        if by_document:
            return by_document, True
    if authority is not None and authority.pk and kind and visit_start and visit_end:
        by_visit = (
            Inspection.objects.select_related("authority")
            .filter(authority=authority, kind=kind, visit_start=visit_start, visit_end=visit_end)
            .first()
        )
        if by_visit:
            return by_visit, False
    return None


def _check_may_import(user, authority: LocalAuthority | None) -> None:
    if user is None or user is SYSTEM:
        # The command line (None, as import_letter passes) or the demo loader (SYSTEM): whoever runs
        # manage.py already holds the keys to the database.
        return
    if not is_admin(user):
        raise PermissionDenied("Only admins can import Ofsted publications.")
    if authority is not None and not user.is_superuser and authority.pk not in authority_ids_for(user):
        raise PermissionDenied(f"You can only import publications for your own councils, not {authority.name}.")


def _authority_create(new: NewAuthority, user) -> LocalAuthority:
    reference = {a.ofsted_urn: a for a in all_authorities()}.get(new.ofsted_urn)
    if reference is None:
        raise ValidationError(f"{new.name} is not in the reference list of authorities, so it cannot be created.")
    authority, _ = LocalAuthority.objects.get_or_create(
        ofsted_urn=reference.ofsted_urn,
        defaults={
            "name": reference.name,
            "slug": slugify(reference.name),
            "dfe_code": reference.dfe_la_code,
            "ons_code": reference.ons_code,
            "region": reference.region,
            "ofsted_region": ofsted_region_for(reference.region),
            "la_type": reference.la_type,
        },
    )
    if user is not None and not user.is_superuser:
        # The admin who brings a council into the tracker works for it; nothing else is visible by this.
        Membership.objects.get_or_create(user=user, authority=authority)
        user.__dict__.pop("_tracker_councils", None)
    return authority


# --- drafts between upload and confirmation ---------------------------------------------------------

IMPORT_DRAFT_LIFETIME = timedelta(hours=int(getattr(settings, "IMPORT_DRAFT_HOURS", 8)))


def parsed_for_draft(parsed) -> dict:
    """What a draft keeps of a ParsedPublication: the contract plus what the preview needs besides."""
    return {
        **parsed.to_contract(),
        "authority_urn": parsed.authority_urn,
        "framework": parsed.framework,
        "headline": parsed.headline,
        "warnings": list(parsed.warnings),
        "improvement_heading_without_points": parsed.improvement_heading_without_points,
        "unread_improvement_section": parsed.unread_improvement_section,
    }


def import_draft_create(*, user, source: bytes, filename: str) -> ImportDraft:
    """Read an upload and keep it server-side until the admin confirms: bytes in private storage under a
    random name, the parse in the database, bound to this user, until it expires.

    Raises ImportRejected (with a message for the user) when the upload cannot be imported.
    """
    if not is_admin(user):
        raise PermissionDenied("Only admins can import Ofsted publications.")
    # import_upload's steps, keeping the text as read: the preview shows it beside the points
    text = text_from_upload(source, filename)
    parsed = require_ofsted_publication(parse_publication(text))
    return import_draft_store(
        user=user, kind=ImportDraft.Kind.LETTER, source=source, filename=filename,
        parsed={**parsed_for_draft(parsed), "source_text": text[:SOURCE_TEXT_CHARACTERS]},
    )


# The longest letter in the corpus is about 60,000 characters of text; a longer one is shown in part.
SOURCE_TEXT_CHARACTERS = 200_000


def import_draft_store(*, user, kind: str, source: bytes, filename: str, parsed: dict) -> ImportDraft:
    """Keep an upload that has passed its import's checks until the person confirms: the bytes in private
    storage under a random name (through the storage API), `parsed` in the database. Every import's first
    step ends here (the letter import above, actions.services.plan_import_draft_create); the caller has
    checked who may import."""
    import_drafts_purge()
    name = default_storage.save(f"import-drafts/{secrets.token_hex(16)}", ContentFile(source))
    try:
        return ImportDraft.objects.create(
            token=secrets.token_urlsafe(32),
            kind=kind,
            user=user,
            source_name=name,
            source_filename=(filename or "")[:255],
            source_sha256=source_sha256(source),
            parsed=parsed,
            expires_at=timezone.now() + IMPORT_DRAFT_LIFETIME,
        )
    except BaseException:
        default_storage.delete(name)
        raise


def import_draft_update(*, draft: ImportDraft, user, parsed: dict) -> ImportDraft:
    """Record what a later step learnt (a spreadsheet's column mapping); only the draft's owner may."""
    if draft.user_id != getattr(user, "pk", None):
        raise PermissionDenied("This import belongs to someone else.")
    draft.parsed = parsed
    draft.save(update_fields=["parsed"])
    return draft


def import_draft_keep_points(*, draft: ImportDraft, user, points: list[dict]) -> None:
    """Keep the admin's list of points (edited, reordered, added by hand) in the draft until confirmation."""
    import_draft_update(draft=draft, user=user, parsed={**draft.parsed, "kept_points": list(points)[:200]})


def import_draft_source(draft: ImportDraft) -> bytes:
    with default_storage.open(draft.source_name, "rb") as handle:
        return handle.read()


def import_draft_discard(*, draft: ImportDraft) -> None:
    name = draft.source_name
    draft.delete()
    if name and default_storage.exists(name):
        default_storage.delete(name)


def import_drafts_purge(*, now=None) -> int:
    """Delete expired drafts and their stored files; returns how many went."""
    expired = list(ImportDraft.objects.filter(expires_at__lte=now or timezone.now()))
    for draft in expired:
        import_draft_discard(draft=draft)
    return len(expired)


# --- changing an inspection after import -------------------------------------------------------------

INSPECTION_EDITABLE_FIELDS = ("headline", "inspectors", "focus_area", "published_on", "framework")


@transaction.atomic
def inspection_update(*, inspection: Inspection, user, changes: dict) -> Inspection:
    """An admin of the council corrects what was read from the letter (headline, inspectors, focus area,
    publication date, framework). What was imported, from which file, by whom, and the visit it describes
    are the audit trail of the import and never change."""
    unknown = set(changes) - set(INSPECTION_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not an editable field of an inspection: {', '.join(sorted(unknown))}")
    if user is not SYSTEM:
        inspection_policy.require(user, "change", inspection, "Only admins of this council can change its inspections.")
    current = Inspection.objects.select_for_update().get(pk=inspection.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["source_document"])
    if changes:
        current.save(update_fields=list(changes))
        authority_data_changed(authority_ids=[current.authority_id])
    return current


# --- Ofsted's published outcomes -------------------------------------------------------------------------


@dataclass
class PublishedOutcomesResult:
    """What an import of Ofsted's published outcomes did, inspection by inspection."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    letter_kept: int = 0  # the council's own letter import of the same inspection, left as it was
    councils: int = 0
    ungraded_rows: int = 0
    changed_authority_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.source}: {self.created} inspections created, {self.updated} updated, {self.unchanged} "
            f"unchanged, {self.letter_kept} kept as imported from the letter, for {self.councils} councils."
        )


def published_outcomes_source(as_at) -> str:
    return f"Ofsted published outcomes, as at {as_at.day} {as_at:%B %Y}"


def _published_match(existing: list[Inspection], row) -> Inspection | None:
    """The council's graded inspection this row describes: the same kind on overlapping dates first, then
    any graded inspection on overlapping dates (a letter read as a full inspection that Ofsted lists as short)."""
    overlapping = [i for i in existing if i.visit_start <= row.visit_end and i.visit_end >= row.visit_start]
    return next((i for i in overlapping if i.kind == row.kind), None) or next(iter(overlapping), None)


def published_outcomes_import(*, user, source: bytes, as_at=None) -> PublishedOutcomesResult:
    """Import Ofsted's "Local authority inspection outcomes as at 31 March" file: every graded inspection
    of every council, matched by ONS code, in one transaction.

    Idempotent: an inspection already imported from an earlier run is updated only where the file says
    something else (a second run of the same file changes nothing). An inspection imported from the
    council's letter is kept as it is (its judgements are the letter's). Each inspection and judgement
    written here records its source ("Ofsted published outcomes, as at 31 March 2026"). Anything wrong
    with the file (not a spreadsheet, no Ofsted sheet, a missing column, a grade or ONS code it does not
    know) is a ValidationError with one sentence, and nothing is saved.
    """
    if user is not SYSTEM and not getattr(user, "is_superuser", False):
        raise PermissionDenied("Only a superuser can import Ofsted's published outcomes: they cover every council.")
    try:
        outcomes = read_published_outcomes(source)
    except PublishedOutcomesError as error:
        raise ValidationError(error.message, code="unreadable") from error
    as_at = outcomes.as_at or as_at
    if as_at is None:
        raise ValidationError(
            "The file's title does not say which date its outcomes are “as at” (e.g. 31 March 2026).", code="no_date"
        )
    label = published_outcomes_source(as_at)
    result = PublishedOutcomesResult(source=label, ungraded_rows=outcomes.ungraded_rows)
    if not outcomes.inspections:
        raise ValidationError("The file lists no graded inspection.", code="empty")

    authorities = {a.ons_code: a for a in LocalAuthority.objects.exclude(ons_code="").only("pk", "ons_code", "name")}
    unknown = [row for row in outcomes.inspections if row.ons_code not in authorities]
    if unknown:
        codes = sorted({row.ons_code for row in unknown})
        raise ValidationError(
            f"No council in the tracker has the ONS code {codes[0]} ({unknown[0].name or 'no name'}, "
            f"{unknown[0].where})" + (f", nor {len(codes) - 1} other code{'s' if len(codes) > 2 else ''}" if len(codes) > 1 else "")
            + ": load the councils first (manage.py load_authorities).",
            code="unknown_council",
        )

    with transaction.atomic():
        existing: dict[int, list[Inspection]] = {}
        for inspection in (
            Inspection.objects.select_for_update(of=("self",))
            .filter(authority_id__in={authorities[r.ons_code].pk for r in outcomes.inspections}, kind__in=GRADED_KINDS)
            .prefetch_related("judgements")
        ):
            existing.setdefault(inspection.authority_id, []).append(inspection)
        new_inspections: list[tuple[Inspection, dict]] = []
        changed: set[int] = set()
        for row in outcomes.inspections:
            authority = authorities[row.ons_code]
            match = _published_match(existing.get(authority.pk, []), row)
            if match is None:
                inspection = Inspection(
                    authority=authority, kind=row.kind, framework=row.framework, visit_start=row.visit_start,
                    visit_end=row.visit_end, published_on=row.published_on, source=label,
                )
                new_inspections.append((inspection, row.grades))
                existing.setdefault(authority.pk, []).append(inspection)
                changed.add(authority.pk)
                result.created += 1
            elif match.pk is None:
                result.unchanged += 1  # listed twice in this file under another kind: the first row stands
            elif not match.source:
                result.letter_kept += 1  # the council's letter: its judgements stand
            elif _published_update(match, row, label):
                changed.add(authority.pk)
                result.updated += 1
            else:
                result.unchanged += 1
        created = Inspection.objects.bulk_create([inspection for inspection, _ in new_inspections])
        Judgement.objects.bulk_create(
            Judgement(inspection=inspection, area=area, grade=grade, source=label)
            for inspection, (_, grades) in zip(created, new_inspections, strict=True)
            for area, grade in grades.items()
        )
        result.councils = len({authorities[r.ons_code].pk for r in outcomes.inspections})
        result.changed_authority_ids = sorted(changed)
        authority_data_changed(authority_ids=result.changed_authority_ids)
    return result


def _published_update(inspection: Inspection, row, label: str) -> bool:
    """Bring an inspection from an earlier import of the published outcomes up to this file; True if it changed."""
    changed = False
    if row.published_on and inspection.published_on != row.published_on:
        inspection.published_on = row.published_on
        inspection.source = label
        inspection.save(update_fields=["published_on", "source"])
        changed = True
    current = {j.area: j for j in inspection.judgements.all()}
    for area, grade in row.grades.items():
        judgement = current.get(area)
        if judgement is None:
            Judgement.objects.create(inspection=inspection, area=area, grade=grade, source=label)
            changed = True
        elif judgement.grade != grade and judgement.source:
            judgement.grade, judgement.source = grade, label
            judgement.save(update_fields=["grade", "source"])
            changed = True
    return changed

"""Writes for inspections: reference data and saving a checked publication in one transaction."""

from __future__ import annotations

import csv
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership
from accounts.selectors import authority_ids_for, is_admin
from findings.models import Finding, FindingKind, Theme
from inspections.models import ImportDraft, Inspection, Judgement, LocalAuthority

REFERENCE_CSV = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def authority_data_changed(
    *,
    authority_ids=(),
    inspection_ids=(),
    finding_ids=(),
    action_ids=(),
    user_ids=(),
    everywhere: bool = False,
) -> None:
    """Raise the data revision of the councils these rows belong to, once the transaction commits.

    After the commit, not inside it: a reader who sees the new revision then reads the committed data,
    so nothing older is ever cached under it; and no row lock is taken on the council while the
    writer's transaction is open (two writers to one council would otherwise queue, or deadlock in a
    bulk change). Outside a transaction it runs at once.
    """
    condition = Q()
    for lookup, ids in (
        ("pk__in", authority_ids),
        ("inspections__pk__in", inspection_ids),
        ("inspections__findings__pk__in", finding_ids),
        ("inspections__findings__actions__pk__in", action_ids),
        ("memberships__user_id__in", user_ids),
        ("inspections__findings__actions__owner_id__in", user_ids),  # a person's name on their actions
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
        councils.update(data_revision=F("data_revision") + 1)

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
    authority_data_changed(authority_ids=[inspection.authority_id])
    return inspection


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
    if user is None:
        return  # The command line: whoever runs manage.py already holds the keys to the database.
    if not is_admin(user):
        raise PermissionDenied("Only admins can import Ofsted publications.")
    if authority is not None and not user.is_superuser and authority.pk not in authority_ids_for(user):
        raise PermissionDenied(f"You can only import publications for your own councils, not {authority.name}.")


def _authority_create(new: NewAuthority, user) -> LocalAuthority:
    from inspections.importing import all_authorities

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
            "la_type": reference.la_type,
        },
    )
    if user is not None and not user.is_superuser:
        # The admin who brings a council into the tracker works for it; nothing else is visible by this.
        Membership.objects.get_or_create(user=user, authority=authority)
        user.__dict__.pop("_tracker_authority_ids", None)
    return authority


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
    the command line. Raises PermissionDenied, DuplicateImport (same document, or same authority, kind and
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
                inspection = inspection_create(data=data, user=user)
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
    }


def import_draft_create(*, user, source: bytes, filename: str) -> ImportDraft:
    """Read an upload and keep it server-side until the admin confirms: bytes in private storage under a
    random name, the parse in the database, bound to this user, until it expires.

    Raises ImportRejected (with a message for the user) when the upload cannot be imported.
    """
    from inspections.importing import import_upload

    if not is_admin(user):
        raise PermissionDenied("Only admins can import Ofsted publications.")
    parsed = import_upload(source, filename)
    import_drafts_purge()
    name = default_storage.save(f"import-drafts/{secrets.token_hex(16)}", ContentFile(source))
    try:
        return ImportDraft.objects.create(
            token=secrets.token_urlsafe(32),
            user=user,
            source_name=name,
            source_filename=(filename or "")[:255],
            source_sha256=source_sha256(source),
            parsed=parsed_for_draft(parsed),
            expires_at=timezone.now() + IMPORT_DRAFT_LIFETIME,
        )
    except BaseException:
        default_storage.delete(name)
        raise


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

"""Writes for action plans: the one way in. Every door (the action page, htmx, bulk change, spreadsheet
import, the admin site, commands, the demo loader) calls one of these public services, one per operation:

    action_create, action_change, action_verify, action_send_back, actions_bulk_change,
    action_plan_import, action_plan_record, owner_create, owner_update

Each checks who may do it (actions.permissions.action_policy), enforces the rules
(validate_action_values, _closure_check), checks the version read, and writes one history row per change
through `_record`, the only code that creates ActionUpdate rows. Nothing else writes Action, ActionUpdate
or Evidence rows (the data generator writes in batches after asking validate_action_values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.permissions import SYSTEM
from accounts.selectors import can_edit_actions, can_record_plan, can_verify_actions
from actions import plan_import
from actions.evidence import evidence_file_check
from actions.models import Action, ActionPlan, ActionUpdate, Evidence, Owner, Rag, Status
from actions.permissions import LEAD_FIELDS, ActionPermissions, action_policy
from findings.models import Finding
from core.people import person_label
from inspections.models import ImportDraft, Inspection, LocalAuthority
from inspections.selectors import authority_ids_for
from inspections.services import authority_data_changed, import_draft_store, import_draft_update

# Fields whose changes are recorded in history, in the order a timeline lists them.
TRACKED_FIELDS = (
    "title",
    "description",
    "owner",
    "due_date",
    "status",
    "rag",
    "progress_notes",
    "evidence",
    "evidence_link",
    "measure_name",
    "measure_baseline",
    "measure_target",
    "measure_latest",
    "measure_latest_on",
)
# What a history row may hold and still leave where its action stood over time (its open and done
# spells) as it was: every tracked field but the status, and the reasons and notes written beside them.
STATUS_NEUTRAL_FIELDS = (frozenset(TRACKED_FIELDS) - {"status"}) | {"rag_reason", "due_date_reason", "evidence_added", "comment"}


class StaleActionError(Exception):
    """Someone else saved the action after this user read it; nothing was written."""

    def __init__(self, action: Action, expected_version: int):
        self.action = action
        self.expected_version = expected_version
        super().__init__(
            f"This action was changed by someone else (version {action.version}, you had {expected_version})."
        )

    @property
    def changes_since(self) -> list[ActionUpdate]:
        return list(
            self.action.updates.filter(version__gt=self.expected_version)
            .select_related("author")
            .order_by("version")
        )


def _as_history_value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "pk") and hasattr(value, "get_username"):
        return value.get_username()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        # format "f": Decimal("90").normalize() would print as 9E+1.
        return format(value.normalize(), "f")
    return value


def _record(action: Action, *, user, changes: dict[str, list[Any]], note: str, at: datetime | None = None) -> ActionUpdate:
    """The one writer of history rows: every service that changes an action ends here. A row whose
    changes hold "progress_notes" is a progress entry; it also moves Action.last_progress_at."""
    update = ActionUpdate.objects.create(
        action=action,
        author=_author(user),
        created_at=at or timezone.now(),
        version=action.version,
        changes=changes,
        note=note,
        status=action.status,
        rag=action.rag,
        measure_value=action.measure_latest,
    )
    if "progress_notes" in changes:
        # A progress entry: the action's last progress update moves forward (never back, for a row
        # recorded with an earlier `at`). One conditional UPDATE, so lists read the date with the row.
        Action.objects.filter(pk=action.pk).filter(
            Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=update.created_at)
        ).update(last_progress_at=update.created_at)
        if action.last_progress_at is None or action.last_progress_at < update.created_at:
            action.last_progress_at = update.created_at
    # Every change to an action writes its history here, so its council's cached figures are renewed here.
    # A new action also gives its visit an action plan (the dashboard's list of plans); a later change
    # to it leaves the council's visits as they were. Where the actions stood over time moves with a new
    # action, a row dated in the past or a change of anything but the fields that leave the status.
    created = action.version == 1
    authority_data_changed(
        action_ids=[action.pk], visits=created,
        statuses=created or at is not None or not STATUS_NEUTRAL_FIELDS.issuperset(changes),
    )
    return update


# --- who is writing --------------------------------------------------------------------------------


def _is_system(user) -> bool:
    # SYSTEM (accounts.permissions): the demo loader and data generator. It passes the scope and role
    # checks, but every rule about values still holds, and it can never verify.
    return user is SYSTEM


def _author(user):
    return user if user is not None and not _is_system(user) and getattr(user, "is_authenticated", False) else None


def _require_person(user) -> None:
    if user is None:
        raise PermissionDenied("Sign in to change actions (a system write names actions.services.SYSTEM).")


SYSTEM_PERMISSIONS = ActionPermissions(
    fields=LEAD_FIELDS, note_is_progress=True, can_mark_complete=True, can_verify=False
)


def _permissions(user, action: Action) -> ActionPermissions:
    return SYSTEM_PERMISSIONS if _is_system(user) else action_policy.permissions_for(user, action)


def _require_in_scope(user, action: Action) -> None:
    _require_person(user)
    if _is_system(user):
        return
    if not action_policy.user_has_permission_for_instance(user, "view", action):
        raise PermissionDenied("This action is not in your councils.")


# --- the rules -------------------------------------------------------------------------------------


def _has_evidence(action: Action) -> bool:
    return bool(
        (action.evidence or "").strip() or action.evidence_link or (action.pk and action.evidence_items.exists())
    )


def validate_action_values(
    *,
    before: Action | None,
    changes: dict[str, Any],
    evidence_offered: bool = False,
    due_date_reason: str = "",
    rag_reason: str = "",
    today: date | None = None,
) -> dict[str, str]:
    """The rules on an action's values, for a new action (`before` None) or a change to one: the errors
    by field, empty when the values may be saved. Every writer of actions asks this (the services here,
    and the data generator for the rows it writes in batches).

    - an action never starts complete or closed, and nothing but a verification closes it;
    - complete needs evidence: already held, offered with this change, or a summary in it;
    - a due-date change needs a reason; a RAG other than the one the dates suggest needs a reason.
    """
    errors: dict[str, str] = {}
    old_status = before.status if before is not None else None
    new_status = changes.get("status", old_status or Status.NOT_STARTED)
    if "title" in changes and not str(changes["title"] or "").strip():
        errors["title"] = "Enter a title for the action."
    if before is None:
        if new_status == Status.CLOSED:
            errors["status"] = "A new action cannot start closed: it is closed when someone verifies its evidence."
        elif new_status == Status.COMPLETE:
            errors["status"] = "A new action has no evidence yet, so it cannot start complete."
        return errors
    if new_status == Status.CLOSED and old_status != Status.CLOSED:
        errors["status"] = "An action is closed when someone other than its owner verifies it."
    if new_status == Status.COMPLETE and old_status != Status.COMPLETE:
        held = _has_evidence(before) or evidence_offered or bool(str(changes.get("evidence") or "").strip())
        if not held:
            errors["status"] = "Add evidence (a file, a link or a summary) before marking the action complete."
    if "due_date" in changes and not due_date_reason.strip():
        errors["due_date_reason"] = "Enter why the due date is changing."
    if "rag" in changes:
        projected = Action(status=new_status, due_date=changes.get("due_date", before.due_date))
        suggested = projected.suggested_rag(today)
        if changes["rag"] != suggested and not rag_reason.strip():
            errors["rag_reason"] = f"Enter why the RAG differs from the suggested {Rag(suggested).label.lower()}."
    return errors


def validate_verification(*, verifier, action: Action) -> dict[str, str]:
    """The rule of closing (or sending back): a second person's check, by an admin or senior leader who
    does not own the action, of an action marked complete. The errors by field, empty when it may close."""

    if action.status != Status.COMPLETE:
        return {"status": "Only an action marked complete can be closed."}
    if not can_verify_actions(verifier):
        return {"status": "Only an admin or senior leader can verify and close an action."}
    if action_policy.is_owner(verifier, action):
        return {"status": "Someone other than the owner must verify and close this action."}
    return {}


def _closure_check(user, action: Action) -> None:

    _require_person(user)
    if _is_system(user):
        raise PermissionDenied("Only a person can verify an action: closing is a second person's check.")
    if not can_verify_actions(user):
        raise PermissionDenied("Only an admin or senior leader can verify and close an action.")
    errors = validate_verification(verifier=user, action=action)
    if errors:
        raise ValidationError(errors)


def _check_owner(owner, authority) -> Owner | None:
    """The council's owner record for `owner`: an Owner of this council, or a user who is a member of it
    (their record is made the first time they own an action here). Anything else is refused."""
    if owner is None:
        return None
    if isinstance(owner, Owner):
        if owner.authority_id != authority.pk:
            raise ValidationError({"owner": f"{owner.name} is not an owner in {authority.name}, so cannot own its actions."})
        return owner
    if not action_policy.owner_may_own(owner, authority.pk):
        raise ValidationError({"owner": f"{person_label(owner)} is not a member of {authority.name}, so cannot own its actions."})
    return owner_record_for_user(owner, authority)


def owner_record_for_user(user, authority) -> Owner:
    """The owner record linking `user` to `authority`, made (named as person_label names them) if missing."""
    record, _ = Owner.objects.get_or_create(
        authority=authority, user=user, defaults={"name": person_label(user), "email": user.email or ""}
    )
    return record


# --- create ----------------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    user,
    finding: Finding,
    title: str,
    description: str = "",
    owner=None,
    due_date: date | None = None,
    status: str = Status.NOT_STARTED,
    rag: str = Rag.GREEN,
    progress_notes: str = "",
    evidence: str = "",
    evidence_link: str = "",
    measure_name: str = "",
    measure_baseline: Decimal | None = None,
    measure_target: Decimal | None = None,
    measure_latest: Decimal | None = None,
    measure_latest_on: date | None = None,
    note: str = "Action created",
    at: datetime | None = None,
) -> Action:
    """A lead or admin of the finding's council adds an action to it (or SYSTEM, for demo data).

    The owner must belong to the council; a new action never starts complete or closed.
    """
    _require_person(user)
    if not _is_system(user) and not action_policy.user_may_add_to_finding(user, finding):
        raise PermissionDenied("Only improvement leads and admins of this council can add actions.")
    authority = finding.inspection.authority
    owner = _check_owner(owner, authority)
    errors = validate_action_values(before=None, changes={"title": title, "status": status})
    if errors:
        raise ValidationError(errors)
    if measure_baseline is not None and measure_latest is None:
        measure_latest = measure_baseline
    if measure_latest is not None and measure_latest_on is None:
        measure_latest_on = (at.date() if at else timezone.localdate())
    action = Action(
        finding=finding,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        status=status,
        rag=rag,
        progress_notes=progress_notes.strip(),
        evidence=evidence.strip(),
        evidence_link=evidence_link,
        measure_name=measure_name.strip(),
        measure_baseline=measure_baseline,
        measure_target=measure_target,
        measure_latest=measure_latest,
        measure_latest_on=measure_latest_on,
    )
    action.full_clean()
    action.save()
    changes = {
        name: [None, _as_history_value(getattr(action, name))]
        for name in TRACKED_FIELDS
        if getattr(action, name) not in (None, "")
    }
    _record(action, user=user, changes=changes, note=note, at=at)
    return action


# --- change fields, record progress, add evidence ---------------------------------------------------


@dataclass(frozen=True)
class ActionUpdateResult:
    action: Action
    update: ActionUpdate | None

    @property
    def changed(self) -> bool:
        return self.update is not None


def action_change(
    *,
    action: Action,
    user,
    expected_version: int,
    changes: dict[str, Any],
    note: str = "",
    rag_reason: str = "",
    due_date_reason: str = "",
    evidence_files: list | None = None,
    evidence_links: list[str] | None = None,
    today: date | None = None,
    at: datetime | None = None,
) -> ActionUpdateResult:
    """Every change to an action but closing it: its fields, a progress note, evidence; checked against
    the person's role and the plan's rules, then written with one history row (evidence attached to it).

    - the version read must still be current (else StaleActionError, and nothing is written);
    - leads and admins change every field; owners their progress, status and measure; partners notes
      and evidence on their own actions only, and their status to Complete (with evidence) alone;
      senior leaders comment; viewers nothing;
    - a due-date change needs a reason; a RAG other than the suggested one needs a reason;
    - complete needs evidence (already held, or added now); closed only through action_verify.
    """

    _require_in_scope(user, action)
    unknown = set(changes) - set(TRACKED_FIELDS)
    if unknown:
        raise ValueError(f"Not an editable field: {', '.join(sorted(unknown))}")
    changes = dict(changes)  # the caller's dict is not ours to change (bulk change passes one to many)
    evidence_files = list(evidence_files or [])
    evidence_links = [link for link in (evidence_links or []) if link]
    with transaction.atomic():
        current = (
            Action.objects.select_for_update(of=("self",))
            .select_related("finding__inspection__authority")
            .get(pk=action.pk)
        )
        if current.version != expected_version:
            raise StaleActionError(current, expected_version)
        permissions = _permissions(user, current)
        if not permissions.can_update:
            raise PermissionDenied("You cannot update this action.")
        asked = set(changes) | ({"note"} if note.strip() else set())
        asked |= {"evidence_file"} if evidence_files else set()
        asked |= {"evidence_link"} if evidence_links else set()
        allowed = permissions.fields | ({"progress_notes"} if permissions.note_is_progress else set())
        refused = asked - allowed
        if refused:
            raise PermissionDenied(f"You cannot change: {', '.join(sorted(refused))}.")

        owner_error = {}
        if "owner" in changes:
            try:
                changes["owner"] = _check_owner(changes["owner"], current.finding.inspection.authority)
            except ValidationError as error:
                owner_error = {field: messages[0] for field, messages in error.message_dict.items()}
                changes.pop("owner")
        changes = {name: value for name, value in changes.items() if getattr(current, name) != value}
        if (
            "status" in changes
            and permissions.settable_statuses is not None
            and changes["status"] not in permissions.settable_statuses
        ):
            allowed_labels = " or ".join(sorted(Status(value).label for value in permissions.settable_statuses))
            raise PermissionDenied(f"You cannot change: status (to anything but {allowed_labels}).")
        errors = validate_action_values(
            before=current,
            changes=changes,
            evidence_offered=bool(evidence_files or evidence_links),
            due_date_reason=due_date_reason,
            rag_reason=rag_reason,
            today=today,
        )
        errors.update(owner_error)
        checked_files = []
        for upload in evidence_files:
            try:
                checked_files.append((upload, evidence_file_check(upload)))
            except ValidationError as error:
                errors["evidence_file"] = f"{upload.name}: {error.messages[0]}"
        if errors:
            raise ValidationError(errors)
        if "measure_latest" in changes and changes["measure_latest"] is not None and not changes.get(
            "measure_latest_on"
        ):
            changes["measure_latest_on"] = today or timezone.localdate()
        if note.strip() and permissions.note_is_progress:
            changes["progress_notes"] = note.strip()
        extra: dict[str, Any] = {}
        if "rag" in changes and rag_reason.strip():
            extra["rag_reason"] = rag_reason.strip()
        if "due_date" in changes:
            extra["due_date_reason"] = due_date_reason.strip()
        added = [upload.name for upload, _ in checked_files] + evidence_links
        if added:
            extra["evidence_added"] = ", ".join(added)
        if not permissions.note_is_progress and note.strip():
            extra["comment"] = True
        result = _apply_changes(
            current, user=user, expected_version=expected_version, changes=changes, note=note,
            extra_history=extra, at=at,
        )
        for upload, content_type in checked_files:
            _evidence_store_file(action=result.action, user=user, upload=upload, content_type=content_type,
                                 update=result.update)
        for link in evidence_links:
            Evidence.objects.create(action=result.action, link=link, uploaded_by=_author(user), update=result.update)
        return result


def _apply_changes(
    current: Action,
    *,
    user,
    expected_version: int,
    changes: dict[str, Any],
    note: str = "",
    at: datetime | None = None,
    extra_history: dict[str, Any] | None = None,
    closing: bool = False,
) -> ActionUpdateResult:
    """Write checked changes to `current` (locked by the caller's transaction) and their history row.

    `extra_history` records what is not a field of the action (a reason, evidence added) beside the
    field changes, as `name: [None, value]`. Only action_verify passes `closing`.

    The version check is a conditional UPDATE in the database, so two concurrent saves from the same
    version cannot both land, whatever the number of app servers.
    """
    if changes.get("status") == Status.CLOSED and current.status != Status.CLOSED and not closing:
        raise ValueError("Only action_verify closes an action.")
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = getattr(current, name)
        if old != value:
            diff[name] = [_as_history_value(old), _as_history_value(value)]
            setattr(current, name, value)
    for name, value in (extra_history or {}).items():
        if value not in (None, "", []):
            diff[name] = [None, _as_history_value(value)]
    if not diff and not note.strip():
        return ActionUpdateResult(action=current, update=None)
    # The changed fields only: the others were valid when saved, and checking each foreign key and
    # constraint again costs a query apiece. The table's constraints repeat these field rules and
    # the database enforces them on the UPDATE below.
    current.full_clean(
        exclude=[f.name for f in Action._meta.concrete_fields if f.name not in changes],
        validate_unique=False,
        validate_constraints=False,
    )
    updated = Action.objects.filter(pk=current.pk, version=expected_version).update(
        **{name: getattr(current, name) for name in changes},
        version=expected_version + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise StaleActionError(Action.objects.get(pk=current.pk), expected_version)
    current.version = expected_version + 1
    try:
        update = _record(current, user=user, changes=diff, note=note.strip(), at=at)
    except IntegrityError as exc:  # another writer recorded this version first
        raise StaleActionError(Action.objects.get(pk=current.pk), expected_version) from exc
    return ActionUpdateResult(action=current, update=update)


def _evidence_store_file(*, action: Action, user, upload, content_type: str, update: ActionUpdate | None = None) -> Evidence:
    """Store a checked upload privately under a random name; its own name is kept only as data."""
    evidence = Evidence(
        action=action,
        update=update,
        original_name=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=_author(user),
    )
    evidence.file.save(upload.name, upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


# --- verify and send back: the second person's check -------------------------------------------------


def _locked_current(action: Action, expected_version: int) -> Action:
    current = Action.objects.select_for_update(of=("self",)).get(pk=action.pk)
    if current.version != expected_version:
        raise StaleActionError(current, expected_version)
    return current


def action_verify(*, action: Action, user, expected_version: int, note: str = "", at: datetime | None = None) -> ActionUpdateResult:
    """An admin or senior leader who does not own the action confirms the evidence: the action closes."""
    _require_in_scope(user, action)
    with transaction.atomic():
        current = _locked_current(action, expected_version)
        _closure_check(user, current)
        return _apply_changes(
            current,
            user=user,
            expected_version=expected_version,
            changes={"status": Status.CLOSED, "rag": Rag.GREEN},
            note=note.strip() or "Evidence checked: action verified and closed.",
            extra_history={"verified": True},
            closing=True,
            at=at,
        )


def action_send_back(*, action: Action, user, expected_version: int, reason: str, at: datetime | None = None) -> ActionUpdateResult:
    """The checker is not satisfied: the action goes back to in progress, with the reason recorded."""
    _require_in_scope(user, action)
    with transaction.atomic():
        current = _locked_current(action, expected_version)
        # The same people who may close it may send it back, and only from complete.
        _closure_check(user, current)
        if not reason.strip():
            raise ValidationError({"reason": "Enter why the action is being sent back."})
        return _apply_changes(
            current,
            user=user,
            expected_version=expected_version,
            changes={"status": Status.IN_PROGRESS},
            note=reason.strip(),
            extra_history={"sent_back_reason": reason.strip()},
            at=at,
        )


# --- bulk change (All actions) ----------------------------------------------------------------------


@dataclass
class BulkChangeResult:
    changed: list[Action]
    unchanged: list[Action]
    stale: list[StaleActionError]
    refused: list[tuple[Action, str]]

    @property
    def all_applied(self) -> bool:
        return not self.stale and not self.refused


BULK_FIELDS = frozenset({"owner", "due_date", "status"})


def actions_bulk_change(*, user, selection: list[tuple[Action, int]], changes: dict[str, Any], note: str) -> BulkChangeResult:
    """Apply the same owner, due date and/or status to many actions, each through action_change.

    The bulk reason is the note of every history row, and serves as the reason for a due-date change.
    Each action is its own transaction with its own history row; an action someone else saved since the
    list was read, or one whose rules refuse the change (complete without evidence, closed without a
    check), is reported back with why, never overwritten.
    """

    _require_person(user)
    if _is_system(user) or not can_edit_actions(user):
        raise PermissionDenied("Only improvement leads and admins can change actions.")
    if not note.strip():
        raise ValidationError({"note": "A bulk change needs a reason."})
    unknown = set(changes) - BULK_FIELDS
    if unknown:
        raise ValueError(f"Not a bulk change: {', '.join(sorted(unknown))}")
    result = BulkChangeResult(changed=[], unchanged=[], stale=[], refused=[])
    for action, expected_version in selection:
        if all(getattr(action, name) == value for name, value in changes.items()):
            result.unchanged.append(action)  # already so: no history row for a change that is not one
            continue
        try:
            outcome = action_change(
                action=action, user=user, expected_version=expected_version, changes=changes, note=note,
                due_date_reason=note, rag_reason=note,
            )
        except StaleActionError as stale:
            result.stale.append(stale)
            continue
        except PermissionDenied as error:
            result.refused.append((action, str(error) or "You cannot change this action."))
            continue
        except ValidationError as error:
            result.refused.append((action, " ".join(error.messages)))
            continue
        (result.changed if outcome.update and outcome.update.changes else result.unchanged).append(outcome.action)
    return result


@transaction.atomic
def action_plan_record(
    *, inspection, user, plan_submitted_on: date | None, draft_submitted_on: date | None
):
    """Record when the council sent its action plan (and draft) to Ofsted."""

    if not can_record_plan(user) or inspection.authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only admins, improvement leads and senior leaders of this council can record the plan.")
    today = timezone.localdate()
    letter = inspection.published_on or inspection.visit_end
    errors = {}
    for field, value in (("plan_submitted_on", plan_submitted_on), ("draft_submitted_on", draft_submitted_on)):
        if value and value > today:
            errors[field] = "The date submitted must be today or in the past."
        elif value and value < letter:
            errors[field] = f"The date submitted must be on or after the letter, {letter.day} {letter:%B %Y}."
    if errors:
        raise ValidationError(errors)
    Inspection.objects.filter(pk=inspection.pk).update(plan_submitted_on=plan_submitted_on)
    authority_data_changed(inspection_ids=[inspection.pk])
    inspection.plan_submitted_on = plan_submitted_on
    plan, _ = ActionPlan.objects.update_or_create(
        inspection=inspection, defaults={"draft_submitted_on": draft_submitted_on, "updated_by": user}
    )
    return plan


# --- spreadsheet import -----------------------------------------------------------------------------


@transaction.atomic
def action_plan_import(*, user, inspection, rows, source_name: str = "a spreadsheet") -> list[Action]:
    """Create every checked row's action in one transaction, each with its first history row.

    `rows` are `actions.plan_import.ImportRow`s; any row with errors refuses the whole import. Owners
    the sheet names who match no one (listed on the check page) are added first, through owner_create.
    """

    _require_person(user)
    if _is_system(user) or not can_edit_actions(user) or inspection.authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only improvement leads and admins of this council can import its action plan.")
    invalid = [row.number for row in rows if row.errors]
    if invalid:
        raise ValueError(f"Rows with problems cannot be imported: {', '.join(map(str, invalid[:10]))}")
    if not rows:
        raise ValueError("There are no actions to import.")
    added: dict[int, Owner] = {}
    for new in plan_import.new_owners(rows):
        added[id(new)] = owner_create(
            user=user, authority=inspection.authority, name=new.name, email=new.email,
        )
    created = []
    for row in rows:
        values = dict(row.values)
        extra = {
            name: values[name]
            for name in (
                "progress_notes", "evidence", "evidence_link", "measure_name", "measure_baseline",
                "measure_target", "measure_latest", "measure_latest_on",
            )
            if values.get(name) not in (None, "")
        }
        created.append(
            action_create(
                finding=row.finding,
                title=values["title"],
                user=user,
                description=values.get("description", ""),
                owner=added.get(id(row.owner), row.owner),
                due_date=values.get("due_date"),
                status=values["status"],
                rag=values["rag"],
                note=f"Imported from {source_name} (row {row.number})",
                **extra,
            )
        )
    return created


# --- an action plan spreadsheet between upload and import: an import draft, like a letter's ----------------


def plan_import_draft_create(*, user, inspection: Inspection, source: bytes, format: str, filename: str) -> ImportDraft:
    """Keep a spreadsheet that passed the upload gate and can be read, for the columns and check steps."""
    if not can_edit_actions(user) or inspection.authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only improvement leads and admins of this council can import its action plan.")
    plan_import.read_sheet(source, format)  # SpreadsheetError, with a message for the person, if unreadable
    return import_draft_store(
        user=user,
        kind=ImportDraft.Kind.ACTION_PLAN,
        source=source,
        filename=filename,
        parsed={"format": format, "inspection": inspection.pk, "mapping": None},
    )


def plan_import_mapping_set(*, draft: ImportDraft, user, mapping: list[str]) -> ImportDraft:
    """Record which column holds what, checked again at the last step."""
    return import_draft_update(draft=draft, user=user, parsed={**draft.parsed, "mapping": mapping})


# --- owners: the people (with or without an account) actions are assigned to ------------------------

OWNER_FIELDS = ("name", "job_title", "organisation", "email", "user")


def _owner_values_check(*, authority, values: dict, record: Owner | None = None) -> dict:
    """The values cleaned (text trimmed), or ValidationError naming each field that is wrong."""
    errors: dict[str, str] = {}
    cleaned = {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()}
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = "Enter the owner's name."
    if cleaned.get("email"):
        from django.core.validators import validate_email

        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com."
    user = cleaned.get("user")
    if user is not None:
        if not action_policy.owner_may_own(user, authority.pk):
            errors["user"] = f"{person_label(user)} is not a member of {authority.name}."
        else:
            taken = Owner.objects.filter(authority=authority, user=user)
            if record is not None:
                taken = taken.exclude(pk=record.pk)
            if taken.exists():
                errors["user"] = f"{person_label(user)} already has an owner record in {authority.name}."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_owner_manager(user, authority) -> None:
    _require_person(user)
    if _is_system(user):
        return
    if not action_policy.user_may_manage_owners(user, authority):
        raise PermissionDenied("Only improvement leads and admins of this council can manage its owners.")


@transaction.atomic
def owner_create(
    *, user, authority: LocalAuthority, name: str, job_title: str = "", organisation: str = "", email: str = "",
    account=None,
) -> Owner:
    """A lead or admin of the council names a person who can own its actions (an account is optional)."""
    _require_owner_manager(user, authority)
    values = _owner_values_check(
        authority=authority,
        values={"name": name, "job_title": job_title, "organisation": organisation, "email": email, "user": account},
    )
    owner = Owner.objects.create(authority=authority, **values)
    authority_data_changed(authority_ids=[authority.pk])
    return owner


@transaction.atomic
def owner_update(*, user, owner: Owner, changes: dict[str, Any]) -> Owner:
    """Change an owner's name, job title, organisation, email or linked account (leads and admins)."""
    unknown = set(changes) - set(OWNER_FIELDS)
    if unknown:
        raise ValueError(f"Not an owner field: {', '.join(sorted(unknown))}")
    current = Owner.objects.select_for_update().select_related("authority").get(pk=owner.pk)
    _require_owner_manager(user, current.authority)
    values = _owner_values_check(authority=current.authority, values=dict(changes), record=current)
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    authority_data_changed(authority_ids=[current.authority_id])
    return current

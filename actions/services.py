"""Writes for action plans. Every change goes through here and appends its ActionUpdate row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate, Evidence, Rag, Status
from findings.models import Finding
from inspections.services import authority_data_changed

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
    update = ActionUpdate.objects.create(
        action=action,
        author=user if user is not None and getattr(user, "is_authenticated", False) else None,
        created_at=at or timezone.now(),
        version=action.version,
        changes=changes,
        note=note,
        status=action.status,
        rag=action.rag,
        measure_value=action.measure_latest,
    )
    # Every change to an action writes its history here, so its council's cached figures are renewed here.
    authority_data_changed(action_ids=[action.pk])
    return update


@transaction.atomic
def action_create(
    *,
    finding: Finding,
    title: str,
    user=None,
    description: str = "",
    owner=None,
    due_date: date | None = None,
    status: str = Status.NOT_STARTED,
    rag: str = Rag.GREEN,
    note: str = "Action created",
    at: datetime | None = None,
    **extra: Any,
) -> Action:
    action = Action(
        finding=finding,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        status=status,
        rag=rag,
        **extra,
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


@dataclass(frozen=True)
class ActionUpdateResult:
    action: Action
    update: ActionUpdate | None

    @property
    def changed(self) -> bool:
        return self.update is not None


def action_update(
    *,
    action: Action,
    user,
    expected_version: int,
    changes: dict[str, Any],
    note: str = "",
    at: datetime | None = None,
    extra_history: dict[str, Any] | None = None,
) -> ActionUpdateResult:
    """Apply changes if nobody has saved since `expected_version`; record them in history.

    `extra_history` records what is not a field of the action (a reason, evidence added) beside the
    field changes, as `name: [None, value]`. Closing an action is a second person's check (see
    action_verify): a save that sets status to closed is refused unless that check passes.

    The version check is a conditional UPDATE in the database, so two concurrent saves from the same
    version cannot both land, whatever the number of app servers.
    """
    unknown = set(changes) - set(TRACKED_FIELDS)
    if unknown:
        raise ValueError(f"Not an editable field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if current.version != expected_version:
            raise StaleActionError(current, expected_version)
        if changes.get("status") == Status.CLOSED and current.status != Status.CLOSED:
            _closure_check(user, current)
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


def actions_bulk_change(*, user, selection: list[tuple[Action, int]], changes: dict[str, Any], note: str) -> BulkChangeResult:
    """Apply the same owner, due date and/or status to many actions, each through `action_update`.

    Each action is its own transaction with its own history row; an action someone else saved since the
    list was read is reported back, never overwritten.
    """
    from accounts.models import Membership
    from accounts.selectors import authority_ids_for, can_edit_actions
    from django.core.exceptions import PermissionDenied, ValidationError

    if not can_edit_actions(user):
        raise PermissionDenied("Only improvement leads and admins can change actions.")
    if not note.strip():
        raise ValueError("A bulk change needs a reason.")
    unknown = set(changes) - {"owner", "due_date", "status"}
    if unknown:
        raise ValueError(f"Not a bulk change: {', '.join(sorted(unknown))}")
    allowed = set(authority_ids_for(user))
    owner = changes.get("owner")
    owner_authorities = (
        set(Membership.objects.filter(user=owner).values_list("authority_id", flat=True)) if owner else set()
    )
    result = BulkChangeResult(changed=[], unchanged=[], stale=[], refused=[])
    for action, expected_version in selection:
        authority = action.finding.inspection.authority
        if authority.pk not in allowed:
            result.refused.append((action, "You are not a member of this action's council."))
            continue
        if owner is not None and authority.pk not in owner_authorities:
            name = owner.get_full_name() or owner.get_username()
            result.refused.append((action, f"{name} is not a member of {authority.name}, so cannot own it."))
            continue
        if all(getattr(action, name) == value for name, value in changes.items()):
            result.unchanged.append(action)  # already so: no history row for a change that is not one
            continue
        try:
            outcome = action_update(
                action=action, user=user, expected_version=expected_version, changes=changes, note=note
            )
        except StaleActionError as stale:
            result.stale.append(stale)
            continue
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            result.refused.append((action, "; ".join(messages)))
            continue
        (result.changed if outcome.update and outcome.update.changes else result.unchanged).append(outcome.action)
    return result


# --- progress updates, evidence, closure, the plan's submission dates (h5b) ----------------------------


def _closure_check(user, action: Action) -> None:
    """Closing is a second person's check: an admin or senior leader, not the owner, of a complete action.

    A system process (no user: demo data, migrations) may record a closure that was checked elsewhere.
    """
    from accounts.selectors import can_verify_actions

    if user is None:
        return
    if action.status != Status.COMPLETE:
        raise ValidationError({"status": "Only an action marked complete can be closed."})
    if not can_verify_actions(user):
        raise ValidationError({"status": "Only an admin or senior leader can verify and close an action."})
    if action.owner_id is not None and action.owner_id == user.pk:
        raise ValidationError({"status": "Someone other than the owner must verify and close this action."})


def _require_in_scope(user, action: Action) -> None:
    from actions.selectors import actions_for

    if not actions_for(user).filter(pk=action.pk).exists():
        raise PermissionDenied("This action is not in your councils.")


def _has_evidence(action: Action) -> bool:
    return bool(action.evidence.strip() or action.evidence_link or action.evidence_items.exists())


@transaction.atomic
def action_record_progress(
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
) -> ActionUpdateResult:
    """A person's update to an action from its page: checked against their role and the plan's rules,
    then written by action_update with evidence attached to the same history row.

    - a due-date change needs a reason; a RAG other than the suggested one needs a reason;
    - complete needs evidence (already held, or added now); closed only through action_verify;
    - partners change progress and evidence only, senior leaders comment only, viewers nothing.
    """
    from actions.evidence import evidence_file_check
    from actions.permissions import action_permissions

    _require_in_scope(user, action)
    permissions = action_permissions(user, action)
    if not permissions.can_update:
        raise PermissionDenied("You cannot update this action.")
    if action.version != expected_version:
        raise StaleActionError(action, expected_version)
    evidence_files = list(evidence_files or [])
    evidence_links = [link for link in (evidence_links or []) if link]
    asked = set(changes) | ({"note"} if note.strip() else set())
    asked |= {"evidence_file"} if evidence_files else set()
    asked |= {"evidence_link"} if evidence_links else set()
    refused = asked - permissions.fields
    if refused:
        raise PermissionDenied(f"You cannot change: {', '.join(sorted(refused))}.")

    changes = {name: value for name, value in changes.items() if getattr(action, name) != value}
    errors: dict[str, str] = {}
    new_status = changes.get("status", action.status)
    if new_status == Status.CLOSED and action.status != Status.CLOSED:
        errors["status"] = "An action is closed when someone other than its owner verifies it."
    if new_status == Status.COMPLETE and action.status != Status.COMPLETE:
        if not (
            _has_evidence(action) or evidence_files or evidence_links or (changes.get("evidence") or "").strip()
        ):
            errors["status"] = "Add evidence (a file, a link or a summary) before marking the action complete."
    if "due_date" in changes and not due_date_reason.strip():
        errors["due_date_reason"] = "Enter why the due date is changing."
    if "rag" in changes:
        projected = Action(status=new_status, due_date=changes.get("due_date", action.due_date))
        if changes["rag"] != projected.suggested_rag(today) and not rag_reason.strip():
            errors["rag_reason"] = (
                f"Enter why the RAG differs from the suggested {Rag(projected.suggested_rag(today)).label.lower()}."
            )
    if "measure_latest" in changes and changes["measure_latest"] is not None and not changes.get(
        "measure_latest_on"
    ):
        changes["measure_latest_on"] = today or timezone.localdate()
    checked_files = []
    for upload in evidence_files:
        try:
            checked_files.append((upload, evidence_file_check(upload)))
        except ValidationError as error:
            errors["evidence_file"] = f"{upload.name}: {error.messages[0]}"
    if errors:
        raise ValidationError(errors)

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
    result = action_update(
        action=action, user=user, expected_version=expected_version, changes=changes, note=note,
        extra_history=extra,
    )
    for upload, content_type in checked_files:
        evidence_add_file(action=result.action, user=user, upload=upload, content_type=content_type, update=result.update)
    for link in evidence_links:
        Evidence.objects.create(action=result.action, link=link, uploaded_by=user, update=result.update)
    if evidence_links:
        authority_data_changed(action_ids=[result.action.pk])
    return result


def evidence_add_file(*, action: Action, user, upload, content_type: str, update: ActionUpdate | None = None) -> Evidence:
    """Store a checked upload privately under a random name; its own name is kept only as data."""
    evidence = Evidence(
        action=action,
        update=update,
        original_name=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    evidence.file.save(upload.name, upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    authority_data_changed(action_ids=[action.pk])
    return evidence


def action_verify(*, action: Action, user, expected_version: int, note: str = "") -> ActionUpdateResult:
    """An admin or senior leader who does not own the action confirms the evidence: the action closes."""
    _require_in_scope(user, action)
    return action_update(
        action=action,
        user=user,
        expected_version=expected_version,
        changes={"status": Status.CLOSED, "rag": Rag.GREEN},
        note=note.strip() or "Evidence checked: action verified and closed.",
        extra_history={"verified": True},
    )


def action_send_back(*, action: Action, user, expected_version: int, reason: str) -> ActionUpdateResult:
    """The checker is not satisfied: the action goes back to in progress, with the reason recorded."""
    _require_in_scope(user, action)
    if action.version != expected_version:
        raise StaleActionError(action, expected_version)
    # The same people who may close it may send it back, and only from complete.
    _closure_check(user, action)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the action is being sent back."})
    return action_update(
        action=action,
        user=user,
        expected_version=expected_version,
        changes={"status": Status.IN_PROGRESS},
        note=reason.strip(),
        extra_history={"sent_back_reason": reason.strip()},
    )


def action_add(
    *,
    finding: Finding,
    user,
    title: str,
    description: str = "",
    owner=None,
    due_date: date | None = None,
    status: str = Status.NOT_STARTED,
    rag: str = Rag.GREEN,
    measure_name: str = "",
    measure_baseline: Decimal | None = None,
    measure_target: Decimal | None = None,
) -> Action:
    """A lead adds an action to a finding of one of their councils; the owner must belong to that council."""
    from accounts.models import Membership
    from accounts.selectors import authority_ids_for, can_edit_actions

    authority_id = finding.inspection.authority_id
    if not can_edit_actions(user) or authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only improvement leads and admins of this council can add actions.")
    if owner is not None and not Membership.objects.filter(user=owner, authority_id=authority_id).exists():
        raise ValidationError({"owner": "Choose an owner who works for this council or with it."})
    if status == Status.CLOSED:
        raise ValidationError({"status": "A new action cannot start closed: it is closed when verified."})
    if status == Status.COMPLETE:
        raise ValidationError({"status": "A new action has no evidence yet, so cannot start complete."})
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the action."})
    return action_create(
        finding=finding,
        user=user,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        status=status,
        rag=rag,
        measure_name=measure_name.strip(),
        measure_baseline=measure_baseline,
        measure_target=measure_target,
        measure_latest=measure_baseline,
        measure_latest_on=timezone.localdate() if measure_baseline is not None else None,
    )


@transaction.atomic
def action_plan_record(
    *, inspection, user, plan_submitted_on: date | None, draft_submitted_on: date | None
):
    """Record when the council sent its action plan (and draft) to Ofsted."""
    from accounts.selectors import authority_ids_for, can_edit_actions
    from actions.models import ActionPlan
    from inspections.models import Inspection

    if not can_edit_actions(user) or inspection.authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only improvement leads and admins of this council can record the plan.")
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

    `rows` are `actions.plan_import.ImportRow`s; any row with errors refuses the whole import.
    """
    from accounts.selectors import authority_ids_for, can_edit_actions
    from django.core.exceptions import PermissionDenied

    if not can_edit_actions(user) or inspection.authority_id not in authority_ids_for(user):
        raise PermissionDenied("Only improvement leads and admins of this council can import its action plan.")
    invalid = [row.number for row in rows if row.errors]
    if invalid:
        raise ValueError(f"Rows with problems cannot be imported: {', '.join(map(str, invalid[:10]))}")
    if not rows:
        raise ValueError("There are no actions to import.")
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
                owner=row.owner,
                due_date=values.get("due_date"),
                status=values["status"],
                rag=values["rag"],
                note=f"Imported from {source_name} (row {row.number})",
                **extra,
            )
        )
    return created

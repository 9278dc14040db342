"""Writes for action plans. Every change goes through here and appends its ActionUpdate row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate, Rag, Status
from findings.models import Finding

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
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def _record(action: Action, *, user, changes: dict[str, list[Any]], note: str, at: datetime | None = None) -> ActionUpdate:
    return ActionUpdate.objects.create(
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
) -> ActionUpdateResult:
    """Apply changes if nobody has saved since `expected_version`; record them in history.

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
        diff: dict[str, list[Any]] = {}
        for name, value in changes.items():
            old = getattr(current, name)
            if old != value:
                diff[name] = [_as_history_value(old), _as_history_value(value)]
                setattr(current, name, value)
        if not diff and not note.strip():
            return ActionUpdateResult(action=current, update=None)
        current.full_clean()
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

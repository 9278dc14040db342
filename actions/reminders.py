"""Reminder emails: a daily digest of due and overdue actions per owner, the monthly "update due" email,
and escalation of late updates to the council's senior leaders. Each (person, kind, day) is sent once.

Owners are person records (actions.Owner): one with an account is written to as that user (once, for
all their councils); one without an account only if the record has an email address."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Role
from actions.models import OPEN_STATUSES, Action, ReminderKind, ReminderLog
from actions.selectors import update_cycle_start, with_update_due
from core.people import person_label

DIGEST_DAYS = 7


@dataclass
class ReminderRun:
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _line(action: Action, today: date) -> str:
    due = action.due_date
    when = "no due date" if due is None else f"due {due.day} {due:%B %Y}"
    if due is not None and due < today:
        when = f"OVERDUE since {due.day} {due:%B %Y}"
    return f"- {action.title} ({when}, {action.get_status_display()})\n  {settings_base_url()}{action.get_absolute_url()}"


def settings_base_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def _send_once(*, user, kind: str, today: date, subject: str, body: str, count: int, run: ReminderRun,
               email: str = "") -> None:
    """Claim the (person, kind, day) row first: if it exists, this email went already. The person is a
    user, or (for an owner without an account) an email address."""
    address = email or (user.email if user is not None else "")
    if not address:
        run.skipped[kind] += 1
        return
    try:
        with transaction.atomic():
            ReminderLog.objects.create(user=user, email="" if user is not None else address.lower(), kind=kind,
                                       date=today, action_count=count)
            # Inside the transaction: if sending fails, the claim is released and a re-run retries.
            send_mail(subject, body, None, [address])
    except IntegrityError:
        run.skipped[kind] += 1
        return
    run.sent[kind] += 1


def _open_actions():
    # An owner linked to an account that was closed has left: no reminders.
    return (
        Action.objects.filter(status__in=OPEN_STATUSES, owner__isnull=False)
        .filter(Q(owner__user__isnull=True) | Q(owner__user__is_active=True))
        .select_related("owner__user", "finding__inspection__authority")
    )


@dataclass(frozen=True)
class _Recipient:
    """Who a reminder goes to: an owner's account (one email for all their councils), or else the
    owner record's email address (none: skipped)."""

    user: object
    email: str
    name: str


def _recipient(owner) -> _Recipient:
    if owner.user_id is not None:
        return _Recipient(user=owner.user, email=owner.email or owner.user.email, name=person_label(owner.user))
    return _Recipient(user=None, email=owner.email, name=owner.name)


def _by_recipient(actions) -> dict:
    grouped: dict = defaultdict(list)
    names: dict = {}
    for action in actions:
        recipient = _recipient(action.owner)
        key = ("user", recipient.user.pk) if recipient.user is not None else ("email", recipient.email.lower() or f"owner-{action.owner_id}")
        names.setdefault(key, recipient)
        grouped[key].append(action)
    return {names[key]: actions for key, actions in grouped.items()}


def reminders_send(*, today: date) -> ReminderRun:
    run = ReminderRun()
    _send_digests(today, run)
    if today == update_cycle_start(today):
        _send_update_due(today, run)
    _send_escalations(today, run)
    return run


def _send_digests(today: date, run: ReminderRun) -> None:
    horizon = today + timedelta(days=DIGEST_DAYS)
    by_owner = _by_recipient(_open_actions().filter(due_date__lte=horizon).order_by("due_date", "id"))
    for owner, actions in by_owner.items():
        overdue = [a for a in actions if a.due_date < today]
        soon = [a for a in actions if a.due_date >= today]
        parts = [f"Hello {owner.name},", ""]
        if overdue:
            parts += [f"Overdue ({len(overdue)}):", *[_line(a, today) for a in overdue], ""]
        if soon:
            parts += [f"Due in the next {DIGEST_DAYS} days ({len(soon)}):", *[_line(a, today) for a in soon], ""]
        parts.append("Please update each action in the Inspection Findings Tracker.")
        subject = f"Your actions: {len(overdue)} overdue, {len(soon)} due within {DIGEST_DAYS} days"
        _send_once(user=owner.user, email=owner.email, kind=ReminderKind.DIGEST, today=today, subject=subject,
                   body="\n".join(parts), count=len(actions), run=run)


def _send_update_due(today: date, run: ReminderRun) -> None:
    by_owner = _by_recipient(_open_actions().order_by("due_date", "id"))
    for owner, actions in by_owner.items():
        body = "\n".join(
            [
                f"Hello {owner.name},",
                "",
                f"It is the monthly update day. Please record progress on your {len(actions)} open "
                f"action{'s' if len(actions) != 1 else ''}:",
                *[_line(a, today) for a in actions],
            ]
        )
        _send_once(user=owner.user, email=owner.email, kind=ReminderKind.UPDATE_DUE, today=today,
                   subject=f"Monthly update due: {len(actions)} open action{'s' if len(actions) != 1 else ''}",
                   body=body, count=len(actions), run=run)


def _send_escalations(today: date, run: ReminderRun) -> None:
    late = [a for a in with_update_due(_open_actions(), today).filter(update_late=True).order_by("due_date", "id")]
    if not late:
        return
    by_authority: dict = defaultdict(list)
    for action in late:
        by_authority[action.finding.inspection.authority_id].append(action)
    leaders = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SENIOR_LEADER, memberships__authority_id__in=by_authority)
        .prefetch_related("memberships")
        .distinct()
    )
    cycle = update_cycle_start(today)
    for leader in leaders:
        actions = [a for m in leader.memberships.all() for a in by_authority.get(m.authority_id, [])]
        if not actions:
            continue
        lines = [
            f"- {a.title} (owner {person_label(a.owner)}, "
            f"{a.finding.inspection.authority.name})\n  {settings_base_url()}{a.get_absolute_url()}"
            for a in actions
        ]
        body = "\n".join(
            [
                f"Hello {person_label(leader)},",
                "",
                f"These actions have had no update since the monthly update day, {cycle.day} {cycle:%B %Y}, "
                f"more than {settings.UPDATE_ESCALATION_DAYS} days ago:",
                *lines,
            ]
        )
        _send_once(user=leader, kind=ReminderKind.ESCALATION, today=today,
                   subject=f"Late action updates: {len(actions)}", body=body, count=len(actions), run=run)

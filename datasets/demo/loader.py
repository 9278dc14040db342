"""Loads the demo: reference authorities, themes, users and the seeded inspections with action plans."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.permissions import SYSTEM
from accounts.services import two_factor_device_install, user_provision
from actions.models import DONE_STATUSES, OPEN_STATUSES, Action, Owner, Status
from actions.services import (
    action_change, action_create, action_plan_record, action_send_back, action_verify, owner_create,
)
from core.workdays import add_working_days
from datasets.demo import data
from findings.models import Theme
from findings.services import themes_load_defaults
from findings.services import FindingInput, InspectionInput, JudgementInput, inspection_import
from inspections.models import Inspection, LocalAuthority
from inspections.services import authorities_load_reference, authority_data_changed

# The path a status takes, so the demo history reads like real weekly updates.
STATUS_PATH = {
    Status.NOT_STARTED: [],
    Status.IN_PROGRESS: [Status.IN_PROGRESS],
    Status.BLOCKED: [Status.IN_PROGRESS, Status.BLOCKED],
    Status.COMPLETE: [Status.IN_PROGRESS, Status.COMPLETE],
    Status.CLOSED: [Status.IN_PROGRESS, Status.COMPLETE, Status.CLOSED],
}


def _aware(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _load_inspection(spec: dict, themes: dict[str, Theme], earlier_findings: list) -> tuple[Inspection, bool]:
    authority = LocalAuthority.objects.get(name=spec["authority"])
    existing = Inspection.objects.filter(
        authority=authority, kind=spec["kind"], visit_start=spec["visit_start"], visit_end=spec["visit_end"]
    ).first()
    if existing:
        return existing, False
    findings = [
        FindingInput(
            text=text,
            theme=themes.get(theme_slug),
            repeats=earlier_findings[repeat_index] if repeat_index is not None and earlier_findings else None,
        )
        for text, theme_slug, repeat_index in spec["findings"]
    ]
    inspection = inspection_import(
        user=SYSTEM,
        source=b"",
        filename="demo data",
        data=InspectionInput(
            authority=authority,
            kind=spec["kind"],
            visit_start=spec["visit_start"],
            visit_end=spec["visit_end"],
            published_on=spec["published_on"],
            inspectors=spec["inspectors"],
            focus_area=spec["focus_area"],
            headline=spec["headline"],
            judgements=[JudgementInput(area=a, grade=g) for a, g in spec["judgements"]],
            findings=findings,
        ),
    )
    return inspection, True


def _load_owners(authorities, users) -> dict:
    """The people the plans name, with or without an account (once: a second load finds them)."""
    owners = {}
    for key, council, name, job_title, organisation, email, username in data.DEMO_OWNERS:
        authority = authorities[council]
        account = users[username] if username else None
        found = Owner.objects.filter(authority=authority, user=account).first() if account else (
            Owner.objects.filter(authority=authority, user=None, name=name).first()
        )
        owners[key] = found or owner_create(
            user=SYSTEM, authority=authority, name=name, job_title=job_title, organisation=organisation,
            email=email, account=account,
        )
    return owners


def _record_plan_sent(inspection: Inspection, users, today) -> None:
    """Barnsley sent its plans on time: recorded by its lead, a few working days before the deadline."""
    days = data.PLAN_SENT_WORKING_DAYS.get(inspection.kind)
    if days is None or inspection.authority.name != "Barnsley" or inspection.plan_submitted_on is not None:
        return
    letter = inspection.published_on or inspection.visit_end
    plan_days, draft_days = days
    sent = add_working_days(letter, plan_days)
    if sent > today:
        return
    action_plan_record(
        inspection=inspection, user=users["lead"], plan_submitted_on=sent,
        draft_submitted_on=add_working_days(letter, draft_days) if draft_days else None,
    )


def _load_actions(inspection: Inspection, plan, users, owners, today) -> int:
    """Each demo action is written as a council would write it, through the same services as the pages:
    created by the council's lead, moved on by its owner (or the lead, for an owner who may not change
    status or has no account), completed with evidence, and closed only by a second person's verification
    (the senior leader; the admin where the council has none). Open actions carry progress notes from the
    first step to now, the last a few days ago; "sent_back" ones were returned for more evidence."""
    from accounts.selectors import can_edit_actions

    findings = list(inspection.findings.order_by("position"))
    letter_day = inspection.published_on or inspection.visit_end
    authority = inspection.authority
    leader = users["leader"]
    verifier = leader if authority.memberships.filter(user=leader).exists() else users["admin"]
    lead = users["lead"] if authority.memberships.filter(user=users["lead"]).exists() else users["barnet-lead"]
    created = 0
    for number, (finding_index, title, owner_key, due_in, status, rag, note) in enumerate(plan):
        owner = owners[owner_key]
        sent_back = status == "sent_back"
        final = Status.IN_PROGRESS if sent_back else status
        # Open actions are dated from today so the demo always has some overdue and some due soon.
        due = today + timedelta(days=due_in) if final in OPEN_STATUSES else letter_day + timedelta(days=due_in)
        started = letter_day + timedelta(days=14)
        action = action_create(
            finding=findings[finding_index],
            title=title,
            description=f"Planned in response to: {findings[finding_index].text}",
            owner=owner,
            due_date=due,
            # An action that never moved keeps the RAG it was planned with; the others get theirs as they move.
            rag=rag if final == Status.NOT_STARTED else "green",
            user=lead,
            at=_aware(started),
        )
        created += 1
        account = owner.user
        author = account if account is not None and can_edit_actions(account) else lead
        moment = started
        path = [Status.IN_PROGRESS, Status.COMPLETE, "sent_back"] if sent_back else STATUS_PATH[final]
        latest = today - timedelta(days=20)
        moments = [min(started + timedelta(days=30 * (index + 1)), latest) for index in range(len(path))]
        if final in DONE_STATUSES and len(path) > 1:
            # Finished work is spread over the plan's later life (from about half to nearly all the way to
            # now, so within the dashboard's two years): work starts a month in, then completions and
            # verifications fall month by month, and the burn-down comes down as a real plan's does.
            finish = started + (latest - started) * (0.55 + 0.42 * (number % 5) / 4)
            first = started + timedelta(days=30)
            # Complete a month before it is verified; the first step a month after the plan starts.
            moments = [first] + [
                min(finish - timedelta(days=30 * (len(path) - 1 - index)), latest) for index in range(1, len(path))
            ]
        for step, moment in zip(path, moments):
            if step == Status.CLOSED:
                action_verify(action=action, user=verifier, expected_version=action.version,
                              note="Evidence reviewed and accepted.", at=_aware(moment))
                action.refresh_from_db()
                continue
            if step == "sent_back":
                action_send_back(action=action, user=verifier, expected_version=action.version,
                                 reason="The audit covers one team only: add the results for the other teams.",
                                 at=_aware(moment))
                action.refresh_from_db()
                continue
            changes = {"status": step}
            rag_reason = ""
            if step == final and not sent_back:
                changes["rag"] = rag
                suggested = Action(status=step, due_date=due).suggested_rag(moment)
                if rag != suggested:
                    rag_reason = "Agreed at the improvement board."
            if step == Status.COMPLETE:
                changes["evidence"] = note or "Audit of a sample of cases, reviewed at the improvement board."
            action_change(
                action=action, user=author, expected_version=action.version, changes=changes,
                # An open action's note is its latest progress: written last, by _progress_notes.
                note=note if step == final and final not in OPEN_STATUSES else "", rag_reason=rag_reason,
                today=moment, at=_aware(moment),
            )
            action.refresh_from_db()
        if final in (Status.IN_PROGRESS, Status.BLOCKED):
            _progress_notes(action, author=author, since=moment, today=today, rag=rag, last_note=note, seed=number)
    return created


def _progress_notes(action: Action, *, author, since, today, rag, last_note, seed) -> None:
    """Notes every four months or so from the last step to now, the last one a few days ago (with the
    RAG the plan gives it, and the plan's note as the latest progress)."""
    moments = []
    moment = since + timedelta(days=120)
    while moment < today - timedelta(days=30):
        moments.append(moment)
        moment += timedelta(days=120)
    moments.append(today - timedelta(days=3 + seed % 9))
    for index, moment in enumerate(moments):
        last = index == len(moments) - 1
        changes = {}
        rag_reason = ""
        if last and action.rag != rag:
            changes["rag"] = rag
            if rag != Action(status=action.status, due_date=action.due_date).suggested_rag(moment):
                rag_reason = "Agreed at the improvement board."
        text = (last_note if last and last_note else data.PROGRESS_NOTES[(seed + index) % len(data.PROGRESS_NOTES)])
        action_change(action=action, user=author, expected_version=action.version, changes=changes, note=text,
                      rag_reason=rag_reason, today=moment, at=_aware(moment))
        action.refresh_from_db()


@transaction.atomic
def demo_load(*, today=None) -> dict[str, int]:
    today = today or timezone.localdate()
    authorities_load_reference()
    themes_load_defaults()
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    authorities = {a.name: a for a in LocalAuthority.objects.filter(name__in=["Barnsley", "Barnet"])}
    users = {}
    for username, role, first, last, names, is_staff in data.DEMO_USERS:
        users[username] = user_provision(
            username=username,
            password=data.DEMO_PASSWORD,
            role=role,
            authorities=[authorities[name] for name in names],
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            is_staff=is_staff,
        )
    if settings.TWO_FACTOR_REQUIRED:
        # Where admins and partners must use a second factor, the demo ones have an app with a known key.
        for username in data.DEMO_TOTP_USERS:
            two_factor_device_install(user=users[username], key=data.DEMO_TOTP_KEY)
    admin = get_user_model().objects.get(username="admin")
    if not admin.user_permissions.exists():
        from django.contrib.auth.models import Permission

        admin.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["inspections", "findings", "actions", "accounts"]
            ).exclude(codename__in=["change_actionupdate", "delete_actionupdate", "add_actionupdate"])
        )

    owners = _load_owners(authorities, users)
    counts = {"inspections": 0, "actions": 0}
    for spec, plan, earlier in [
        (data.BARNSLEY_INSPECTION_2018, [], None),
        (data.BARNSLEY_FOCUSED_VISIT_2023, data.BARNSLEY_2023_FOCUSED_ACTIONS, data.BARNSLEY_INSPECTION_2018),
        (data.BARNSLEY_INSPECTION_2023, data.BARNSLEY_2023_INSPECTION_ACTIONS, data.BARNSLEY_INSPECTION_2018),
        (data.BARNET_MONITORING_VISIT, data.BARNET_ACTIONS, None),
    ]:
        earlier_findings = []
        if earlier is not None:
            earlier_inspection = Inspection.objects.get(
                authority__name=earlier["authority"], kind=earlier["kind"], visit_start=earlier["visit_start"]
            )
            earlier_findings = list(earlier_inspection.findings.order_by("position"))
        inspection, created = _load_inspection(spec, themes, earlier_findings)
        if created:
            counts["inspections"] += 1
            counts["actions"] += _load_actions(inspection, plan, users, owners, today)
        _record_plan_sent(inspection, users, today)
    authority_data_changed(authority_ids=[a.pk for a in authorities.values()])
    return counts

"""Loads the demo: reference authorities, themes, users and the seeded inspections with action plans."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.permissions import SYSTEM
from accounts.services import two_factor_device_install, user_provision
from actions.models import Action, Status
from actions.services import action_change, action_create, action_verify
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


def _load_actions(inspection: Inspection, plan, users, today) -> int:
    """Each demo action is written as a council would write it, through the same services as the pages:
    created by the council's lead, moved on by its owner (or the lead, for an owner who may not change
    status), completed with evidence, and closed only by a second person's verification (the admin)."""
    from accounts.selectors import can_edit_actions

    findings = list(inspection.findings.order_by("position"))
    letter_day = inspection.published_on or inspection.visit_end
    verifier = users["admin"]
    created = 0
    for finding_index, title, owner_name, due_in, status, rag, note in plan:
        owner = users[owner_name]
        lead = users["lead"] if owner_name != "barnet-lead" else owner
        # Open actions are dated from today so the demo always has some overdue and some due soon.
        due = today + timedelta(days=due_in) if status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED) else letter_day + timedelta(days=due_in)
        started = letter_day + timedelta(days=14)
        action = action_create(
            finding=findings[finding_index],
            title=title,
            description=f"Planned in response to: {findings[finding_index].text}",
            owner=owner,
            due_date=due,
            # An action that never moved keeps the RAG it was planned with; the others get theirs as they move.
            rag=rag if status == Status.NOT_STARTED else "green",
            user=lead,
            at=_aware(started),
        )
        created += 1
        moment = started
        for step in STATUS_PATH[status]:
            moment = min(moment + timedelta(days=30), today - timedelta(days=1))
            if step == Status.CLOSED:
                action_verify(action=action, user=verifier, expected_version=action.version,
                              note="Evidence reviewed and accepted.", at=_aware(moment))
                action.refresh_from_db()
                continue
            changes = {"status": step}
            rag_reason = ""
            if step == status:
                changes["rag"] = rag
                suggested = Action(status=step, due_date=due).suggested_rag(moment)
                if rag != suggested:
                    rag_reason = "Agreed at the improvement board."
            if step == Status.COMPLETE:
                changes["evidence"] = note or "Audit of a sample of cases, reviewed at the improvement board."
            author = owner if can_edit_actions(owner) else lead
            action_change(
                action=action,
                user=author,
                expected_version=action.version,
                changes=changes,
                note=note if step == status else "",
                rag_reason=rag_reason,
                today=moment,
                at=_aware(moment),
            )
            action.refresh_from_db()
    return created


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
            counts["actions"] += _load_actions(inspection, plan, users, today)
    authority_data_changed(authority_ids=[a.pk for a in authorities.values()])
    return counts

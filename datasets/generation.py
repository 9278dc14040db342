"""Generated data at national scale, for load benchmarks and query-count guards.

Every authority gets about one Ofsted visit a year (graded inspections with judgements, focused,
monitoring and joint targeted visits), 3-8 findings a visit (themed, some repeating an earlier
finding), 3-6 actions a finding and 5-20 history rows an action whose versions run 1..n without gaps,
whose times only move forward and whose last row matches the action's status and RAG.

What `scale` multiplies: the depth of every authority's history. Scale N gives each authority N times
as many visits over the same years, so its findings, actions and updates (and the national totals)
grow N-fold. That is the harsh reading of "tenfold": an authority's own pages (dashboard, action list,
visit comparison) see ten times the rows, not only the pages that read across authorities.

Rows are written with bulk_create in batches inside one transaction per few authorities, with primary
keys assigned here (so findings can point at earlier findings without a round trip), and the
sequences are moved past them at the end. Memory stays bounded by the batch size, whatever the scale.
Output is deterministic for a seed and a `today`: each authority draws from its own random stream,
seeded by the seed and its slug.
"""

from __future__ import annotations

import random
import sys
import time as time_module
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable, Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Role
from actions.models import DONE_STATUSES, Action, ActionUpdate, Owner, Rag, Status
from findings.models import Finding, FindingKind, Theme
from findings.services import themes_load_defaults
from inspections.models import (
    FocusArea,
    Grade,
    Inspection,
    InspectionKind,
    Judgement,
    JudgementArea,
    LocalAuthority,
)
from actions.services import validate_action_values, validate_verification
from inspections.services import authorities_load_reference, authority_data_changed

# Marks generated rows, so a second run can refuse instead of colliding with the first.
GENERATED_SOURCE = "generated-data"
# Every generated user signs in with this (development and benchmark data only).
GENERATED_PASSWORD = "tracker-generated-2026"

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Ella", "Farid", "Grace", "Harry", "Imran", "Jess", "Kofi", "Laura",
    "Mohammed", "Niamh", "Oliver", "Priya", "Rachel", "Sam", "Tom", "Uma", "Victoria", "Will", "Yasmin", "Zoe",
]
LAST_NAMES = [
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
    "Lewis", "Morgan", "Nowak", "Okafor", "Patel", "Quinn", "Roberts", "Singh", "Taylor", "Walker", "Wright",
]
PARTNER_AGENCIES = [
    ("police", "Police"),
    ("icb", "Integrated care board"),
    ("school", "Virtual school"),
    ("housing", "Housing"),
]
INSPECTORS = [
    "Alison Smale", "Brenda McInerney", "Claire Beckingham", "David Whitham", "Emmy Tomsett", "Fiona Millns",
    "Harjinder Kaur", "Jansy Kelly", "Kathryn Grindrod", "Lisa Summers", "Matt Reed", "Nick Stacey",
    "Rachel Griffiths", "Sophie Wood", "Tara Geere",
]

# What a point says, by theme slug: "{subject}" is filled from the list beside it.
FINDING_TEXTS: dict[str, tuple[str, list[str]]] = {
    "workforce-and-caseloads": (
        "The stability of the workforce and the size of caseloads in {subject}.",
        ["the assessment teams", "the children in care teams", "the leaving care service", "the front door"],
    ),
    "management-oversight-and-supervision": (
        "The consistency and impact of management oversight and supervision of {subject}.",
        ["child protection work", "children in need plans", "pre-proceedings work", "private fostering"],
    ),
    "quality-assurance-and-audit": (
        "The use of audit and quality assurance to improve {subject}.",
        ["the quality of practice", "assessments", "plans for children in care", "return home interviews"],
    ),
    "performance-data": (
        "The accuracy and use of performance information about {subject}.",
        ["visits to children", "care leavers' accommodation", "timeliness of assessments", "missing episodes"],
    ),
    "assessment-and-planning": (
        "The quality of assessments and plans for {subject}.",
        ["children in need", "disabled children", "children on child protection plans", "young carers"],
    ),
    "pathway-plans-and-care-leavers": (
        "The quality and timeliness of pathway plans for {subject}.",
        ["care leavers aged 18 to 21", "care leavers over 21", "unaccompanied asylum-seeking young people"],
    ),
    "multi-agency-working": (
        "The effectiveness of multi-agency work with {subject}.",
        ["health partners", "the police", "schools", "the youth justice service"],
    ),
    "front-door-and-early-help": (
        "The timeliness of responses at the front door to {subject}.",
        ["referrals from partners", "contacts about domestic abuse", "step-up from early help"],
    ),
    "child-protection-and-risk-outside-the-home": (
        "The response to children at risk of {subject}.",
        ["criminal exploitation", "going missing", "sexual exploitation", "harm outside the home"],
    ),
    "children-in-care-and-permanence": (
        "Timely permanence and placement stability for {subject}.",
        ["younger children", "children placed at a distance", "brothers and sisters", "older children"],
    ),
    "voice-and-participation-of-children": (
        "How well {subject} are heard and shape their plans.",
        ["children in care", "disabled children", "care leavers", "children on protection plans"],
    ),
    "education-and-health": (
        "The quality of {subject} for children in care.",
        ["personal education plans", "health assessments", "emotional health support", "dental checks"],
    ),
    "recording-and-case-records": (
        "The quality of recording of {subject}.",
        ["management decisions", "children's histories", "strategy discussions", "visits"],
    ),
    "leadership-and-governance": (
        "Leaders' oversight of {subject}.",
        ["the sufficiency strategy", "the corporate parenting board", "partnership priorities"],
    ),
}
GENERIC_TEXT = ("The quality and consistency of practice for {subject}.", ["children and families"])

ACTION_VERBS = [
    "Review", "Audit", "Introduce", "Train managers on", "Report monthly on", "Agree with partners",
    "Recruit to", "Publish guidance on", "Re-design", "Track weekly",
]
ACTION_OBJECTS = [
    "the supervision policy", "caseload thresholds", "the quality assurance framework", "pathway plan templates",
    "the performance scorecard", "the missing children protocol", "the front door screening tool",
    "permanence tracking", "participation arrangements", "the recording standards", "the audit programme",
]
MEASURES = [
    ("% of children visited within timescales", 55, 95),
    ("% of care leavers with an up-to-date pathway plan", 40, 90),
    ("% of supervisions on time", 50, 90),
    ("Average caseload per social worker", 24, 16),
    ("% of audits graded good or better", 30, 70),
    ("% of assessments completed within 45 days", 60, 90),
]
NOTES = [
    "Weekly tracker updated.", "Discussed at the improvement board.", "Evidence uploaded to the shared drive.",
    "Audit sample completed.", "Partners agreed the draft.", "Waiting on HR for recruitment sign-off.",
    "Training delivered to team managers.", "Data checked with the performance team.",
]


EVIDENCE_SUMMARY = "Case file audit and performance report reviewed at the improvement board."
RAG_REASON = "Agreed at the monthly improvement board."


def _aware(day: date, minutes: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=minutes))


@dataclass
class Counts:
    authorities: int = 0
    users: int = 0
    memberships: int = 0
    inspections: int = 0
    judgements: int = 0
    findings: int = 0
    actions: int = 0
    updates: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class Progress:
    """A small progress bar on a stream (stderr), redrawn at most ten times a second."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30):
        self.total, self.label, self.width = max(total, 1), label, width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.started = time_module.monotonic()
        self._last_draw = 0.0

    def advance(self, steps: int = 1, extra: str = "") -> None:
        self.done += steps
        now = time_module.monotonic()
        if now - self._last_draw >= 0.1 or self.done >= self.total:
            self._last_draw = now
            self._draw(extra)

    def _draw(self, extra: str) -> None:
        fraction = min(self.done / self.total, 1.0)
        filled = int(self.width * fraction)
        elapsed = time_module.monotonic() - self.started
        eta = elapsed / fraction - elapsed if fraction else 0
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.0f}s elapsed, ~{eta:4.0f}s left {extra}"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class _IdSource:
    """Primary keys handed out here, after whatever the table already holds."""

    def __init__(self, model: type[models.Model]):
        last = model.objects.aggregate(last=models.Max("pk"))["last"] or 0
        self._next = last + 1

    def take(self) -> int:
        value = self._next
        self._next += 1
        return value


class _Writer:
    """Buffers rows per model and writes them with bulk_create, parents before children."""

    ORDER = (Inspection, Judgement, Finding, Action, ActionUpdate)
    COUNT_NAMES = {Inspection: "inspections", Judgement: "judgements", Finding: "findings", Action: "actions",
                   ActionUpdate: "updates"}

    def __init__(self, batch_size: int, counts: Counts):
        self.batch_size = batch_size
        self.counts = counts
        self.buffers: dict[type[models.Model], list] = {model: [] for model in self.ORDER}

    def add(self, obj: models.Model) -> None:
        buffer = self.buffers[type(obj)]
        buffer.append(obj)
        if len(buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        for model in self.ORDER:
            buffer = self.buffers[model]
            if buffer:
                model.objects.bulk_create(buffer, batch_size=self.batch_size)
                name = self.COUNT_NAMES[model]
                setattr(self.counts, name, getattr(self.counts, name) + len(buffer))
                buffer.clear()


@contextmanager
def _dates_as_given(*fields: models.Field) -> Iterator[None]:
    """Let generated rows keep their historical created/updated times (auto_now would stamp today)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class _AuthorityPeople:
    leads: list = field(default_factory=list)
    owners: list = field(default_factory=list)
    # Admins and senior leaders: the second person who verifies and closes an action.
    verifiers: list = field(default_factory=list)


class Generator:
    def __init__(
        self,
        *,
        authorities: int,
        years: int = 10,
        scale: int = 1,
        seed: int = 1,
        today: date | None = None,
        batch_size: int = 5000,
        authorities_per_transaction: int = 4,
        progress_stream=None,
        show_progress: bool = True,
        resume: bool = False,
    ):
        if authorities < 1 or years < 1 or scale < 1:
            raise ValueError("authorities, years and scale must each be at least 1.")
        self.authority_count = authorities
        self.years = years
        self.scale = scale
        self.seed = seed
        self.today = today or timezone.localdate()
        self.batch_size = batch_size
        self.authorities_per_transaction = authorities_per_transaction
        self.progress_stream = progress_stream
        self.show_progress = show_progress
        self.resume = resume
        self.skipped = 0
        self.counts = Counts()
        # History stops at six o'clock the evening before `today`: never in the future, and the same
        # for the same `today` whenever it is run.
        self.until = timezone.make_aware(datetime.combine(self.today - timedelta(days=1), time(18, 0)))

    # --- entry point ---------------------------------------------------------------------------------

    def run(self) -> Counts:
        authorities_load_reference()
        themes_load_defaults()
        chosen = list(LocalAuthority.objects.order_by("name")[: self.authority_count])
        if len(chosen) < self.authority_count:
            raise ValueError(
                f"Only {len(chosen)} authorities are in the reference list; asked for {self.authority_count}."
            )
        done = set(
            Inspection.objects.filter(source_filename=GENERATED_SOURCE).values_list("authority_id", flat=True)
        )
        if done and not self.resume:
            raise ValueError(
                "This database already holds generated data: use a fresh database, or --resume to finish an "
                "interrupted run with the same arguments."
            )
        # Each group of authorities is written in one transaction, so an authority is either all there or
        # absent: resuming skips the ones already written and gives the same data as an uninterrupted run.
        self.skipped = len([a for a in chosen if a.pk in done])
        chosen = [a for a in chosen if a.pk not in done]
        self.counts.authorities = len(chosen)
        self.themes = list(Theme.objects.order_by("position", "name"))
        self.groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        self.password_hash = make_password(GENERATED_PASSWORD)
        self.ids = {model: _IdSource(model) for model in _Writer.ORDER}
        writer = _Writer(self.batch_size, self.counts)
        progress = Progress(len(chosen), "Generating", self.progress_stream) if self.show_progress else None
        try:
            with _dates_as_given(
                Inspection._meta.get_field("created_at"),
                Action._meta.get_field("created_at"),
                Action._meta.get_field("updated_at"),
            ):
                for start in range(0, len(chosen), self.authorities_per_transaction):
                    chunk = chosen[start : start + self.authorities_per_transaction]
                    with transaction.atomic():
                        for authority in chunk:
                            self._authority(authority, writer)
                        writer.flush()
                        # bulk_create sends no signals: say which councils changed, as any other write does.
                        authority_data_changed(authority_ids=[a.pk for a in chunk])
                    if progress:
                        progress.advance(len(chunk), f"{self.counts.updates:,} updates")
        finally:
            if progress:
                progress.close()
            self._reset_sequences()
            self._refresh_statistics()
        return self.counts

    # --- one authority -------------------------------------------------------------------------------

    def _authority(self, authority: LocalAuthority, writer: _Writer) -> None:
        rng = random.Random(f"{self.seed}:{authority.slug}")
        people = self._people(authority, rng)
        # Visits start at least 75 days ago, so every letter is published and every plan has begun;
        # each visit has its own slot, so no two collide however many there are.
        last_start = self.today - timedelta(days=75)
        first_day = self.today - timedelta(days=self.years * 365)
        span_days = (last_start - first_day).days
        visits = min(max(1, round(self.years * self.scale * rng.uniform(0.8, 1.2))), span_days)
        slot = span_days / visits
        # Each authority leans towards some grades, so national dashboards show a spread.
        leaning = rng.choice([Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE])
        earlier_findings: list[Finding] = []
        for index in range(visits):
            start = first_day + timedelta(days=int(slot * index + rng.uniform(0, max(slot - 12, 0))))
            kind = self._visit_kind(rng, index)
            inspection = self._inspection(authority, kind, start, rng, writer)
            overall = self._judgements(inspection, leaning, rng, writer)
            new_findings = self._findings(inspection, overall, earlier_findings, rng, writer)
            for finding in new_findings:
                self._actions(finding, inspection, people, rng, writer)
            earlier_findings.extend(new_findings)

    def _visit_kind(self, rng: random.Random, index: int) -> str:
        if index == 0:
            return InspectionKind.FULL
        return rng.choices(
            [InspectionKind.FULL, InspectionKind.SHORT, InspectionKind.FOCUSED, InspectionKind.MONITORING,
             InspectionKind.JTAI],
            weights=[12, 15, 35, 28, 10],
        )[0]

    def _people(self, authority: LocalAuthority, rng: random.Random) -> _AuthorityPeople:
        """Staff with roles and memberships, plus owners in partner agencies, for one authority."""
        User = get_user_model()
        people = _AuthorityPeople()
        specs = [("admin", Role.ADMIN, 1), ("lead", Role.IMPROVEMENT_LEAD, 2), ("leader", Role.SENIOR_LEADER, 2),
                 ("viewer", Role.VIEWER, 2), ("owner", Role.IMPROVEMENT_LEAD, 8)]
        specs += [(f"{code}-owner", Role.VIEWER, 1) for code, _ in PARTNER_AGENCIES]
        users, labels = [], {}
        for label, role, count in specs:
            for number in range(1, count + 1):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                username = f"{authority.slug}-{label}-{number}"[:150]
                users.append(
                    User(
                        username=username, first_name=first, last_name=last, password=self.password_hash,
                        email=f"{first}.{last}.{label}{number}@{authority.slug}.example.org".lower(),
                        is_active=True,
                    )
                )
                labels[username] = (label, role)
        User.objects.bulk_create(users)
        # Read back for primary keys (bulk_create does not set them on every database), in creation order.
        users = list(User.objects.filter(username__in=labels).order_by("id"))
        Membership.objects.bulk_create([Membership(user=u, authority=authority) for u in users])
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=u.id, group_id=self.groups[labels[u.username][1]].id) for u in users]
        )
        organisations = dict(PARTNER_AGENCIES)
        records = []
        for u in users:
            label = labels[u.username][0]
            if label == "lead":
                people.leads.append(u)
            if label in ("lead", "owner") or label.endswith("-owner"):
                agency = organisations.get(label.removesuffix("-owner"), authority.name)
                records.append(Owner(authority=authority, user=u, name=f"{u.first_name} {u.last_name}",
                                     email=u.email, organisation=agency))
            if label in ("admin", "leader"):
                people.verifiers.append(u)
        # Plans also name people who never sign in: officers and partner staff known only by name (two
        # of the four with an email address, so reminders reach them).
        for number in range(1, 5):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            code, agency = PARTNER_AGENCIES[(number - 1) % len(PARTNER_AGENCIES)]
            email = f"{first}.{last}.{code}{number}@{authority.slug}.example.org".lower() if number % 2 else ""
            records.append(Owner(authority=authority, name=f"{first} {last}", organisation=agency, email=email,
                                 job_title="Named officer"))
        # This run's records only (PostgreSQL returns their keys), in the order made: the same seed chooses the same.
        people.owners = Owner.objects.bulk_create(records)
        if any(owner.pk is None for owner in people.owners):  # a database that returns no keys: read them back
            people.owners = list(Owner.objects.filter(authority=authority).order_by("-id")[: len(records)])[::-1]
        self.counts.users += len(users)
        self.counts.memberships += len(users)
        return people

    def _inspection(self, authority, kind: str, start: date, rng: random.Random, writer: _Writer) -> Inspection:
        length = {InspectionKind.FULL: 11, InspectionKind.SHORT: 5, InspectionKind.JTAI: 5}.get(kind, 2)
        end = start + timedelta(days=length - 1)
        published = end + timedelta(days=rng.randint(20, 50))
        graded = kind in (InspectionKind.FULL, InspectionKind.SHORT)
        inspection = Inspection(
            id=self.ids[Inspection].take(),
            authority=authority,
            kind=kind,
            framework="JTAI" if kind == InspectionKind.JTAI else "ILACS",
            visit_start=start,
            visit_end=end,
            published_on=published,
            inspectors=rng.sample(INSPECTORS, 2 if kind in (InspectionKind.FOCUSED, InspectionKind.MONITORING) else 4),
            focus_area=rng.choice(FocusArea.values) if kind == InspectionKind.FOCUSED else "",
            headline=f"Generated {kind.replace('_', ' ')} of {authority.name} ({start:%B %Y}).",
            source_filename=GENERATED_SOURCE,
            plan_submitted_on=published + timedelta(days=70) if graded and published + timedelta(days=70) <= self.today else None,
            created_at=_aware(published, 600),
        )
        writer.add(inspection)
        return inspection

    def _judgements(self, inspection: Inspection, leaning: str, rng, writer: _Writer) -> str | None:
        if inspection.kind not in (InspectionKind.FULL, InspectionKind.SHORT):
            return None
        if inspection.visit_start >= date(2023, 1, 1):
            areas = [JudgementArea.OVERALL, JudgementArea.LEADERS, JudgementArea.HELP_AND_PROTECTION,
                     JudgementArea.CHILDREN_IN_CARE, JudgementArea.CARE_LEAVERS]
        else:
            areas = [JudgementArea.OVERALL, JudgementArea.LEADERS, JudgementArea.HELP_AND_PROTECTION,
                     JudgementArea.IN_CARE_AND_LEAVERS]
        grades = list(Grade.values)
        centre = grades.index(leaning)
        overall = None
        for area in areas:
            step = rng.choices([-1, 0, 0, 0, 1], k=1)[0]
            grade = grades[min(max(centre + step, 0), len(grades) - 1)]
            overall = overall or grade
            writer.add(Judgement(inspection=inspection, area=area, grade=grade))
        return overall

    def _findings(self, inspection, overall, earlier: list[Finding], rng, writer: _Writer) -> list[Finding]:
        count = rng.randint(3, 8)
        priority = 0
        if overall == Grade.INADEQUATE or (inspection.kind == InspectionKind.FOCUSED and rng.random() < 0.05):
            priority = rng.randint(1, 2)
        positions = {FindingKind.PRIORITY_ACTION: 0, FindingKind.IMPROVEMENT: 0}
        findings = []
        for number in range(count):
            kind = FindingKind.PRIORITY_ACTION if number < priority else FindingKind.IMPROVEMENT
            positions[kind] += 1
            repeats = None
            if earlier and rng.random() < 0.2:
                repeats = rng.choice(earlier[-40:])
            theme = repeats.theme if repeats else (rng.choice(self.themes) if rng.random() < 0.85 else None)
            template, subjects = FINDING_TEXTS.get(theme.slug, GENERIC_TEXT) if theme else GENERIC_TEXT
            text = template.format(subject=rng.choice(subjects))
            if repeats:
                text = text.rstrip(".") + ", raised again since the last visit."
            finding = Finding(
                id=self.ids[Finding].take(),
                inspection=inspection,
                kind=kind,
                text=text,
                position=positions[kind],
                theme=theme,
                repeats_id=repeats.id if repeats else None,
            )
            writer.add(finding)
            findings.append(finding)
        return findings

    # --- actions and their history ---------------------------------------------------------------------

    def _final_status(self, age_days: int, rng) -> str:
        if age_days > 3 * 365:
            weights = [0, 3, 1, 16, 80]
        elif age_days > 365:
            weights = [5, 25, 5, 25, 40]
        else:
            weights = [25, 50, 10, 10, 5]
        return rng.choices(
            [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.COMPLETE, Status.CLOSED], weights
        )[0]

    def _actions(self, finding: Finding, inspection: Inspection, people: _AuthorityPeople, rng, writer) -> None:
        letter_day = inspection.published_on
        for _ in range(rng.randint(3, 6)):
            final = self._final_status((self.today - letter_day).days, rng)
            owner = rng.choice(people.owners)
            author = rng.choice(people.leads)
            due = letter_day + timedelta(days=rng.randint(60, 400))
            measure = rng.choice(MEASURES) if rng.random() < 0.4 else None
            action = Action(
                id=self.ids[Action].take(),
                finding=finding,
                title=f"{rng.choice(ACTION_VERBS)} {rng.choice(ACTION_OBJECTS)}",
                description="Generated action for load testing.",
                owner=owner,
                due_date=due,
            )
            if measure:
                action.measure_name = measure[0]
                action.measure_baseline = Decimal(measure[1])
                action.measure_target = Decimal(measure[2])
            updates = self._history(action, final, letter_day, due, owner, author, measure, rng,
                                    verifier=people.verifiers[action.id % len(people.verifiers)])
            last = updates[-1]
            action.status, action.rag, action.version = last.status, last.rag, last.version
            action.progress_notes = next((u.note for u in reversed(updates) if u.note), "")
            action.evidence = next((u.changes["evidence"][1] for u in updates if "evidence" in u.changes), "")
            action.measure_latest = last.measure_value
            action.measure_latest_on = timezone.localtime(last.created_at).date() if last.measure_value is not None else None
            action.created_at = updates[0].created_at
            action.updated_at = last.created_at
            # As actions.services._record keeps it: the latest row that recorded a progress note.
            action.last_progress_at = max(
                (u.created_at for u in updates if "progress_notes" in u.changes), default=None
            )
            writer.add(action)
            for update in updates:
                writer.add(update)

    def _history(self, action, final, letter_day, due, owner, author, measure, rng, *, verifier) -> list[ActionUpdate]:
        """The action's rows, oldest first: creation, then status steps and notes, ending at `final`.

        Rows are written in batches, not through the services, but each step is checked against the
        same rules (validate_action_values, validate_verification): evidence before complete, a reason
        for a RAG override, closing only by a second person.
        """
        # The action as it stands after each row, for the rule checks (no primary key: no queries).
        shadow = Action(status=Status.NOT_STARTED, rag=Rag.GREEN, due_date=due, owner=owner)
        path = {
            Status.NOT_STARTED: [],
            Status.IN_PROGRESS: [Status.IN_PROGRESS],
            Status.BLOCKED: [Status.IN_PROGRESS, Status.BLOCKED],
            Status.COMPLETE: [Status.IN_PROGRESS, Status.COMPLETE],
            Status.CLOSED: [Status.IN_PROGRESS, Status.COMPLETE, Status.CLOSED],
        }[final]
        if final in (Status.COMPLETE, Status.CLOSED) and rng.random() < 0.2:
            path = [Status.IN_PROGRESS, Status.BLOCKED, *path]
        total = max(rng.randint(5, 20), len(path) + 1)
        start = _aware(letter_day, rng.randint(0, 13 * 24 * 60))
        if final in DONE_STATUSES:
            finish = _aware(min(due + timedelta(days=rng.randint(-40, 60)), self.today))
        else:
            finish = self.until
        finish = min(max(finish, start + timedelta(hours=total)), self.until - timedelta(minutes=1))
        span = max((finish - start).total_seconds(), total)
        offsets = sorted(rng.uniform(0, span) for _ in range(total - 1))
        # Strictly increasing times, a second apart at least.
        times = [start]
        for offset in offsets:
            times.append(max(start + timedelta(seconds=offset), times[-1] + timedelta(seconds=1)))
        # Status steps land on distinct rows after the first; a finished action finishes on its last row.
        if final in DONE_STATUSES:
            rows = sorted(rng.sample(range(2, total), len(path) - 1)) + [total]
        else:
            rows = sorted(rng.sample(range(2, total + 1), len(path)))
        step_rows = dict(zip(rows, path))
        status, rag = Status.NOT_STARTED, Rag.GREEN
        value = Decimal(measure[1]) if measure else None
        latest = None
        updates = []
        for number, at in enumerate(times, start=1):
            row_author = author
            changes: dict[str, list] = {}
            note = ""
            if number == 1:
                changes = {
                    "title": [None, action.title],
                    "owner": [None, owner.name],
                    "due_date": [None, due.isoformat()],
                    "status": [None, status],
                    "rag": [None, rag],
                }
                note = "Action created"
            else:
                new_status = step_rows.get(number, status)
                row_author = author
                if new_status != status:
                    changes["status"] = [status, new_status]
                    if new_status == Status.COMPLETE:
                        changes["evidence"] = [None, EVIDENCE_SUMMARY]
                    if new_status == Status.CLOSED:
                        row_author = verifier
                    status = new_status
                new_rag = self._rag_for(status, due, at, rng, rag)
                if number == total:
                    new_rag = self._final_rag(status, due, rng)
                if new_rag != rag:
                    changes["rag"] = [rag, new_rag]
                    rag = new_rag
                self._check_rules(shadow, changes, row_author, at)
                if measure and rng.random() < 0.5:
                    target = Decimal(measure[2])
                    moved = value + (target - value) * Decimal(str(round(rng.uniform(0.05, 0.3), 2)))
                    moved = moved.quantize(Decimal("0.01"))
                    changes["measure_latest"] = [None if latest is None else str(latest), str(moved)]
                    value = latest = moved
                note = rng.choice(NOTES)
                if not changes:
                    changes["progress_notes"] = ["", note]
            updates.append(
                ActionUpdate(
                    id=self.ids[ActionUpdate].take(),
                    action=action,
                    author=row_author,
                    created_at=at,
                    version=number,
                    changes=changes,
                    note=note,
                    status=status,
                    rag=rag,
                    measure_value=latest,
                )
            )
        return updates

    @staticmethod
    def _check_rules(shadow: Action, changes: dict[str, list], author, at: datetime) -> None:
        """Refuse (as a bug in the generator) a row the services would refuse; record a RAG reason where
        the rules ask for one; then move `shadow` to the row's values."""
        values = {name: change[1] for name, change in changes.items() if name in ("status", "rag", "evidence")}
        errors = {}
        if values.get("status") == Status.CLOSED:
            errors = validate_verification(verifier=author, action=shadow)
            del values["status"]
        today = timezone.localtime(at).date()
        unreasoned = validate_action_values(before=shadow, changes=values, today=today)
        if "rag_reason" in unreasoned:
            changes["rag_reason"] = [None, RAG_REASON]
        errors.update(validate_action_values(before=shadow, changes=values, rag_reason=RAG_REASON, today=today))
        if errors:
            raise RuntimeError(f"The generator wrote a row the tracker's rules refuse: {errors}")
        for name, change in changes.items():
            if name in ("status", "rag", "evidence"):
                setattr(shadow, name, change[1])

    def _rag_for(self, status, due, at, rng, current) -> str:
        if status in DONE_STATUSES:
            return Rag.GREEN
        if status == Status.BLOCKED:
            return Rag.AMBER
        if timezone.localtime(at).date() > due:
            return Rag.RED
        return current if rng.random() < 0.8 else rng.choice([Rag.GREEN, Rag.AMBER])

    def _final_rag(self, status, due, rng) -> str:
        if status in DONE_STATUSES:
            return Rag.GREEN
        if due < self.today:
            return Rag.RED
        if status == Status.BLOCKED:
            return Rag.AMBER
        return rng.choice([Rag.GREEN, Rag.GREEN, Rag.AMBER])

    def _reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(_Writer.ORDER))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


    def _refresh_statistics(self) -> None:
        # The planner's row estimates come from these statistics: straight after a bulk load they describe
        # empty tables (and autovacuum may be off, or not yet round), so joins get planned as sequential
        # scans of every action. Measured: a dashboard's queries went from 54 ms to a few.
        tables = [model._meta.db_table for model in (*_Writer.ORDER, get_user_model(), Membership)]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def timed(function: Callable[[], Counts]) -> tuple[Counts, float]:
    started = time_module.monotonic()
    counts = function()
    return counts, time_module.monotonic() - started

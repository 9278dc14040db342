from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.people import person_label


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed (verified)"


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)
DONE_STATUSES = (Status.COMPLETE, Status.CLOSED)

STATUS_TAG_CLASS = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--blue",
    Status.BLOCKED: "govuk-tag--orange",
    Status.COMPLETE: "govuk-tag--green",
    Status.CLOSED: "govuk-tag--teal",
}


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# An action not started this close to its due date is at risk.
SUGGESTED_AMBER_DAYS = 14

def stale_update_days() -> int:
    """After how many days without a progress update an open action is flagged (STALE_UPDATE_DAYS)."""
    return int(getattr(settings, "STALE_UPDATE_DAYS", 45))


def stale_cutoff_date(today: date) -> date:
    """An open action whose last progress update (or creation) was before this date is stale."""
    return today - timedelta(days=stale_update_days())


RAG_TAG_CLASS = {Rag.RED: "govuk-tag--red", Rag.AMBER: "govuk-tag--orange", Rag.GREEN: "govuk-tag--green"}


class Owner(models.Model):
    """Who an action is assigned to: a person named in the council's plan, with or without an account.

    Plans name officers and partner agencies who will never sign in, so an owner is a record of the
    council, optionally linked to a user (then "My actions" and the owner's rights follow the link).
    Reminders go to those with an email address. `get_full_name` and `get_username` let an owner be
    named by core.people.person_label like a user.
    """

    authority = models.ForeignKey(
        "inspections.LocalAuthority", on_delete=models.CASCADE, related_name="action_owners"
    )
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owner_records",
        help_text="The tracker account of this person, if they have one.",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "user"], name="owner_one_record_per_user"),
            models.CheckConstraint(condition=~Q(name=""), name="owner_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name

    def get_username(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        """"Jo Bloggs, Head of Service, Barnsley Council": the name with what is known about the person."""
        return ", ".join(part for part in (self.name, self.job_title, self.organisation) if part)

    @property
    def contact_email(self) -> str:
        """Where reminders go: the record's email, else its account's."""
        if self.email:
            return self.email
        if self.user_id is not None and self.user.is_active:
            return self.user.email
        return ""


class Action(models.Model):
    """One item of the council's action plan against a finding."""

    finding = models.ForeignKey("findings.Finding", on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices, default=Rag.GREEN)
    progress_notes = models.TextField(blank=True)
    evidence = models.TextField("evidence summary", blank=True)
    evidence_link = models.URLField(blank=True, max_length=500)
    measure_name = models.CharField("impact measure", max_length=200, blank=True)
    measure_baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measure_target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measure_latest = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measure_latest_on = models.DateField(null=True, blank=True)
    # Optimistic locking: every save must name the version it read; the service refuses stale ones.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the last progress note was recorded (the latest history row whose changes hold
    # "progress_notes"). Denormalised so lists, dashboards and exports read it with the row, no subquery;
    # written only by actions.services._record, the one writer of history.
    last_progress_at = models.DateTimeField("last progress update", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="action_status_valid"),
            models.CheckConstraint(condition=Q(rag__in=Rag.values), name="action_rag_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="action_version_positive"),
            models.CheckConstraint(condition=~Q(title=""), name="action_title_not_empty"),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["last_progress_at"], name="action_last_progress_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actions:action_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.status not in DONE_STATUSES and self.due_date is not None and self.due_date < today

    def suggested_rag(self, today=None) -> str:
        """What the dates and progress suggest; the lead may override it with a reason.

        Done is green; overdue and not done is red; blocked, or not started within 14 days of the due
        date, is amber; anything else is green.
        """
        from django.utils import timezone

        today = today or timezone.localdate()
        if self.status in DONE_STATUSES:
            return Rag.GREEN
        if self.due_date is not None and self.due_date < today:
            return Rag.RED
        if self.status == Status.BLOCKED:
            return Rag.AMBER
        if (
            self.status == Status.NOT_STARTED
            and self.due_date is not None
            and (self.due_date - today).days <= SUGGESTED_AMBER_DAYS
        ):
            return Rag.AMBER
        return Rag.GREEN

    @property
    def suggested_rag_label(self) -> str:
        return Rag(self.suggested_rag()).label

    @property
    def suggested_rag_tag_class(self) -> str:
        return RAG_TAG_CLASS[self.suggested_rag()]

    def days_since_progress(self, today=None) -> int | None:
        """Whole days since the last progress update (None when there has been none)."""

        if self.last_progress_at is None:
            return None
        today = today or timezone.localdate()
        return (today - timezone.localdate(self.last_progress_at)).days

    def is_stale(self, today=None) -> bool:
        """Open and without a progress update for more than STALE_UPDATE_DAYS (counted from creation when
        there has been none). Done actions are never stale: nothing more is expected of them."""
        if self.status in DONE_STATUSES:
            return False
        since = self.last_progress_at or self.created_at
        if since is None:
            return False
        today = today or timezone.localdate()
        return timezone.localdate(since) < stale_cutoff_date(today)

    @property
    def stale_days(self) -> int:
        """Days without a progress update, counted from creation when there has been none."""

        since = self.last_progress_at or self.created_at
        return (timezone.localdate() - timezone.localdate(since)).days if since else 0

    @property
    def measure_summary(self) -> str:
        """"54 → 71, target 90": baseline to latest, and where it should get to."""
        if not self.measure_name:
            return ""

        def show(value) -> str:
            if value is None:
                return "–"
            return format(value.normalize(), "f")

        text = f"{show(self.measure_baseline)} → {show(self.measure_latest)}"
        if self.measure_target is not None:
            text += f", target {show(self.measure_target)}"
        return text

    @property
    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASS[self.status]

    @property
    def rag_tag_class(self) -> str:
        return RAG_TAG_CLASS[self.rag]


class ActionUpdate(models.Model):
    """Append-only history: one dated row per change to an action, with its position at that moment.

    The position on any past date is the latest row on or before that date.
    """

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    version = models.PositiveIntegerField(help_text="The action's version after this change.")
    changes = models.JSONField(default=dict, blank=True, help_text="field: [from, to]")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)
    measure_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["action", "-created_at", "-version"]
        get_latest_by = "created_at"
        constraints = [
            # Two saves from the same version can never both land: the second collides here.
            models.UniqueConstraint(fields=["action", "version"], name="action_update_unique_version"),
        ]
        indexes = [
            # "Position on a date" reads the latest row per action: an index-only scan on PostgreSQL
            # (status and RAG are covered), measured 216 → 36 ms for the dashboard burn-down (docs/benchmarks.md).
            models.Index(
                fields=["action", "-created_at", "-version"],
                include=["status", "rag"],
                name="actionupdate_position_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} v{self.version} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Action history is append-only: an update cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Action history is append-only: an update cannot be deleted.")

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        return [(field, values[0], values[1]) for field, values in (self.changes or {}).items()]


def _evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random name: the uploader's filename is kept as data, never as a path on disk.
    import uuid

    return f"evidence/{timezone_now():%Y/%m}/{uuid.uuid4().hex}"


def timezone_now():
    from django.utils import timezone

    return timezone.now()


class Evidence(models.Model):
    """A file or a link offered as evidence for an action. Files are private: served by an authorised view."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence_items")
    update = models.ForeignKey(
        ActionUpdate, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_items",
        help_text="The history row this evidence was added with.",
    )
    file = models.FileField(upload_to=_evidence_upload_to, blank=True, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    link = models.URLField(blank=True, max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone_now)

    class Meta:
        ordering = ["action", "uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="evidence_has_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.link

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def label(self) -> str:
        return self.original_name or self.link

    @property
    def uploaded_by_name(self) -> str:
        person = self.uploaded_by
        return person_label(person, nobody="System")

    def get_absolute_url(self) -> str:
        if not self.is_file:
            return self.link
        return reverse("actions:evidence_download", kwargs={"pk": self.action_id, "evidence_pk": self.pk})


class ActionPlan(models.Model):
    """The council's plan for one inspection as a whole: when its draft was sent to Ofsted.

    The final submission date lives on Inspection.plan_submitted_on; the draft (for priority actions) here.
    """

    inspection = models.OneToOneField(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="action_plan"
    )
    draft_submitted_on = models.DateField("draft plan submitted to Ofsted", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Action plan for {self.inspection}"


class ReminderKind(models.TextChoices):
    DIGEST = "digest", "Due and overdue digest"
    UPDATE_DUE = "update_due", "Monthly update due"
    ESCALATION = "escalation", "Late update escalation"


class ReminderLog(models.Model):
    """One row per email sent: the unique constraint makes a second run on the same day send nothing.

    The person is a user, or (an owner without an account) an email address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    email = models.EmailField(blank=True, help_text="For an owner without an account: where it was sent.")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    date = models.DateField()
    action_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone_now)

    class Meta:
        ordering = ["-date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "date"], name="reminder_once_per_day"),
            models.UniqueConstraint(
                fields=["email", "kind", "date"], condition=Q(user__isnull=True), name="reminder_once_per_day_by_email"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(email=""), name="reminder_has_recipient"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user or self.email} on {self.date}"

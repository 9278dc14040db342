from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


# ONS region -> Ofsted region: Ofsted joins the North East with Yorkshire and the Humber.
OFSTED_REGION_FOR = {
    "North East": "North East, Yorkshire and the Humber",
    "Yorkshire and the Humber": "North East, Yorkshire and the Humber",
}
OFSTED_REGIONS = (
    "East Midlands", "East of England", "London", "North East, Yorkshire and the Humber", "North West",
    "South East", "South West", "West Midlands",
)  # fmt: skip


def ofsted_region_for(region: str) -> str:
    return OFSTED_REGION_FOR.get(region, region)


class LocalAuthority(models.Model):
    """An English council with children's services, as Ofsted knows it (its URN is in report URLs)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    ofsted_urn = models.CharField("Ofsted URN", max_length=10, unique=True)
    dfe_code = models.CharField("DfE LA code", max_length=3, blank=True)
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    region = models.CharField(max_length=60, blank=True)
    # Ofsted's eight regions (North East, Yorkshire and the Humber is one), as its published outcomes use.
    ofsted_region = models.CharField("Ofsted region", max_length=60, blank=True)
    la_type = models.CharField("type", max_length=60, blank=True)
    # Counts the committed changes to anything shown about this council (its visits, findings, actions and
    # their history, its members). Cached page parts are keyed by it, so a change shows at once; it is
    # raised after each commit by inspections.services.authority_data_changed.
    data_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Counts the committed changes to the council's visits alone: inspections, judgements, findings, plan
    # dates and which visits have an action plan. Every write raises it with data_revision except an
    # existing action's own changes (its status, progress, evidence: the day-to-day work), so what reads
    # only visits (the comparison's grades and findings, the list of plans, the national picture) is
    # kept across a council's daily updates and built again only when a visit changes.
    visits_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Counts the committed changes that can move where the council's actions stood over time (the
    # dashboard's monthly burn-down, the comparison's "open at the next visit"): a change of an action's
    # status, a new action, a history row dated in the past, and every write that raises visits_revision.
    # A progress note, evidence, a RAG or a due date written now leaves it, so those figures are kept
    # across the day's updates.
    statuses_revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:authority_detail", kwargs={"slug": self.slug})

    @property
    def ofsted_reports_url(self) -> str:
        # Ofsted files a provider's reports under the last two digits of its URN.
        return f"https://reports.ofsted.gov.uk/provider/44/{self.ofsted_urn}"


class InspectionKind(models.TextChoices):
    FULL = "full_inspection", "Full inspection"
    SHORT = "short_inspection", "Short inspection"
    FOCUSED = "focused_visit", "Focused visit"
    MONITORING = "monitoring_visit", "Monitoring visit"
    JTAI = "jtai", "Joint targeted area inspection"


GRADED_KINDS = frozenset({InspectionKind.FULL, InspectionKind.SHORT})


class FocusArea(models.TextChoices):
    FRONT_DOOR = "front_door", "The front door"
    CHILDREN_IN_NEED = "children_in_need_and_child_protection", "Children in need and child protection"
    OUTSIDE_HOME = "children_at_risk_outside_home", "Children at risk from outside the home"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    PERMANENCE = "permanence", "Permanence"
    CARE_LEAVERS = "care_leavers", "Care leavers"
    OLDER_CHILDREN = "placement_decisions_older_children", "Placement decisions for older children"
    DISABLED_CHILDREN = "disabled_children", "Disabled children"


class Inspection(models.Model):
    """One Ofsted publication about one authority: a graded inspection report or an ungraded visit letter."""

    authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(max_length=20, choices=InspectionKind.choices)
    framework = models.CharField(max_length=20, default="ILACS")
    visit_start = models.DateField()
    visit_end = models.DateField()
    published_on = models.DateField("letter or publication date", null=True, blank=True)
    inspectors = models.JSONField(default=list, blank=True)
    focus_area = models.CharField(
        "area of practice", max_length=40, choices=FocusArea.choices, blank=True
    )
    headline = models.TextField("headline summary", blank=True)
    source_document = models.FileField(upload_to="letters/", blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField("SHA-256 of the source", max_length=64, null=True, blank=True, unique=True)
    plan_submitted_on = models.DateField("action plan submitted to Ofsted", null=True, blank=True)
    # Where the record came from when not from a letter: "Ofsted published outcomes, as at 31 March 2026".
    source = models.CharField("source", max_length=120, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visit_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_end__gte=F("visit_start")),
                name="inspection_end_not_before_start",
                violation_error_message="The visit cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["authority", "kind", "visit_start", "visit_end"],
                name="inspection_unique_visit",
                violation_error_message="This authority already has this kind of inspection on these dates.",
            ),
        ]
        indexes = [models.Index(fields=["authority", "visit_start"])]

    def __str__(self) -> str:
        return f"{self.authority.name}: {self.get_kind_display()} {self.visit_start:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", kwargs={"pk": self.pk})

    @property
    def is_graded(self) -> bool:
        return self.kind in GRADED_KINDS

    @property
    def title(self) -> str:
        return f"{self.get_kind_display()}, {self.date_range_display}"

    @property
    def date_range_display(self) -> str:
        start, end = self.visit_start, self.visit_end
        if start == end:
            return f"{end.day} {end:%B %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day} to {end.day} {end:%B %Y}"
        if start.year == end.year:
            return f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
        return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"

    def clean(self) -> None:
        if self.visit_start and self.visit_end and self.visit_end < self.visit_start:
            raise ValidationError({"visit_end": "The visit cannot end before it starts."})


class JudgementArea(models.TextChoices):
    OVERALL = "overall_effectiveness", "Overall effectiveness"
    LEADERS = "impact_of_leaders", "The impact of leaders on social work practice with children and families"
    HELP_AND_PROTECTION = "help_and_protection", "The experiences and progress of children who need help and protection"
    CHILDREN_IN_CARE = "children_in_care", "The experiences and progress of children in care"
    CARE_LEAVERS = "care_leavers", "The experiences and progress of care leavers"
    IN_CARE_AND_LEAVERS = (
        "children_in_care_and_care_leavers",
        "The experiences and progress of children in care and care leavers",
    )


JUDGEMENT_AREA_SHORT_LABELS = {
    JudgementArea.OVERALL: "Overall effectiveness",
    JudgementArea.LEADERS: "Impact of leaders",
    JudgementArea.HELP_AND_PROTECTION: "Help and protection",
    JudgementArea.CHILDREN_IN_CARE: "Children in care",
    JudgementArea.CARE_LEAVERS: "Care leavers",
    JudgementArea.IN_CARE_AND_LEAVERS: "Children in care and care leavers (before 2023)",
}


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


# Lower is better, so a grade "improved" when its rank falls.
GRADE_RANK = {Grade.OUTSTANDING: 1, Grade.GOOD: 2, Grade.REQUIRES_IMPROVEMENT: 3, Grade.INADEQUATE: 4}
GRADE_TAG_CLASS = {
    Grade.OUTSTANDING: "govuk-tag--green",
    Grade.GOOD: "govuk-tag--teal",
    Grade.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    Grade.INADEQUATE: "govuk-tag--red",
}


class Judgement(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=40, choices=JudgementArea.choices)
    grade = models.CharField(max_length=30, choices=Grade.choices)
    # Blank for a letter's own judgement; otherwise where the grade came from (Ofsted's published outcomes).
    source = models.CharField("source", max_length=120, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "area"],
                name="judgement_one_per_area",
                violation_error_message="This inspection already has a judgement for this area.",
            ),
            models.CheckConstraint(condition=Q(area__in=JudgementArea.values), name="judgement_area_valid"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="judgement_grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_grade_display()}"

    @property
    def short_area(self) -> str:
        return JUDGEMENT_AREA_SHORT_LABELS[self.area]

    @property
    def grade_tag_class(self) -> str:
        return GRADE_TAG_CLASS[self.grade]

    def clean(self) -> None:
        if self.inspection_id and not self.inspection.is_graded:
            raise ValidationError(
                f"A {self.inspection.get_kind_display().lower()} is not graded: only full and short "
                "inspections carry judgements."
            )

    def save(self, *args, **kwargs) -> None:
        # A cross-table rule the database cannot check: refuse grades on ungraded visits on every path.
        self.clean()
        super().save(*args, **kwargs)


class ImportDraft(models.Model):
    """An upload between its first page and its confirmation: an Ofsted letter (upload, preview, confirm) or
    an action plan spreadsheet (upload, columns, check). The source sits in private storage under a random
    name, what the steps have learnt so far in `parsed`, bound to the person who uploaded it, until it
    expires. Nothing about an import is kept in the session or written to files by views."""

    class Kind(models.TextChoices):
        LETTER = "letter", "Ofsted letter or report"
        ACTION_PLAN = "action_plan", "Action plan spreadsheet"

    token = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LETTER)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source_name = models.CharField("stored name of the source", max_length=255)
    source_filename = models.CharField("file name as uploaded", max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64)
    # A letter: what the importer read. An action plan: its format, inspection and column mapping.
    parsed = models.JSONField("what the importer read", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"Import of {self.source_filename or 'pasted text'} by {self.user}"

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse

from inspections.importing.framework import FRAMEWORK_REFS, invalid_refs, sort_refs

# Each national framework tag with the framework's wording: "outcome 4" -> "Outcome 4: Children in care ...".
FRAMEWORK_REF_LABELS = dict(FRAMEWORK_REFS)


def framework_ref_q(ref: str, *, prefix: str = "") -> Q:
    """Rows whose finding is tagged `ref` (prefix: the path to the finding, e.g. "finding__").

    PostgreSQL answers with JSON containment (@>); SQLite, the local default, has no such operator, so
    there the list's JSON text is searched for the quoted tag (tags are never part of one another)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{prefix}framework_refs__contains": [ref]})
    return Q(**{f"{prefix}framework_refs__icontains": f'"{ref}"'})


class Theme(models.Model):
    """A short controlled list of what findings are about, so plans can be read across visits."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True, help_text="Words that suggest this theme for an imported point, one per line."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class FindingKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Area for improvement"
    PRIORITY_ACTION = "priority_action", "Area for priority action"


def validate_framework_refs(value) -> None:
    bad = invalid_refs(value)
    if bad:
        raise ValidationError(
            f"Not a national framework reference: {', '.join(bad)}. Use outcome 1-4, enabler 1-3 or principle 1-6."
        )


class Finding(models.Model):
    """One point of "what needs to improve" in a publication, verbatim, in its published order."""

    inspection = models.ForeignKey("inspections.Inspection", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=FindingKind.choices, default=FindingKind.IMPROVEMENT)
    text = models.TextField("what needs to improve")
    position = models.PositiveSmallIntegerField()
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="findings")
    repeats = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeated_by",
        help_text="The earlier finding, from a previous visit, that this one raises again.",
    )
    # Children's Social Care: National Framework references ("outcome 4", "enabler 2", "principle 1"),
    # printed by Ofsted after each point since autumn 2025 and what improvement boards report against.
    framework_refs = models.JSONField(
        "national framework references", default=list, blank=True, validators=[validate_framework_refs]
    )

    class Meta:
        ordering = ["inspection", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind", "position"], name="finding_unique_position"),
            models.CheckConstraint(condition=~Q(text=""), name="finding_text_not_empty"),
            models.CheckConstraint(condition=~Q(repeats=models.F("id")), name="finding_not_repeating_itself"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."

    @property
    def framework_ref_labels(self) -> list[str]:
        """The finding's national framework tags in the framework's order and wording."""
        return [FRAMEWORK_REF_LABELS.get(ref, ref) for ref in sort_refs(self.framework_refs or [])]

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection_detail", kwargs={"pk": self.inspection_id}) + f"#finding-{self.pk}"

    def clean(self) -> None:
        if self.repeats_id and self.inspection_id:
            earlier = self.repeats
            if earlier.inspection.authority_id != self.inspection.authority_id:
                raise ValidationError({"repeats": "A finding can only repeat a finding of the same authority."})
            if earlier.inspection.visit_start >= self.inspection.visit_start:
                raise ValidationError({"repeats": "A finding can only repeat a finding from an earlier visit."})

"""django-filter FilterSets for the action lists: the filter state is the query string, so any view of
the list is a URL that can be bookmarked, shared, exported (format=csv|xlsx) and works without JavaScript."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from actions.models import DONE_STATUSES, Action, Rag, Status, stale_update_days
from actions.selectors import DUE_SOON_DAYS, due_soon_q, owner_choices_for, owner_options_for, sent_back_q, stale_q
from actions.selectors import update_due_q
from core.forms import GovukDateField
from core.ids import IdBoundsMixin, database_id
from core.people import person_label
from findings.models import FRAMEWORK_REF_LABELS, Finding, Theme, framework_ref_q
from findings.selectors import theme_options_for
from inspections.importing.framework import FRAMEWORK_REFS
from inspections.selectors import authorities_for, authority_ids_for, council_choices_for
from inspections.selectors import inspections_for, visit_label, visit_options_for


def _finding_label(finding: Finding) -> str:
    inspection = finding.inspection
    kind = "Priority action" if finding.kind == "priority_action" else "Improvement"
    text = finding.text if len(finding.text) <= 60 else finding.text[:57] + "..."
    return f"{inspection.authority.name}, {inspection.get_kind_display()} {inspection.visit_start:%b %Y}: {kind} {finding.position}: {text}"


# The national framework tags as grouped choices ("Outcomes", "Enablers", "Principles"), and findings with none.
NO_FRAMEWORK_REF = "none"


def _framework_choices() -> list:
    groups: dict[str, list] = {}
    for ref, label in FRAMEWORK_REFS:
        groups.setdefault(ref.split()[0].capitalize() + "s", []).append((ref, label))
    return list(groups.items()) + [(NO_FRAMEWORK_REF, "No national framework tag")]


def framework_filter_label(value: str) -> str:
    return "No national framework tag" if value == NO_FRAMEWORK_REF else FRAMEWORK_REF_LABELS.get(value, value)


def _chosen_id(data, name: str) -> int | None:
    """The id chosen for a filter in the query string, or None (absent or not a number)."""
    return database_id(data.get(name)) if data is not None else None


class _IdChoiceField(IdBoundsMixin, FilterModelChoiceField):
    pass


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of record by id; an id too large for the database is an invalid choice, not a 500."""

    field_class = _IdChoiceField


UPDATE_CHOICES = [
    ("due", "Due this cycle (not updated since the update day)"),
    ("late", "Late (still not updated after the escalation days)"),
]
class GovukDateFilter(django_filters.Filter):
    """A date filter typed as day, month and year (core.forms.GovukDateField); ?due_from=2026-05-01 too."""

    field_class = GovukDateField


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    authority = IdChoiceFilter(
        label="Council", field_name="finding__inspection__authority", queryset=None, empty_label="All councils"
    )
    inspection = IdChoiceFilter(
        label="Inspection or visit", field_name="finding__inspection", queryset=None, empty_label="All"
    )
    finding = IdChoiceFilter(label="Finding", queryset=None, empty_label="All")
    theme = IdChoiceFilter(
        label="Theme", field_name="finding__theme", queryset=Theme.objects.all(), empty_label="All themes"
    )
    framework = django_filters.ChoiceFilter(
        label="National framework", choices=_framework_choices(), empty_label="All outcomes, enablers and principles",
        method="filter_framework",
    )
    # A column of the action itself: no join can repeat a row, so no DISTINCT (django-filter's default for
    # multiple choices, which made PostgreSQL sort every matching row before counting or paging them).
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    rag = django_filters.MultipleChoiceFilter(
        label="RAG", choices=Rag.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    owner = IdChoiceFilter(
        label="Owner", queryset=None, empty_label="Anyone", null_label="Unassigned"
    )
    due_from = GovukDateFilter(label="Due on or after", field_name="due_date", lookup_expr="gte")
    due_to = GovukDateFilter(label="Due on or before", field_name="due_date", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput
    )
    due_soon = django_filters.BooleanFilter(
        label=f"Due in the next {DUE_SOON_DAYS} days", method="filter_due_soon", widget=forms.CheckboxInput
    )
    sent_back = django_filters.BooleanFilter(
        label="Sent back by a checker", method="filter_sent_back", widget=forms.CheckboxInput
    )
    update = django_filters.ChoiceFilter(
        label="Monthly update", choices=UPDATE_CHOICES, method="filter_update", empty_label="Any"
    )

    stale = django_filters.BooleanFilter(
        label="No recent progress update", method="filter_stale", widget=forms.CheckboxInput
    )

    class Meta:
        model = Action
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, user=None, exclude=(), **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = user or request.user
        for name in exclude:
            self.filters.pop(name, None)
        # The visit and finding choices narrow with the council and visit chosen: listing every finding of
        # every visit would put tens of thousands of options on each page at national scale. A value
        # already in the query string always stays a choice, so a shared link keeps working.
        chosen_authority = _chosen_id(self.data, "authority")
        chosen_inspection = _chosen_id(self.data, "inspection")
        chosen_finding = _chosen_id(self.data, "finding")
        self.inspection_hint = ""
        visits_council = None  # the council whose visits are the visit filter's choices, when there is one
        self.finding_hint = "" if chosen_inspection is not None else "Choose a visit and apply to list its findings"
        # Each choice list reads only what its labels show (a council's codes, a theme's keywords and an
        # owner's contact details are not needed to name them).
        if "authority" in self.filters:
            self.filters["authority"].queryset = authorities_for(user).order_by("name").only("id", "name")
        if "inspection" in self.filters:
            inspections = inspections_for(user)
            visits_council = chosen_authority
            if chosen_authority is not None:
                inspections = inspections.filter(Q(authority_id=chosen_authority) | Q(pk=chosen_inspection))
            elif len(authority_ids_for(user)) > 1:
                inspections = inspections.filter(pk=chosen_inspection)
                self.inspection_hint = "Choose a council and apply to list its visits"
            else:
                visits_council = next(iter(authority_ids_for(user)), None)
            self.filters["inspection"].queryset = inspections.select_related("authority").order_by(
                "authority__name", "-visit_start"
            ).only("id", "kind", "visit_start", "authority__id", "authority__name")
        if "finding" in self.filters:
            if chosen_inspection is None and chosen_finding is None:
                findings = Finding.objects.none()  # nothing to list until a visit is chosen: no query
            else:
                findings = Finding.objects.filter(inspection__in=inspections_for(user)).filter(
                    Q(inspection_id=chosen_inspection) | Q(pk=chosen_finding)
                )
            self.filters["finding"].queryset = findings.select_related("inspection__authority").order_by(
                "inspection__authority__name", "-inspection__visit_start", "-kind", "position"
            )
        if "theme" in self.filters:
            self.filters["theme"].queryset = Theme.objects.only("id", "name")
        if "owner" in self.filters:
            self.filters["owner"].queryset = owner_choices_for(user).only("id", "name")
        form = self.form
        for name, label in (("inspection", visit_label), ("finding", _finding_label), ("owner", person_label)):
            if name in form.fields:
                form.fields[name].label_from_instance = label
        # The long choice lists come from data kept under each council's visits revision (the councils from
        # the request's scope); the querysets above still validate what was chosen.
        if "authority" in form.fields:
            field = form.fields["authority"]
            field.widget.choices = [("", field.empty_label), *council_choices_for(user)]
        if "owner" in form.fields:
            field = form.fields["owner"]
            field.widget.choices = [("", field.empty_label), (field.null_value, field.null_label),
                                    *owner_options_for(user)]
        if "theme" in form.fields:
            field = form.fields["theme"]
            field.widget.choices = [("", field.empty_label), *theme_options_for(user)]
        if "inspection" in form.fields and visits_council is not None:
            options = visit_options_for(user, visits_council)
            if chosen_inspection is None or any(pk == chosen_inspection for pk, _label in options):
                field = form.fields["inspection"]
                field.widget.choices = [("", field.empty_label), *options]
        # Rendered through the one GOV.UK field template: small labels, the filter panel's full-width controls.
        form.label_classes = {name: "govuk-label--s" for name in form.fields}
        for name in ("owner", "authority", "inspection", "finding", "theme", "update", "framework"):
            if name in form.fields:
                form.fields[name].widget.attrs["class"] = "app-filter__control"
        for name, hint in (("inspection", self.inspection_hint), ("finding", self.finding_hint)):
            if name in form.fields:
                form.fields[name].help_text = hint

    def filter_search(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        # Every word must appear somewhere: in the action, its progress notes or its finding.
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(progress_notes__icontains=word)
                | Q(finding__text__icontains=word)
            )
        return queryset

    def filter_framework(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        # Tags are a JSON list on the finding: is this tag among them (findings.models.framework_ref_q).
        if value == NO_FRAMEWORK_REF:
            return queryset.filter(finding__framework_refs=[])
        return queryset.filter(framework_ref_q(value, prefix="finding__"))

    def filter_overdue(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(due_date__lt=timezone.localdate()).exclude(status__in=DONE_STATUSES)

    def filter_due_soon(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(due_soon_q(timezone.localdate()))

    def filter_sent_back(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(sent_back_q())

    def filter_update(self, queryset: QuerySet[Action], name: str, value: str) -> QuerySet[Action]:
        if value not in ("due", "late"):
            return queryset
        return queryset.filter(update_due_q(timezone.localdate(), late=value == "late"))
    def filter_stale(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(stale_q(timezone.localdate()))

    @cached_property
    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the filters in use, for the "Selected filters" summary."""
        if not self.is_bound or not self.form.is_valid():
            return []
        chosen = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], False):
                continue
            if name in ("status", "rag"):
                labels = dict(field.choices)
                shown = ", ".join(str(labels[v]) for v in value)
            elif name == "stale":
                shown = f"No progress update for more than {stale_update_days()} days"
                chosen.append(("Updates", shown))
                continue
            elif value is True:
                shown = "Yes"
            elif name == "update":
                shown = str(dict(field.choices)[value])
            elif name == "framework":
                shown = framework_filter_label(value)
            elif name in ("due_from", "due_to"):
                shown = f"{value.day} {value:%B %Y}"
            elif hasattr(field, "label_from_instance") and hasattr(value, "pk"):
                shown = field.label_from_instance(value)
            elif value == "null":
                shown = "Unassigned"
            else:
                shown = str(value)
            chosen.append((str(field.label), shown))
        return chosen

"""Filters of the API's lists. Actions use the All actions page's own FilterSet (actions.filters.ActionFilter),
so a page's query string is an API query string; inspections, judgements and findings have the same kind
of filters (council, visit, theme, dates), their choices narrowed to what the person may read."""

from __future__ import annotations

import django_filters
from django.db import connection

from actions.filters import IdChoiceFilter
from findings.models import Finding, FindingKind, Theme
from inspections.models import Grade, Inspection, InspectionKind, Judgement, JudgementArea
from inspections.selectors import authorities_for, inspections_for


class _ScopedFilterSet(django_filters.FilterSet):
    """The council and visit choices are the person's own (another council's id is an invalid choice)."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        if "authority" in self.filters:
            self.filters["authority"].queryset = authorities_for(user)
        if "inspection" in self.filters:
            self.filters["inspection"].queryset = inspections_for(user)


class InspectionFilter(_ScopedFilterSet):
    authority = IdChoiceFilter(label="Council (id)", queryset=None)
    kind = django_filters.ChoiceFilter(label="Kind of visit", choices=InspectionKind.choices)
    visited_from = django_filters.DateFilter(label="Visit started on or after", field_name="visit_start", lookup_expr="gte")
    visited_to = django_filters.DateFilter(label="Visit started on or before", field_name="visit_start", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields: list[str] = []


class JudgementFilter(_ScopedFilterSet):
    authority = IdChoiceFilter(label="Council (id)", field_name="inspection__authority", queryset=None)
    inspection = IdChoiceFilter(label="Inspection (id)", queryset=None)
    area = django_filters.ChoiceFilter(label="Judgement area", choices=JudgementArea.choices)
    grade = django_filters.ChoiceFilter(label="Grade", choices=Grade.choices)

    class Meta:
        model = Judgement
        fields: list[str] = []


class FindingFilter(_ScopedFilterSet):
    authority = IdChoiceFilter(label="Council (id)", field_name="inspection__authority", queryset=None)
    inspection = IdChoiceFilter(label="Inspection (id)", queryset=None)
    theme = IdChoiceFilter(label="Theme (id)", queryset=Theme.objects.all())
    kind = django_filters.ChoiceFilter(label="Kind of finding", choices=FindingKind.choices)
    framework_ref = django_filters.CharFilter(
        label="National framework reference, e.g. 'outcome 4'", method="filter_framework_ref", max_length=20
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_framework_ref(self, queryset, name, value):
        ref = " ".join(value.lower().split())
        if not ref:
            return queryset
        if connection.features.supports_json_field_contains:
            return queryset.filter(framework_refs__contains=[ref])
        # SQLite: the references are short words and one digit, so the quoted text matches exactly one.
        return queryset.filter(framework_refs__icontains=f'"{ref}"')

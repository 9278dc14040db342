"""An Ofsted grade as a GOV.UK tag: a filter, not an include, because the overview shows five a council."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_TAGS = {
    "outstanding": ("govuk-tag--green", "Outstanding"),
    "good": ("govuk-tag--teal", "Good"),
    "requires_improvement": ("govuk-tag--yellow", "Requires improvement to be good"),
    "inadequate": ("govuk-tag--red", "Inadequate"),
}


@register.filter
def grade_tag(grade) -> str:
    if grade in _TAGS:
        modifier, label = _TAGS[grade]
        return format_html('<strong class="govuk-tag {}">{}</strong>', modifier, label)
    return mark_safe('<span class="app-meta">Not graded</span>')

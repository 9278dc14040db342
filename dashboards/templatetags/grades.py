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


# Written once: the overview alone shows five a council, for 153 councils.
_TAG_HTML = {grade: format_html('<strong class="govuk-tag {}">{}</strong>', modifier, label)
             for grade, (modifier, label) in _TAGS.items()}
_NOT_GRADED = mark_safe('<span class="app-meta">Not graded</span>')


@register.filter
def grade_tag(grade) -> str:
    return _TAG_HTML.get(grade, _NOT_GRADED) if isinstance(grade, str) else _NOT_GRADED

"""How long ago an action's last progress update was, in words ("12 days ago")."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


def days_ago_text(when: date | datetime | None, today: date | None = None) -> str:
    if when is None:
        return ""
    today = today or timezone.localdate()
    day = timezone.localdate(when) if isinstance(when, datetime) else when
    days = (today - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


@register.filter
def days_ago(when) -> str:
    return days_ago_text(when)

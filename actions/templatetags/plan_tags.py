"""Template tags for pages of other apps that show action-plan facts (the inspection page)."""

from django import template

from accounts.selectors import can_edit_actions, can_record_plan as _can_record_plan
from actions.selectors import plan_deadlines_for
from inspections.selectors import authority_ids_for

register = template.Library()


@register.simple_tag
def plan_deadlines(inspection):
    return plan_deadlines_for(inspection)


@register.simple_tag
def can_add_actions(user, inspection) -> bool:
    return can_edit_actions(user) and inspection.authority_id in authority_ids_for(user)


@register.simple_tag
def can_record_plan(user, inspection) -> bool:
    """Admins, improvement leads and senior leaders of the council record when the plan was sent."""
    return _can_record_plan(user) and inspection.authority_id in authority_ids_for(user)


@register.filter
def working_days(count) -> str:
    count = abs(int(count))
    return f"{count} working day{'' if count == 1 else 's'}"

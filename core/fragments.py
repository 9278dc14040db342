"""`{% fragment "dashboards/_council_rows.html" %}`: a part of a Django page rendered by Jinja2 (core.jinja).

Registered as the template library "fragments" in settings.TEMPLATES. The fragment gets the page's context
(flattened) and any keyword arguments: `{% fragment "actions/_action_rows.html" rows=rows %}`.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from core.jinja import jinja_engine

register = template.Library()


@register.simple_tag(takes_context=True)
def fragment(context, template_name: str, **values) -> str:
    page = context.flatten()
    page.update(values)
    # Jinja2 escapes what it writes out, as the Django page would have: the result is safe HTML.
    return mark_safe(jinja_engine().get_template(template_name).render(page, request=context.get("request")))

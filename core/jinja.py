"""The one Jinja2 engine of the app: form fields (core.forms.GovukFormRenderer) and a page's repeated parts.

Pages are Django templates. The parts a page repeats for every row (a table of 153 councils, 25 actions,
the comparison's findings, a filter's hundred options) render through Jinja2 instead, from templates/jinja2/,
with `{% fragment "name.html" %}` (core.fragments): the Django template engine resolves every variable of
every row through its lookup chain, and those loops were half of each key page's time (docs/benchmarks.md).
A fragment sees the page's whole context, so it reads the same names the page would.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import django.forms
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters, defaulttags
from django.template.backends.jinja2 import Jinja2
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import json_script
from django.utils.module_loading import import_string
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, pass_context

from core.dates import long_date, long_month, short_date, short_month


def _querystring(context, query_dict=None, **changes) -> str:
    """Django's {% querystring %}: the request's query string with keys changed (None removes one)."""
    return defaulttags.querystring(SimpleNamespace(request=context["request"]), query_dict, **changes)


# The pages' four date formats, written by core.dates in the same English words as Django's date filter.
_PLAIN_DATE_FORMATS = {"j M Y": short_date, "j F Y": long_date, "M Y": short_month, "F Y": long_month}


def _date(value, arg=None) -> str:
    """Django's date filter, with a moment put in London time first as a Django template does; a plain
    date in one of the pages' four formats is written by core.dates (a table of 153 councils calls it for
    every row)."""
    write = _PLAIN_DATE_FORMATS.get(arg)
    if write is not None and type(value) is date:
        return write(value)
    return defaultfilters.date(template_localtime(value), arg)


def _django_filters() -> dict:
    """Django's own template filters that the fragments use, under the same names and with the same output."""
    return {
        "date": _date,
        "pluralize": defaultfilters.pluralize,
        "truncatechars": defaultfilters.truncatechars,
        "json_script": json_script,
        "intcomma": intcomma,
    }


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        url=lambda name, *args, **kwargs: reverse(name, args=args or None, kwargs=kwargs or None),
        static=static,
        querystring=pass_context(_querystring),
    )
    env.filters.update(_django_filters())
    # The apps' own presentation filters (e.g. an Ofsted grade as a tag), named in settings by dotted path so
    # that this bottom package imports no app.
    env.filters.update({name: import_string(path) for name, path in settings.JINJA2_FILTERS.items()})
    return env


@cache
def jinja_engine() -> Jinja2:
    return Jinja2({
        "APP_DIRS": False,
        # The app's own templates first, then Django's Jinja2 widget templates (for the form renderer).
        "DIRS": [Path(settings.BASE_DIR) / "templates" / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
        "NAME": "jinja2",
        # A missing name or attribute writes nothing, as in a Django template (the error pages render the
        # header without a signed-in user, for one).
        "OPTIONS": {"environment": "core.jinja.environment", "undefined": ChainableUndefined},
    })

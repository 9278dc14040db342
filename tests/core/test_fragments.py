"""A page's Jinja2 fragments (core.fragments, core.jinja): the page's context, escaping, Django's filters."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from core.jinja import jinja_engine


def render_page(source: str, **context) -> str:
    return Template("{% load fragments %}" + source).render(Context(context))


def test_a_fragment_reads_the_pages_context_and_escapes_what_it_writes():
    council = SimpleNamespace(url="/authorities/x/", name='<script>alert("x")</script> & Co', region="London",
                              summary=SimpleNamespace(inspection_count=3, open_actions=7), last_visit_text="May 2026")
    html = render_page('{% fragment "inspections/_authority_rows.html" %}', authorities=[council])
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&amp; Co" in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">7</td>' in html


def test_keyword_arguments_win_over_the_pages_context():
    council = SimpleNamespace(url="/a/", name="Barnsley", region="", summary=None, last_visit_text="")
    html = render_page('{% fragment "inspections/_authority_rows.html" authorities=chosen %}',
                       authorities=[], chosen=[council])
    assert "Barnsley" in html


def test_the_fragments_filters_write_what_djangos_would():
    template = jinja_engine().from_string(
        '{{ day|date("j F Y") }}|{{ n|pluralize }}|{{ text|truncatechars(8) }}|{{ big|intcomma }}|{{ querystring(page=2, q=None) }}'
    )
    request = RequestFactory().get("/actions/", {"q": "late", "status": ["open", "blocked"]})
    request.user = AnonymousUser()
    django = Template(
        '{% load humanize %}{{ day|date:"j F Y" }}|{{ n|pluralize }}|{{ text|truncatechars:8 }}|{{ big|intcomma }}|'
        "{% querystring page=2 q=None %}"
    ).render(RequestContext(request, {"day": date(2026, 3, 1), "n": 2, "text": "Leaders' oversight", "big": 12345}))
    jinja = template.render({"day": date(2026, 3, 1), "n": 2, "text": "Leaders' oversight", "big": 12345},
                            request=request)
    # The same text; only the entity for an apostrophe differs (&#39; against &#x27;).
    assert jinja.replace("&#39;", "'") == django.replace("&#x27;", "'")
    assert jinja == "1 March 2026|s|Leaders…|12,345|?status=open&amp;status=blocked&amp;page=2"


def test_a_plain_date_is_written_as_djangos_date_filter_writes_it():
    from datetime import datetime, timezone as tz

    from django.template import defaultfilters

    template = jinja_engine().from_string('{{ day|date(fmt) }}')
    for day in (date(2026, 1, 5), date(2023, 9, 30), date(2018, 12, 1)):
        for fmt in ("j M Y", "j F Y", "M Y", "F Y", "D j M"):
            assert template.render({"day": day, "fmt": fmt}) == defaultfilters.date(day, fmt)
    # A moment is put in London time first, as Django does: 23:30 UTC on 30 June is 1 July in London.
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=tz.utc)
    assert template.render({"day": moment, "fmt": "j M Y"}) == "1 Jul 2026"

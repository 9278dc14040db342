from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagination import page_of
from search import selectors
from search.forms import SearchForm

GROUP_PAGE_SIZE = 25


def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    context = {"form": form, "nav_section": "search", "searched": "q" in request.GET}
    if form.is_bound and form.is_valid():
        query, group = form.cleaned_data["q"], form.cleaned_data["group"]
        context["query"] = query
        context["action_list_url"] = selectors.action_list_url(query)
        if group:
            label, rows = selectors.search_group(request.user, query, group)
            context.update(group=group, group_label=label, page_obj=page_of(rows, request.GET.get("page"),
                                                                             GROUP_PAGE_SIZE))
        else:
            context["results"] = selectors.search_for(request.user, query)
    return render(request, "search/results.html", context)

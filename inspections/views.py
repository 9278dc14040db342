from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import get_authority_for_user
from inspections import selectors


def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = selectors.authorities_with_summary_for(request.user)
    return render(request, "inspections/authority_list.html", {"authorities": authorities})


def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
    inspections = selectors.inspections_for_authority(authority)
    return render(
        request, "inspections/authority_detail.html", {"authority": authority, "inspections": inspections}
    )


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection_for_user(request.user, pk)
    context = {
        "inspection": inspection,
        "authority": inspection.authority,
        "judgements": inspection.judgements.all(),
        "findings": selectors.findings_with_actions_for(inspection),
    }
    return render(request, "inspections/inspection_detail.html", context)

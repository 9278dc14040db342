from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from actions import selectors


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_user(request.user, pk)
    context = {
        "action": action,
        "finding": action.finding,
        "inspection": action.finding.inspection,
        "authority": action.finding.inspection.authority,
        "history": selectors.history_for(action),
    }
    return render(request, "actions/action_detail.html", context)

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboards import views as dashboard_views
from actions.models import SUGGESTED_AMBER_DAYS, stale_update_days
from actions.selectors import DRAFT_DUE_WORKING_DAYS, PLAN_DUE_WORKING_DAYS

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with a real database round trip, for load balancers and the container HEALTHCHECK."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    # Each role's home: "Your tasks" (dashboards.views.home), what is waiting for the person signed in.
    return dashboard_views.home(request)


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@login_not_required
def help_page(request: HttpRequest) -> HttpResponse:
    """How the tracker's rules work: RAG, verification, Ofsted's plan deadlines, the update cycle. The
    figures come from the code and settings that apply them, so the page cannot drift from the rules."""
    context = {
        "amber_days": SUGGESTED_AMBER_DAYS,
        "plan_days": PLAN_DUE_WORKING_DAYS,
        "draft_days": DRAFT_DUE_WORKING_DAYS,
        "cycle_day": settings.UPDATE_CYCLE_DAY,
        "escalation_days": settings.UPDATE_ESCALATION_DAYS,
        "stale_days": stale_update_days(),
    }
    return render(request, "help.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a database outage becomes a friendly 503 and the app recovers by itself.

    Django calls this inside its exception handler, so the exception is still in sys.exc_info().
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", exc)
        # No restart needed: Django closes unusable connections when the request ends, and
        # CONN_HEALTH_CHECKS reconnects on the next one.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)

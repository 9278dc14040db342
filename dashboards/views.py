from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from actions.models import stale_update_days
from core.pagination import page_of
from dashboards import selectors, services
from dashboards.forms import BoardDateForm, VisitChoiceForm
from findings.permissions import finding_policy
from inspections.permissions import authority_policy, inspection_policy
from inspections.selectors import authority_ids_for, national_comparison_for, national_overview

OVERVIEW_PAGE_SIZE = 50
# The comparison shows the latest visits side by side; all of them are one link away.
COMPARE_VISITS = 6


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    authority = _get_authority_for_user(request, slug)
    today = timezone.localdate()
    figures = selectors.dashboard_figures_for(request.user, authority, request.GET.get("inspection"), today)
    context = {
        "authority": authority,
        "today": today,
        "nav_section": "dashboard",
        "stale_update_days": stale_update_days(),
        **figures,
        "charts": services.dashboard_chart_data(
            figures["themes"], figures["owners"], figures["months"], figures["framework"]
        ),
    }
    return render(request, "dashboards/dashboard.html", context)


def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows, sort = selectors.overview_for(request.user, request.GET.get("sort"), today)
    page = page_of(rows, request.GET.get("page"), OVERVIEW_PAGE_SIZE)
    columns = [
        {"key": key, "label": label, "numeric": key in ("progress", "overdue")}
        for key, (_, label) in selectors.OVERVIEW_SORTS.items()
    ]
    context = {
        "today": today,
        "nav_section": "dashboard",
        "rows": page.object_list,
        "page_obj": page,
        "council_count": len(rows),
        "sort": sort,
        "columns": columns,
    }
    return render(request, "dashboards/overview.html", context)


def compare(request: HttpRequest, slug: str) -> HttpResponse:
    authority = _get_authority_for_user(request, slug)
    show_all = request.GET.get("visits") == "all"
    choices = selectors.visit_choices_for(request.user, authority)
    # The chooser: the latest visits ticked until the person chooses (GET, so a comparison is a link).
    chosen_by_person = "choose" in request.GET or "visit" in request.GET
    initial = [visit.pk for visit in (choices if show_all else choices[:COMPARE_VISITS])]
    form = VisitChoiceForm(request.GET if chosen_by_person else None, visits=choices, initial_ids=initial)
    context = {"authority": authority, "nav_section": "compare", "show_all": show_all, "compare_limit": COMPARE_VISITS,
               "form": form, "chosen_by_person": chosen_by_person, "national": national_comparison_for(authority)}
    if chosen_by_person and not form.is_valid():
        return render(request, "dashboards/compare.html", context)
    visit_ids = form.cleaned_data["visit"] if chosen_by_person else None
    context.update(selectors.comparison_for(
        request.user, authority, None if show_all else COMPARE_VISITS, visit_ids=visit_ids
    ))
    return render(request, "dashboards/compare.html", context)


def national(request: HttpRequest) -> HttpResponse:
    """Every council's published grades, for regional improvement partnerships: public information, so any
    signed-in person sees every council; a council's name links to its pages only for its own people."""
    today = timezone.localdate()
    overview = national_overview(region=request.GET.get("region"), sort=request.GET.get("sort"), today=today)
    context = {"today": today, "nav_section": "national", "own_ids": set(authority_ids_for(request.user)), **overview}
    return render(request, "dashboards/national.html", context)


def board_report(request: HttpRequest, slug: str) -> HttpResponse:
    authority = _get_authority_for_user(request, slug)
    today = timezone.localdate()
    form = BoardDateForm(request.GET, today=today)
    report = None
    if form.submitted and form.is_valid():
        report = selectors.board_report_for(request.user, authority, form.cleaned_data["since"], today)
        output = request.GET.get("format")
        if output == "xlsx":
            return services.board_report_xlsx_response(report)
        if output == "docx":
            return services.board_report_docx_response(report)
    context = {
        "authority": authority,
        "form": form,
        "show_errors": form.submitted and not form.is_valid(),
        "report": report,
        "nav_section": "dashboard",
    }
    return render(request, "dashboards/board_report.html", context)


def home(request: HttpRequest) -> HttpResponse:
    """"Your tasks": what is waiting for this person, each count a link to the list behind it."""
    today = timezone.localdate()
    tasks = selectors.home_tasks_for(request.user, today)
    return render(request, "dashboards/home.html", {"tasks": tasks, "today": today, "nav_section": "home"})


def dashboard_home(request: HttpRequest) -> HttpResponse:
    """One council: its dashboard. Several (or none): the overview across them."""
    only = selectors.only_authority_for(request.user)
    if only is not None:
        return redirect("dashboards:dashboard", slug=only.slug)
    return redirect("dashboards:overview")


def compare_home(request: HttpRequest) -> HttpResponse:
    only = selectors.only_authority_for(request.user)
    if only is not None:
        return redirect("dashboards:compare", slug=only.slug)
    return redirect(f"{reverse('dashboards:overview')}#compare")


# --- the council list, a council's inspections, an inspection with its findings and actions -------------
# (moved from inspections.views: they count and show actions; URL names stay in the inspections namespace)

VISITS_PAGE_SIZE = 20


def _get_authority_for_user(request: HttpRequest, slug: str):
    """The council if it is one of the user's, else 404."""
    return authority_policy.get_by_slug_for_user(request.user, slug)


def _get_inspection_for_user(request: HttpRequest, pk: int):
    """The inspection if its council is one of the user's, else 404."""
    return inspection_policy.get_for_user(request.user, pk, select_related=("authority",))


def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = selectors.authorities_with_summary_for(request.user, timezone.localdate())
    return render(request, "inspections/authority_list.html", {"authorities": authorities})


def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    authority = _get_authority_for_user(request, slug)
    page = page_of(selectors.inspections_for_authority(authority), request.GET.get("page"), VISITS_PAGE_SIZE)
    return render(
        request,
        "inspections/authority_detail.html",
        {"authority": authority, "inspections": page.object_list, "page_obj": page},
    )


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _get_inspection_for_user(request, pk)
    context = {
        "inspection": inspection,
        "authority": inspection.authority,
        "judgements": inspection.judgements.all(),
        "findings": selectors.findings_with_actions_for(inspection),
        "can_change_findings": finding_policy.instances_user_has_permission_for(request.user, "change")
        .filter(inspection=inspection).exists(),
    }
    return render(request, "inspections/inspection_detail.html", context)

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from config.page_cache import page_key, render_with_cached_fragments
from core.pagination import page_of
from dashboards import selectors, services
from dashboards.forms import BoardDateForm
from inspections.selectors import data_revisions_for, get_authority_for_user, get_inspection_for_user

OVERVIEW_PAGE_SIZE = 50
# The comparison shows the latest visits side by side; all of them are one link away.
COMPARE_VISITS = 6


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
    today = timezone.localdate()
    return render_with_cached_fragments(
        request,
        "dashboards/dashboard.html",
        key=page_key("dashboard", request=request, revisions=[(authority.pk, authority.data_revision)], today=today),
        context={"authority": authority, "today": today, "nav_section": "dashboard"},
        fragments={"body": "dashboards/_dashboard_body.html"},
        build=lambda: _dashboard_figures(request, authority, today),
    )


def _dashboard_figures(request: HttpRequest, authority, today) -> dict:
    plans = list(selectors.inspections_with_actions(authority))
    choice = request.GET.get("inspection")
    # The current plan (the latest with actions) unless another, or all of them, is chosen.
    inspection = None if choice == "all" else selectors.get_inspection_in(authority, choice) or (plans[0] if plans else None)
    actions = selectors.dashboard_actions(request.user, authority, inspection)
    findings = selectors.dashboard_findings(authority, inspection)
    link = {"authority": authority.pk, "inspection": inspection.pk if inspection else None}
    themes = selectors.progress_by_theme(actions, today)
    owners = selectors.progress_by_owner(actions, today)
    months = selectors.progress_over_time(actions, today)
    return {
        "inspection": inspection,
        "plans": plans,
        "headline": selectors.headline_for(actions, findings, link=link, today=today),
        # By finding for one plan only: across ten years of plans it would be hundreds of rows.
        "by_finding": selectors.progress_by_finding(findings, actions, today) if inspection else [],
        "themes": [dict(t, url=selectors.action_list_url(**link, theme=t["id"])) for t in themes],
        "owners": [dict(o, url=selectors.action_list_url(**link, owner=o["id"] or "null")) for o in owners],
        "months": months,
        "charts": services.dashboard_chart_data(themes, owners, months),
        "recent": selectors.recently_updated(actions),
        "recent_url": selectors.action_list_url(**link, sort="-updated"),
        "overdue": selectors.overdue_actions(actions, today),
        "overdue_url": selectors.action_list_url(**link, overdue=1),
        "plan_dates": selectors.plan_dates_for(authority, today),
    }


def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render_with_cached_fragments(
        request,
        "dashboards/overview.html",
        key=page_key("overview", request=request, revisions=data_revisions_for(request.user), today=today),
        context={"today": today, "nav_section": "dashboard"},
        fragments={"body": "dashboards/_overview_body.html"},
        build=lambda: _overview_rows(request, today),
    )


def _overview_rows(request: HttpRequest, today) -> dict:
    rows, sort = selectors.overview_for(request.user, request.GET.get("sort"), today)
    page = page_of(rows, request.GET.get("page"), OVERVIEW_PAGE_SIZE)
    columns = [
        {"key": key, "label": label, "numeric": key in ("progress", "overdue")}
        for key, (_, label) in selectors.OVERVIEW_SORTS.items()
    ]
    return {"rows": page.object_list, "page_obj": page, "council_count": len(rows), "sort": sort, "columns": columns}


def compare(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
    return render_with_cached_fragments(
        request,
        "dashboards/compare.html",
        key=page_key("compare", request=request, revisions=[(authority.pk, authority.data_revision)]),
        context={"authority": authority, "nav_section": "compare"},
        fragments={"body": "dashboards/_compare_body.html"},
        build=lambda: _comparison(request, authority),
    )


def _comparison(request: HttpRequest, authority) -> dict:
    show_all = request.GET.get("visits") == "all"
    limit = None if show_all else COMPARE_VISITS
    graded, grid = selectors.judgement_grid(authority, limit)
    visits_with_findings, finding_rows, earlier_positions = selectors.findings_across_visits(request.user, authority, limit)
    visits = selectors.visits_for(authority, limit)
    return {
        "visits": visits,
        "show_all": show_all,
        "visit_count": len(visits) if show_all else authority.inspections.count(),
        "compare_limit": COMPARE_VISITS,
        "graded": graded,
        "grid": grid,
        "finding_visits": visits_with_findings,
        "finding_rows": finding_rows,
        "earlier_positions": earlier_positions,
        "since": selectors.since_last_visit(authority, grid, graded, visits_with_findings, finding_rows),
    }


def board_report(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
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


def authority_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render_with_cached_fragments(
        request,
        "inspections/authority_list.html",
        key=page_key("authority_list", request=request, revisions=data_revisions_for(request.user), today=today),
        context={},
        fragments={"body": "inspections/_authority_list_body.html"},
        build=lambda: {"authorities": selectors.authorities_with_summary_for(request.user, today)},
    )


def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
    page = page_of(selectors.inspections_for_authority(authority), request.GET.get("page"), VISITS_PAGE_SIZE)
    return render(
        request,
        "inspections/authority_detail.html",
        {"authority": authority, "inspections": page.object_list, "page_obj": page},
    )


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_user(request.user, pk)
    context = {
        "inspection": inspection,
        "authority": inspection.authority,
        "judgements": inspection.judgements.all(),
        "findings": selectors.findings_with_actions_for(inspection),
    }
    return render(request, "inspections/inspection_detail.html", context)

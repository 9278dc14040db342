"""The read-only API (/api/v1/), its documentation pages, and each person's API tokens page.

Every list starts from the selector or permission policy that takes the person (a token reads as its
person), so the API shows exactly what the pages show them; an object outside their councils is a 404.
Only GET, HEAD and OPTIONS are answered: any other method is 405 before anything else is looked at.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.filters import ActionFilter
from actions.models import Status
from actions.selectors import ACTION_SORTS, action_rows_for, positions_on, sort_actions
from api import selectors, serializers, services
from api.filters import FindingFilter, InspectionFilter, JudgementFilter
from api.forms import TokenCreateForm
from dashboards.selectors import dashboard_figures_for
from findings.permissions import finding_policy
from inspections.models import Judgement
from inspections.permissions import authority_policy, inspection_policy


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")


class ReadOnlyApiMixin:
    # Every method but GET, HEAD and OPTIONS is refused with 405, before authentication: a token never writes.

    def initial(self, request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


def _require_slug(value: str) -> None:
    if not SLUG.fullmatch(value):
        raise NotFound("No council here.")


class ReadOnlyViewSet(ReadOnlyApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


@extend_schema_view(
    list=extend_schema(summary="Councils you may read"),
    retrieve=extend_schema(summary="One council, by its slug"),
)
class CouncilViewSet(ReadOnlyViewSet):
    """The councils you belong to (none for a partner agency)."""

    serializer_class = serializers.CouncilSerializer
    lookup_field = "slug"
    # Any text up to the next slash reaches the view, so a malformed slug is the API's JSON 404 too.
    lookup_value_regex = "[^/]+"
    filter_backends: list = []

    def get_queryset(self):
        return authority_policy.instances_user_has_permission_for(self.request.user, "view").order_by("name", "id")

    def get_object(self):
        _require_slug(self.kwargs["slug"])
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary="Inspections and visits"), retrieve=extend_schema(summary="One inspection or visit")
)
class InspectionViewSet(ReadOnlyViewSet):
    """Ofsted's inspections and visits of your councils, newest first."""

    serializer_class = serializers.InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return (
            inspection_policy.instances_user_has_permission_for(self.request.user, "view")
            .select_related("authority")
            .order_by("-visit_start", "-id")
        )


@extend_schema_view(list=extend_schema(summary="Judgements (grades) of graded inspections"),
                    retrieve=extend_schema(summary="One judgement"))
class JudgementViewSet(ReadOnlyViewSet):
    """The grade for each judgement area of each full or short inspection."""

    serializer_class = serializers.JudgementSerializer
    filterset_class = JudgementFilter

    def get_queryset(self):
        visits = inspection_policy.instances_user_has_permission_for(self.request.user, "view")
        return (
            Judgement.objects.filter(inspection__in=visits)
            .select_related("inspection__authority")
            .order_by("-inspection__visit_start", "inspection_id", "id")
        )


@extend_schema_view(list=extend_schema(summary="Findings: what each publication said must improve"),
                    retrieve=extend_schema(summary="One finding"))
class FindingViewSet(ReadOnlyViewSet):
    """Each point Ofsted said must improve, verbatim, with its theme and national framework references."""

    serializer_class = serializers.FindingSerializer
    filterset_class = FindingFilter

    def get_queryset(self):
        return (
            finding_policy.instances_user_has_permission_for(self.request.user, "view")
            .select_related("inspection__authority", "theme")
            .order_by("-inspection__visit_start", "inspection_id", "-kind", "position", "id")
        )


SORT_PARAMETER = OpenApiParameter(
    "sort",
    str,
    description="Order, as on the All actions page: " + ", ".join(ACTION_SORTS) + ", or priority; '-' before a name reverses it",
    enum=[*ACTION_SORTS, *(f"-{name}" for name in ACTION_SORTS), "priority"],
)
ON_PARAMETER = OpenApiParameter("on", date, description="The day (YYYY-MM-DD); today when left out")


def _day(request) -> date:
    query = serializers.PositionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("on") or timezone.localdate()


def _position_row(action, update, day: date) -> dict:
    if update is None:
        return {"action_id": action.pk, "title": action.title, "on": day, "existed": False, "status": None,
                "status_label": None, "rag": None, "rag_label": None, "measure_value": None, "recorded_at": None,
                "version": None}
    return {
        "action_id": action.pk, "title": action.title, "on": day, "existed": True, "status": update.status,
        "status_label": update.get_status_display(), "rag": update.rag, "rag_label": update.get_rag_display(),
        "measure_value": update.measure_value, "recorded_at": update.created_at, "version": update.version,
    }


@extend_schema_view(
    list=extend_schema(summary="Actions, with the All actions page's filters", parameters=[SORT_PARAMETER]),
    retrieve=extend_schema(summary="One action"),
)
class ActionViewSet(ReadOnlyViewSet):
    """Your councils' action plans (a partner agency: its own actions), with the All actions page's filters."""

    serializer_class = serializers.ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self):
        rows = action_rows_for(self.request.user).prefetch_related(selectors.last_progress_prefetch())
        return sort_actions(rows, self.request.query_params.get("sort"))[0]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(summary="Each action's position (status, RAG, measure) at the end of a day",
                   parameters=[ON_PARAMETER, SORT_PARAMETER], responses=serializers.PositionSerializer(many=True))
    @route(detail=False, url_path="positions", serializer_class=serializers.PositionSerializer)
    def positions(self, request):
        day = _day(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset().prefetch_related(None)))
        found = positions_on([action.pk for action in page], day)
        rows = [_position_row(action, found.get(action.pk), day) for action in page]
        return self.get_paginated_response(serializers.PositionSerializer(rows, many=True).data)

    @extend_schema(summary="One action's position at the end of a day", parameters=[ON_PARAMETER],
                   responses=serializers.PositionSerializer)
    @route(detail=True, url_path="position", serializer_class=serializers.PositionSerializer)
    def position(self, request, pk=None):
        day = _day(request)
        action = self.get_object()
        update = positions_on([action.pk], day).get(action.pk)
        return Response(serializers.PositionSerializer(_position_row(action, update, day)).data)


def _plan(inspection) -> dict | None:
    if inspection is None:
        return None
    return {"id": inspection.pk, "kind": inspection.kind, "visit_start": inspection.visit_start,
            "title": inspection.title}


GROUP_FIELDS = ("id", "name", "total", "done", "open", "overdue", "percent")


class DashboardView(ReadOnlyApiMixin, APIView):
    """A council's dashboard figures, as its dashboard page shows them (the same cached figures)."""

    @extend_schema(
        summary="A council's dashboard figures",
        parameters=[OpenApiParameter("inspection", str, description="An inspection id for its plan, or 'all'; the current plan when left out")],
        responses=serializers.DashboardSerializer,
    )
    def get(self, request, slug: str):
        _require_slug(slug)
        authority = authority_policy.get_by_slug_for_user(request.user, slug)
        today = timezone.localdate()
        figures = dashboard_figures_for(request.user, authority, request.query_params.get("inspection"), today)
        headline = figures["headline"]
        data = {
            "authority_id": authority.pk,
            "authority_name": authority.name,
            "on": today,
            "plan": _plan(figures["inspection"]),
            "plans": [_plan(plan) for plan in figures["plans"]],
            "headline": {
                "total_actions": headline.total_actions,
                "done_actions": headline.done_actions,
                "percent_complete": headline.percent_complete,
                "overdue": headline.overdue,
                "due_soon": headline.due_soon,
                "findings_total": headline.findings_total,
                "findings_closed": headline.findings_closed,
                "findings_open": headline.findings_open,
                "by_status": [
                    {"status": value, "label": figure.label, "count": figure.count, "percent": figure.percent}
                    for value, figure in zip(Status.values, headline.by_status)
                ],
            },
            "themes": [{key: row[key] for key in GROUP_FIELDS} for row in figures["themes"]],
            "owners": [{key: row[key] for key in GROUP_FIELDS} for row in figures["owners"]],
            "months": [{"month": m.month, "completed": m.completed, "outstanding": m.outstanding} for m in figures["months"]],
            "overdue_actions": [
                {"id": a.pk, "title": a.title, "due_date": a.due_date, "status": a.status, "rag": a.rag}
                for a in figures["overdue"]
            ],
        }
        return Response(serializers.DashboardSerializer(data).data)


class SchemaView(ReadOnlyApiMixin, SpectacularAPIView):
    """The OpenAPI 3 description (YAML; ?format=json for JSON), for a signed-in person or a token."""


# --- pages: the API's documentation and a person's tokens -------------------------------------------------


GUIDE_ENDPOINTS = [
    ("councils/", "Your councils: name, slug, Ofsted URN, DfE and ONS codes, region.", ""),
    ("inspections/", "Inspections and visits: kind, dates, publication date, inspectors, headline.",
     "authority (id), kind, visited_from, visited_to"),
    ("judgements/", "Each graded judgement: area, grade and its rank (1 Outstanding to 4 Inadequate).",
     "authority, inspection, area, grade"),
    ("findings/", "What each publication said must improve: text, kind, theme, national framework references.",
     "authority, inspection, theme, kind, framework_ref (e.g. 'outcome 4')"),
    ("actions/", "Action plans: owner, status, RAG, due date, overdue, measure, last progress update.",
     "as on All actions: q, authority, inspection, finding, theme, status, rag, owner, due_from, due_to, overdue; sort"),
    ("actions/positions/?on=YYYY-MM-DD", "Where each action stood at the end of a day (status, RAG, measure).",
     "the same as actions/"),
    ("actions/{id}/position/?on=YYYY-MM-DD", "Where one action stood at the end of a day.", ""),
    ("dashboard/{council slug}/", "A council's dashboard figures: headline, by status, theme and owner, by month.",
     "inspection (an id, or 'all')"),
]

POWER_QUERY_EXAMPLE = """let
    Key = "Token ift_…",
    Page = (url as text) => Json.Document(Web.Contents(url, [Headers = [Authorization = Key]])),
    Pages = List.Generate(
        () => Page("{base}actions/?page_size=1000"),
        each _ <> null,
        each if _[next] = null then null else Page(_[next])
    ),
    Rows = List.Combine(List.Transform(Pages, each _[results])),
    Table = Table.FromRecords(Rows)
in
    Table"""


def _rate_in_words(rate: str) -> str:
    """"120/min" as "120 requests a minute" (DRF reads the period by its first letter)."""
    number, _, period = rate.partition("/")
    unit = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(period[:1], period)
    return f"{number} requests a {unit}"


def api_guide(request):
    base_url = request.build_absolute_uri("/api/v1/")
    example_key = "ift_…"
    context = {
        "base_url": base_url,
        "example_key": example_key,
        "rate_limit": _rate_in_words(settings.API_RATE_LIMIT),
        "endpoints": [{"path": path, "what": what, "filters": filters} for path, what, filters in GUIDE_ENDPOINTS],
        "example_csv": f'curl -H "Authorization: Token {example_key}" \\\n  "{base_url}actions/?authority=1&overdue=true&format=csv"',
        "example_positions": f'curl -H "Authorization: Token {example_key}" \\\n  "{base_url}actions/positions/?on=2025-03-31"',
        "example_power_query": POWER_QUERY_EXAMPLE.replace("{base}", base_url),
    }
    return render(request, "api/guide.html", context)


def api_tokens(request):
    """A person's own tokens: make one (its key shown on this response only), see and revoke the others."""
    created, key = None, ""
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, key = services.token_create(
                user=request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            form = TokenCreateForm()
    context = {"form": form, "tokens": list(selectors.tokens_for(request.user)), "created": created, "key": key}
    return render(request, "api/tokens.html", context, status=201 if created else 200)


@require_POST
def api_token_revoke(request, pk: int):
    token = selectors.get_token_for_user(request.user, pk)
    services.token_revoke(user=request.user, token=token)
    messages.success(request, f"The token ‘{token.name}’ is revoked: it no longer works.")
    return redirect("api:tokens")

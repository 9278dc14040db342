from __future__ import annotations

import secrets
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.selectors import can_edit_actions
from actions import exports, plan_import, selectors, services, tables
from actions.filters import ActionFilter
from actions.forms import BulkChangeForm, ColumnMappingForm, PlanUploadForm
from actions.models import Status
from inspections.selectors import get_inspection_for_user


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


# --- My actions and All actions ---------------------------------------------------------------------

PAGE_SIZE = 25
EXPORT_FORMATS = ("csv", "xlsx")

LIST_COLUMNS = [
    ("Action", "title"),
    ("Owner", "owner"),
    ("Due", "due"),
    ("Status", "status"),
    ("RAG", "rag"),
]


def my_actions(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=True)


def action_list(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=False)


def _action_list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    user = request.user
    rows = selectors.my_action_rows_for(user) if mine else selectors.action_rows_for(user)
    filterset = ActionFilter(request.GET, rows, request=request, exclude=("owner",) if mine else ())
    actions, sort = selectors.sort_actions(
        filterset.qs, request.GET.get("sort"), default="priority" if mine else selectors.DEFAULT_SORT
    )
    export_format = request.GET.get("format")
    if export_format in EXPORT_FORMATS:
        return _export(request, actions, filterset, mine=mine, export_format=export_format)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "mine": mine,
        "nav_section": "my_actions" if mine else "all_actions",
        "filter": filterset,
        "page_obj": page,
        "actions": page.object_list,
        "sort": sort,
        "headers": tables.sort_headers(LIST_COLUMNS, sort),
        "elided_pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "can_bulk_change": not mine and can_edit_actions(user),
        "bulk_form": BulkChangeForm(user=user) if not mine and can_edit_actions(user) else None,
    }
    return render(request, "actions/action_list.html", context)


def _export(request: HttpRequest, actions, filterset: ActionFilter, *, mine: bool, export_format: str) -> HttpResponse:
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    inspection = data.get("inspection")
    if inspection is not None:
        stem = f"action-plan-{inspection.authority.name}-{inspection.get_kind_display()}-{inspection.visit_start:%Y-%m}"
        title = "Action plan"
    elif mine:
        stem, title = "my-actions", "My actions"
    else:
        authority = data.get("authority")
        stem = f"actions-{authority.name}" if authority else "actions"
        title = "Actions"
    filename = exports.export_filename(stem=stem, extension=export_format)
    if export_format == "csv":
        return exports.csv_response(actions, filename=filename)
    return exports.xlsx_response(actions, filename=filename, title=title)



# --- bulk change ------------------------------------------------------------------------------------


def _safe_list_url(request: HttpRequest) -> str:
    """Where to go back to: the list the user came from (with its filters), never another site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    list_url = reverse("actions:action_list")
    if candidate.startswith(list_url) and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return list_url


@require_POST
def bulk_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_edit_actions(user):
        raise PermissionDenied("Only improvement leads and admins can change actions.")
    form = BulkChangeForm(request.POST, user=user)
    next_url = _safe_list_url(request)
    selected_ids = _posted_ids(request.POST.getlist("selected"))
    actions = {action.pk: action for action in selectors.action_rows_for(user).filter(pk__in=selected_ids)}
    if len(actions) != len(selected_ids):
        raise Http404("One of the selected actions is not in your councils.")
    context = {
        "form": form,
        "next_url": next_url,
        "nav_section": "all_actions",
        "chosen": [actions[pk] for pk in selected_ids],
        "selected_values": request.POST.getlist("selected"),
    }
    if not form.is_valid() or request.POST.get("edit") == "yes":
        return render(request, "actions/bulk_change.html", context)
    selection = [(actions[pk], version) for pk, version in form.cleaned_data["selected"]]
    changes = form.changes()
    if request.POST.get("confirm") != "yes":
        status_label = Status(changes["status"]).label if "status" in changes else ""
        context.update({"selection": selection, "changes": changes, "status_label": status_label})
        return render(request, "actions/bulk_confirm.html", context)
    result = services.actions_bulk_change(
        user=user, selection=selection, changes=changes, note=form.cleaned_data["note"]
    )
    if result.all_applied:
        changed = len(result.changed)
        text = f"Changed {changed} action{pluralize(changed)}."
        if result.unchanged:
            text += f" {len(result.unchanged)} already had these values and were left as they were."
        messages.success(request, text)
        return redirect(next_url)
    context.update({"result": result})
    return render(request, "actions/bulk_result.html", context)


def _posted_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        pk = value.partition(":")[0]
        if pk.isdigit() and int(pk) not in ids:
            ids.append(int(pk))
    return ids



# --- spreadsheet import: upload → columns → check → save ---------------------------------------------

IMPORT_SESSION_KEY = "action_plan_imports"
IMPORTS_KEPT_PER_SESSION = 5


def _require_editor(user) -> None:
    if not can_edit_actions(user):
        raise PermissionDenied("Only improvement leads and admins can import action plans.")


def _import_state(request: HttpRequest, token: str) -> dict:
    """The upload behind a token: only in this user's own session, so nobody else can reach the file."""
    state = request.session.get(IMPORT_SESSION_KEY, {}).get(token)
    if not state or state.get("user") != request.user.pk:
        raise Http404("This upload has expired. Upload the spreadsheet again.")
    return state


def _save_import_state(request: HttpRequest, token: str, state: dict) -> None:
    imports = request.session.get(IMPORT_SESSION_KEY, {})
    imports[token] = state
    while len(imports) > IMPORTS_KEPT_PER_SESSION:
        oldest = min(imports, key=lambda key: imports[key]["created"])
        default_storage.delete(imports.pop(oldest)["path"])
    request.session[IMPORT_SESSION_KEY] = imports


def _forget_import(request: HttpRequest, token: str) -> None:
    imports = request.session.get(IMPORT_SESSION_KEY, {})
    state = imports.pop(token, None)
    if state:
        default_storage.delete(state["path"])
    request.session[IMPORT_SESSION_KEY] = imports


def _import_sheet(state: dict) -> plan_import.Sheet:
    with default_storage.open(state["path"], "rb") as stored:
        return plan_import.read_sheet(stored.read(), state["kind"])


def plan_import_upload(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    form = PlanUploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"inspection": request.GET.get("inspection")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_import.read_sheet(form.data_bytes, form.kind)
        except plan_import.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(24)
            path = default_storage.save(f"action-imports/{token}.{form.kind}", ContentFile(form.data_bytes))
            _save_import_state(
                request,
                token,
                {
                    "user": request.user.pk,
                    "path": path,
                    "kind": form.kind,
                    "filename": Path(form.cleaned_data["file"].name).name[:120],
                    "inspection": form.cleaned_data["inspection"].pk,
                    "mapping": None,
                    "created": timezone.now().isoformat(),
                },
            )
            return redirect("actions:plan_import_columns", token=token)
    return render(request, "actions/import_upload.html", {"form": form, "nav_section": "all_actions"})


def plan_import_columns(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request.user)
    state = _import_state(request, token)
    inspection = get_inspection_for_user(request.user, state["inspection"])
    sheet = _import_sheet(state)
    samples = [
        next((str(row[index]) for _, row in sheet.rows if row[index] not in (None, "")), "")[:60]
        for index in range(len(sheet.headers))
    ]
    suggested = state["mapping"] or plan_import.suggest_mapping(sheet.headers)
    form = ColumnMappingForm(request.POST or None, headers=sheet.headers, samples=samples, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        state["mapping"] = form.mapping()
        _save_import_state(request, token, state)
        return redirect("actions:plan_import_check", token=token)
    context = {
        "form": form,
        "state": state,
        "sheet": sheet,
        "inspection": inspection,
        "token": token,
        "nav_section": "all_actions",
    }
    return render(request, "actions/import_columns.html", context)


def plan_import_check(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request.user)
    state = _import_state(request, token)
    if not state.get("mapping"):
        return redirect("actions:plan_import_columns", token=token)
    inspection = get_inspection_for_user(request.user, state["inspection"])
    rows = plan_import.check_rows(_import_sheet(state), state["mapping"], inspection)
    problems = [row for row in rows if row.errors]
    if request.method == "POST" and not problems:
        created = services.action_plan_import(
            user=request.user, inspection=inspection, rows=rows, source_name=state["filename"]
        )
        _forget_import(request, token)
        messages.success(request, f"Imported {len(created)} action{pluralize(len(created))} into the plan for {inspection.title}.")
        return redirect(f"{reverse('actions:action_list')}?inspection={inspection.pk}")
    used = [key for key in state["mapping"] if key]
    context = {
        "rows": rows,
        "problems": problems,
        "state": state,
        "inspection": inspection,
        "token": token,
        "columns": [(key, plan_import.TARGET_LABELS[key]) for key in used],
        "nav_section": "all_actions",
    }
    return render(request, "actions/import_check.html", context)

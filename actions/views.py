from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.selectors import can_edit_actions, can_record_plan
from actions import exports, plan_import, selectors, services, tables
from actions.filters import ActionFilter
from actions.forms import BulkChangeForm, ColumnMappingForm, PlanUploadForm
from actions.models import Action, Status, stale_update_days
from findings.permissions import finding_policy
from inspections.permissions import inspection_policy
from actions.forms import ActionAddForm, ActionDetailsForm, ActionProgressForm, OwnerForm, PlanSubmissionForm, VerifyForm
from actions.history import timeline_for
from actions.models import Evidence
from actions.permissions import action_permissions, action_policy
from actions.services import StaleActionError
from core.pagination import page_of
from core.uploads import serve_private_file
from inspections.models import ImportDraft
from inspections.selectors import DraftNotFound, authority_ids_for, get_authority_for_user, get_import_draft_for_user
from inspections.services import import_draft_discard, import_draft_source


def _get_action_for_user(request: HttpRequest, pk: int) -> Action:
    """The action if it is one the user may see (their councils; a partner: their own), else 404."""
    return action_policy.get_for_user(
        request.user, pk, select_related=("owner", "finding__theme", "finding__inspection__authority")
    )


def _get_finding_for_user(request: HttpRequest, pk: int):
    """The finding if its council is one of the user's, else 404."""
    return finding_policy.get_for_user(request.user, pk, select_related=("inspection__authority", "theme"))


def _get_inspection_for_user(request: HttpRequest, pk: int):
    """The inspection if its council is one of the user's, else 404."""
    return inspection_policy.get_for_user(request.user, pk, select_related=("authority",))


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request, pk)
    return render(request, "actions/action_detail.html", _action_page_context(request, action))


# --- My actions and All actions ---------------------------------------------------------------------

PAGE_SIZE = 25
EXPORT_FORMATS = ("csv", "xlsx")

LIST_COLUMNS = [
    ("Action", "title"),
    ("Owner", "owner"),
    ("Due", "due"),
    ("Status", "status"),
    ("RAG", "rag"),
    ("Last progress update", "progress"),
]


def my_actions(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=True)


def action_list(request: HttpRequest) -> HttpResponse:
    return _action_list(request, mine=False)


def _action_list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    user = request.user
    rows = selectors.my_action_rows_for(user) if mine else selectors.action_rows_for(user)
    filterset = ActionFilter(request.GET, rows, request=request, exclude=("owner",) if mine else ())
    export_format = request.GET.get("format")
    # A download never silently drops a filter it could not read: the page shows the error instead.
    if export_format in EXPORT_FORMATS and filterset.is_valid():
        actions, _ = selectors.sort_actions(filterset.qs, request.GET.get("sort"), default=_default_sort(mine))
        return _export(request, actions, filterset, mine=mine, export_format=export_format)
    context = {"mine": mine, "nav_section": "my_actions" if mine else "all_actions"}
    context.update(_action_list_page(request, filterset, mine=mine))
    return render(request, "actions/action_list.html", context)


def _default_sort(mine: bool) -> str:
    return "priority" if mine else selectors.DEFAULT_SORT


def _action_list_page(request: HttpRequest, filterset: ActionFilter, *, mine: bool) -> dict:
    actions, sort = selectors.sort_actions(filterset.qs, request.GET.get("sort"), default=_default_sort(mine))
    page = page_of(selectors.table_page(actions), request.GET.get("page"), PAGE_SIZE)
    may_bulk_change = not mine and can_edit_actions(request.user)
    return {
        "filter": filterset,
        "page_obj": page,
        "actions": page.object_list,
        "rows": tables.action_rows(page.object_list, today=timezone.localdate()),
        "sort": sort,
        "headers": tables.sort_headers(LIST_COLUMNS, sort),
        "can_bulk_change": may_bulk_change,
        "stale_update_days": stale_update_days(),
        "bulk_form": BulkChangeForm(user=request.user) if may_bulk_change else None,
    }


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


# --- the action page: update (htmx or full page), verify, evidence; adding actions; plan dates (h5b) ---


def _action_page_context(request: HttpRequest, action, *, form=None, verify_form=None, conflict=None,
                         saved: str = "", files_dropped: bool = False) -> dict:
    permissions = action_permissions(request.user, action)
    if form is None and permissions.can_update:
        form = ActionProgressForm(action=action, permissions=permissions)
    if verify_form is None and permissions.can_verify:
        verify_form = VerifyForm(initial={"version": action.version})
    return {
        "action": action,
        "finding": action.finding,
        "inspection": action.finding.inspection,
        "authority": action.finding.inspection.authority,
        # Someone who cannot open the council's pages (a partner) gets no link to them: the finding's
        # text is shown here, and the breadcrumbs lead to their own tasks.
        "not_council_pages": action.finding.inspection.authority_id not in authority_ids_for(request.user),
        "permissions": permissions,
        "form": form,
        "verify_form": verify_form,
        "conflict": conflict,
        "conflict_entries": timeline_for(conflict.changes_since) if conflict else [],
        "saved": saved,
        "files_dropped": files_dropped,
        **selectors.action_page_for(action, history_page=request.GET.get("page")),
    }


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The update form: swapped in place by htmx on the action page, or a page of its own without JS."""
    action = _get_action_for_user(request, pk)
    permissions = action_permissions(request.user, action)
    if request.method != "POST":
        # Nothing to show someone who may change nothing (the service refuses their POST in any case).
        if not permissions.can_update:
            raise PermissionDenied("You cannot update this action.")
        context = _action_page_context(request, action)
        return render(request, "actions/action_update.html", context)

    form = ActionProgressForm(request.POST, request.FILES, action=action, permissions=permissions)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.action_change(
                action=action,
                user=request.user,
                expected_version=data["version"],
                changes=form.changes(),
                note=data.get("note", ""),
                rag_reason=data.get("rag_reason", ""),
                due_date_reason=data.get("due_date_reason", ""),
                evidence_files=[data["evidence_file"]] if data.get("evidence_file") else [],
                evidence_links=[data["evidence_link"]] if data.get("evidence_link") else [],
            )
        except StaleActionError as stale:
            # Keep everything typed; carry the version now current so a re-save is a deliberate choice.
            conflict = stale
            action = _get_action_for_user(request, pk)
            permissions = action_permissions(request.user, action)
            kept = request.POST.copy()
            kept["version"] = str(stale.action.version)
            _take_their_changes_where_untouched(kept, form, stale)
            form = ActionProgressForm(kept, action=action, permissions=permissions)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            saved = "Your update was saved." if result.changed else "Nothing had changed, so nothing was saved."
            if request.htmx:
                action = _get_action_for_user(request, pk)
                return render(request, "actions/_action_live.html", _action_page_context(request, action, saved=saved))
            messages.success(request, saved)
            return redirect(action.get_absolute_url())
    context = _action_page_context(
        request, action, form=form, conflict=conflict, files_dropped=bool(conflict and request.FILES)
    )
    if request.htmx:
        return render(request, "actions/_action_live.html", context)
    return render(request, "actions/action_update.html", context, status=409 if conflict else 200)


def _take_their_changes_where_untouched(kept, form, stale: StaleActionError) -> None:
    """A field this person left as they found it shows the other person's newer value; a field they
    changed keeps what they typed. Re-saving then overwrites only what they meant to change."""
    seen: dict = {}
    for update in stale.changes_since:
        for name, values in (update.changes or {}).items():
            seen.setdefault(name, values[0])
    for name, value_seen in seen.items():
        field = form.fields.get(name)
        if field is None or name not in kept:
            continue
        try:
            untouched = field.to_python(kept.get(name)) == field.to_python("" if value_seen is None else str(value_seen))
        except ValidationError:
            continue
        if untouched:
            current = getattr(stale.action, name)
            kept[name] = "" if current is None else (current.isoformat() if hasattr(current, "isoformat") else str(current))


@require_POST
def action_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person verifies a completed action (closed) or sends it back with a reason."""
    action = _get_action_for_user(request, pk)
    verify_form = VerifyForm(request.POST)
    if verify_form.is_valid():
        data = verify_form.cleaned_data
        try:
            if data["decision"] == "verify":
                services.action_verify(action=action, user=request.user, expected_version=data["version"],
                                       note=data["reason"])
                saved = "The action is verified and closed."
            else:
                services.action_send_back(action=action, user=request.user, expected_version=data["version"],
                                          reason=data["reason"])
                saved = "The action was sent back to its owner."
        except StaleActionError:
            action = _get_action_for_user(request, pk)
            # Bound to what they chose, at the version now current, so the error shows beside it.
            verify_form = VerifyForm({"version": action.version, "decision": data["decision"], "reason": data["reason"]})
            verify_form.is_valid()
            verify_form.add_error(None, "Someone changed this action while you were reading it: check the "
                                        "latest update in the history, then decide again.")
        except ValidationError as error:
            _add_service_errors(verify_form, error)
        else:
            action = _get_action_for_user(request, pk)
            if request.htmx:
                return render(request, "actions/_action_live.html", _action_page_context(request, action, saved=saved))
            messages.success(request, saved)
            return redirect(action.get_absolute_url())
    context = _action_page_context(request, action, verify_form=verify_form)
    template = "actions/_action_live.html" if request.htmx else "actions/action_detail.html"
    return render(request, template, context)


def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Evidence files are served only here, to people who can see the action, and only as downloads."""
    action = _get_action_for_user(request, pk)
    evidence = get_object_or_404(Evidence.objects.exclude(file=""), pk=evidence_pk, action=action)
    return serve_private_file(
        request,
        evidence.file,
        evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )


def action_add(request: HttpRequest, finding_pk: int) -> HttpResponse:
    finding = _get_finding_for_user(request, finding_pk)
    inspection = finding.inspection
    if not action_policy.user_may_add_to_finding(request.user, finding):
        # No form for someone who could not save it (the service refuses their POST in any case).
        raise PermissionDenied("Only improvement leads and admins can add actions.")
    form = ActionAddForm(request.POST or None, authority=inspection.authority)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(finding=finding, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if "add_another" in request.POST:
                messages.success(request, f"Action added: {action.title}. Add another below.")
                return redirect("actions:action_add", finding_pk=finding.pk)
            messages.success(request, f"Action added: {action.title}")
            return redirect(finding.get_absolute_url())
    return render(
        request,
        "actions/action_add.html",
        {"form": form, "finding": finding, "inspection": inspection, "authority": inspection.authority},
    )


def plan_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record when the action plan (and its draft) went to Ofsted."""
    inspection = _get_inspection_for_user(request, pk)
    if not can_record_plan(request.user):
        raise PermissionDenied("Only admins, improvement leads and senior leaders can record the plan's submission.")
    deadlines = selectors.plan_deadlines_for(inspection)
    if not deadlines.applies:
        raise Http404("This visit does not need an action plan.")
    has_draft = deadlines.draft_due is not None
    initial = {"plan_submitted_on": deadlines.plan_submitted_on, "draft_submitted_on": deadlines.draft_submitted_on}
    form = PlanSubmissionForm(request.POST or None, initial=initial, has_draft=has_draft)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_record(
                inspection=inspection,
                user=request.user,
                plan_submitted_on=form.cleaned_data.get("plan_submitted_on"),
                draft_submitted_on=form.cleaned_data.get("draft_submitted_on"),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Action plan dates saved.")
            return redirect(inspection.get_absolute_url())
    return render(
        request,
        "actions/plan_record.html",
        {"form": form, "inspection": inspection, "authority": inspection.authority, "deadlines": deadlines},
    )


# --- spreadsheet import: upload → columns → check → save ---------------------------------------------

def _require_editor(user) -> None:
    if not can_edit_actions(user):
        raise PermissionDenied("Only improvement leads and admins can import action plans.")


def _plan_draft(request: HttpRequest, token: str) -> ImportDraft:
    """The person's own unexpired spreadsheet upload behind a token; 404 for anyone else's or a stale one."""
    try:
        return get_import_draft_for_user(request.user, token, kind=ImportDraft.Kind.ACTION_PLAN)
    except DraftNotFound:
        raise Http404("This upload has expired. Upload the spreadsheet again.") from None


def _plan_sheet(draft: ImportDraft) -> plan_import.Sheet:
    return plan_import.read_sheet(import_draft_source(draft), draft.parsed["format"])


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
            draft = services.plan_import_draft_create(
                user=request.user,
                inspection=form.cleaned_data["inspection"],
                source=form.data_bytes,
                format=form.kind,
                filename=Path(form.cleaned_data["file"].name).name[:120],
            )
        except plan_import.SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            return redirect("actions:plan_import_columns", token=draft.token)
    return render(request, "actions/import_upload.html", {"form": form, "nav_section": "all_actions"})


def plan_import_columns(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request.user)
    draft = _plan_draft(request, token)
    inspection = _get_inspection_for_user(request, draft.parsed["inspection"])
    sheet = _plan_sheet(draft)
    samples = [
        next((str(row[index]) for _, row in sheet.rows if row[index] not in (None, "")), "")[:60]
        for index in range(len(sheet.headers))
    ]
    suggested = draft.parsed["mapping"] or plan_import.suggest_mapping(sheet.headers)
    form = ColumnMappingForm(request.POST or None, headers=sheet.headers, samples=samples, suggested=suggested)
    if request.method == "POST" and form.is_valid():
        services.plan_import_mapping_set(draft=draft, user=request.user, mapping=form.mapping())
        return redirect("actions:plan_import_check", token=token)
    context = {
        "form": form,
        "draft": draft,
        "sheet": sheet,
        "inspection": inspection,
        "token": token,
        "nav_section": "all_actions",
    }
    return render(request, "actions/import_columns.html", context)


def plan_import_check(request: HttpRequest, token: str) -> HttpResponse:
    _require_editor(request.user)
    draft = _plan_draft(request, token)
    mapping = draft.parsed.get("mapping")
    if not mapping:
        return redirect("actions:plan_import_columns", token=token)
    inspection = _get_inspection_for_user(request, draft.parsed["inspection"])
    rows = plan_import.check_rows(_plan_sheet(draft), mapping, inspection)
    problems = [row for row in rows if row.errors]
    if request.method == "POST" and not problems:
        try:
            created = services.action_plan_import(
                user=request.user, inspection=inspection, rows=rows, source_name=draft.source_filename
            )
        except ValidationError as error:
            messages.error(request, "Nothing was imported: " + " ".join(error.messages))
        else:
            import_draft_discard(draft=draft)
            messages.success(request, f"Imported {len(created)} action{pluralize(len(created))} into the plan for {inspection.title}.")
            return redirect(f"{reverse('actions:action_list')}?inspection={inspection.pk}")
    used = [key for key in mapping if key]
    context = {
        "rows": rows,
        "problems": problems,
        "new_owners": plan_import.new_owners(rows),
        "draft": draft,
        "inspection": inspection,
        "token": token,
        "columns": [(key, plan_import.TARGET_LABELS[key]) for key in used],
        "nav_section": "all_actions",
    }
    return render(request, "actions/import_check.html", context)


# --- the action's own details; a council's owners (h7owners) -----------------------------------------


def action_details(request: HttpRequest, pk: int) -> HttpResponse:
    """"Edit action details": title, description, owner and due date, through action_change (one history
    row, the version check, a reason for a new due date)."""
    action = _get_action_for_user(request, pk)
    if "title" not in action_permissions(request.user, action).fields:
        raise PermissionDenied("Only improvement leads and admins of this council can edit an action's details.")
    conflict = None
    if request.method == "POST":
        form = ActionDetailsForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.action_change(
                    action=action, user=request.user, expected_version=data["version"], changes=form.changes(),
                    due_date_reason=data.get("due_date_reason", ""),
                )
            except StaleActionError as stale:
                conflict = stale
                action = _get_action_for_user(request, pk)
                kept = request.POST.copy()
                kept["version"] = str(action.version)
                form = ActionDetailsForm(kept, action=action)
                form.is_valid()
                form.add_error(None, "Someone changed this action while you were editing it: nothing was saved. "
                                     "Check their change below, then save again.")
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "The action's details were saved." if result.changed
                                 else "Nothing had changed, so nothing was saved.")
                return redirect(action.get_absolute_url())
    else:
        form = ActionDetailsForm(action=action)
    context = {
        "action": action,
        "inspection": action.finding.inspection,
        "authority": action.finding.inspection.authority,
        "form": form,
        "conflict_entries": timeline_for(conflict.changes_since) if conflict else [],
    }
    return render(request, "actions/action_details.html", context, status=409 if conflict else 200)


def owner_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A council's owners: the people its actions are assigned to, with or without an account."""
    authority = get_authority_for_user(request.user, slug)
    context = {
        "authority": authority,
        "owners": selectors.owner_rows_for(request.user, authority),
        "can_manage": action_policy.user_may_manage_owners(request.user, authority),
    }
    return render(request, "actions/owner_list.html", context)


def _owner_form_page(request: HttpRequest, authority, owner=None) -> HttpResponse:
    if not action_policy.user_may_manage_owners(request.user, authority):
        raise PermissionDenied("Only improvement leads and admins of this council can manage its owners.")
    if request.method == "POST":
        form = OwnerForm(request.POST, authority=authority)
        if form.is_valid():
            values = form.cleaned_data
            try:
                if owner is None:
                    saved = services.owner_create(
                        user=request.user, authority=authority, name=values["name"], job_title=values["job_title"],
                        organisation=values["organisation"], email=values["email"], account=values["user"],
                    )
                    messages.success(request, f"{saved.name} was added to {authority.name}'s owners.")
                else:
                    saved = services.owner_update(user=request.user, owner=owner, changes=values)
                    messages.success(request, f"{saved.name}'s details were saved.")
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect("actions:owner_list", slug=authority.slug)
    else:
        initial = {}
        if owner is not None:
            initial = {name: getattr(owner, name) for name in ("name", "job_title", "organisation", "email", "user")}
        form = OwnerForm(initial=initial, authority=authority)
    return render(request, "actions/owner_form.html", {"authority": authority, "owner": owner, "form": form})


def owner_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _owner_form_page(request, get_authority_for_user(request.user, slug))


def owner_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    authority = get_authority_for_user(request.user, slug)
    owner = get_object_or_404(selectors.owners_for_authority(authority), pk=pk)
    return _owner_form_page(request, authority, owner)

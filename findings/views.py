"""The letter import (upload, preview, confirm, cancel) and the imported letter's download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import is_admin
from core.uploads import serve_private_file
from findings import selectors, services
from findings.forms import POINTS_PREFIX, FindingEditForm, ImportPreviewForm, ImportUploadForm, PointFormSet, points_as_rows, points_reordered
from inspections import selectors as inspection_selectors
from inspections import services as inspection_services
from inspections.importing import ImportRejected
from findings.models import Theme
from findings.permissions import finding_policy
from inspections.permissions import inspection_policy

def _get_inspection_for_user(request: HttpRequest, pk: int):
    """The inspection if its council is one of the user's, else 404."""
    return inspection_policy.get_for_user(request.user, pk, select_related=("authority",))


# --- importing a publication (admins) ----------------------------------------------------------------


def _require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only admins can import Ofsted publications.")


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    if request.method != "POST":
        return render(request, "inspections/import_start.html", {"form": ImportUploadForm(), "nav_section": "import"})
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        source, filename, field = form.source()
        try:
            draft = inspection_services.import_draft_create(user=request.user, source=source, filename=filename)
        except ImportRejected as rejected:
            form.add_error(field, rejected.message)
        else:
            return redirect("inspections:import_preview", token=draft.token)
    return render(request, "inspections/import_start.html", {"form": form, "nav_section": "import"}, status=400)


def _draft_or_restart(request: HttpRequest, token: str):
    try:
        return inspection_selectors.get_import_draft_for_user(request.user, token)
    except inspection_selectors.DraftNotFound:
        messages.warning(
            request,
            "That import has expired or could not be found, so nothing was saved. Upload the document again.",
        )
        return None


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_admin(request.user)
    draft = _draft_or_restart(request, token)
    if draft is None:
        return redirect("inspections:import_start")
    preview = selectors.ImportPreview(request.user, draft)
    new_label = (
        f"Add {preview.new_authority.name} to the tracker (Ofsted URN {preview.new_authority.ofsted_urn})"
        if preview.new_authority else ""
    )
    form_kwargs = {
        "authorities": preview.authorities,
        "new_authority_label": new_label,
        "improvement_heading_without_points": preview.improvement_heading_without_points,
        "undated": preview.published_on is None,
    }
    duplicate_error = None
    if request.method == "GET":
        form = ImportPreviewForm(initial=preview.initial(), **form_kwargs)
        earlier = preview.earlier_findings(preview.suggested_authority)
        points = PointFormSet(
            initial=preview.points_initial(), prefix=POINTS_PREFIX, form_kwargs={"themes": preview.themes, "earlier": earlier}
        )
        status = 200
    else:
        confirming = "confirm" in request.POST
        data = (
            request.POST if confirming
            else points_reordered(request.POST, add="add_point" in request.POST, themes=preview.themes)
        )
        form = ImportPreviewForm(data, **form_kwargs)
        chosen = next((a for a in preview.authorities if a.slug == data.get("authority")), None)
        earlier = preview.earlier_findings(chosen)
        points = PointFormSet(data, prefix=POINTS_PREFIX, form_kwargs={"themes": preview.themes, "earlier": earlier})
        status = 200
        if confirming:
            if form.is_valid() and points.is_valid() and form.check_points(points):
                try:
                    inspection = services.import_confirm(
                        draft=draft,
                        data=_inspection_input(form, points),
                        user=request.user,
                        new_authority=preview.new_authority if form.chosen_authority() is None else None,
                    )
                except inspection_services.DuplicateImport as duplicate:
                    duplicate_error = duplicate
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        f"Imported {inspection.get_kind_display().lower()} of {inspection.authority.name}, "
                        f"{inspection.date_range_display}, with {_points_phrase(points)}.",
                    )
                    return redirect(inspection)
            status = 400
        else:
            # kept in the draft: a reload of the page shows the list as the admin left it
            inspection_services.import_draft_keep_points(draft=draft, user=request.user, points=points_as_rows(data))
    new_point = request.method == "POST" and "add_point" in request.POST
    if new_point and points.forms:
        # "Add another point": the new box has autofocus, so the page opens scrolled to it with focus in it
        points.forms[-1].fields["text"].widget.attrs["autofocus"] = True
    context = {
        "draft": draft,
        "preview": preview,
        "source_lines": selectors.source_lines(
            draft.parsed.get("source_text") or "", [point["text"].value() for point in points.forms]
        ),
        "form": form,
        "points": points,
        "duplicate_error": duplicate_error,
        "duplicate_message": duplicate_error.message_for(request.user) if duplicate_error else "",
        "duplicate_visible": bool(duplicate_error and duplicate_error.visible_to(request.user)),
        "nav_section": "import",
        "new_point": new_point,
    }
    return render(request, "inspections/import_preview.html", context, status=status)


def _points_phrase(points) -> str:
    count = len(points.kept_forms())
    return f"{count} point{'s' if count != 1 else ''} to act on"


def _inspection_input(form: ImportPreviewForm, points) -> services.InspectionInput:
    cleaned = form.cleaned_data
    kind = cleaned["kind"]
    return services.InspectionInput(
        authority=form.chosen_authority(),
        kind=kind,
        framework="JTAI" if kind == "jtai" else "ILACS",
        visit_start=cleaned["visit_start"],
        visit_end=cleaned["visit_end"],
        published_on=cleaned["published_on"],
        plan_submitted_on=cleaned.get("plan_submitted_on"),
        inspectors=cleaned["inspectors"],
        focus_area=cleaned["focus_area"] if kind not in ("full_inspection", "short_inspection") else "",
        headline=cleaned["headline"].strip(),
        judgements=[services.JudgementInput(area=area, grade=grade) for area, grade in cleaned["judgements"]],
        findings=[
            services.FindingInput(
                text=point.cleaned_data["text"],
                kind=point.cleaned_data["kind"],
                theme=point.chosen_theme(),
                repeats=point.chosen_earlier(),
                framework_refs=point.cleaned_data["framework_refs"],
            )
            for point in points.kept_forms()
        ],
    )


@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    _require_admin(request.user)
    draft = _draft_or_restart(request, token)
    if draft is not None:
        inspection_services.import_draft_discard(draft=draft)
        messages.info(request, "The import was cancelled and nothing was saved.")
    return redirect("inspections:import_start")


def inspection_source(request: HttpRequest, pk: int) -> FileResponse:
    """The letter or report as imported, for members of its authority only (private storage, never static)."""
    inspection = _get_inspection_for_user(request, pk)
    if not inspection.source_document:
        raise Http404("No source document was kept for this inspection.")
    extension = ".pdf" if inspection.source_document.name.endswith(".pdf") else ".txt"
    download_name = f"{inspection.authority.slug}-{inspection.kind.replace('_', '-')}-{inspection.visit_start}{extension}"
    # Always a download: the letter is a document to keep, and nothing uploaded runs in our origin.
    return serve_private_file(
        request,
        inspection.source_document,
        download_name,
        content_type="application/pdf" if extension == ".pdf" else "text/plain; charset=utf-8",
    )


# --- a finding after import (admins of its council) --------------------------------------------------


def _get_finding_for_user(request: HttpRequest, pk: int, finding_pk: int):
    """The finding of this inspection if its council is one of the user's, else 404."""
    finding = finding_policy.get_for_user(
        request.user, finding_pk, select_related=("inspection__authority", "theme")
    )
    if finding.inspection_id != pk:
        raise Http404("No such finding in this inspection.")
    return finding


@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """Correct a finding's wording, theme and national framework tags."""
    finding = _get_finding_for_user(request, pk, finding_pk)
    finding_policy.require(request.user, "change", finding, "Only admins of this council can change its findings.")
    themes = Theme.objects.order_by("position", "name")
    status = 200
    if request.method == "POST":
        form = FindingEditForm(request.POST, themes=themes)
        if form.is_valid():
            try:
                services.finding_update(
                    finding=finding, user=request.user, changes=form.changes(),
                    read_fingerprint=form.cleaned_data["read_fingerprint"] or None,
                )
            except services.FindingChangedMeanwhile as stale:
                # The page shows the finding as it is now (with what to send back next), and says why.
                finding.refresh_from_db()
                form = FindingEditForm(_finding_values(finding), themes=themes)
                form.is_valid()
                form.add_error(None, stale)
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, "The finding was saved.")
                return redirect(finding)
        else:
            status = 400
    else:
        form = _finding_form(finding, themes)
    context = {"finding": finding, "inspection": finding.inspection, "authority": finding.inspection.authority, "form": form}
    return render(request, "inspections/finding_edit.html", context, status=status)


def _finding_values(finding) -> dict:
    return {
        "text": finding.text,
        "theme": finding.theme_id or "",
        "framework_refs": list(finding.framework_refs or []),
        "read_fingerprint": services.finding_fingerprint(finding),
    }


def _finding_form(finding, themes) -> FindingEditForm:
    return FindingEditForm(initial=_finding_values(finding), themes=themes)

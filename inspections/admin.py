from django import forms
from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.uploads import check_upload

from inspections.selectors import authority_ids_for
from accounts.models import Membership
from inspections.models import Inspection, Judgement, LocalAuthority
from inspections.services import inspection_update, published_outcomes_import
from core.admin import ReadOnlyAdminMixin


class AuthorityScopedAdmin(admin.ModelAdmin):
    """Admin lists show staff only their own authorities' rows (superusers see all)."""

    authority_path = "authority"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.authority_path}__in": authority_ids_for(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices (and what the form accepts) are scoped too: a council's admin can neither see another
        # council's rows in a drop-down nor attach anything to them by typing an id.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = FOREIGN_KEY_AUTHORITY_PATHS.get(db_field.related_model._meta.label_lower)
        if field is not None and path and not request.user.is_superuser:
            field.queryset = field.queryset.filter(**{f"{path}__in": authority_ids_for(request.user)}).distinct()
        return field


# How each model that can be chosen in an admin form reaches its authority.
FOREIGN_KEY_AUTHORITY_PATHS = {
    "inspections.localauthority": "id",
    "inspections.inspection": "authority",
    "findings.finding": "inspection__authority",
    "actions.action": "finding__inspection__authority",
    "actions.actionupdate": "action__finding__inspection__authority",
    "actions.owner": "authority",
    "auth.user": "memberships__authority",
}


# How each model the admin's "view on site" can reach belongs to an authority (labels, not imports).
VIEW_ON_SITE_AUTHORITY_PATHS = {
    **FOREIGN_KEY_AUTHORITY_PATHS,
    "inspections.judgement": "inspection__authority",
    "actions.evidence": "action__finding__inspection__authority",
    "actions.actionplan": "inspection__authority",
    "accounts.membership": "authority",
}


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" (/admin/r/<type>/<id>/), kept inside the admin's councils: Django's own
    shortcut redirects to any row's page or link, another council's evidence link included. A row outside
    the user's councils, or of a model that belongs to no council, is a 404 (a superuser sees all)."""
    if not request.user.is_superuser:
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        path = VIEW_ON_SITE_AUTHORITY_PATHS.get(content_type.app_label + "." + content_type.model) if content_type else None
        model = content_type.model_class() if content_type else None
        if path is None or model is None:
            raise Http404("There is no page to show for this.")
        try:
            in_scope = model._default_manager.filter(
                pk=object_id, **{f"{path}__in": authority_ids_for(request.user)}
            ).exists()
        except (ValueError, ValidationError):
            in_scope = False
        if not in_scope:
            raise Http404("There is no page to show for this.")
    return contenttype_views.shortcut(request, content_type_id, object_id)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuthorityScopedAdmin):
    authority_path = "id"
    list_display = ("name", "ofsted_urn", "dfe_code", "ons_code", "ofsted_region", "la_type")
    list_filter = ("ofsted_region", "region", "la_type")
    search_fields = ("name", "ofsted_urn", "dfe_code", "ons_code")
    prepopulated_fields = {"slug": ("name",)}


class ServiceSavingAdminForm(forms.ModelForm):
    """An admin form that saves through the model's service while it is cleaned, so a refusal (who may,
    or a rule) shows as a form error and nothing is written; ServiceSavingAdmin.save_model writes nothing."""

    request = None  # set per request by ServiceSavingAdmin.get_form

    def save_through_service(self, changes: dict) -> None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.instance.pk:
            return cleaned
        changes = {name: cleaned[name] for name in self.changed_data if name in cleaned}
        if changes:
            try:
                self.save_through_service(changes)
            except PermissionDenied as denied:
                raise forms.ValidationError(str(denied)) from denied
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned


class ServiceSavingAdmin(AuthorityScopedAdmin):
    """Changes only, through the service (adding and deleting belong to the import, not the admin site)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        obj.refresh_from_db()  # already saved by the service while the form was cleaned

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JudgementInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The letter's judgements, as imported: read here, never changed."""

    model = Judgement
    extra = 0
    readonly_fields = ("area", "grade")



class InspectionAdminForm(ServiceSavingAdminForm):
    def save_through_service(self, changes: dict) -> None:
        inspection_update(inspection=self.instance, user=self.request.user, changes=changes)


@admin.register(Inspection)
class InspectionAdmin(ServiceSavingAdmin):
    form = InspectionAdminForm
    list_display = ("authority", "kind", "visit_start", "visit_end", "published_on", "focus_area", "source")
    list_filter = ("kind", "framework", "focus_area", "authority__ofsted_region", "source")
    search_fields = ("authority__name", "headline", "inspectors")
    date_hierarchy = "visit_start"
    list_select_related = ("authority",)
    # What was imported, from which file and by whom, and the visit it describes, are the audit trail of
    # the import: never edited here, and an imported inspection is not deleted from the admin (its findings
    # carry the action plans). Corrections to the rest go through inspections.services.inspection_update.
    readonly_fields = (
        "authority", "kind", "visit_start", "visit_end", "plan_submitted_on",
        "source_document", "source_sha256", "source_filename", "imported_by", "created_at", "source",
    )
    inlines = [JudgementInline]
    change_list_template = "admin/inspections/inspection/change_list.html"

    def get_urls(self):
        own = [
            path(
                "import-published-outcomes/",
                self.admin_site.admin_view(self.published_outcomes_view),
                name="inspections_inspection_published_outcomes",
            )
        ]
        return own + super().get_urls()

    def published_outcomes_view(self, request):
        """Upload Ofsted's published outcomes (ODS): superusers only, since the file covers every council."""
        if not request.user.is_superuser:
            raise PermissionDenied
        form = PublishedOutcomesForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = published_outcomes_import(user=request.user, source=form.cleaned_data["file"].read())
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                messages.success(request, result.summary())
                return redirect(reverse("admin:inspections_inspection_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import Ofsted's published outcomes",
            "form": form,
        }
        return TemplateResponse(request, "admin/inspections/inspection/published_outcomes.html", context)


class PublishedOutcomesForm(forms.Form):
    file = forms.FileField(
        label="Local authority inspection outcomes (ODS)",
        help_text="The file Ofsted publishes each year, as downloaded (OpenDocument spreadsheet).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload, allowed={"ods", "xlsx"}, description="an OpenDocument (ODS) or Excel spreadsheet")
        return upload


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdminMixin, AuthorityScopedAdmin):
    authority_path = "inspection__authority"
    list_display = ("inspection", "area", "grade", "source")
    list_filter = ("area", "grade", "source")
    search_fields = ("inspection__authority__name",)
    list_select_related = ("inspection__authority",)


# accounts' Membership, registered here because its admin is scoped by authority (accounts sits below).
@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, AuthorityScopedAdmin):
    """Read-only: who belongs to which council changes on the People pages, through accounts.services,
    which checks the admin's councils and records every change in the people audit."""

    list_display = ("user", "authority", "created_at")
    list_filter = ("authority__region",)
    search_fields = ("user__username", "user__email", "authority__name")
    list_select_related = ("user", "authority")


"""The admin site for actions: for looking things up and correcting wording, never a side door.

Fields bound by the rules (status, RAG, due date, owner, progress, evidence, version) are read-only here:
they change on the action's page, through the services. What an admin may still correct (title,
description, the measure's name, baseline and target) is saved through actions.services.action_change,
so the version is checked and the change is in the history like any other. History and evidence are
read-only; actions are added on a finding's page (or by spreadsheet import), never here.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from actions.models import Action, ActionUpdate, Owner
from actions.services import StaleActionError, action_change
from inspections.admin import AuthorityScopedAdmin
from core.admin import ReadOnlyAdminMixin

RULE_BOUND_FIELDS = (
    "finding", "owner", "due_date", "status", "rag", "progress_notes", "evidence", "evidence_link",
    "measure_latest", "measure_latest_on", "version", "created_at", "updated_at",
)
ADMIN_EDITABLE_FIELDS = ("title", "description", "measure_name", "measure_baseline", "measure_target")


class ActionAdminForm(forms.ModelForm):
    """Saves through action_change while the form is cleaned, so a refusal shows as a form error and
    nothing is written; `expected_version` is the version the admin read."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    request = None  # set per request by ActionAdmin.get_form

    class Meta:
        model = Action
        fields = ADMIN_EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.instance.pk:
            return cleaned
        changes = {name: cleaned[name] for name in ADMIN_EDITABLE_FIELDS if name in self.changed_data and name in cleaned}
        if not changes:
            return cleaned
        try:
            action_change(
                action=self.instance,
                user=self.request.user,
                expected_version=cleaned["expected_version"],
                changes=changes,
                note="Corrected on the admin site.",
            )
        except StaleActionError as stale:
            raise forms.ValidationError(
                f"Someone changed this action since you opened it (now version {stale.action.version}): "
                "nothing was saved. Reload the page and make your correction again."
            ) from stale
        except PermissionDenied as denied:
            raise forms.ValidationError(str(denied) or "You cannot change this action.") from denied
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return cleaned


@admin.register(Action)
class ActionAdmin(AuthorityScopedAdmin):
    authority_path = "finding__inspection__authority"
    form = ActionAdminForm
    list_display = ("title", "owner", "due_date", "status", "rag", "updated_at")
    # RelatedOnly: the filter lists only authorities in the (scoped) rows, never every council's name.
    list_filter = ("status", "rag", "finding__theme", ("finding__inspection__authority", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "progress_notes", "owner__name")
    list_select_related = ("owner", "finding__inspection__authority")
    date_hierarchy = "due_date"
    fields = (*ADMIN_EDITABLE_FIELDS, "expected_version", *RULE_BOUND_FIELDS)
    readonly_fields = RULE_BOUND_FIELDS

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = (*ADMIN_EDITABLE_FIELDS, "expected_version")
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_fields(self, request, obj=None):
        return self.fields if self.has_change_permission(request, obj) else (*ADMIN_EDITABLE_FIELDS, *RULE_BOUND_FIELDS)

    def save_model(self, request, obj, form, change):
        # The form has already saved through action_change (with the history row); nothing more to write.
        obj.refresh_from_db()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ReadOnlyAdminMixin, AuthorityScopedAdmin):
    """History is append-only: readable here, never editable or deletable."""

    authority_path = "action__finding__inspection__authority"
    list_display = ("action", "version", "author", "created_at", "status", "rag")
    list_filter = ("status", "rag")
    search_fields = ("action__title", "note", "author__username")
    list_select_related = ("action", "author")
    date_hierarchy = "created_at"



@admin.register(Owner)
class OwnerAdmin(ReadOnlyAdminMixin, AuthorityScopedAdmin):
    """Owners are added and edited on each council's Owners page (actions.services.owner_create and
    owner_update); readable here."""

    list_display = ("name", "job_title", "organisation", "email", "user", "authority")
    list_filter = (("authority", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "job_title", "organisation", "email", "user__username")
    list_select_related = ("user", "authority")

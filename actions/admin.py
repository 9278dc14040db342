from django.contrib import admin

from actions.models import Action, ActionUpdate
from inspections.admin import AuthorityScopedAdmin


@admin.register(Action)
class ActionAdmin(AuthorityScopedAdmin):
    authority_path = "finding__inspection__authority"
    list_display = ("title", "owner", "due_date", "status", "rag", "updated_at")
    # RelatedOnly: the filter lists only authorities in the (scoped) rows, never every council's name.
    list_filter = ("status", "rag", "finding__theme", ("finding__inspection__authority", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "progress_notes", "owner__username")
    list_select_related = ("owner", "finding__inspection__authority")
    date_hierarchy = "due_date"
    readonly_fields = ("version", "created_at", "updated_at")
    raw_id_fields = ("finding",)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(AuthorityScopedAdmin):
    """History is append-only: readable here, never editable or deletable."""

    authority_path = "action__finding__inspection__authority"
    list_display = ("action", "version", "author", "created_at", "status", "rag")
    list_filter = ("status", "rag")
    search_fields = ("action__title", "note", "author__username")
    list_select_related = ("action", "author")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

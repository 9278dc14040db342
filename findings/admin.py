from django.contrib import admin

from findings.models import Finding, Theme
from findings.services import finding_link_repeat, finding_update, theme_delete, theme_save
from inspections.admin import ServiceSavingAdmin, ServiceSavingAdminForm


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    search_fields = ("name", "description", "keywords")
    prepopulated_fields = {"slug": ("name",)}

    # Themes are shared by every council, so only superusers may change them (a council admin deleting
    # one would also see, on the confirmation page, other councils' findings that use it).
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    # Through the service, which tells every council's cached figures (theme names show on all of them).
    def save_model(self, request, obj, form, change):
        theme_save(theme=obj, user=request.user)

    def delete_model(self, request, obj):
        theme_delete(theme=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for theme in queryset:
            theme_delete(theme=theme, user=request.user)


class FindingAdminForm(ServiceSavingAdminForm):
    def save_through_service(self, changes: dict) -> None:
        if "repeats" in changes:
            finding_link_repeat(finding=self.instance, user=self.request.user, earlier=changes.pop("repeats"))
        if changes:
            finding_update(finding=self.instance, user=self.request.user, changes=changes)


@admin.register(Finding)
class FindingAdmin(ServiceSavingAdmin):
    """Wording, theme and the earlier finding it repeats change through findings.services; where it sits
    in its letter is the import's and read-only."""

    form = FindingAdminForm
    authority_path = "inspection__authority"
    readonly_fields = ("inspection", "kind", "position")
    list_display = ("__str__", "inspection", "kind", "position", "theme")
    list_filter = ("kind", "theme", "inspection__kind")
    search_fields = ("text", "inspection__authority__name")
    list_select_related = ("inspection__authority", "theme")
    raw_id_fields = ("repeats",)

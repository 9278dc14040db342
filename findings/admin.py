from django.contrib import admin

from findings.models import Finding, Theme
from inspections.admin import AuthorityScopedAdmin


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


@admin.register(Finding)
class FindingAdmin(AuthorityScopedAdmin):
    authority_path = "inspection__authority"
    list_display = ("__str__", "inspection", "kind", "position", "theme")
    list_filter = ("kind", "theme", "inspection__kind")
    search_fields = ("text", "inspection__authority__name")
    list_select_related = ("inspection__authority", "theme")
    raw_id_fields = ("repeats",)

from django.contrib import admin

from findings.models import Finding, Theme
from inspections.admin import AuthorityScopedAdmin


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    search_fields = ("name", "description", "keywords")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Finding)
class FindingAdmin(AuthorityScopedAdmin):
    authority_path = "inspection__authority"
    list_display = ("__str__", "inspection", "kind", "position", "theme")
    list_filter = ("kind", "theme", "inspection__kind")
    search_fields = ("text", "inspection__authority__name")
    list_select_related = ("inspection__authority", "theme")
    raw_id_fields = ("repeats",)

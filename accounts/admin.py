from django.contrib import admin

from accounts.models import Membership
from inspections.admin import AuthorityScopedAdmin


@admin.register(Membership)
class MembershipAdmin(AuthorityScopedAdmin):
    list_display = ("user", "authority", "created_at")
    list_filter = ("authority__region",)
    search_fields = ("user__username", "user__email", "authority__name")
    list_select_related = ("user", "authority")
    autocomplete_fields = ("authority",)
